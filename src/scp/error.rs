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
        "{host} has no scp program ({said}): install OpenSSH's scp there \
         (Debian/Ubuntu: openssh-client, Fedora/RHEL: openssh-clients), or put it on the PATH \
         of non-interactive shells"
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
