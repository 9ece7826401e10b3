//! Why a whole transfer stopped. Failures of single files are events
//! ([`super::Event::Failed`]), not errors.

use std::path::PathBuf;

use super::sink::SinkError;
use super::source::SourceError;
use crate::shell::{ExecError, QuoteError};
use crate::text::escape_bytes;

#[derive(Debug, thiserror::Error)]
pub enum ScpError {
    #[error("could not start scp on {host}: {source}")]
    Start { host: String, source: Box<ExecError> },
    #[error(
        "{host} has no scp program{}: install OpenSSH's scp there \
         (Debian/Ubuntu: openssh-client, Fedora/RHEL: openssh-clients), or put it on the PATH \
         of non-interactive shells",
        said_text(.said)
    )]
    Missing { host: String, said: String },
    #[error(transparent)]
    Quote(#[from] QuoteError),
    #[error("{host}: {source}; the transfer was stopped")]
    Hostile { host: String, source: SinkError },
    #[error("{host}: {source}")]
    Refused { host: String, source: SourceError },
    #[error("{host}: the remote scp refused the transfer: {message}")]
    Remote { host: String, message: String },
    /// A command other than scp (reading or writing at an offset) failed;
    /// what it said, escaped.
    #[error("{host}: {message}")]
    Command { host: String, message: String },
    /// The directory an upload was to make first could not be made; what
    /// `mkdir` said (raw: the caller classifies it), nothing sent.
    #[error("{host}: cannot create the directory to upload into: {}", escape_bytes(.said))]
    NotMade { host: String, said: Vec<u8> },
    #[error("lost the connection to {host}: {source}")]
    Connection { host: String, source: std::io::Error },
    #[error("{}: {source}", escape_bytes(.path.as_os_str().as_encoded_bytes()))]
    Local { path: PathBuf, source: std::io::Error },
    #[error("{0}")]
    Usage(String),
    #[error("cancelled")]
    Cancelled,
    /// A thread of the engine panicked: what it held is lost, so the
    /// transfer must not look done.
    #[error(
        "the {0} thread stopped unexpectedly (a bug in scpdeck; please report it): the transfer was stopped"
    )]
    Panicked(&'static str),
}

/// What the remote shell said, in parentheses after a message; nothing
/// when it said nothing.
fn said_text(said: &str) -> String {
    if said.trim().is_empty() { String::new() } else { format!(" (the shell said: {said})") }
}

impl ScpError {
    /// The server broke the protocol (an unrequested file, data after the
    /// requested files, a malformed record...): nothing that came through
    /// the same stream is to be trusted.
    pub fn is_protocol_violation(&self) -> bool {
        match self {
            ScpError::Hostile { source, .. } => source.is_protocol_violation(),
            ScpError::Refused { source, .. } => source.is_protocol_violation(),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_scp_shows_what_the_shell_said_and_no_empty_parentheses() {
        let silent = ScpError::Missing { host: "web".into(), said: String::new() }.to_string();
        assert!(silent.starts_with("web has no scp program: install"), "{silent}");
        assert!(!silent.contains("()"), "{silent}");
        let said = ScpError::Missing { host: "web".into(), said: "sh: 1: scp: not found".into() };
        assert!(
            said.to_string().starts_with("web has no scp program (the shell said: sh: 1: scp: not found): ")
        );
    }

    #[test]
    fn only_the_servers_offences_are_protocol_violations() {
        let hostile = |source| ScpError::Hostile { host: "h".into(), source };
        assert!(hostile(SinkError::Extra { name: b"x".to_vec() }).is_protocol_violation());
        assert!(hostile(SinkError::Trailing(b"x".to_vec())).is_protocol_violation());
        assert!(!hostile(SinkError::UnexpectedText(b"No match.".to_vec())).is_protocol_violation());
        assert!(!hostile(SinkError::Truncated("in the middle of a record".into())).is_protocol_violation());
        let refused = ScpError::Refused { host: "h".into(), source: SourceError::Unexpected(vec![0]) };
        assert!(refused.is_protocol_violation());
        assert!(!ScpError::Cancelled.is_protocol_violation());
    }
}
