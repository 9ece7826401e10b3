//! Starting a framed command without blocking the session: the channel's
//! open, the `exec` and the script's marker, each a round trip, taken one
//! step at a time while the session's other channels keep moving data
//! (the ranges of a ranged transfer, `scp::lanes`). Only the plain case:
//! a connection whose login shell is known to take a script at once
//! (`Delivery::Pipelined`) and that is not used as root; anything else is
//! started the blocking way ([`super::exec::start`]).
//!
//! The session is in non-blocking mode. libssh2 sends no other packet
//! after a call it answered "again" while sending until that same call is
//! repeated, so a step that is left with a packet half sent (the socket
//! took only part of it) repeats its call until it went; it returns only
//! while waiting for the server's answer.

use std::io::{ErrorKind, Read, Write};
use std::time::{Duration, Instant};

use nix::poll::{PollFd, PollFlags, poll};
use ssh2::{BlockDirections, Channel};

use super::command::Command;
use super::delivery::{self, Delivery};
use super::error::ExecError;
use super::exec::{ExecOptions, Started};
use super::frame::{Frame, REMOTE_SHELL};
use super::launch::{CHUNK, PACKET_SIZE, next_id, not_started, shown, started};
use super::marker::{MarkerScanner, Scan};
use crate::ssh::Link;

/// libssh2's "again".
const AGAIN: i32 = -37;

/// The longest a step waits for the socket to take a half-sent packet
/// before trying again.
const WAIT_MS: u16 = 50;

/// A command on its way to starting.
pub struct Starting {
    frame: Frame,
    id: u64,
    options: ExecOptions,
    state: State,
    opening: Instant,
    round_trip: Duration,
    scanner: MarkerScanner,
}

enum State {
    Open,
    Exec(Channel),
    /// The script, written up to the offset.
    Script(Channel, usize),
    Marker(Channel),
    /// Started (or failed): nothing left.
    Gone,
}

impl Starting {
    /// A start of `command` on this connection, or `None` when it needs the
    /// blocking start (a login shell not known to take a script at once,
    /// a connection used as root).
    pub fn new(
        link: Link<'_>,
        command: &Command,
        options: ExecOptions,
    ) -> Result<Option<Starting>, ExecError> {
        if delivery::recall(link) != Delivery::Pipelined || super::sudo::root_of(link)?.is_some() {
            return Ok(None);
        }
        // Its channel is opened here, not through `ssh::channel`: a parked
        // shell's channel would hold a place (see `crate::ssh::parked`).
        crate::ssh::parked::close_parked(link);
        let frame = Frame::new(command)?;
        let id = next_id();
        log::debug!("remote command #{id}: {}", shown(command));
        let scanner = frame.scanner();
        Ok(Some(Starting {
            frame,
            id,
            options,
            state: State::Open,
            opening: Instant::now(),
            round_trip: Duration::ZERO,
            scanner,
        }))
    }

    /// Whether it is still opening its channel (libssh2 opens one channel
    /// of a session at a time).
    pub fn opening(&self) -> bool {
        matches!(self.state, State::Open)
    }

    /// Goes as far as it can without waiting for the server: the started
    /// command once its output begins, `None` meanwhile.
    pub fn step(&mut self, link: Link<'_>) -> Result<Option<Started>, ExecError> {
        // A lost connection is told apart as for the blocking start.
        let result = self.advance(link).map_err(|e| e.with_cause(link.session()));
        if let Err(error) = &result {
            log::debug!("remote command #{} did not start: {error}", self.id);
            self.state = State::Gone;
        }
        result
    }

    fn advance(&mut self, link: Link<'_>) -> Result<Option<Started>, ExecError> {
        loop {
            match std::mem::replace(&mut self.state, State::Gone) {
                State::Open => {
                    let (window, packet) = (self.options.window, PACKET_SIZE);
                    match again(link, || link.session().channel_open("session", window, packet, None))
                        .map_err(ExecError::OpenChannel)?
                    {
                        Some(channel) => {
                            self.round_trip = self.opening.elapsed();
                            self.state = State::Exec(channel);
                        }
                        None => {
                            self.state = State::Open;
                            return Ok(None);
                        }
                    }
                }
                State::Exec(mut channel) => {
                    match again(link, || channel.exec(REMOTE_SHELL)).map_err(ExecError::Exec)? {
                        Some(()) => self.state = State::Script(channel, 0),
                        None => {
                            self.state = State::Exec(channel);
                            return Ok(None);
                        }
                    }
                }
                State::Script(mut channel, mut at) => {
                    let script = self.frame.script();
                    while at < script.len() {
                        match channel.write(&script[at..]) {
                            Ok(n) => at += n,
                            // A half-sent packet, or no window yet: the
                            // same write again once the socket moves.
                            Err(e) if e.kind() == ErrorKind::WouldBlock => wait(link),
                            Err(e) => return Err(e.into()),
                        }
                    }
                    self.state = State::Marker(channel);
                }
                State::Marker(mut channel) => {
                    let mut buf = vec![0u8; CHUNK];
                    loop {
                        match channel.read(&mut buf) {
                            Ok(0) => {
                                let stdout = std::mem::replace(&mut self.scanner, self.frame.scanner())
                                    .into_preamble();
                                return Err(not_started(channel, stdout, &self.frame).0);
                            }
                            Ok(n) => {
                                if let Scan::Found(after) = self.scanner.feed(&buf[..n]) {
                                    let pending = after.to_vec();
                                    let banner = std::mem::replace(&mut self.scanner, self.frame.scanner())
                                        .into_preamble();
                                    let mut started = started(
                                        link.session(),
                                        channel,
                                        &self.frame,
                                        banner,
                                        pending,
                                        self.round_trip,
                                    )?;
                                    started.id = self.id;
                                    return Ok(Some(started));
                                }
                            }
                            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                                self.state = State::Marker(channel);
                                return Ok(None);
                            }
                            Err(e) => return Err(e.into()),
                        }
                    }
                }
                State::Gone => return Ok(None),
            }
        }
    }
}

/// Runs a non-blocking libssh2 call: its result, or `None` while it waits
/// for the server; repeated while it has a packet half sent.
fn again<T>(
    link: Link<'_>,
    mut call: impl FnMut() -> Result<T, ssh2::Error>,
) -> Result<Option<T>, ssh2::Error> {
    loop {
        match call() {
            Ok(value) => return Ok(Some(value)),
            Err(e) if e.code() == ssh2::ErrorCode::Session(AGAIN) => {
                if !matches!(link.block_directions(), BlockDirections::Outbound | BlockDirections::Both) {
                    return Ok(None);
                }
                wait(link);
            }
            Err(e) => return Err(e),
        }
    }
}

/// Waits (at most [`WAIT_MS`]) until the socket can take more.
fn wait(link: Link<'_>) {
    let mut fds = [PollFd::new(link.socket(), PollFlags::POLLOUT | PollFlags::POLLIN)];
    let _ = poll(&mut fds, WAIT_MS);
}
