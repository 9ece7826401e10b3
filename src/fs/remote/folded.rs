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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::place::{Placed, Rename};

    fn folded<'p>(placements: &'p [Placement<'p>]) -> FoldedPlacing<'p> {
        FoldedPlacing::new(placements, Path::new("/d/.sd-x")).unwrap()
    }

    #[test]
    fn every_path_is_a_quoted_argument() {
        let temp = Path::new("/d/.sd-x/0");
        let dest = Path::new("/d/it's $(here)\nnow");
        let placements = [Placement { temp, dest, how: Rename::Replace }];
        let cmd = String::from_utf8_lossy(folded(&placements).command().as_bytes()).into_owned();
        assert!(cmd.contains(r"'it'\''s $(here)"), "{cmd}");
        assert!(cmd.contains("'/d/.sd-x'"), "{cmd}");
    }

    #[test]
    fn the_lines_are_the_placements_then_the_removal() {
        let temp = Path::new("/d/.sd-x/0");
        let dest = Path::new("/d/f");
        let placements = [Placement { temp, dest, how: Rename::Replace }];
        let (placed, removed) = folded(&placements).results(b"OK 0\nOK\n");
        assert_eq!(placed.len(), 1);
        assert!(matches!(&placed[0], Ok(Placed::At(p)) if p == dest));
        assert!(matches!(removed, Some(Ok(()))));
        let (placed, removed) =
            folded(&placements).results(b"ERR Permission denied\nERR rm: Permission denied\n");
        assert!(matches!(placed[0], Err(FsError::PermissionDenied(_))), "{placed:?}");
        assert!(matches!(removed, Some(Err(FsError::PermissionDenied(_)))));
    }

    #[test]
    fn a_placing_cut_short_fails_its_files_with_what_it_printed() {
        let temp = Path::new("/d/.sd-x/0");
        let dest = Path::new("/d/f");
        let placements = [Placement { temp, dest, how: Rename::Replace }];
        let (placed, removed) = folded(&placements).results(b"\x1b[2J");
        let said = placed[0].as_ref().unwrap_err().to_string();
        assert!(said.contains("no result from the placing") && !said.contains('\x1b'), "{said}");
        assert!(matches!(removed, Some(Err(_))));
    }
}
