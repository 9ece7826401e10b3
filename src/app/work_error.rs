//! Why an effect's work failed, as the commander's update sees it: a file
//! system's refusal (with the host's own words), a host not open in this
//! run, a connection that could not be made, a transfer for the editor
//! that did not complete. `update` acts on the variant and shows the text.

use crate::fs::FsError;
use crate::scp::ScpError;
use crate::ssh::ConnectError;
use crate::text::escape_str;

#[derive(Debug, thiserror::Error)]
pub enum WorkError {
    /// The file system (this machine's or the host's) refused or failed.
    #[error(transparent)]
    Fs(#[from] FsError),
    /// The location's host was never opened in this run.
    #[error("not connected to {host}: open it with the host picker (F2)")]
    NotConnected { host: String },
    /// One operation named entries on different hosts.
    #[error("these entries are on different hosts: copying between hosts comes with F5")]
    MixedHosts,
    /// Resolving, reaching, verifying or logging in to the host failed.
    #[error(transparent)]
    Connect(#[from] ConnectError),
    /// The user gave up waiting for the connection.
    #[error("connection to {host} cancelled")]
    ConnectCancelled { host: String },
    /// The SCP transfer behind F4 failed as a whole.
    #[error(transparent)]
    Scp(#[from] ScpError),
    /// The SCP transfer ran but did not copy the file; `reason` is the
    /// remote's own words, escaped.
    #[error("{reason}")]
    NotCopied { reason: String },
    /// A local pane's directory cannot be watched for changes.
    #[error("cannot watch {}: {source}; press ctrl-r to refresh", .dir.display())]
    Watch {
        dir: std::path::PathBuf,
        #[source]
        source: notify::Error,
    },
    /// F4 found no editor to run.
    #[error("no editor configured: set $EDITOR or `editor` in config.toml")]
    NoEditor,
    /// The editor could not be started.
    #[error("cannot run {editor}: {source}")]
    EditorNotRun {
        editor: String,
        #[source]
        source: std::io::Error,
    },
    /// The editor ended unsuccessfully (its file is not uploaded).
    #[error("{editor} exited with {status}")]
    EditorFailed { editor: String, status: std::process::ExitStatus },
    /// F4 could not fetch the remote file.
    #[error("cannot fetch {path} for editing: {source}")]
    EditFetch {
        path: String,
        #[source]
        source: Box<WorkError>,
    },
    /// F4 could not upload the edited copy; it is kept at `copy`.
    #[error("cannot upload the edited {path}: {source}; your version is kept in {copy}")]
    EditUpload {
        path: String,
        copy: String,
        #[source]
        source: Box<WorkError>,
    },
}

impl WorkError {
    /// The message for the status line and the log, escaped.
    pub fn shown(&self) -> String {
        escape_str(&self.to_string())
    }

    /// The message for the log and the message view: [`WorkError::shown`],
    /// and when the host said more than its first lines, all it said.
    pub fn logged(&self) -> String {
        let shown = self.shown();
        match self.failure().map(|f| f.said.as_str()) {
            Some(said) if said.split("\\n").filter(|l| !l.trim().is_empty()).count() > 2 => {
                format!("{shown}; all it said: {said}")
            }
            _ => shown,
        }
    }

    /// What the file system said, when a command or call ran and failed.
    fn failure(&self) -> Option<&crate::fs::Failure> {
        match self {
            WorkError::Fs(e) => e.failure(),
            WorkError::EditFetch { source, .. } | WorkError::EditUpload { source, .. } => source.failure(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_escapes_what_the_host_said() {
        let e = WorkError::NotCopied { reason: "x\u{1b}[2Jy".into() };
        assert_eq!(e.shown(), "x\\e[2Jy");
        let nested = WorkError::EditFetch { path: "/a".into(), source: Box::new(e) };
        assert_eq!(nested.shown(), "cannot fetch /a for editing: x\\e[2Jy");
    }

    #[test]
    fn logged_keeps_every_line_the_host_said() {
        let said = "rm: cannot remove 'a': Permission denied\\nrm: cannot remove 'b': Permission denied\\nrm: cannot remove 'c': Permission denied";
        let failure = crate::fs::Failure {
            action: "delete 3 entries".into(),
            command: String::new(),
            status: None,
            said: said.into(),
        };
        let e = WorkError::Fs(FsError::PermissionDenied(failure));
        assert!(e.shown().contains("'b': Permission denied ...)"), "{}", e.shown());
        assert!(!e.shown().contains("'c'"), "the status line names the first two");
        assert!(e.logged().ends_with(&format!("all it said: {said}")), "{}", e.logged());
        let short = WorkError::NotConnected { host: "h".into() };
        assert_eq!(short.logged(), short.shown());
    }
}
