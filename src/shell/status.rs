//! How a remote command ended.

use ssh2::Channel;

use super::error::ExecError;
use crate::text::escape_bytes;

/// How a remote command ended.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExitStatus {
    /// The exit code, when the command exited.
    pub code: Option<i32>,
    /// The signal name, when the command was killed.
    pub signal: Option<String>,
}

impl ExitStatus {
    pub fn success(&self) -> bool {
        self.code == Some(0) && self.signal.is_none()
    }

    /// The status of a channel the remote has closed.
    pub(super) fn of(channel: &Channel) -> Result<Self, ExecError> {
        let signal = channel.exit_signal().ok().and_then(|s| s.exit_signal);
        let code = channel.exit_status().map_err(|e| ExecError::Io(e.into()))?;
        Ok(Self { code: if signal.is_some() { None } else { Some(code) }, signal })
    }
}

impl std::fmt::Display for ExitStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.code, &self.signal) {
            (_, Some(sig)) => write!(f, "killed by signal {}", escape_bytes(sig.as_bytes())),
            (Some(code), None) => write!(f, "exit status {code}"),
            (None, None) => write!(f, "no exit status"),
        }
    }
}
