//! The one error type of the file systems, local and remote, and how a
//! failure (an I/O error here, a failed command's stderr there) becomes a
//! variant a caller can act on: not found, permission denied with the
//! host's own words, no space, a lost connection, a missing program.

use std::io;
use std::path::Path;

use crate::shell::{ExecError, ExitStatus, Output, QuoteError};
use crate::text::{escape_bytes, escape_str};

/// What failed and what the system said. Every text field is escaped
/// already: it may be shown or logged as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// What scpdeck was doing, e.g. `list /srv/www`.
    pub action: String,
    /// The command line sent to the remote `sh` (empty on this machine).
    pub command: String,
    /// How the remote command ended (`None` on this machine).
    pub status: Option<ExitStatus>,
    /// The command's own stderr (never the login banner), or the system's
    /// error on this machine.
    pub said: String,
}

impl Failure {
    pub(crate) fn new(action: &str, command: &[u8], output: &Output) -> Self {
        Self {
            action: action.to_owned(),
            command: escape_bytes(command),
            status: Some(output.status.clone()),
            said: escape_bytes(output.stderr.trim_ascii()),
        }
    }

    /// A failure on this machine: the system's error for `path`.
    pub(crate) fn local(action: &str, path: &Path, error: &io::Error) -> Self {
        Self {
            action: action.to_owned(),
            command: String::new(),
            status: None,
            said: format!(
                "{}: {}",
                escape_bytes(path.as_os_str().as_encoded_bytes()),
                escape_str(&error.to_string())
            ),
        }
    }

    /// ` (exit status 1: rm: cannot remove ...)`, for the end of a message:
    /// the first two lines of what was said (a usage text can be fifty);
    /// nothing when there is neither a status nor words.
    fn detail(&self) -> String {
        const LINES: usize = 2;
        let mut lines = self.said.split("\\n").filter(|l| !l.trim().is_empty());
        let shown: Vec<&str> = lines.by_ref().take(LINES).collect();
        let more = if lines.next().is_some() { " ..." } else { "" };
        match (&self.status, shown.is_empty()) {
            (Some(status), true) => format!(" ({status})"),
            (Some(status), false) => format!(" ({status}: {}{more})", shown.join(" / ")),
            (None, false) => format!(" ({}{more})", shown.join(" / ")),
            (None, true) => String::new(),
        }
    }
}

/// Everything that can go wrong on a file system, local or remote.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FsError {
    #[error("cannot {action}: {source}")]
    Quote {
        action: String,
        #[source]
        source: QuoteError,
    },
    /// The connection to the host is gone: the work is for a new one.
    #[error("cannot {action}: lost the connection: {detail}")]
    Lost { action: String, detail: String },
    /// The command could not be run (a channel or exec refused, a shell
    /// that never started it).
    #[error("cannot {action}: {detail}")]
    Exec { action: String, detail: String },
    /// The host is used as root and sudo did not run the command (its own
    /// words are in `detail`; see `shell::sudo`).
    #[error("cannot {action} as root: {detail}")]
    SudoRefused { action: String, detail: String },
    #[error("cannot {}: no such file or directory; check the path{}", .0.action, .0.detail())]
    NotFound(Failure),
    #[error(
        "cannot {}: permission denied; the account may not do this here (check the owner and mode, or use another account){}",
        .0.action, .0.detail()
    )]
    PermissionDenied(Failure),
    #[error("cannot {}: a part of the path is not a directory{}", .0.action, .0.detail())]
    NotADirectory(Failure),
    #[error("cannot {}: the destination already exists; choose another name or delete it first{}", .0.action, .0.detail())]
    AlreadyExists(Failure),
    #[error("cannot {}: no space left on the device (or the quota is full){}", .0.action, .0.detail())]
    NoSpace(Failure),
    #[error("cannot {}: the name is too long for the file system{}", .0.action, .0.detail())]
    NameTooLong(Failure),
    #[error("cannot {}: it failed{}", .0.action, .0.detail())]
    Failed(Failure),
    /// The host lacks a program the operation needs.
    #[error("cannot {action}: the host has no {program}")]
    MissingProgram { action: String, program: String },
    #[error(
        "cannot {action}: the remote output was not understood ({detail}); please report this with the output of `uname -a` on that host"
    )]
    Malformed { action: String, detail: String },
    #[error("refusing to {action}: {reason}")]
    Refused { action: String, reason: String },
    #[error("cancelled")]
    Cancelled,
}

impl FsError {
    /// The framing layer failed (no channel, lost connection...).
    pub(crate) fn exec(action: &str, source: ExecError) -> Self {
        if source.is_connection_lost() {
            Self::Lost { action: action.to_owned(), detail: source.to_string() }
        } else if matches!(source, ExecError::SudoRefused { .. } | ExecError::SudoSilent { .. }) {
            Self::SudoRefused { action: action.to_owned(), detail: source.to_string() }
        } else {
            Self::Exec { action: action.to_owned(), detail: source.to_string() }
        }
    }

    /// An I/O error on this machine, classified.
    pub(crate) fn io(action: &str, path: &Path, error: &io::Error) -> Self {
        use nix::errno::Errno;
        let failure = Failure::local(action, path, error);
        match (error.kind(), error.raw_os_error().map(Errno::from_raw)) {
            (io::ErrorKind::NotFound, _) => Self::NotFound(failure),
            (io::ErrorKind::PermissionDenied, _) | (_, Some(Errno::EPERM)) => Self::PermissionDenied(failure),
            (io::ErrorKind::AlreadyExists, _) => Self::AlreadyExists(failure),
            (io::ErrorKind::NotADirectory, _) => Self::NotADirectory(failure),
            (io::ErrorKind::StorageFull, _) | (_, Some(Errno::ENOSPC | Errno::EDQUOT)) => {
                Self::NoSpace(failure)
            }
            (_, Some(Errno::ENAMETOOLONG)) => Self::NameTooLong(failure),
            _ => Self::Failed(failure),
        }
    }

    /// Whether the SSH connection itself is gone (not just this operation).
    pub fn is_connection_lost(&self) -> bool {
        matches!(self, Self::Lost { .. })
    }

    /// The failure's details, when something ran and failed.
    pub fn failure(&self) -> Option<&Failure> {
        match self {
            Self::NotFound(f)
            | Self::PermissionDenied(f)
            | Self::NotADirectory(f)
            | Self::AlreadyExists(f)
            | Self::NoSpace(f)
            | Self::NameTooLong(f)
            | Self::Failed(f) => Some(f),
            _ => None,
        }
    }

    /// Classifies a failed command by its stderr (commands run with
    /// `LC_ALL=C`, so messages are in English). The first recognised line
    /// decides: with several errors, the first is the cause.
    pub(crate) fn from_output(action: &str, command: &[u8], output: &Output) -> Self {
        let failure = Failure::new(action, command, output);
        let kind = output.stderr.split(|&b| b == b'\n').find_map(Reason::of_line);
        match kind {
            Some(Reason::NotFound) => Self::NotFound(failure),
            Some(Reason::PermissionDenied) => Self::PermissionDenied(failure),
            Some(Reason::NotADirectory) => Self::NotADirectory(failure),
            Some(Reason::AlreadyExists) => Self::AlreadyExists(failure),
            Some(Reason::NoSpace) => Self::NoSpace(failure),
            Some(Reason::NameTooLong) => Self::NameTooLong(failure),
            Some(Reason::Missing) | None => Self::Failed(failure),
        }
    }

    /// An error line a remote script printed for one item (`ERR reason`),
    /// classified like a command's stderr.
    pub(crate) fn said(action: &str, said: &[u8]) -> Self {
        let failure = Failure {
            action: action.to_owned(),
            command: String::new(),
            status: None,
            said: escape_bytes(said.trim_ascii()),
        };
        match Reason::of_line(said) {
            Some(Reason::NotFound) => Self::NotFound(failure),
            Some(Reason::PermissionDenied) => Self::PermissionDenied(failure),
            Some(Reason::NotADirectory) => Self::NotADirectory(failure),
            Some(Reason::AlreadyExists) => Self::AlreadyExists(failure),
            Some(Reason::NoSpace) => Self::NoSpace(failure),
            Some(Reason::NameTooLong) => Self::NameTooLong(failure),
            Some(Reason::Missing) | None => Self::Failed(failure),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reason {
    NotFound,
    PermissionDenied,
    NotADirectory,
    AlreadyExists,
    NoSpace,
    NameTooLong,
    Missing,
}

impl Reason {
    fn of_line(line: &[u8]) -> Option<Self> {
        const PATTERNS: &[(&[u8], Reason)] = &[
            (b"No such file or directory", Reason::NotFound),
            // dash and BusyBox ash phrase ENOENT for a redirection like this.
            (b"Directory nonexistent", Reason::NotFound),
            (b"nonexistent directory", Reason::NotFound),
            (b"Permission denied", Reason::PermissionDenied),
            // EPERM: immutable files, sticky directories, other users' files.
            (b"Operation not permitted", Reason::PermissionDenied),
            (b"Not a directory", Reason::NotADirectory),
            // BusyBox's own wording for a destination `dir/` that is a file.
            (b"non-directory component", Reason::NotADirectory),
            (b"File exists", Reason::AlreadyExists),
            (b"No space left on device", Reason::NoSpace),
            (b"Disk quota exceeded", Reason::NoSpace),
            (b"File name too long", Reason::NameTooLong),
            (b"command not found", Reason::Missing),
        ];
        PATTERNS.iter().find(|(p, _)| contains(line, p)).map(|&(_, r)| r)
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn output(stderr: &[u8], code: i32) -> Output {
        Output {
            banner: Default::default(),
            stdout: Vec::new(),
            stderr: stderr.to_vec(),
            status: ExitStatus { code: Some(code), signal: None },
        }
    }

    type Check = fn(&FsError) -> bool;

    #[test]
    fn local_errors_are_classified_too() {
        let path = Path::new("/x");
        let e = FsError::io("read /x", path, &io::Error::from_raw_os_error(nix::errno::Errno::ENOSPC as i32));
        assert!(matches!(e, FsError::NoSpace(_)), "{e}");
        let e = FsError::io("read /x", path, &io::Error::from(io::ErrorKind::PermissionDenied));
        assert!(e.to_string().starts_with("cannot read /x: permission denied"), "{e}");
    }

    #[test]
    fn recognises_the_usual_reasons() {
        let cases: &[(&[u8], Check)] = &[
            (b"rm: cannot remove 'x': No such file or directory\n", |e| matches!(e, FsError::NotFound(_))),
            (b"mkdir: cannot create directory '/a': Permission denied", |e| {
                matches!(e, FsError::PermissionDenied(_))
            }),
            (b"touch: cannot touch 'x': Operation not permitted", |e| {
                matches!(e, FsError::PermissionDenied(_))
            }),
            (b"mkdir: cannot create directory 'f/x': Not a directory", |e| {
                matches!(e, FsError::NotADirectory(_))
            }),
            (b"scpdeck: File exists", |e| matches!(e, FsError::AlreadyExists(_))),
            (b"something odd", |e| matches!(e, FsError::Failed(_))),
        ];
        for (stderr, check) in cases {
            let e = FsError::from_output("do it", b"cmd", &output(stderr, 1));
            assert!(check(&e), "{e}");
        }
    }

    #[test]
    fn first_recognised_line_decides_and_text_is_escaped() {
        let e = FsError::from_output(
            "delete /x",
            b"rm -r -- '/x'",
            &output(b"rm: \x1b[31m: Permission denied\nrm: y: No such file or directory\n", 1),
        );
        assert!(matches!(e, FsError::PermissionDenied(_)));
        let text = e.to_string();
        assert!(text.starts_with("cannot delete /x: permission denied"), "{text}");
        assert!(text.contains("exit status 1: rm: \\e[31m: Permission denied / rm: y: No such"), "{text}");
        assert_eq!(e.failure().map(|f| f.command.as_str()), Some("rm -r -- '/x'"));
    }

    #[test]
    fn no_empty_parentheses_when_nothing_was_said() {
        let failure = |status: Option<i32>, said: &str| Failure {
            action: "rename /a".into(),
            command: String::new(),
            status: status.map(|code| ExitStatus { code: Some(code), signal: None }),
            said: said.into(),
        };
        assert_eq!(FsError::Failed(failure(None, "")).to_string(), "cannot rename /a: it failed");
        assert_eq!(
            FsError::Failed(failure(Some(2), "")).to_string(),
            "cannot rename /a: it failed (exit status 2)"
        );
        assert_eq!(
            FsError::NotFound(failure(None, "/a: gone")).to_string(),
            "cannot rename /a: no such file or directory; check the path (/a: gone)"
        );
    }
}
