//! Running a framed command over an ssh2 exec channel (blocking; called on
//! the thread that owns the session).

use std::io::Read;

use ssh2::{Channel, Session};

use crate::ssh::Link;

use super::command::Command;
use super::launch::{CHUNK, launch};

pub use super::banner::Banner;
pub use super::error::{ExecError, io_connection_lost};
pub use super::status::ExitStatus;
pub use super::stderr_split::StderrSplit;

/// libssh2's default channel window; callers that stream a lot ask for more.
pub const DEFAULT_WINDOW: u32 = 2 * 1024 * 1024;

/// How to open the channel.
#[derive(Debug, Clone, Copy)]
pub struct ExecOptions {
    /// Receive window in bytes: how much the remote may send before we read.
    pub window: u32,
}

impl Default for ExecOptions {
    fn default() -> Self {
        Self { window: DEFAULT_WINDOW }
    }
}

/// A started command: the channel, positioned after the stdout marker.
pub struct Started {
    pub channel: Channel,
    /// What the login profile printed on stdout before the command.
    pub banner_stdout: Vec<u8>,
    /// Stdout bytes of the command that arrived with the marker.
    pub pending: Vec<u8>,
    pub stderr: StderrSplit,
    /// How long opening the channel took: one round trip to the server,
    /// which a caller may size its receive window by.
    pub round_trip: std::time::Duration,
    /// This process's number for the command (`-vv` shows it with the
    /// command and with its exit status).
    pub id: u64,
}

impl Started {
    /// The banner seen so far on both streams.
    pub fn banner(&self) -> Banner {
        Banner { stdout: self.banner_stdout.clone(), stderr: self.stderr.banner().to_vec() }
    }

    /// Reads whatever stderr is available without waiting for more.
    pub fn poll_stderr(&mut self, session: &Session) -> std::io::Result<()> {
        let mut buf = [0u8; 4096];
        let blocking = session.is_blocking();
        session.set_blocking(false);
        let result = loop {
            match self.channel.stderr().read(&mut buf) {
                Ok(0) => break Ok(()),
                Ok(n) => self.stderr.push(&buf[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break Ok(()),
                Err(e) => break Err(e),
            }
        };
        session.set_blocking(blocking);
        result
    }

    /// Reads stderr until the remote closes it.
    pub fn read_stderr_to_end(&mut self) -> std::io::Result<()> {
        let mut buf = [0u8; 4096];
        loop {
            match self.channel.stderr().read(&mut buf)? {
                0 => return Ok(()),
                n => self.stderr.push(&buf[..n]),
            }
        }
    }

    /// Waits for the channel to close and returns how the command ended.
    pub fn finish(&mut self) -> Result<ExitStatus, ExecError> {
        self.read_stderr_to_end()?;
        self.channel.wait_close().map_err(|e| ExecError::Io(e.into()))?;
        let status = ExitStatus::of(&self.channel)?;
        self.ended(&status);
        Ok(status)
    }

    /// Tells `-vv` how the command ended.
    pub fn ended(&self, status: &ExitStatus) {
        log::debug!("remote command #{}: {status}", self.id);
    }
}

/// Opens a channel, starts the framed `command` on the remote `sh` and
/// reads until the command's output begins. Nothing else may be written to
/// the channel before this returns (see [`super::frame`]); after it, the
/// command reads what is written (the SCP driver streams its protocol).
pub fn start(link: Link<'_>, command: &Command, options: ExecOptions) -> Result<Started, ExecError> {
    start_with(link, command, options, &[])
}

/// [`start`], with the command's first input: `lead` is sent with the
/// script where nothing can swallow it (the command rides on a parked
/// channel, see [`super::park`]: the marker's round trip is saved), else
/// right after the marker. The caller must not send it again.
pub fn start_with(
    link: Link<'_>,
    command: &Command,
    options: ExecOptions,
    lead: &[u8],
) -> Result<Started, ExecError> {
    launch(link, command, options, false, lead).map_err(|e| e.with_cause(&link))
}

/// The complete result of a short command.
#[derive(Debug, Clone)]
pub struct Output {
    pub banner: Banner,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub status: ExitStatus,
}

/// Runs a short command to completion and collects everything it printed.
pub fn run(link: Link<'_>, command: &Command) -> Result<Output, ExecError> {
    let mut stdout = Vec::new();
    let mut output =
        run_streaming(link, command, ExecOptions::default(), &mut |chunk| stdout.extend_from_slice(chunk))?;
    output.stdout = stdout;
    Ok(output)
}

/// Runs a command to completion, handing its stdout to `sink` chunk by chunk
/// as it arrives, so that a large output (a 100,000-entry listing) is parsed
/// while it streams instead of being buffered first. The returned
/// [`Output::stdout`] is empty. The command's input is closed right after
/// the script (it is sent nothing else), which saves waiting for the marker
/// before closing it.
pub fn run_streaming(
    link: Link<'_>,
    command: &Command,
    options: ExecOptions,
    sink: &mut dyn FnMut(&[u8]),
) -> Result<Output, ExecError> {
    streaming(link, command, options, sink).map_err(|e| e.with_cause(&link))
}

fn streaming(
    link: Link<'_>,
    command: &Command,
    options: ExecOptions,
    sink: &mut dyn FnMut(&[u8]),
) -> Result<Output, ExecError> {
    let session = link.session();
    let mut started = launch(link, command, options, true, &[])?;
    let pending = std::mem::take(&mut started.pending);
    if !pending.is_empty() {
        sink(&pending);
    }
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = started.channel.read(&mut buf)?;
        if n == 0 {
            break;
        }
        sink(&buf[..n]);
        started.poll_stderr(session)?;
    }
    let status = started.finish()?;
    let banner = started.banner();
    Ok(Output { banner, stdout: Vec::new(), stderr: started.stderr.take_command(), status })
}
