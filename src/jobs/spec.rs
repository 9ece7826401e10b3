//! What a job is asked to do: the user's choices from the copy dialog or the
//! `cp` command line.

use std::fmt;

// Named in config.toml and on the command line too: defined with the other
// choices, re-exported here as part of what a job is given.
pub use crate::choices::{Limits, OverwritePolicy};
use crate::fs::Location;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JobId(pub u64);

impl fmt::Display for JobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Copy,
    /// Copy, then delete each source item once its copy is confirmed.
    Move,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Options {
    /// Keep modification times and permission bits (scp -p).
    pub preserve: bool,
    pub overwrite: OverwritePolicy,
    /// Compare sha256 of source and copy after the transfer.
    pub verify: bool,
    /// Remote to remote: run scp on the source host towards the destination
    /// instead of streaming through scpdeck.
    pub direct: bool,
    /// Bandwidth limit for the whole job in Kbit/s (scp -l).
    pub limit_kbit: Option<u64>,
    /// Refuse directory sources ("not a regular file"), as scp does
    /// without -r.
    pub files_only: bool,
    /// `cp --resume`: a destination that is already a complete copy (same
    /// size and modification time, or with `verify` the same sha256) is
    /// skipped, and partial copies an earlier run left are continued.
    pub resume: bool,
    /// Follow symbolic links at every depth and copy what they point to
    /// (`cp -L`); otherwise a link is recreated as a link.
    pub follow_links: bool,
}

/// How the target is to be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetKind {
    /// The target is a directory the sources go into (the other pane).
    Dir,
    /// Like scp: into the target if it is a directory, otherwise a single
    /// source is copied under the target's name.
    Auto,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobSpec {
    pub mode: Mode,
    /// Files and directories to copy (directories recursively).
    pub sources: Vec<Location>,
    pub target: Location,
    pub target_kind: TargetKind,
    pub options: Options,
}

impl JobSpec {
    /// "copy 3 items → host:/dir" (escaped), for the jobs pane.
    pub fn title(&self) -> String {
        let verb = match self.mode {
            Mode::Copy => "copy",
            Mode::Move => "move",
        };
        let what = match self.sources.as_slice() {
            [one] => one.to_string(),
            many => format!(
                "{} items from {}",
                many.len(),
                many.first().and_then(Location::parent).map(|p| p.to_string()).unwrap_or_default()
            ),
        };
        format!("{verb} {what} → {}", self.target)
    }
}
