//! Starting the remote `scp` through the shared framing (`shell::exec`), and
//! turning what it printed besides the protocol into diagnostics.

use std::ffi::{OsStr, OsString};

use crossbeam_channel::Sender;
use ssh2::Session;

use super::error::ScpError;
use super::event::{Diagnostic, Event, FileRef};
use super::pipe::{Ending, Pipe};
use super::request::{CancelToken, Options};
use crate::shell::exec::{ExecOptions, start as exec_start};
use crate::shell::{Command, ExecError};
use crate::text::escape_bytes;

/// The receive window of a download channel. libssh2's default (2 MiB)
/// caps a stream at window / round trip: about 50 MB/s at 40 ms.
pub const DOWNLOAD_WINDOW: u32 = 32 * 1024 * 1024;

/// Which side the remote scp plays.
pub(crate) enum Role<'a> {
    /// `scp -f PATH...`: it sends.
    Source { paths: &'a [OsString] },
    /// `scp -t [-d] TARGET`: it receives.
    Sink { target: &'a OsStr, dir: bool },
}

/// Starts the remote scp. Every path is quoted after `--`; the command runs
/// under `sh` whatever the login shell is, after the banner markers.
pub(crate) fn start<'s>(
    session: &'s Session,
    host: &str,
    role: Role<'_>,
    options: Options,
    cancel: &CancelToken,
) -> Result<Pipe<'s>, ScpError> {
    let mut cmd = Command::new("exec scp").lit(match role {
        Role::Source { .. } => "-f",
        Role::Sink { .. } => "-t",
    });
    if options.recursive {
        cmd = cmd.lit("-r");
    }
    if options.preserve {
        cmd = cmd.lit("-p");
    }
    let (cmd, window) = match role {
        Role::Source { paths } => (cmd.paths(paths)?, DOWNLOAD_WINDOW),
        Role::Sink { target, dir } => {
            let cmd = if dir { cmd.lit("-d") } else { cmd };
            (cmd.paths([target])?, ExecOptions::default().window)
        }
    };
    if cancel.is_cancelled() {
        return Err(ScpError::Cancelled);
    }
    let started = exec_start(session, &cmd, ExecOptions { window }).map_err(|e| match e {
        ExecError::NotStarted { ref stderr, ref status, .. } if status.code == Some(127) => {
            ScpError::Missing { host: host.to_string(), said: escape_bytes(stderr.trim_ascii()) }
        }
        source if source.is_connection_lost() => ScpError::Connection {
            host: host.to_string(),
            source: std::io::Error::new(std::io::ErrorKind::ConnectionAborted, source.to_string()),
        },
        source => ScpError::Start { host: host.to_string(), source: Box::new(source) },
    })?;
    Ok(Pipe::new(session, started, cancel.clone(), host.to_string()))
}

/// Sends the banner (once complete) and new stderr lines as diagnostics.
pub(crate) fn report(pipe: &mut Pipe<'_>, file: Option<&FileRef>, events: &Sender<Event>) {
    if let Some(banner) = pipe.take_banner() {
        let lines = banner.escaped_lines();
        let _ = events.send(Event::Diagnostic(Diagnostic::Banner { host: pipe.host.clone(), lines }));
    }
    for line in pipe.take_stderr_lines() {
        let _ = events.send(stderr_event(&pipe.host, file, &line));
    }
}

fn stderr_event(host: &str, file: Option<&FileRef>, line: &[u8]) -> Event {
    Event::Diagnostic(Diagnostic::Stderr {
        host: host.to_string(),
        file: file.cloned(),
        line: escape_bytes(line),
    })
}

/// Waits for the remote scp to end and reports how. A remote that never
/// spoke and exited with 127 has no scp. An unsuccessful exit status is
/// reported unless `explained` (files already failed, which is why).
pub(crate) fn finish(
    pipe: &mut Pipe<'_>,
    spoke: bool,
    explained: bool,
    events: &Sender<Event>,
) -> Result<Ending, ScpError> {
    let ending = pipe.finish()?;
    report(pipe, None, events);
    let missing = !spoke && ending.status.code == Some(127);
    if missing {
        let said = ending.stderr.iter().map(|l| escape_bytes(l)).collect::<Vec<_>>().join(" / ");
        return Err(ScpError::Missing { host: pipe.host.clone(), said });
    }
    for line in &ending.stderr {
        let _ = events.send(stderr_event(&pipe.host, None, line));
    }
    if !ending.status.success() && !explained {
        let diagnostic = Diagnostic::Exit { host: pipe.host.clone(), status: ending.status.clone() };
        let _ = events.send(Event::Diagnostic(diagnostic));
    }
    Ok(ending)
}
