//! ProxyCommand: the command's stdin and stdout are one end of a socket
//! pair, libssh2 gets the other end.

use std::io::{BufRead, BufReader};
use std::os::fd::OwnedFd;
use std::os::unix::net::UnixStream;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::connection_event::{ConnectionEvent, EventSink};
use super::error::ConnectError;
use super::expand::{self, Tokens};
use super::host_config::HostConfig;
use crate::text::escape_str;

/// Lines of the proxy's stderr kept to explain a failure.
const KEPT_LINES: usize = 10;

/// A running ProxyCommand. Dropping it hangs the command up, as OpenSSH does.
#[derive(Debug)]
pub(crate) struct ProxyChild {
    child: Child,
    command: String,
    stderr: Arc<Mutex<Vec<String>>>,
}

/// The ProxyCommand with %h, %p, %r, %n and %% expanded.
pub(super) fn expanded(config: &HostConfig, command: &str) -> Result<String, ConnectError> {
    let tokens = Tokens::for_config(config);
    expand::percent(command, &tokens, expand::PROXY_TOKENS).map_err(|detail| ConnectError::Config {
        host: config.label(),
        detail: format!("ProxyCommand: {detail}"),
    })
}

/// Starts `command` (already expanded) under the user's shell. What it
/// prints on stderr goes to `events` as it comes (OpenSSH shows it on the
/// terminal, which the TUI owns) and is kept to explain a failure.
pub(super) fn spawn(
    config: &HostConfig,
    command: &str,
    events: Option<EventSink>,
) -> Result<(UnixStream, ProxyChild), ConnectError> {
    let fail = |detail: String| ConnectError::Proxy { host: config.label(), detail };
    let (ours, theirs) = UnixStream::pair().map_err(|e| fail(format!("cannot create a socket pair: {e}")))?;
    let theirs_out = theirs.try_clone().map_err(|e| fail(format!("cannot duplicate a socket: {e}")))?;
    // OpenSSH runs `$SHELL -c "exec COMMAND"`.
    let shell = std::env::var_os("SHELL").filter(|s| !s.is_empty()).unwrap_or_else(|| "/bin/sh".into());
    let mut child = Command::new(&shell)
        .arg("-c")
        .arg(format!("exec {command}"))
        .stdin(Stdio::from(OwnedFd::from(theirs)))
        .stdout(Stdio::from(OwnedFd::from(theirs_out)))
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| fail(format!("cannot start `{}`: {e}", escape_str(command))))?;
    let stderr = Arc::new(Mutex::new(Vec::new()));
    if let Some(pipe) = child.stderr.take() {
        let kept = Arc::clone(&stderr);
        let host = config.label();
        // Drained all the time so the command never blocks on a full pipe.
        let _ = std::thread::Builder::new().name("proxy-stderr".into()).spawn(move || {
            for line in BufReader::new(pipe).split(b'\n').map_while(Result::ok) {
                let line = crate::text::escape_bytes(&line);
                if let Some(events) = &events {
                    events(ConnectionEvent::Detail { host: host.clone(), text: format!("proxy: {line}") });
                }
                let mut lines = kept.lock().unwrap_or_else(|p| p.into_inner());
                if lines.len() == KEPT_LINES {
                    lines.remove(0);
                }
                lines.push(line);
            }
        });
    }
    Ok((ours, ProxyChild { child, command: escape_str(command), stderr }))
}

impl ProxyChild {
    /// The command has not ended.
    pub(crate) fn running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// How the command failed: its exit status (if it ended within a
    /// moment) and the last lines of its stderr.
    pub(crate) fn failure(&mut self) -> Option<String> {
        let deadline = Instant::now() + Duration::from_millis(500);
        let status = loop {
            match self.child.try_wait() {
                Ok(Some(status)) => break Some(status),
                Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
                _ => break None,
            }
        };
        // Let the stderr reader catch up with a command that just exited.
        std::thread::sleep(Duration::from_millis(50));
        let lines = self.stderr.lock().unwrap_or_else(|p| p.into_inner()).join(" / ");
        let mut text = format!("`{}`", self.command);
        match status {
            Some(status) => text += &format!(" exited ({status})"),
            None => text += " is still running but the connection through it failed",
        }
        if !lines.is_empty() {
            text += &format!(": {lines}");
        }
        Some(text)
    }
}

impl Drop for ProxyChild {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let pid = nix::unistd::Pid::from_raw(self.child.id() as i32);
            let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGHUP);
            let deadline = Instant::now() + Duration::from_millis(200);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = self.child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}
