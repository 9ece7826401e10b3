//! Why a command could not do what it was asked, and the exit status that
//! says so ([`Status`]): the one error type of `cp`, `ls` and the commander
//! between parsing the command line and the layers below.

use std::io;

use super::exit_status::Status;
use super::operand::OperandError;
use crate::fs::FsError;
use crate::ssh::ConnectError;

/// A failure of a command as a whole (a file that fails during a copy is
/// reported by the copy, not as one of these). Text from a host in it was
/// escaped by the layer that produced it; the printer escapes every line
/// once more, which changes nothing on escaped text.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Operand(#[from] OperandError),
    #[error("--overwrite ask needs a terminal to ask on; choose another policy")]
    AskWithoutTerminal,
    /// A destination that cannot be read (`ssh://` with a bad port...).
    #[error(transparent)]
    Destination(#[from] crate::ssh::DestinationError),
    /// A pane's starting directory (the commander's LEFT or RIGHT).
    #[error("{path} is not a directory")]
    PaneNotADirectory { path: String },
    #[error("cannot open {path}: {source}")]
    PaneDirectory { path: String, source: io::Error },
    /// Several sources need a directory to go into.
    #[error("{path}: not a directory")]
    TargetNotADirectory { path: String },
    #[error("{operand}: the target is not one path")]
    TargetNotOnePath { operand: String },
    #[error("cannot read the current directory: {0}")]
    CurrentDir(io::Error),
    #[error("cannot start: {0}")]
    Runtime(io::Error),
    #[error("cannot catch signals: {0}")]
    Signals(io::Error),
    /// No connection to a host, or no login: nothing was copied or listed.
    #[error(transparent)]
    Connect(Box<ConnectError>),
    /// A remote `~USER` or pattern operand the host could not expand.
    #[error("{operand}: {source}")]
    Expand { operand: String, source: Box<FsError> },
    #[error(transparent)]
    List(Box<FsError>),
    #[error("cannot write the listing: {0}")]
    Write(io::Error),
    #[error(
        "the terminal is {width}x{height}; the commander needs at least {min_width}x{min_height} \
         to draw its panes. Enlarge the window (or use `scpdeck ls` and `scpdeck cp`)"
    )]
    TerminalTooSmall { width: u16, height: u16, min_width: u16, min_height: u16 },
    #[error("{0}")]
    Terminal(io::Error),
}

// Boxed: these errors are large, and every result of the commands carries one.
impl From<ConnectError> for CliError {
    fn from(error: ConnectError) -> Self {
        CliError::Connect(Box::new(error))
    }
}

impl From<FsError> for CliError {
    fn from(error: FsError) -> Self {
        CliError::List(Box::new(error))
    }
}

impl CliError {
    /// The exit status this failure ends the command with.
    pub fn status(&self) -> Status {
        match self {
            CliError::Operand(_)
            | CliError::AskWithoutTerminal
            | CliError::Destination(_)
            | CliError::PaneNotADirectory { .. }
            | CliError::PaneDirectory { .. } => Status::Usage,
            CliError::Connect(_) => Status::Connection,
            CliError::TargetNotADirectory { .. }
            | CliError::TargetNotOnePath { .. }
            | CliError::CurrentDir(_)
            | CliError::Runtime(_)
            | CliError::Signals(_)
            | CliError::Expand { .. }
            | CliError::List(_)
            | CliError::Write(_)
            | CliError::TerminalTooSmall { .. }
            | CliError::Terminal(_) => Status::Failed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_failures_are_told_apart() {
        let refused = ConnectError::Closed { host: "h".into() };
        assert_eq!(CliError::from(refused).status(), Status::Connection);
        assert_eq!(CliError::AskWithoutTerminal.status(), Status::Usage);
        let listing = FsError::Cancelled;
        assert_eq!(CliError::from(listing).status(), Status::Failed);
    }
}
