//! The protocol ladder: how files travel to and from a host, chosen once per
//! connection from the probe. SCP through the remote `scp` where there is
//! one; SFTP (libssh2's client) when the host runs no commands or has no
//! `scp`; plain `cat`/`dd` over exec channels when there is a shell but
//! neither. Every rung keeps the same guarantees: temporary names renamed
//! into place, nothing half-written under a destination's name, the remote
//! side's error text in the log.

/// A rung of the ladder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Protocol {
    /// The remote `scp` (the SCP protocol, scpdeck's own engine).
    #[default]
    Scp,
    /// The `sftp` subsystem through libssh2's SFTP client.
    Sftp,
    /// `cat` and `dd` over exec channels.
    Stream,
}

impl Protocol {
    /// The rung's short name, as the log, the pane title and `cp -v` show it.
    pub fn name(self) -> &'static str {
        match self {
            Protocol::Scp => "scp",
            Protocol::Sftp => "sftp",
            Protocol::Stream => "cat/dd",
        }
    }

    /// The rung for a host: `shell` (commands run), `scp` (on the PATH),
    /// `sftp` (the subsystem answers, asked only when needed), and why, for
    /// the log.
    pub fn choose(shell: bool, scp: bool, sftp: &mut dyn FnMut() -> bool) -> (Protocol, &'static str) {
        match (shell, scp) {
            (true, true) => (Protocol::Scp, "the host has scp"),
            (false, _) => (Protocol::Sftp, "the host runs no commands (an SFTP-only account)"),
            (true, false) if sftp() => (Protocol::Sftp, "the host has no scp on the PATH"),
            (true, false) => (Protocol::Stream, "the host has neither scp nor an sftp subsystem"),
        }
    }
}

impl std::fmt::Display for Protocol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ladder_falls_from_scp_to_sftp_to_streams() {
        let asked = std::cell::Cell::new(false);
        let mut yes = || {
            asked.set(true);
            true
        };
        assert_eq!(Protocol::choose(true, true, &mut yes).0, Protocol::Scp);
        assert!(!asked.get(), "a host with scp is never asked for sftp");
        assert_eq!(Protocol::choose(false, false, &mut || false).0, Protocol::Sftp);
        assert_eq!(Protocol::choose(true, false, &mut || true).0, Protocol::Sftp);
        assert_eq!(Protocol::choose(true, false, &mut || false).0, Protocol::Stream);
        assert_eq!(Protocol::Stream.to_string(), "cat/dd");
    }
}
