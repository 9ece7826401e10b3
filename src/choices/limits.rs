//! How many SSH connections transfers may hold (`max_connections` and
//! `max_connections_per_host` in config.toml, `cp -j`).

/// Connection limits: a transfer batch holds one connection per remote host it
/// touches (two for remote to remote), while it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub global: usize,
    pub per_host: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self { global: 4, per_host: 4 }
    }
}
