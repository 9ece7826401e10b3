//! Several raw byte streams of one file at once on ONE session: the ranges
//! of a ranged transfer, each on its own channel (a "lane"), driven
//! together on the thread that owns the session. Every channel brings its
//! own flow-control window (OpenSSH gives a session channel 2 MiB), so K
//! lanes send K windows per round trip where one stream sends one,
//! without the K logins of K sessions.
//!
//! libssh2 serializes a session, so the lanes run in turns in non-blocking
//! mode: each turn writes what each channel's send window allows (an
//! upload, `dd seek=` on the host) or reads what has arrived for it (a
//! download, `dd skip=`), and the thread sleeps in `poll` on the socket
//! only when no lane could move. Two libssh2 rules shape it:
//!
//! - after a write said "again", libssh2 sends no other packet until that
//!   same write is repeated: [`Pipe::write_packet`] repeats it until it
//!   went, so no half-sent packet is ever left between turns (when the
//!   socket takes nothing, no lane could send anyway);
//! - before a lane's start takes a step (or, blocking, its whole start),
//!   any window adjustment that a read left half sent goes first
//!   ([`Pipe::flush_window`]).
//!
//! The first lane starts in blocking mode (the framed launch, which also
//! waits out a channel still closing); the next ones without blocking the
//! others (`shell::Starting`: open, `exec`, marker, one channel opening at
//! a time), or, where the connection needs the blocking start (a login
//! shell that reads its input, sudo), one per turn. A server that refuses another channel while this session
//! holds some (sshd's `MaxSessions`) is told apart from one whose earlier
//! channel is still closing (`ssh::channel::hold_channels`): the lanes
//! then stay as many as it took, and [`Driven::OneChannel`] tells the
//! caller once they ended, if it allowed only one. A refusal is taken for
//! the server's limit only when every lane's channel closed so far is
//! known to be gone on the server too ([`Closes`]); otherwise the range
//! is tried again.

use std::fs::File;
use std::io::ErrorKind;
use std::os::unix::fs::FileExt;
use std::path::Path;

use nix::poll::{PollFd, PollFlags, poll};
use tokio_util::sync::CancellationToken;

use super::error::ScpError;
use super::item::{CHUNK, ProgressPace};
use super::pipe::{Pipe, WAIT};
use super::remote::{download_window, launch, start_error};
use super::stream::finish;
use super::throttle::Throttle;
use crate::shell::ExecError;
use crate::shell::exec::DEFAULT_WINDOW;
use crate::shell::{Command, ExecOptions, Starting};
use crate::ssh::Link;
use crate::ssh::channel::{hold_channels, is_refusal, note_one_channel};

/// The most one lane moves in a turn before the next lane's turn.
const TURN: usize = 1024 * 1024;

/// Which way a lane's bytes go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LaneWay {
    /// The command's output into the local file at the lane's start.
    Pull,
    /// The local file from the lane's start to its end into the command.
    Push,
}

/// One range to stream: `command` on the host, `start..end` of the local
/// file (a pull reads until the command's output ends, wherever that is).
pub struct Lane {
    pub key: usize,
    pub command: Command,
    pub start: u64,
    pub end: u64,
}

/// Where the lanes come from and what becomes of them.
pub trait Lanes {
    /// The next range to run, if any is left.
    fn next(&mut self) -> Option<Lane>;
    /// Lane `key` has reached `at` (a position in the file).
    fn progress(&mut self, key: usize, at: u64);
    /// Lane `key` ended: the position after its last byte, or why it
    /// failed (never `Cancelled`). False: stop every lane (the file failed).
    fn ended(&mut self, key: usize, result: Result<u64, ScpError>) -> bool;
    /// Lane `key` was stopped, or not started, through no fault of its own
    /// (a cancel, the server's channel limit, another lane's lost session):
    /// it is to run again.
    fn put_back(&mut self, key: usize);
}

/// How [`drive`] stopped.
#[derive(Debug)]
pub enum Driven {
    /// No range left (or the file failed).
    Idle,
    /// Cancelled: the lanes running were put back.
    Stopped,
    /// The session was lost (the lane that saw it was told, the others
    /// put back).
    Lost,
    /// The server took one channel at a time: the lanes ran one after the
    /// other and then stopped, ranges may be left for other sessions.
    OneChannel,
}

/// What the lanes share.
pub struct LaneSet<'a> {
    pub host: &'a str,
    pub way: LaneWay,
    /// The local file read (push) or written (pull), and its path for messages.
    pub file: (&'a File, &'a Path),
    /// The bandwidth limit shared with the rest of the job.
    pub limit: Option<Throttle>,
    /// How many streams of the file run at once in all (every session's
    /// lanes): a pull's receive window is shared among them.
    pub shares: u32,
    /// Lanes at once on this session, at most.
    pub channels: usize,
}

/// One running lane.
struct Slot<'s> {
    key: usize,
    pipe: Pipe<'s>,
    /// Where the next byte goes (pull) or comes from (push: the bytes
    /// taken by the channel so far end here).
    at: u64,
    end: u64,
    buf: Vec<u8>,
    /// Push: bytes of `buf` read from the file, and of those sent.
    filled: usize,
    sent: usize,
    /// Push: all sent, the end of input too; waiting for the verdict.
    closing: bool,
    pace: ProgressPace,
}

/// What a turn of one lane did.
enum Step {
    Moved(usize),
    Ended(u64),
}

/// Runs the ranges `lanes` gives, up to `set.channels` at once, on the
/// session of `link` until none is left, the file failed, the session is
/// lost or `cancel` fires. The session is left in blocking mode.
pub fn drive(link: Link<'_>, set: &LaneSet, lanes: &mut dyn Lanes, cancel: &CancellationToken) -> Driven {
    let driven = run(link, set, lanes, cancel);
    hold_channels(link, false);
    link.session().set_blocking(true);
    driven
}

fn run(link: Link<'_>, set: &LaneSet, lanes: &mut dyn Lanes, cancel: &CancellationToken) -> Driven {
    let mut slots: Vec<Slot<'_>> = Vec::new();
    let mut pending: Vec<Pending> = Vec::new();
    let mut cap = set.channels.max(1);
    let mut limited = false;
    let mut closes = Closes::default();
    loop {
        if cancel.is_cancelled() {
            stop_all(slots, pending, lanes);
            return Driven::Stopped;
        }
        let mut moved = false;
        // A new lane, when there is room and no other is opening its
        // channel (libssh2 opens one at a time).
        if slots.len() + pending.len() < cap && !pending.iter().any(|p| p.starting.opening()) {
            if limited && cap == 1 && slots.is_empty() && pending.is_empty() {
                return Driven::OneChannel;
            }
            match lanes.next() {
                Some(lane) => {
                    moved = true;
                    // The first lane starts the blocking way (which waits
                    // out a channel still closing); the next ones while
                    // the others move data, where the connection allows.
                    let quick = match slots.is_empty() && pending.is_empty() {
                        true => Ok(None),
                        false => Starting::new(link, &lane.command, ExecOptions { window: DEFAULT_WINDOW }),
                    };
                    let mark = closes.mark();
                    let started = match quick {
                        Ok(Some(starting)) => {
                            pending.push(Pending {
                                key: lane.key,
                                start: lane.start,
                                end: lane.end,
                                starting,
                                mark,
                            });
                            Ok(false)
                        }
                        Ok(None) => {
                            let hold = !slots.is_empty() || closes.unsettled();
                            start(link, set, (&mut slots, hold), lane, cancel).map(|()| true)
                        }
                        Err(e) => Err((lane.key, start_error(set.host, e))),
                    };
                    match started {
                        Ok(true) => closes.answered(mark),
                        Ok(false) => {}
                        Err((key, error)) => {
                            let limit = (&mut cap, &mut limited, &mut closes, mark);
                            let lanes_now = (&mut slots, &mut pending);
                            if let Some(driven) = not_started(error, key, limit, lanes_now, link, set, lanes)
                            {
                                return driven;
                            }
                        }
                    }
                }
                None if slots.is_empty() && pending.is_empty() => return Driven::Idle,
                None => {}
            }
        }
        let mut i = 0;
        while i < pending.len() {
            let stepped = flush_windows(&mut slots, set.way)
                .and_then(|()| {
                    hold_channels(link, true);
                    pending[i].starting.step(link).map_err(|e| start_error(set.host, e))
                })
                .and_then(|started| match started {
                    Some(started) => {
                        let p = pending.swap_remove(i);
                        closes.answered(p.mark);
                        let pipe = Pipe::new(link, started, cancel.clone(), set.host.to_owned());
                        slots.push(slot(set, (p.key, p.start, p.end), pipe)?);
                        Ok(true)
                    }
                    None => Ok(false),
                });
            match stepped {
                Ok(true) => moved = true,
                Ok(false) => i += 1,
                Err(error) => {
                    let Pending { key, mark, .. } = pending.swap_remove(i);
                    let limit = (&mut cap, &mut limited, &mut closes, mark);
                    if let Some(driven) =
                        not_started(error, key, limit, (&mut slots, &mut pending), link, set, lanes)
                    {
                        return driven;
                    }
                    moved = true;
                }
            }
        }
        let mut k = 0;
        while k < slots.len() {
            let step = match set.way {
                LaneWay::Push => push_turn(&mut slots[k], set, lanes),
                LaneWay::Pull => pull_turn(&mut slots[k], set, lanes),
            };
            match step {
                Ok(Step::Moved(n)) => {
                    moved |= n > 0;
                    k += 1;
                }
                Ok(Step::Ended(at)) => {
                    let slot = slots.swap_remove(k);
                    let key = slot.key;
                    drop(slot);
                    // Dropping a pipe restores the mode it was made in.
                    link.session().set_blocking(false);
                    moved = true;
                    closes.close();
                    if !lanes.ended(key, Ok(at)) {
                        stop_all(slots, pending, lanes);
                        return Driven::Idle;
                    }
                }
                Err(error) => {
                    let mut slot = slots.swap_remove(k);
                    let key = slot.key;
                    // Another lane's half-sent window adjustment would
                    // hold the close back.
                    let _ = flush_windows(&mut slots, set.way);
                    slot.pipe.close_now();
                    drop(slot);
                    link.session().set_blocking(false);
                    moved = true;
                    closes.close();
                    if let Some(driven) = failed(key, error, &mut slots, &mut pending, lanes) {
                        return driven;
                    }
                }
            }
        }
        if !moved && !slots.iter().any(|s| ready(s, set.way)) {
            // Woken by data, a window adjustment, a lane's end or an
            // answer to a lane's start; an error (EINTR) only makes the
            // turn come sooner.
            let mut fds = [PollFd::new(link.socket(), PollFlags::POLLIN)];
            let _ = poll(&mut fds, WAIT.as_millis() as u16);
        }
    }
}

/// A lane on its way to starting without blocking the others.
struct Pending {
    key: usize,
    start: u64,
    end: u64,
    starting: Starting,
    /// [`Closes::mark`] when it was made, before its open went out.
    mark: u64,
}

/// The lanes' channels closed so far, as the server may still count them.
/// sshd frees a closed channel's place only in its loop after the batch of
/// packets that carried the close, so an open that goes out right after a
/// close (or before the close reached the server) may be refused while we
/// count one channel fewer than sshd does: taken for the server's limit,
/// that made a two-channel server a one-channel one. Any answer to an open
/// that went out after a close (the channel, or its refusal) comes from a
/// later pass of that loop: the close is settled.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Closes {
    /// Lanes' channels closed.
    made: u64,
    /// Of those, the ones the server has surely let go of.
    settled: u64,
}

impl Closes {
    /// A lane's channel closed (or one may have: a start that failed after
    /// its open).
    fn close(&mut self) {
        self.made += 1;
    }

    /// Noted when an open goes out: the closes that went before it.
    fn mark(&self) -> u64 {
        self.made
    }

    /// The server answered an open that went out at `mark`.
    fn answered(&mut self, mark: u64) {
        self.settled = self.settled.max(mark);
    }

    /// Whether the server may still count a channel we closed.
    fn unsettled(&self) -> bool {
        self.made > self.settled
    }

    /// The server refused an open that went out at `mark`: whether that is
    /// its limit (it counted just the channels open now), not a place
    /// still freeing, which the next open gets.
    fn refused(&mut self, mark: u64) -> bool {
        let limit = !self.unsettled();
        self.answered(mark);
        limit
    }
}

/// A lane's start failed: when the server refused the channel while
/// others are open, or while a lane's closed channel may still hold its
/// place ([`Closes`]), that is not the range's fault (its channel limit,
/// or a place sshd frees a moment after the close: tried again next
/// turn), the range goes back and `None` comes back; any other error is
/// returned for [`failed`].
fn refusal(
    error: ScpError,
    key: usize,
    (cap, limited, closes, mark): (&mut usize, &mut bool, &mut Closes, u64),
    open: usize,
    link: Link<'_>,
    set: &LaneSet,
    lanes: &mut dyn Lanes,
) -> Option<ScpError> {
    if !refused(&error) {
        // Its channel, if it had one, is gone.
        closes.close();
        return Some(error);
    }
    let limit = closes.refused(mark);
    if open == 0 && limit {
        return Some(error);
    }
    lanes.put_back(key);
    if limit {
        log::info!("{}: a channel more was refused: {open} at once", set.host);
        if open == 1 {
            note_one_channel(link);
        }
        *cap = open;
        *limited = true;
    } else {
        log::debug!("{}: a channel more was refused while a closed one may hold its place", set.host);
    }
    None
}

/// A lane that could not start: the server's channel limit (the lane goes
/// back, see [`refusal`]) or a failure of its own ([`failed`]).
fn not_started(
    error: ScpError,
    key: usize,
    limit: (&mut usize, &mut bool, &mut Closes, u64),
    (slots, pending): (&mut Vec<Slot<'_>>, &mut Vec<Pending>),
    link: Link<'_>,
    set: &LaneSet,
    lanes: &mut dyn Lanes,
) -> Option<Driven> {
    let now_open = open(slots, pending);
    let error = refusal(error, key, limit, now_open, link, set, lanes)?;
    failed(key, error, slots, pending, lanes)
}

/// The lanes' channels open now: running, or started past their open.
fn open(slots: &[Slot<'_>], pending: &[Pending]) -> usize {
    slots.len() + pending.iter().filter(|p| !p.starting.opening()).count()
}

/// Whether starting a lane failed because the server refused its channel.
fn refused(error: &ScpError) -> bool {
    matches!(error, ScpError::Start { source, .. } if matches!(&**source, ExecError::OpenChannel(e) if is_refusal(e)))
}

/// A lane failed (`key`, already out of `slots`): a cancel stops them all,
/// a lost session ends every lane, any other failure is the range's own.
fn failed(
    key: usize,
    error: ScpError,
    slots: &mut Vec<Slot<'_>>,
    pending: &mut Vec<Pending>,
    lanes: &mut dyn Lanes,
) -> Option<Driven> {
    match error {
        ScpError::Cancelled => {
            lanes.put_back(key);
            stop_all(std::mem::take(slots), std::mem::take(pending), lanes);
            Some(Driven::Stopped)
        }
        lost @ ScpError::Connection { .. } => {
            lanes.ended(key, Err(lost));
            stop_all(std::mem::take(slots), std::mem::take(pending), lanes);
            Some(Driven::Lost)
        }
        error => {
            if lanes.ended(key, Err(error)) {
                return None;
            }
            stop_all(std::mem::take(slots), std::mem::take(pending), lanes);
            Some(Driven::Idle)
        }
    }
}

/// Closes every lane and puts its range back, and those still starting.
/// A window adjustment a lane's read left half sent goes first (no close
/// could go before it, see [`Pipe::close_now`]), and no pipe is dropped
/// before the last close: a drop restores the session's blocking mode.
fn stop_all(mut slots: Vec<Slot<'_>>, pending: Vec<Pending>, lanes: &mut dyn Lanes) {
    for slot in slots.iter_mut() {
        let _ = slot.pipe.flush_window();
    }
    for slot in slots.iter_mut() {
        slot.pipe.close_now();
    }
    for slot in slots {
        lanes.put_back(slot.key);
    }
    for p in pending {
        lanes.put_back(p.key);
    }
}

/// Whether a lane could move without waiting for the socket.
fn ready(slot: &Slot<'_>, way: LaneWay) -> bool {
    match way {
        LaneWay::Pull => slot.pipe.readable() > 0 || slot.pipe.remote_ended(),
        LaneWay::Push if slot.closing => slot.pipe.remote_ended(),
        LaneWay::Push => slot.pipe.send_window() > 0 || slot.pipe.remote_ended(),
    }
}

/// Completes the window adjustments that pulls' reads left half sent:
/// until they go, no other packet can.
fn flush_windows(slots: &mut [Slot<'_>], way: LaneWay) -> Result<(), ScpError> {
    if way == LaneWay::Pull {
        for slot in slots.iter_mut() {
            slot.pipe.flush_window()?;
        }
    }
    Ok(())
}

/// Starts `lane` on a new channel (blocking, once nothing is half sent);
/// `hold`: a refusal comes back at once (other lanes hold channels, or a
/// closed one may still hold its place), see [`refusal`].
fn start<'s>(
    link: Link<'s>,
    set: &LaneSet,
    (slots, hold): (&mut Vec<Slot<'s>>, bool),
    lane: Lane,
    cancel: &CancellationToken,
) -> Result<(), (usize, ScpError)> {
    let key = lane.key;
    flush_windows(slots, set.way).map_err(|e| (key, e))?;
    hold_channels(link, hold);
    link.session().set_blocking(true);
    let launched = launch(link, set.host, &lane.command, cancel);
    link.session().set_blocking(false);
    let pipe = launched.map_err(|e| (key, e))?;
    let made = slot(set, (key, lane.start, lane.end), pipe).map_err(|e| (key, e))?;
    slots.push(made);
    Ok(())
}

/// A started lane, its pipe set up: the limit, a pull's share of the
/// receive window and the bytes that came with the marker.
fn slot<'s>(
    set: &LaneSet,
    (key, start, end): (usize, u64, u64),
    mut pipe: Pipe<'s>,
) -> Result<Slot<'s>, ScpError> {
    pipe.limit(set.limit.clone());
    let mut at = start;
    if set.way == LaneWay::Pull {
        pipe.grow_window(download_window(pipe.round_trip()) / set.shares.max(1));
        let pending = pipe.take_pending();
        let local = |source| ScpError::Local { path: set.file.1.to_path_buf(), source };
        set.file.0.write_all_at(&pending, at).map_err(local)?;
        at += pending.len() as u64;
    }
    log::debug!("{}: range from byte {start} started on a channel", set.host);
    Ok(Slot {
        key,
        pipe,
        at,
        end,
        buf: vec![0u8; CHUNK],
        filled: 0,
        sent: 0,
        closing: false,
        pace: ProgressPace::new(),
    })
}

/// A pull's turn: what has arrived for the lane goes into the file.
fn pull_turn(slot: &mut Slot<'_>, set: &LaneSet, lanes: &mut dyn Lanes) -> Result<Step, ScpError> {
    let local = |source| ScpError::Local { path: set.file.1.to_path_buf(), source };
    let piece = set.limit.as_ref().map_or(CHUNK, |l| l.quantum().min(CHUNK));
    let mut moved = 0;
    while moved < TURN {
        match slot.pipe.try_read(&mut slot.buf[..piece])? {
            None => break,
            Some(0) => {
                lanes.progress(slot.key, slot.at);
                finish(&mut slot.pipe, set.host)?;
                return Ok(Step::Ended(slot.at));
            }
            Some(n) => {
                set.file.0.write_all_at(&slot.buf[..n], slot.at).map_err(local)?;
                slot.pipe.pace(n)?;
                slot.at += n as u64;
                moved += n;
                if slot.pace.due() {
                    lanes.progress(slot.key, slot.at);
                }
            }
        }
    }
    Ok(Step::Moved(moved))
}

/// A push's turn: as much of the range as the channel's window takes, then
/// the end of input and the command's verdict.
fn push_turn(slot: &mut Slot<'_>, set: &LaneSet, lanes: &mut dyn Lanes) -> Result<Step, ScpError> {
    let local = |source| ScpError::Local { path: set.file.1.to_path_buf(), source };
    let piece = set.limit.as_ref().map_or(CHUNK, |l| l.quantum().min(CHUNK));
    let mut moved = 0;
    while !slot.closing {
        if slot.pipe.remote_ended() {
            // The command stopped reading before its end: its verdict says why.
            finish(&mut slot.pipe, set.host)?;
            let message = "the remote command ended before it had all its input".to_owned();
            return Err(ScpError::Command { host: set.host.to_owned(), message });
        }
        if slot.sent == slot.filled {
            if slot.at >= slot.end {
                lanes.progress(slot.key, slot.at);
                slot.pipe.send_eof()?;
                slot.closing = true;
                break;
            }
            let want = (slot.end - slot.at).min(CHUNK as u64) as usize;
            let n = set.file.0.read_at(&mut slot.buf[..want], slot.at).map_err(local)?;
            if n == 0 {
                return Err(local(std::io::Error::new(ErrorKind::UnexpectedEof, "the file got shorter")));
            }
            (slot.filled, slot.sent) = (n, 0);
        }
        if slot.pipe.send_window() == 0 {
            // Reading takes in what arrived: the window adjustments too.
            let mut scratch = [0u8; 1024];
            let _ = slot.pipe.try_read(&mut scratch)?;
        }
        if moved >= TURN || slot.pipe.send_window() == 0 {
            return Ok(Step::Moved(moved));
        }
        let upto = slot.filled.min(slot.sent + piece);
        let n = slot.pipe.write_packet(&slot.buf[slot.sent..upto])?;
        slot.pipe.pace(n)?;
        slot.sent += n;
        slot.at += n as u64;
        moved += n;
        if slot.pace.due() {
            lanes.progress(slot.key, slot.at);
        }
    }
    let mut scratch = [0u8; 1024];
    // Drains stderr; dd writes nothing on stdout.
    while let Some(n) = slot.pipe.try_read(&mut scratch)? {
        if n == 0 {
            break;
        }
    }
    if slot.pipe.remote_ended() {
        finish(&mut slot.pipe, set.host)?;
        return Ok(Step::Ended(slot.at));
    }
    Ok(Step::Moved(moved))
}

#[cfg(test)]
mod tests {
    use super::Closes;

    #[test]
    fn a_refusal_after_a_close_the_server_has_not_settled_is_no_limit() {
        let mut closes = Closes::default();
        // Lane B's open goes out; lane A's channel closes; B starts.
        let b = closes.mark();
        closes.close();
        closes.answered(b);
        // C's open goes out after A's close: refused for A's place.
        let c = closes.mark();
        assert!(!closes.refused(c), "{closes:?}");
        // That refusal settled A's close: the next refusal is the limit.
        assert!(closes.refused(closes.mark()), "{closes:?}");
    }

    #[test]
    fn a_close_after_the_refused_open_went_out_is_not_settled_by_it() {
        let mut closes = Closes::default();
        let c = closes.mark();
        closes.close();
        assert!(!closes.refused(c));
        assert!(closes.unsettled());
        // The open after the close is refused: that answer settles it.
        assert!(!closes.refused(closes.mark()));
        assert!(!closes.unsettled());
        assert!(closes.refused(closes.mark()));
    }

    #[test]
    fn with_no_close_a_refusal_is_the_limit_and_a_start_settles_what_went_before_it() {
        let mut closes = Closes::default();
        assert!(closes.refused(closes.mark()));
        closes.close();
        closes.close();
        let d = closes.mark();
        closes.close();
        closes.answered(d);
        assert!(closes.unsettled(), "the third close came after the open: {closes:?}");
        closes.answered(closes.mark());
        assert!(!closes.unsettled());
        assert!(closes.refused(closes.mark()));
    }
}
