//! Opening a channel and starting a framed script on it, pipelined or
//! careful, as the connection needs (blocking; called on the thread that
//! owns the session).

use std::io::{ErrorKind, Read, Write};
use std::time::{Duration, Instant};

use ssh2::{Channel, Session};

use crate::ssh::Link;

use super::banner::Banner;
use super::bootstrap;
use super::command::Command;
use super::delivery::{self, Delivery, Plan};
use super::error::ExecError;
use super::exec::{ExecOptions, Started};
use super::frame::{Frame, REMOTE_SHELL};
use super::marker::{MarkerScanner, Scan};
use super::park;
use super::status::ExitStatus;
use super::stderr_split::StderrSplit;
use super::sudo;

pub(super) const PACKET_SIZE: u32 = 32 * 1024;
pub(super) const CHUNK: usize = 64 * 1024;

/// While the careful bootstrap's ready marker has not come, another empty
/// line is fed this often: a profile that reads several lines gets them
/// one by one, and a silent one costs only this wait once per connection
/// (after that, as many lines as it read are fed at once).
const FEED_EVERY: Duration = Duration::from_millis(250);

/// How long a login profile may take before the careful bootstrap's ready
/// marker, feeding included, before the command fails with
/// [`ExecError::ProfileNeverDone`].
const PROFILE_LIMIT: Duration = Duration::from_secs(10);

/// Starts `command` the way this connection needs, learning as it goes
/// (see [`delivery`]), as root through sudo when the connection is used as
/// root (see [`sudo`]). With `close_stdin` the command's input ends right
/// after the script (after sudo's password, when it takes one).
///
/// `lead` is the command's first input (without `close_stdin`): sent with
/// the script where no shell can swallow it (riding a parked channel, see
/// [`park`]), else right after the marker (and sudo's password).
pub(super) fn launch(
    link: Link<'_>,
    command: &Command,
    options: ExecOptions,
    close_stdin: bool,
    lead: &[u8],
) -> Result<Started, ExecError> {
    let root = sudo::root_of(link)?;
    let wrapped = root.as_deref().map(|root| sudo::wrap(command, root)).transpose()?;
    let command = wrapped.as_ref().map_or(command, |w| &w.command);
    // sudo's password goes first on the command's input: it stays open.
    let feeds = root.as_deref().is_some_and(sudo::feeds_stdin);
    numbered(command, || {
        let (mut started, lead_sent) = launch_one(link, command, options, close_stdin && !feeds, lead)?;
        if let (Some(root), Some(wrapped)) = (root.as_deref(), &wrapped) {
            sudo::enter(link, &mut started, root, wrapped, close_stdin)?;
        }
        if !lead_sent {
            started.channel.write_all(lead)?;
        }
        Ok(started)
    })
}

/// Starts `command` so that its shell may stay parked after it (see
/// [`super::park`]): its input stays open where the connection allows
/// (pipelined delivery, not as root). Says whether the input is still
/// open; where it is not, the command is started as by [`launch`] with its
/// input closed.
pub(super) fn launch_parking(
    link: Link<'_>,
    command: &Command,
    options: ExecOptions,
) -> Result<(Started, bool), ExecError> {
    let as_root = link.facts().get::<crate::ssh::RootWanted>().is_some();
    let known = delivery::recall(link);
    if as_root || matches!(known, Delivery::Careful { .. }) {
        return Ok((launch(link, command, options, true, &[])?, false));
    }
    let mut open = false;
    let started = numbered(command, || match pipelined(link, command, options, Input::Guarded)? {
        Attempt::Started(started, input_open) => {
            if known == Delivery::Unknown {
                delivery::learn(link, Delivery::Pipelined);
            }
            open = input_open;
            Ok(started)
        }
        Attempt::Eaten => {
            let (started, learned) = careful(link, command, options, true, 1)?;
            delivery::learn(link, learned);
            Ok(started)
        }
    })?;
    Ok((started, open))
}

/// Numbers a command for `-vv` and logs its start.
fn numbered(
    command: &Command,
    start: impl FnOnce() -> Result<Started, ExecError>,
) -> Result<Started, ExecError> {
    let id = next_id();
    log::debug!("remote command #{id}: {}", shown(command));
    match start() {
        Ok(mut started) => {
            started.id = id;
            Ok(started)
        }
        Err(error) => {
            log::debug!("remote command #{id} did not start: {error}");
            Err(error)
        }
    }
}

/// Numbers the remote commands of this process, so that `-vv` can tie an
/// exit status to its command.
static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// The next command's number.
pub(super) fn next_id() -> u64 {
    NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// Commands up to this long are shown whole by `-vv`; of longer ones (the
/// scripts of listings and the probe) the start and their length.
const SHOWN: usize = 400;

pub(super) fn shown(command: &Command) -> String {
    let bytes = command.as_bytes();
    if bytes.len() <= SHOWN {
        return crate::text::escape_bytes(bytes);
    }
    format!("{}... ({} bytes)", crate::text::escape_bytes(&bytes[..SHOWN]), bytes.len())
}

/// [`launch`] without sudo; says whether `lead` was sent (see there).
pub(super) fn launch_one(
    link: Link<'_>,
    command: &Command,
    options: ExecOptions,
    close_stdin: bool,
    lead: &[u8],
) -> Result<(Started, bool), ExecError> {
    let known = delivery::recall(link);
    let lines = match known.plan(!close_stdin) {
        Plan::Careful { lines } => lines,
        Plan::Pipelined => {
            if let Some(started) = park::ride(link, command, options, close_stdin, lead)? {
                return Ok((started, true));
            }
            let input = if close_stdin { Input::Closed } else { Input::Open };
            match pipelined(link, command, options, input)? {
                Attempt::Started(started, _) => {
                    if known == Delivery::Unknown {
                        delivery::learn(link, Delivery::Pipelined);
                    }
                    return Ok((started, false));
                }
                // Nothing of it ran (see `pipelined`): safe to send again.
                Attempt::Eaten => 1,
            }
        }
    };
    let (started, learned) = careful(link, command, options, close_stdin, lines)?;
    delivery::learn(link, learned);
    Ok((started, false))
}

/// What follows the script on the command's input.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Input {
    /// Nothing yet: the caller writes after the marker.
    Open,
    /// The end of input.
    Closed,
    /// [`GUARDS`], and the end of input only if the marker is late (see
    /// [`GUARD_WAIT`]): the input of a shell that parks after the command.
    Guarded,
}

/// Lines sent after a script that parks: a profile that read the script
/// leaves `sh` one of these, and it exits at once with status 0 and no
/// marker (the script was eaten); a parked shell skips them.
pub(super) const GUARDS: &[u8] = b"exit\nexit\n";

/// How long the marker of a script sent with [`GUARDS`] may take before
/// the end of input follows them (a profile that reads more lines than
/// there are guards then ends its reading, and `sh` exits).
const GUARD_WAIT: Duration = Duration::from_secs(2);

enum Attempt {
    /// Started; whether its input is still open.
    Started(Started, bool),
    /// The command ended with status 0 and neither marker: the login profile
    /// read the one-line script, so none of it ran.
    Eaten,
}

/// The fast path: exec `sh` and write the script at once.
fn pipelined(
    link: Link<'_>,
    command: &Command,
    options: ExecOptions,
    input: Input,
) -> Result<Attempt, ExecError> {
    let session = link.session();
    let frame = Frame::new(command)?;
    let (mut channel, round_trip) = open(link, options)?;
    channel.exec(REMOTE_SHELL).map_err(ExecError::Exec)?;
    // No `flush()`: on an ssh2 channel it calls libssh2_channel_flush_ex,
    // which discards unread incoming data (a banner that already arrived),
    // and writes are sent by `write_all` anyway.
    channel.write_all(frame.script())?;
    if input == Input::Closed {
        // An EOF is not data: a shell that reads its script in blocks
        // cannot swallow it.
        channel.send_eof().map_err(|e| ExecError::Io(e.into()))?;
    }
    let mut scanner = frame.scanner();
    let mut open = input != Input::Closed;
    let arrived = if input == Input::Guarded {
        channel.write_all(GUARDS)?;
        let (arrived, still_open) = read_to_marker_guarded(session, &mut channel, &mut scanner)?;
        open = still_open;
        arrived
    } else {
        read_to_marker(&mut channel, &mut scanner, &[])?
    };
    match arrived {
        Some(pending) => Ok(Attempt::Started(
            started(session, channel, &frame, scanner.into_preamble(), pending, round_trip)?,
            open,
        )),
        None => match not_started(channel, scanner.into_preamble(), &frame) {
            // The stderr marker is printed first: without it, nothing ran.
            (ExecError::NotStarted { status, .. }, false) if status.success() => Ok(Attempt::Eaten),
            (error, _) => Err(error),
        },
    }
}

/// The careful path: the bootstrap first, empty lines until it is ready,
/// then the go-line and the script. Returns what was learned about the
/// profile.
fn careful(
    link: Link<'_>,
    command: &Command,
    options: ExecOptions,
    close_stdin: bool,
    lines: u32,
) -> Result<(Started, Delivery), ExecError> {
    let session = link.session();
    let frame = Frame::new(command)?;
    let (mut channel, round_trip) = open(link, options)?;
    channel.exec(&bootstrap::command(frame.token())).map_err(ExecError::Exec)?;
    let mut ready = MarkerScanner::new(&bootstrap::ready_marker(frame.token()));
    let (after_ready, fed) = match await_ready(session, &mut channel, &mut ready, lines)? {
        Ready::Arrived { after, fed } => (after, fed),
        Ready::Closed => return Err(not_started(channel, ready.into_preamble(), &frame).0),
        Ready::Late { fed, waited } => {
            return Err(give_up(session, channel, ready.into_preamble(), fed, waited));
        }
    };
    channel.write_all(&bootstrap::go_line(frame.token()))?;
    channel.write_all(frame.script())?;
    if close_stdin {
        channel.send_eof().map_err(|e| ExecError::Io(e.into()))?;
    }
    let mut scanner = frame.scanner();
    let Some(pending) = read_to_marker(&mut channel, &mut scanner, &after_ready)? else {
        let stdout = [ready.preamble(), scanner.preamble()].concat();
        return Err(not_started(channel, stdout, &frame).0);
    };
    let (discarded, rest) = bootstrap::split_discarded(scanner.preamble());
    let learned = Delivery::after_careful(fed, discarded);
    let banner = [ready.preamble(), rest].concat();
    Ok((started(session, channel, &frame, banner, pending, round_trip)?, learned))
}

enum Ready {
    /// The bootstrap is ready; `after` followed its marker, `fed` lines were sent.
    Arrived { after: Vec<u8>, fed: u32 },
    /// The channel closed first (the login shell exited or ran something else).
    Closed,
    /// [`PROFILE_LIMIT`] passed.
    Late { fed: u32, waited: Duration },
}

fn await_ready(
    session: &Session,
    channel: &mut Channel,
    scanner: &mut MarkerScanner,
    lines: u32,
) -> Result<Ready, ExecError> {
    let mut fed = lines.max(1);
    channel.write_all(&vec![b'\n'; fed as usize])?;
    let begun = Instant::now();
    let mut last_feed = begun;
    let _timeout = TimeoutGuard::set(session, FEED_EVERY);
    let mut buf = vec![0u8; CHUNK];
    loop {
        match channel.read(&mut buf) {
            Ok(0) => return Ok(Ready::Closed),
            Ok(n) => {
                if let Scan::Found(after) = scanner.feed(&buf[..n]) {
                    return Ok(Ready::Arrived { after: after.to_vec(), fed });
                }
            }
            Err(e) if e.kind() == ErrorKind::TimedOut => {}
            Err(e) => return Err(e.into()),
        }
        if begun.elapsed() >= PROFILE_LIMIT {
            return Ok(Ready::Late { fed, waited: begun.elapsed() });
        }
        if last_feed.elapsed() >= FEED_EVERY {
            channel.write_all(b"\n")?;
            fed += 1;
            last_feed = Instant::now();
        }
    }
}

/// Ends a command whose profile never finished, and says so.
fn give_up(
    session: &Session,
    mut channel: Channel,
    stdout: Vec<u8>,
    fed: u32,
    waited: Duration,
) -> ExecError {
    // The end of input lets a reading profile, and then the bootstrap,
    // finish; the short timeout bounds freeing the channel if it does not.
    let _timeout = TimeoutGuard::set(session, FEED_EVERY);
    let _ = channel.send_eof();
    let mut stderr = Vec::new();
    let _ = channel.stderr().read_to_end(&mut stderr);
    let _ = channel.close();
    drop(channel);
    ExecError::ProfileNeverDone { banner: Banner { stdout, stderr }, fed, waited }
}

/// Reads stdout until `scanner` finds its marker, starting with `first`
/// (bytes already read). None when the stream ends first.
pub(super) fn read_to_marker(
    channel: &mut Channel,
    scanner: &mut MarkerScanner,
    first: &[u8],
) -> Result<Option<Vec<u8>>, ExecError> {
    if let Scan::Found(after) = scanner.feed(first) {
        return Ok(Some(after.to_vec()));
    }
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = channel.read(&mut buf)?;
        if n == 0 {
            return Ok(None);
        }
        if let Scan::Found(after) = scanner.feed(&buf[..n]) {
            return Ok(Some(after.to_vec()));
        }
    }
}

/// [`read_to_marker`] for a script sent with [`GUARDS`]: when the marker
/// has not come after [`GUARD_WAIT`], the input is ended and the reading
/// goes on. Says whether the input is still open.
fn read_to_marker_guarded(
    session: &Session,
    channel: &mut Channel,
    scanner: &mut MarkerScanner,
) -> Result<(Option<Vec<u8>>, bool), ExecError> {
    let mut buf = vec![0u8; CHUNK];
    {
        let _timeout = TimeoutGuard::set(session, GUARD_WAIT);
        let begun = Instant::now();
        loop {
            match channel.read(&mut buf) {
                Ok(0) => return Ok((None, true)),
                Ok(n) => {
                    if let Scan::Found(after) = scanner.feed(&buf[..n]) {
                        return Ok((Some(after.to_vec()), true));
                    }
                }
                Err(e) if e.kind() == ErrorKind::TimedOut => {}
                Err(e) => return Err(e.into()),
            }
            if begun.elapsed() >= GUARD_WAIT {
                break;
            }
        }
    }
    log::debug!("no marker after {GUARD_WAIT:?}: ending the command's input");
    channel.send_eof().map_err(|e| ExecError::Io(e.into()))?;
    Ok((read_to_marker(channel, scanner, &[])?, false))
}

fn open(link: Link<'_>, options: ExecOptions) -> Result<(Channel, Duration), ExecError> {
    let opening = Instant::now();
    let channel = crate::ssh::channel::open_session(link, options.window, PACKET_SIZE)
        .map_err(ExecError::OpenChannel)?;
    Ok((channel, opening.elapsed()))
}

pub(super) fn started(
    session: &Session,
    channel: Channel,
    frame: &Frame,
    banner_stdout: Vec<u8>,
    pending: Vec<u8>,
    round_trip: Duration,
) -> Result<Started, ExecError> {
    let mut started = Started {
        channel,
        banner_stdout,
        pending,
        stderr: StderrSplit::new(frame.scanner()),
        round_trip,
        id: 0,
    };
    started.poll_stderr(session)?;
    Ok(started)
}

/// The error for a command whose stdout ended before its marker, and
/// whether its stderr marker came (then the script did run).
pub(super) fn not_started(mut channel: Channel, stdout: Vec<u8>, frame: &Frame) -> (ExecError, bool) {
    let mut split = StderrSplit::new(frame.scanner());
    let mut buf = [0u8; 4096];
    while let Ok(n) = channel.stderr().read(&mut buf) {
        if n == 0 {
            break;
        }
        split.push(&buf[..n]);
    }
    let _ = channel.wait_close();
    let status = ExitStatus::of(&channel).unwrap_or_default();
    let stderr = split.banner().to_vec();
    let error = ExecError::NotStarted { banner: Banner { stdout, stderr: stderr.clone() }, stderr, status };
    (error, split.marker_seen())
}

/// Sets the session's timeout for blocking calls, and restores it when dropped.
struct TimeoutGuard<'s> {
    session: &'s Session,
    previous: u32,
}

impl<'s> TimeoutGuard<'s> {
    fn set(session: &'s Session, timeout: Duration) -> Self {
        let previous = session.timeout();
        session.set_timeout(u32::try_from(timeout.as_millis()).unwrap_or(u32::MAX));
        Self { session, previous }
    }
}

impl Drop for TimeoutGuard<'_> {
    fn drop(&mut self) {
        self.session.set_timeout(self.previous);
    }
}
