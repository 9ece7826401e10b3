//! The placing of uploads folded into the command that sends them: the
//! same script as [`super::RemoteFs::place_then_remove`], run by the
//! upload's shell once `scp -t` exited 0 (see `scp::upload_into_new_dir_then`),
//! so that it costs no command (channel open, exec, exit: about three
//! round trips) of its own. Its lines come after the protocol's end.

use std::path::Path;

use super::batch::{PlacedThenRemoved, lines_of, placing_action, placing_command, placing_results};
use crate::fs::error::{Failure, FsError};
use crate::fs::system::Placement;
use crate::shell::Command;
use crate::text::escape_bytes;

/// The placing of `placements`, then the removal of `private` (the
/// directory they came from), as a command to run after the upload.
pub struct FoldedPlacing<'p> {
    placements: &'p [Placement<'p>],
    private: &'p Path,
    command: Command,
}

impl<'p> FoldedPlacing<'p> {
    pub fn new(placements: &'p [Placement<'p>], private: &'p Path) -> Result<Self, FsError> {
        let command = placing_command(placements, Some(private))?;
        Ok(FoldedPlacing { placements, private, command })
    }

    /// The command (every path quoted).
    pub fn command(&self) -> &Command {
        &self.command
    }

    /// The placements' and the removal's results, from what the command
    /// printed (`after`). A line that is not there (the command was cut
    /// short) is an error of its item that says so, with the output seen.
    pub fn results(&self, after: &[u8]) -> PlacedThenRemoved {
        let action = placing_action(self.placements, Some(self.private));
        let missing = |n: usize| {
            FsError::Failed(Failure {
                action: action(n),
                command: String::new(),
                status: None,
                said: format!(
                    "no result from the placing after the upload (it printed: {})",
                    escape_bytes(after)
                ),
            })
        };
        let lines = lines_of(after, &action, self.placements.len() + 1, &missing);
        placing_results(lines, self.placements, Some(self.private))
    }
}
