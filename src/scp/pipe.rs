//! Non-blocking I/O on a started remote command's channel, so that a stalled
//! peer never blocks cancellation: every wait is a `poll` on the session's
//! socket of at most [`WAIT`], after which the cancel token is checked.
//!
//! libssh2 counts stderr against the same flow-control window as stdout, so
//! stderr is drained whenever stdout is read or waited for: a remote that
//! writes a lot to stderr can never stall the data.

use std::io::{ErrorKind, Read, Write};
use std::os::fd::BorrowedFd;
use std::time::{Duration, Instant};

use nix::poll::{PollFd, PollFlags, poll};
use ssh2::{BlockDirections, Session};

use crate::ssh::Link;

use super::error::ScpError;
use super::throttle::Throttle;
use crate::shell::exec::Started;
use crate::shell::{Banner, ExitStatus};
use tokio_util::sync::CancellationToken;

/// The longest a wait lasts before the cancel token is checked again.
pub(super) const WAIT: Duration = Duration::from_millis(50);

/// How long a cancelled pipe still gives a half-sent packet to go (see
/// [`Pipe::check_cancel_sending`]), and a close to leave
/// ([`Pipe::close_now`]). A time, not a count of waits: a socket that takes
/// a little at a time wakes every wait early.
pub(super) const SENDING_LIMIT: Duration = Duration::from_secs(2);

/// A started remote command in non-blocking mode. Restores the session's
/// blocking mode when dropped, after freeing the channel: a channel freed in
/// blocking mode waits for the remote to close it, which a stalled remote
/// never does.
pub(crate) struct Pipe<'s> {
    link: Link<'s>,
    /// First: fields drop in order, so the channel is freed in
    /// non-blocking mode, whatever another pipe's drop restored.
    _non_blocking: NonBlocking<'s>,
    started: Started,
    cancel: CancellationToken,
    pub host: String,
    stderr_line: Vec<u8>,
    stderr_lines: Vec<Vec<u8>>,
    banner_taken: bool,
    /// Paces the data read and written (scp -l).
    limit: Option<Throttle>,
    /// The receive window to keep open, when larger than the channel's own.
    window: Option<u32>,
    /// A cancel is not heeded before this (see [`Pipe::finish_placing`]).
    grace_until: Option<Instant>,
    /// When a cancel first found a packet half sent.
    cancelled_sending: std::cell::Cell<Option<Instant>>,
    /// Last: fields drop in order, so the channel is freed first.
    _blocking: RestoreBlocking<'s>,
}

struct RestoreBlocking<'s> {
    session: &'s Session,
    was_blocking: bool,
}

/// Sets the session non-blocking when dropped.
struct NonBlocking<'s>(&'s Session);

impl Drop for NonBlocking<'_> {
    fn drop(&mut self) {
        self.0.set_blocking(false);
    }
}

impl Drop for RestoreBlocking<'_> {
    fn drop(&mut self) {
        self.session.set_blocking(self.was_blocking);
    }
}

/// How the remote command ended.
pub(crate) struct Ending {
    pub status: ExitStatus,
    /// Stderr lines not yet taken.
    pub stderr: Vec<Vec<u8>>,
    /// Stdout left after the protocol's end (at most [`AFTER_MAX`] bytes):
    /// what a command run after `scp -t` in the same shell printed.
    pub after: Vec<u8>,
}

/// How long a finishing sink whose placing follows waits for its exit
/// status after a cancel (see [`Pipe::finish_placing`]).
pub(crate) const PLACING_GRACE: Duration = Duration::from_secs(1);

/// The most stdout kept after the protocol's end.
pub(crate) const AFTER_MAX: usize = 1 << 20;

impl<'s> Pipe<'s> {
    pub(crate) fn new(link: Link<'s>, started: Started, cancel: CancellationToken, host: String) -> Self {
        let session = link.session();
        let was_blocking = session.is_blocking();
        session.set_blocking(false);
        no_delay(link.socket());
        Pipe {
            link,
            _non_blocking: NonBlocking(session),
            started,
            cancel,
            host,
            stderr_line: Vec::new(),
            stderr_lines: Vec::new(),
            banner_taken: false,
            limit: None,
            window: None,
            grace_until: None,
            cancelled_sending: std::cell::Cell::new(None),
            _blocking: RestoreBlocking { session, was_blocking },
        }
    }

    /// How long opening the channel took: one round trip.
    pub(super) fn round_trip(&self) -> Duration {
        self.started.round_trip
    }

    /// Paces this channel's data with `limit` (one side of a relay only, so
    /// that a byte is not counted twice).
    pub(super) fn limit(&mut self, limit: Option<Throttle>) {
        self.limit = limit;
    }

    /// Keeps the receive window at `window` bytes (libssh2 only tops it up
    /// to the size the channel was opened with).
    pub(super) fn grow_window(&mut self, window: u32) {
        self.window = Some(window);
        self.top_up_window();
    }

    fn top_up_window(&mut self) {
        let Some(target) = self.window else { return };
        let open = self.started.channel.read_window().remaining;
        if open < target / 2 {
            // Non-blocking: an adjustment that cannot go now is tried again
            // after the next read.
            let _ = self.started.channel.adjust_receive_window(u64::from(target - open), true);
        }
    }

    /// Waits until `bytes` fit the bandwidth limit, if there is one.
    pub(super) fn pace(&self, bytes: usize) -> Result<(), ScpError> {
        match &self.limit {
            Some(limit) if bytes > 0 && !limit.pace(bytes as u64, &|| self.cancel.is_cancelled()) => {
                Err(ScpError::Cancelled)
            }
            _ => Ok(()),
        }
    }

    /// Output that arrived together with the marker line.
    pub(crate) fn take_pending(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.started.pending)
    }

    fn lost(&self, source: std::io::Error) -> ScpError {
        ScpError::Connection { host: self.host.clone(), source }
    }

    fn check_cancel(&self) -> Result<(), ScpError> {
        let graced = self.grace_until.is_some_and(|until| Instant::now() < until);
        if self.cancel.is_cancelled() && !graced { Err(ScpError::Cancelled) } else { Ok(()) }
    }

    /// [`Pipe::finish`] for a sink whose every file was answered and whose
    /// placing follows in the same command: a cancel is heeded only after
    /// [`PLACING_GRACE`], so that files the command placed (it takes one
    /// round trip and a rename) are reported placed, not left unknown.
    pub(super) fn finish_placing(&mut self) -> Result<Ending, ScpError> {
        self.grace_until = Some(Instant::now() + PLACING_GRACE);
        self.finish()
    }

    /// [`Pipe::check_cancel`] for a call libssh2 said "again" to. A packet
    /// it could not send whole stays in its one output buffer, and the
    /// session sends no other packet (no close, no later command, no
    /// keepalive: blocking calls then spin on "again") until the same call
    /// is repeated and it has gone. So while the socket is what holds a
    /// packet back, a cancel waits, at most [`SENDING_LIMIT`], for the
    /// caller to repeat its call. A packet still held back then leaves the
    /// session unusable: the connection is given up on
    /// ([`crate::ssh::broken::give_up`]: its socket shut down, and counted
    /// as closed), so that every later call on it fails at once and the
    /// next command connects again, instead of spinning or waiting for the
    /// answer to a request that never went.
    fn check_cancel_sending(&self) -> Result<(), ScpError> {
        let sending =
            matches!(self.link.block_directions(), BlockDirections::Outbound | BlockDirections::Both);
        if sending && self.cancel.is_cancelled() {
            let since = self.cancelled_sending.get().unwrap_or_else(Instant::now);
            self.cancelled_sending.set(Some(since));
            if since.elapsed() < SENDING_LIMIT {
                return Ok(());
            }
            let why =
                format!("{}: a packet half sent did not go within {SENDING_LIMIT:?} of a cancel", self.host);
            crate::ssh::broken::give_up(self.link, &why);
        }
        self.check_cancel()
    }

    /// Waits until the socket is ready in the direction libssh2 needs, or
    /// [`WAIT`] passes.
    fn wait(&self) -> Result<(), ScpError> {
        self.check_cancel_sending()?;
        let flags = match self.link.block_directions() {
            BlockDirections::Inbound => PollFlags::POLLIN,
            BlockDirections::Outbound => PollFlags::POLLOUT,
            BlockDirections::Both | BlockDirections::None => PollFlags::POLLIN | PollFlags::POLLOUT,
        };
        let mut fds = [PollFd::new(self.link.socket(), flags)];
        match poll(&mut fds, WAIT.as_millis() as u16) {
            Ok(_) | Err(nix::errno::Errno::EINTR) => self.check_cancel_sending(),
            Err(e) => Err(self.lost(e.into())),
        }
    }

    /// Reads stdout without waiting: `Ok(None)` when nothing is there yet,
    /// `Ok(Some(0))` at the end.
    pub(super) fn try_read(&mut self, buf: &mut [u8]) -> Result<Option<usize>, ScpError> {
        self.drain_stderr()?;
        match self.started.channel.read(buf) {
            Ok(n) => {
                self.top_up_window();
                Ok(Some(n))
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => Ok(None),
            Err(e) => Err(self.lost(e)),
        }
    }

    /// Reads stdout, waiting for data; 0 means the remote closed it. With a
    /// limit, at most a quantum is read at once and paid for before the next.
    pub(crate) fn read(&mut self, buf: &mut [u8]) -> Result<usize, ScpError> {
        let len = self.limit.as_ref().map_or(buf.len(), |l| l.quantum().min(buf.len()));
        let buf = &mut buf[..len];
        loop {
            if let Some(n) = self.try_read(buf)? {
                self.pace(n)?;
                return Ok(n);
            }
            self.wait()?;
        }
    }

    /// Writes all of `data` to the remote's stdin; with a limit, a quantum
    /// at a time, each once the budget allows it.
    pub(super) fn write_all(&mut self, data: &[u8]) -> Result<(), ScpError> {
        let Some(quantum) = self.limit.as_ref().map(Throttle::quantum) else {
            return self.write_unpaced(data);
        };
        for piece in data.chunks(quantum) {
            self.pace(piece.len())?;
            self.write_unpaced(piece)?;
        }
        Ok(())
    }

    fn write_unpaced(&mut self, mut data: &[u8]) -> Result<(), ScpError> {
        while !data.is_empty() {
            self.check_cancel_sending()?;
            match self.started.channel.write(data) {
                Ok(0) => return Err(self.lost(ErrorKind::WriteZero.into())),
                Ok(n) => data = &data[n..],
                Err(e) if e.kind() == ErrorKind::WouldBlock => {
                    // The remote window may be full because the remote is
                    // itself blocked writing stderr: keep that flowing.
                    self.drain_stderr()?;
                    self.wait()?;
                }
                Err(e) => return Err(self.lost(e)),
            }
        }
        Ok(())
    }

    /// Writes one packet's worth of `data` (at most libssh2's 32 KiB)
    /// and returns how much went, waiting while the socket takes nothing.
    /// Several channels of one session may share the socket (`lanes`):
    /// once libssh2 said "again" for a write, it sends no other packet
    /// until that same write is repeated, so this repeats it (the same
    /// bytes) until it went. Call it only with send window open
    /// ([`Pipe::send_window`]), or it would wait for the window.
    pub(super) fn write_packet(&mut self, data: &[u8]) -> Result<usize, ScpError> {
        loop {
            match self.started.channel.write(data) {
                Ok(0) => return Err(self.lost(ErrorKind::WriteZero.into())),
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == ErrorKind::WouldBlock => self.wait()?,
                Err(e) => return Err(self.lost(e)),
            }
        }
    }

    /// How many bytes the remote takes now (its window for this channel).
    pub(super) fn send_window(&self) -> u32 {
        self.started.channel.write_window().remaining
    }

    /// Bytes of stdout that libssh2 holds for this channel, ready to read.
    pub(super) fn readable(&self) -> u32 {
        self.started.channel.read_window().available
    }

    /// Whether the remote has ended its output (its command is ending).
    pub(super) fn remote_ended(&self) -> bool {
        self.started.channel.eof()
    }

    /// Completes a window adjustment that libssh2 could not send at once
    /// (a read tops the window up): until it goes, no other packet can.
    pub(super) fn flush_window(&mut self) -> Result<(), ScpError> {
        self.retry(|c| c.adjust_receive_window(0, false).map(|_| ()))
    }

    /// Closes the channel, waiting (at most [`SENDING_LIMIT`], whatever the
    /// cancel token says) for the close to leave: a close left half sent
    /// would keep every later packet of the session back. A close that
    /// cannot leave in that time leaves the session unusable: the
    /// connection is given up on (see [`Pipe::check_cancel_sending`]), and
    /// on such a connection nothing is tried. Once the close has left,
    /// libssh2 says "again" while it waits for the server's close (which
    /// comes only once the remote command has taken its input and ended):
    /// that is not waited for.
    pub(super) fn close_now(&mut self) {
        // Non-blocking, whatever an earlier pipe's drop restored: a close
        // behind another channel's half-sent packet would spin on "again".
        self.link.session().set_blocking(false);
        let began = Instant::now();
        while !crate::ssh::broken::is_broken(self.link.facts()) {
            match self.started.channel.close().map_err(std::io::Error::from) {
                Err(e) if e.kind() == ErrorKind::WouldBlock => {
                    let sending = matches!(
                        self.link.block_directions(),
                        BlockDirections::Outbound | BlockDirections::Both
                    );
                    if !sending {
                        return;
                    }
                    if began.elapsed() >= SENDING_LIMIT {
                        let why =
                            format!("{}: a channel's close did not go within {SENDING_LIMIT:?}", self.host);
                        crate::ssh::broken::give_up(self.link, &why);
                        return;
                    }
                    let mut fds = [PollFd::new(self.link.socket(), PollFlags::POLLOUT)];
                    let _ = poll(&mut fds, WAIT.as_millis() as u16);
                }
                _ => return,
            }
        }
    }

    fn drain_stderr(&mut self) -> Result<(), ScpError> {
        let mut buf = [0u8; 4096];
        loop {
            match self.started.channel.stderr().read(&mut buf) {
                Ok(0) => break,
                Ok(n) => self.started.stderr.push(&buf[..n]),
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) => return Err(self.lost(e)),
            }
        }
        let text = self.started.stderr.take_command();
        for &b in &text {
            if b == b'\n' {
                self.stderr_lines.push(std::mem::take(&mut self.stderr_line));
            } else if self.stderr_line.len() < 4096 {
                self.stderr_line.push(b);
            }
        }
        Ok(())
    }

    /// Complete stderr lines printed by the remote command so far.
    pub(super) fn take_stderr_lines(&mut self) -> Vec<Vec<u8>> {
        std::mem::take(&mut self.stderr_lines)
    }

    /// The login profile's output, once complete (both markers seen), and
    /// only once.
    pub(crate) fn take_banner(&mut self) -> Option<Banner> {
        if self.banner_taken || !self.started.stderr.marker_seen() {
            return None;
        }
        self.banner_taken = true;
        Some(self.started.banner()).filter(|b| !b.is_empty())
    }

    /// Retries a non-blocking libssh2 call until it stops saying "again".
    fn retry(&mut self, f: impl Fn(&mut ssh2::Channel) -> Result<(), ssh2::Error>) -> Result<(), ScpError> {
        loop {
            match f(&mut self.started.channel).map_err(std::io::Error::from) {
                Ok(()) => return Ok(()),
                Err(e) if e.kind() == ErrorKind::WouldBlock => self.wait()?,
                Err(e) => return Err(self.lost(e)),
            }
        }
    }

    /// Tells the remote there is no more input.
    pub(super) fn send_eof(&mut self) -> Result<(), ScpError> {
        self.retry(|c| c.send_eof())
    }

    /// Reads stdout and stderr to their end and returns the exit status.
    /// What stdout still held is kept as [`Ending::after`] (up to
    /// [`AFTER_MAX`] bytes; the rest is discarded).
    pub(crate) fn finish(&mut self) -> Result<Ending, ScpError> {
        let mut buf = vec![0u8; 16 * 1024];
        let mut after = Vec::new();
        loop {
            let n = self.read(&mut buf)?;
            if n == 0 {
                break;
            }
            let room = AFTER_MAX.saturating_sub(after.len());
            after.extend_from_slice(&buf[..n.min(room)]);
        }
        loop {
            self.drain_stderr()?;
            if self.started.channel.eof() {
                break;
            }
            self.wait()?;
        }
        self.drain_stderr()?;
        if !self.stderr_line.is_empty() {
            self.stderr_lines.push(std::mem::take(&mut self.stderr_line));
        }
        self.retry(|c| c.wait_close())?;
        let signal = self.started.channel.exit_signal().ok().and_then(|s| s.exit_signal);
        let code = self.started.channel.exit_status().map_err(|e| self.lost(e.into()))?;
        let status = ExitStatus { code: if signal.is_some() { None } else { Some(code) }, signal };
        self.started.ended(&status);
        Ok(Ending { status, stderr: self.take_stderr_lines(), after })
    }

    /// Closes the channel without waiting for the remote (cancel, errors):
    /// the remote scp sees its input vanish and exits.
    pub(crate) fn abort(&mut self) {
        let _ = self.started.channel.close();
    }
}

/// Turns off Nagle's algorithm on the session's socket. The protocol writes
/// small records back to back (a status byte, then the next file's record)
/// and then waits for a reply: with Nagle, the second write waits for the
/// peer's delayed ACK, some 40 ms per file. Not a TCP socket (a proxy
/// command's pipe): nothing to do.
fn no_delay(socket: BorrowedFd<'_>) {
    let _ = nix::sys::socket::setsockopt(&socket, nix::sys::socket::sockopt::TcpNoDelay, &true);
}
