//! Failures of the framing layer.

use std::time::Duration;

use super::banner::Banner;
use super::quote::QuoteError;
use super::status::ExitStatus;
use crate::ssh::is_transport_lost;
use crate::text::{escape_bytes, escape_str};

/// Failures of the framing layer. Callers add the host and what they were doing.
#[derive(Debug, thiserror::Error)]
pub enum ExecError {
    #[error("could not open an SSH channel: {}", describe(.0))]
    OpenChannel(#[source] ssh2::Error),
    #[error("the server refused to run a command: {}", describe(.0))]
    Exec(#[source] ssh2::Error),
    #[error("lost the connection while talking to the remote shell: {0}")]
    Io(#[from] std::io::Error),
    /// An I/O error after which libssh2 says the socket itself failed.
    #[error("lost the connection while talking to the remote shell: {0}")]
    Lost(std::io::Error),
    #[error("the remote shell did not start the command ({status}){}", stderr_suffix(.stderr))]
    NotStarted { banner: Banner, stderr: Vec<u8>, status: ExitStatus },
    /// The login profile never finished: it kept reading the empty lines
    /// scpdeck fed it, or it is slower than scpdeck waits.
    #[error(
        "the remote login profile did not finish within {} s: it read standard input and was fed {fed} \
         empty line(s) without stopping, or it is that slow. Make what the login shell reads for a \
         command (~/.bashrc, ~/.zshenv, ~/.config/fish/config.fish, ~/.tcshrc, or ~/.ssh/rc) read input \
         and wait only in interactive shells",
        .waited.as_secs()
    )]
    ProfileNeverDone { banner: Banner, fed: u32, waited: Duration },
    #[error("could not build the remote command: {0}")]
    Quote(#[from] QuoteError),
    /// sudo did not run the command as root; `said` is sudo's own words
    /// (escaped), from its stderr before the command would have started.
    #[error("sudo refused to run the command as root ({status}){}", said_suffix(.said))]
    SudoRefused { said: String, status: ExitStatus },
    /// sudo neither ran the command nor ended within `waited` (it waits
    /// for another password, or for a terminal).
    #[error("sudo did not start the command as root within {} s{}", .waited.as_secs(), said_suffix(.said))]
    SudoSilent { said: String, waited: Duration },
}

impl ExecError {
    /// True when the SSH connection itself is gone (reset, closed, killed),
    /// not just this one command: callers report it as a lost connection
    /// and reconnect, instead of blaming the command.
    pub fn is_connection_lost(&self) -> bool {
        match self {
            ExecError::OpenChannel(e) | ExecError::Exec(e) => is_transport_lost(e),
            ExecError::Io(e) => io_connection_lost(e),
            ExecError::Lost(_) => true,
            ExecError::NotStarted { .. }
            | ExecError::ProfileNeverDone { .. }
            | ExecError::Quote(_)
            | ExecError::SudoRefused { .. }
            | ExecError::SudoSilent { .. } => false,
        }
    }
}

impl ExecError {
    /// ssh2 turns its errors into `io::Error`s without their code; libssh2
    /// still has it as the session's last error, which tells a dead socket
    /// from a failed command.
    pub(super) fn with_cause(self, session: &ssh2::Session) -> ExecError {
        match self {
            ExecError::Io(e)
                if ssh2::Error::last_session_error(session).is_some_and(|l| is_transport_lost(&l)) =>
            {
                ExecError::Lost(e)
            }
            other => other,
        }
    }
}

/// libssh2 often has no message for a dead socket ("Unexpected error"):
/// say what happened instead.
fn describe(e: &ssh2::Error) -> String {
    match e.code() {
        ssh2::ErrorCode::Session(-7) => "the connection is gone (sending failed)".to_owned(),
        ssh2::ErrorCode::Session(-13) => "the server closed the connection".to_owned(),
        ssh2::ErrorCode::Session(-43) => "the connection is gone (receiving failed)".to_owned(),
        _ => escape_str(&e.to_string()),
    }
}

/// Whether an I/O error from a channel means the connection is gone.
pub fn io_connection_lost(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::{BrokenPipe, ConnectionAborted, ConnectionReset, UnexpectedEof};
    matches!(e.kind(), BrokenPipe | ConnectionAborted | ConnectionReset | UnexpectedEof)
        || e.get_ref().and_then(|inner| inner.downcast_ref::<ssh2::Error>()).is_some_and(is_transport_lost)
}

fn stderr_suffix(stderr: &[u8]) -> String {
    let text = escape_bytes(stderr.trim_ascii());
    if text.is_empty() { String::new() } else { format!(": {text}") }
}

/// sudo's words after a colon, or nothing when it said nothing.
fn said_suffix(said: &str) -> String {
    if said.is_empty() { String::new() } else { format!(": {said}") }
}
