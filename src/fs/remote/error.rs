//! The one error type of the remote file system, and how a failed command's
//! stderr becomes a reason a user can act on.

use crate::shell::{ExecError, ExitStatus, Output, QuoteError};
use crate::text::escape_bytes;

/// What a remote command said when it failed. Every text field is escaped
/// already: it may be shown or logged as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// What scpdeck was doing, e.g. `list /srv/www`.
    pub action: String,
    /// The command line sent to the remote `sh`.
    pub command: String,
    pub status: ExitStatus,
    /// The command's own stderr (never the login banner).
    pub stderr: String,
}

impl Failure {
    pub(crate) fn new(action: &str, command: &[u8], output: &Output) -> Self {
        Self {
            action: action.to_owned(),
            command: escape_bytes(command),
            status: output.status.clone(),
            stderr: escape_bytes(output.stderr.trim_ascii()),
        }
    }

    /// `(exit status 1: rm: cannot remove ...)`, for the end of a message:
    /// the first two lines of stderr (a usage text can be fifty).
    fn detail(&self) -> String {
        const LINES: usize = 2;
        let mut lines = self.stderr.split("\\n").filter(|l| !l.trim().is_empty());
        let shown: Vec<&str> = lines.by_ref().take(LINES).collect();
        let more = if lines.next().is_some() { " ..." } else { "" };
        if shown.is_empty() {
            format!("({})", self.status)
        } else {
            format!("({}: {}{more})", self.status, shown.join(" / "))
        }
    }
}

/// Everything that can go wrong on a remote file system.
#[derive(Debug, thiserror::Error)]
pub enum RemoteFsError {
    #[error("cannot {action}: {source}")]
    Quote {
        action: String,
        #[source]
        source: QuoteError,
    },
    #[error("cannot {action}: {source}")]
    Exec {
        action: String,
        #[source]
        source: Box<ExecError>,
    },
    #[error("cannot {}: no such file or directory on the remote host; check the path {}", .0.action, .0.detail())]
    NotFound(Failure),
    #[error(
        "cannot {}: permission denied; the remote account may not do this here (check the owner and mode, or use another account) {}",
        .0.action, .0.detail()
    )]
    PermissionDenied(Failure),
    #[error("cannot {}: a part of the path is not a directory {}", .0.action, .0.detail())]
    NotADirectory(Failure),
    #[error("cannot {}: the destination already exists; choose another name or delete it first {}", .0.action, .0.detail())]
    AlreadyExists(Failure),
    #[error("cannot {}: the remote command failed {}", .0.action, .0.detail())]
    Failed(Failure),
    #[error(
        "cannot {action}: the remote output was not understood ({detail}); please report this with the output of `uname -a` on that host"
    )]
    Malformed { action: String, detail: String },
    #[error("refusing to {action}: {reason}")]
    Refused { action: String, reason: String },
}

impl RemoteFsError {
    /// The framing layer failed (no channel, lost connection...).
    pub(crate) fn exec(action: &str, source: ExecError) -> Self {
        Self::Exec { action: action.to_owned(), source: Box::new(source) }
    }

    /// Whether the SSH connection itself is gone (not just this command).
    pub fn is_connection_lost(&self) -> bool {
        matches!(self, Self::Exec { source, .. } if source.is_connection_lost())
    }

    /// The failed command's details, when a command ran and failed.
    pub fn failure(&self) -> Option<&Failure> {
        match self {
            Self::NotFound(f)
            | Self::PermissionDenied(f)
            | Self::NotADirectory(f)
            | Self::AlreadyExists(f)
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
            None => Self::Failed(failure),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reason {
    NotFound,
    PermissionDenied,
    NotADirectory,
    AlreadyExists,
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

    type Check = fn(&RemoteFsError) -> bool;

    #[test]
    fn recognises_the_usual_reasons() {
        let cases: &[(&[u8], Check)] = &[
            (b"rm: cannot remove 'x': No such file or directory\n", |e| {
                matches!(e, RemoteFsError::NotFound(_))
            }),
            (b"mkdir: cannot create directory '/a': Permission denied", |e| {
                matches!(e, RemoteFsError::PermissionDenied(_))
            }),
            (b"touch: cannot touch 'x': Operation not permitted", |e| {
                matches!(e, RemoteFsError::PermissionDenied(_))
            }),
            (b"mkdir: cannot create directory 'f/x': Not a directory", |e| {
                matches!(e, RemoteFsError::NotADirectory(_))
            }),
            (b"scpdeck: File exists", |e| matches!(e, RemoteFsError::AlreadyExists(_))),
            (b"something odd", |e| matches!(e, RemoteFsError::Failed(_))),
        ];
        for (stderr, check) in cases {
            let e = RemoteFsError::from_output("do it", b"cmd", &output(stderr, 1));
            assert!(check(&e), "{e}");
        }
    }

    #[test]
    fn first_recognised_line_decides_and_text_is_escaped() {
        let e = RemoteFsError::from_output(
            "delete /x",
            b"rm -r -- '/x'",
            &output(b"rm: \x1b[31m: Permission denied\nrm: y: No such file or directory\n", 1),
        );
        assert!(matches!(e, RemoteFsError::PermissionDenied(_)));
        let text = e.to_string();
        assert!(text.starts_with("cannot delete /x: permission denied"), "{text}");
        assert!(text.contains("exit status 1: rm: \\e[31m: Permission denied / rm: y: No such"), "{text}");
        assert_eq!(e.failure().map(|f| f.command.as_str()), Some("rm -r -- '/x'"));
    }
}
