//! Running a framed command over an ssh2 exec channel (blocking; called on
//! the thread that owns the session).

use std::io::{Read, Write};

use ssh2::{Channel, Session};

use super::command::Command;
use super::frame::{Frame, MarkerScanner, REMOTE_SHELL, Scan};
use crate::ssh::is_transport_lost;
use crate::text::{escape_bytes, escape_str};

/// libssh2's default channel window; callers that stream a lot ask for more.
pub const DEFAULT_WINDOW: u32 = 2 * 1024 * 1024;
const PACKET_SIZE: u32 = 32 * 1024;
const CHUNK: usize = 64 * 1024;

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

/// Text a login profile printed before the command started.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Banner {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

impl Banner {
    pub fn is_empty(&self) -> bool {
        self.stdout.is_empty() && self.stderr.is_empty()
    }

    /// Both streams, escaped for display, one line per line of banner.
    pub fn escaped_lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        for stream in [&self.stdout, &self.stderr] {
            let text = stream.strip_suffix(b"\n").unwrap_or(stream);
            if !stream.is_empty() {
                lines.extend(text.split(|&b| b == b'\n').map(escape_bytes));
            }
        }
        lines
    }
}

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
            ExecError::NotStarted { .. } => false,
        }
    }
}

/// ssh2 turns its errors into `io::Error`s without their code; libssh2
/// still has it as the session's last error, which tells a dead socket from
/// a failed command.
fn with_cause(session: &Session, error: ExecError) -> ExecError {
    match error {
        ExecError::Io(e) if ssh2::Error::last_session_error(session).is_some_and(|l| is_transport_lost(&l)) => {
            ExecError::Lost(e)
        }
        other => other,
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

/// Separates a channel's stderr into banner text and the command's own.
#[derive(Debug, Clone)]
pub struct StderrSplit {
    scanner: Option<MarkerScanner>,
    banner: Vec<u8>,
    command: Vec<u8>,
}

impl StderrSplit {
    fn new(scanner: MarkerScanner) -> Self {
        Self { scanner: Some(scanner), banner: Vec::new(), command: Vec::new() }
    }

    /// Adds stderr bytes read from the channel.
    pub fn push(&mut self, bytes: &[u8]) {
        match self.scanner.as_mut() {
            None => self.command.extend_from_slice(bytes),
            Some(scanner) => {
                if let Scan::Found(after) = scanner.feed(bytes) {
                    self.command.extend_from_slice(after);
                    if let Some(done) = self.scanner.take() {
                        self.banner = done.into_preamble();
                    }
                }
            }
        }
    }

    /// Stderr printed by the login profile (so far).
    pub fn banner(&self) -> &[u8] {
        match &self.scanner {
            Some(scanner) => scanner.preamble(),
            None => &self.banner,
        }
    }

    /// Stderr printed by the command itself (so far).
    /// True once the marker has arrived: [`StderrSplit::banner`] is complete.
    pub fn marker_seen(&self) -> bool {
        self.scanner.is_none()
    }

    pub fn command(&self) -> &[u8] {
        &self.command
    }

    /// Takes the command's stderr collected so far, leaving it empty.
    pub fn take_command(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.command)
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
        exit_status(&self.channel)
    }
}

fn exit_status(channel: &Channel) -> Result<ExitStatus, ExecError> {
    let signal = channel.exit_signal().ok().and_then(|s| s.exit_signal);
    let code = channel.exit_status().map_err(|e| ExecError::Io(e.into()))?;
    Ok(ExitStatus { code: if signal.is_some() { None } else { Some(code) }, signal })
}

/// Opens a channel, starts the remote `sh`, sends the framed `command` and
/// reads until the command's output begins. Nothing else may be written to
/// the channel before this returns (see [`super::frame`]).
pub fn start(session: &Session, command: &Command, options: ExecOptions) -> Result<Started, ExecError> {
    start_with(session, command, options, false).map_err(|e| with_cause(session, e))
}

/// [`start`]; with `close_stdin`, the end of input follows the script at
/// once, for a command that is sent nothing else: that saves the round trip
/// of waiting for the marker before closing stdin. An EOF is not data, so a
/// shell that reads its script in blocks cannot swallow it.
fn start_with(
    session: &Session,
    command: &Command,
    options: ExecOptions,
    close_stdin: bool,
) -> Result<Started, ExecError> {
    let frame = Frame::new(command);
    let opening = std::time::Instant::now();
    let mut channel = crate::ssh::channel::open_session(session, options.window, PACKET_SIZE)
        .map_err(ExecError::OpenChannel)?;
    let round_trip = opening.elapsed();
    channel.exec(REMOTE_SHELL).map_err(ExecError::Exec)?;
    // No `flush()`: on an ssh2 channel it calls libssh2_channel_flush_ex,
    // which discards unread incoming data (a banner that already arrived),
    // and writes are sent by `write_all` anyway.
    channel.write_all(frame.script())?;
    if close_stdin {
        channel.send_eof().map_err(|e| ExecError::Io(e.into()))?;
    }

    let mut scanner = frame.scanner();
    let mut buf = vec![0u8; CHUNK];
    let pending = loop {
        let n = channel.read(&mut buf)?;
        if n == 0 {
            return Err(not_started(channel, scanner.into_preamble(), frame.scanner()));
        }
        if let Scan::Found(after) = scanner.feed(&buf[..n]) {
            break after.to_vec();
        }
    };
    let mut started = Started {
        channel,
        banner_stdout: scanner.into_preamble(),
        pending,
        stderr: StderrSplit::new(frame.scanner()),
        round_trip,
    };
    started.poll_stderr(session)?;
    Ok(started)
}

fn not_started(mut channel: Channel, stdout: Vec<u8>, stderr_scanner: MarkerScanner) -> ExecError {
    let mut split = StderrSplit::new(stderr_scanner);
    let mut buf = [0u8; 4096];
    while let Ok(n) = channel.stderr().read(&mut buf) {
        if n == 0 {
            break;
        }
        split.push(&buf[..n]);
    }
    let _ = channel.wait_close();
    let status = exit_status(&channel).unwrap_or_default();
    let stderr = split.banner().to_vec();
    ExecError::NotStarted { banner: Banner { stdout, stderr: stderr.clone() }, stderr, status }
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
pub fn run(session: &Session, command: &Command) -> Result<Output, ExecError> {
    let mut stdout = Vec::new();
    let mut output = run_streaming(session, command, ExecOptions::default(), &mut |chunk| {
        stdout.extend_from_slice(chunk)
    })?;
    output.stdout = stdout;
    Ok(output)
}

/// Runs a command to completion, handing its stdout to `sink` chunk by chunk
/// as it arrives, so that a large output (a 100,000-entry listing) is parsed
/// while it streams instead of being buffered first. The returned
/// [`Output::stdout`] is empty.
pub fn run_streaming(
    session: &Session,
    command: &Command,
    options: ExecOptions,
    sink: &mut dyn FnMut(&[u8]),
) -> Result<Output, ExecError> {
    streaming(session, command, options, sink).map_err(|e| with_cause(session, e))
}

fn streaming(
    session: &Session,
    command: &Command,
    options: ExecOptions,
    sink: &mut dyn FnMut(&[u8]),
) -> Result<Output, ExecError> {
    let mut started = start_with(session, command, options, true)?;
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
