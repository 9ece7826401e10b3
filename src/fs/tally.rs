//! What a copy of some paths will really copy, counted: the copy dialog's
//! counts. The walk a copy makes (`jobs::tally`) gives them everywhere; a
//! host may count the same in one command ([`super::FileSystem::tally`]).

/// Counts by kind, as a copy's walk finds them (they change with `follow`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub files: u64,
    pub dirs: u64,
    /// Links recreated as links (none with `follow`).
    pub links: u64,
    /// Special files, and with `follow` dangling links and loops.
    pub skipped: u64,
    /// What cannot be read (a directory without permission...).
    pub unreadable: u64,
    /// The files' bytes.
    pub bytes: u64,
}

/// Links followed one inside another before a copy's walk gives up on a
/// chain (where a host cannot say where a link leads, this alone ends a
/// loop). Below the kernel's own 40 links per path (ELOOP), so this is
/// what stops, with its own reason. The one-command counts stop there too.
pub const MAX_FOLLOWED: usize = 32;
