//! Starting the remote `scp` through the shared framing (`shell::exec`), and
//! turning what it printed besides the protocol into diagnostics.

use std::ffi::{OsStr, OsString};

use crate::ssh::Link;
use crossbeam_channel::Sender;

use super::error::ScpError;
use super::event::{Diagnostic, Event, FileRef};
use super::pipe::{Ending, Pipe};
use super::request::Options;
use crate::shell::exec::{DEFAULT_WINDOW, ExecOptions, start_with as exec_start};
use crate::shell::{Command, ExecError};
use crate::text::escape_bytes;
use tokio_util::sync::CancellationToken;

/// The largest receive window of a download channel. libssh2's default
/// (2 MiB) caps a stream at window / round trip: about 50 MB/s at 40 ms.
/// But libssh2 reads everything the peer has sent into its packet list
/// before handing any of it over, so a window larger than needed costs
/// memory and cache misses: on loopback a 32 MiB window halves libssh2's
/// throughput (docs/benchmarks.md). A download therefore opens its channel
/// with the default window and grows it to what the round trip needs.
pub const DOWNLOAD_WINDOW: u32 = 32 * 1024 * 1024;

/// The rate a download's window is sized for: window = round trip × this.
const WINDOW_RATE: f64 = 1e9;

/// The receive window a download needs when opening a channel took
/// `round_trip`: the bandwidth-delay product at [`WINDOW_RATE`], between
/// libssh2's default and [`DOWNLOAD_WINDOW`].
pub(super) fn download_window(round_trip: std::time::Duration) -> u32 {
    let wanted = round_trip.as_secs_f64() * WINDOW_RATE;
    wanted.clamp(DEFAULT_WINDOW as f64, DOWNLOAD_WINDOW as f64) as u32
}

/// Which side the remote scp plays.
pub(crate) enum Role<'a> {
    /// `scp -f PATH...`: it sends.
    Source { paths: &'a [OsString] },
    /// `scp -t [-d] TARGET`: it receives; with `make`, into a directory
    /// the same command makes first with that mode (`mkdir -m`), which
    /// saves a command of its own (three round trips) per upload. With
    /// `then`, that command runs in the same shell once scp exited 0 (and
    /// only then: scp's failing status is the command's); what it prints
    /// on stdout comes after the protocol's end ([`super::pipe::Ending::after`]).
    Sink { target: &'a OsStr, dir: bool, make: Option<u32>, then: Option<&'a Command> },
}

/// The exit status of a sink command whose `mkdir` failed (scp never
/// ran): not one scp or a shell uses.
pub(crate) const NOT_MADE: i32 = 75;

/// Starts the remote scp. Every path is quoted after `--`; the command runs
/// under `sh` whatever the login shell is, after the banner markers.
pub(crate) fn start<'s>(
    link: Link<'s>,
    host: &str,
    role: Role<'_>,
    options: &Options,
    cancel: &CancellationToken,
) -> Result<Pipe<'s>, ScpError> {
    start_with(link, host, role, options, cancel, &[])
}

/// [`start`], with the remote scp's first input (a download's first
/// acknowledgements): sent with the command where the shell cannot
/// swallow it, which saves the marker's round trip (see
/// `shell::exec::start_with`). The caller must not send it again.
pub(crate) fn start_with<'s>(
    link: Link<'s>,
    host: &str,
    role: Role<'_>,
    options: &Options,
    cancel: &CancellationToken,
    lead: &[u8],
) -> Result<Pipe<'s>, ScpError> {
    // Nothing runs after scp but a `then`: else the shell makes way for it.
    let scp = match role {
        Role::Sink { then: Some(_), .. } => "scp",
        _ => "exec scp",
    };
    let mut cmd = match role {
        Role::Sink { target, make: Some(mode), .. } => Command::new(&format!("mkdir -m {mode:o}"))
            .paths([target])?
            .lit(&format!("|| exit {NOT_MADE};"))
            .lit(scp),
        _ => Command::new(scp),
    };
    cmd = cmd.lit(match role {
        Role::Source { .. } => "-f",
        Role::Sink { .. } => "-t",
    });
    if options.recursive {
        cmd = cmd.lit("-r");
    }
    if options.preserve {
        cmd = cmd.lit("-p");
    }
    let downloading = matches!(role, Role::Source { .. });
    let cmd = match role {
        Role::Source { paths } => cmd.paths(paths)?,
        Role::Sink { target, dir, then, .. } => {
            let cmd = if dir { cmd.lit("-d") } else { cmd };
            let cmd = cmd.paths([target])?;
            match then {
                // `exit` alone: scp's own status.
                Some(then) => cmd.lit("|| exit;").append(then),
                None => cmd,
            }
        }
    };
    let mut pipe = launch_with(link, host, &cmd, cancel, lead)?;
    if downloading {
        pipe.grow_window(download_window(pipe.round_trip()));
    }
    Ok(pipe)
}

/// Starts `cmd` (framed, through the shared `shell::exec`) as a [`Pipe`];
/// a missing program (exit status 127 before anything ran) is
/// [`ScpError::Missing`], a lost connection [`ScpError::Connection`].
pub(crate) fn launch<'s>(
    link: Link<'s>,
    host: &str,
    cmd: &Command,
    cancel: &CancellationToken,
) -> Result<Pipe<'s>, ScpError> {
    launch_with(link, host, cmd, cancel, &[])
}

/// [`launch`] with the command's first input (see [`start_with`]).
fn launch_with<'s>(
    link: Link<'s>,
    host: &str,
    cmd: &Command,
    cancel: &CancellationToken,
    lead: &[u8],
) -> Result<Pipe<'s>, ScpError> {
    let window = DEFAULT_WINDOW;
    if cancel.is_cancelled() {
        return Err(ScpError::Cancelled);
    }
    let started = exec_start(link, cmd, ExecOptions { window }, lead).map_err(|e| start_error(host, e))?;
    Ok(Pipe::new(link, started, cancel.clone(), host.to_string()))
}

/// A command that did not start, as the engine tells it: a missing
/// program (exit status 127 before anything ran) is [`ScpError::Missing`],
/// a lost connection [`ScpError::Connection`].
pub(super) fn start_error(host: &str, error: ExecError) -> ScpError {
    match error {
        ExecError::NotStarted { ref stderr, ref status, .. } if status.code == Some(127) => {
            ScpError::Missing { host: host.to_string(), said: escape_bytes(stderr.trim_ascii()) }
        }
        source if source.is_connection_lost() => ScpError::Connection {
            host: host.to_string(),
            source: std::io::Error::new(std::io::ErrorKind::ConnectionAborted, source.to_string()),
        },
        source => ScpError::Start { host: host.to_string(), source: Box::new(source) },
    }
}

/// Sends the banner (once complete) and new stderr lines as diagnostics.
pub(crate) fn report(pipe: &mut Pipe<'_>, file: Option<&FileRef>, events: &Sender<Event>) {
    if let Some(banner) = pipe.take_banner() {
        let (stdout, stderr) = (banner.stdout_lines(), banner.stderr_lines());
        let _ =
            events.send(Event::Diagnostic(Diagnostic::Banner { host: pipe.host.clone(), stdout, stderr }));
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
    ended(pipe, ending, spoke, explained, events)
}

/// [`finish`] once the remote has ended with `ending`.
pub(crate) fn ended(
    pipe: &mut Pipe<'_>,
    ending: Ending,
    spoke: bool,
    explained: bool,
    events: &Sender<Event>,
) -> Result<Ending, ScpError> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn the_window_follows_the_round_trip() {
        assert_eq!(download_window(Duration::from_micros(100)), DEFAULT_WINDOW);
        assert_eq!(download_window(Duration::from_millis(10)), 10_000_000);
        assert_eq!(download_window(Duration::from_millis(45)), DOWNLOAD_WINDOW);
    }
}
