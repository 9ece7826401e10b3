//! Opening session channels on servers that limit them per connection
//! (sshd's MaxSessions, e.g. `MaxSessions 1`).
//!
//! sshd frees a channel's place only when it garbage-collects the channel,
//! in its main loop after it has handled every packet that arrived
//! together. Our close of one channel and the open of the next arrive
//! together, so on a one-channel server the open is refused even though
//! the earlier channel is closed. The refusal itself takes the server
//! through its loop: opening again right after it works. Every channel
//! scpdeck opens goes through [`open_session`], which does that (and waits a
//! little longer each time for a channel that is still closing), and
//! remembers that the connection allows one channel at a time. A caller
//! that holds channels of its own open while it opens more (the ranges of
//! a ranged transfer) says so ([`hold_channels`]): a refusal then is the
//! server's limit and comes back at once.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use ssh2::Channel;

use super::link::Link;

/// libssh2's error for a channel open the server refused.
pub const CHANNEL_FAILURE: i32 = -21;

/// Pauses before the attempts after a refusal: the first retry goes at
/// once (see the module docs), later ones give a channel still closing
/// (a cancelled transfer's remote command exiting) time to end: about two
/// seconds in all.
const RETRY_PAUSES: [Duration; 7] = [
    Duration::ZERO,
    Duration::from_millis(10),
    Duration::from_millis(40),
    Duration::from_millis(100),
    Duration::from_millis(250),
    Duration::from_millis(500),
    Duration::from_millis(1000),
];

/// The message of a refusal that outlasted every retry.
const REFUSED: &str = "the server refused to open a channel, also after waiting for the connection's \
                       other channels to close; it may allow fewer channels per connection (sshd's \
                       MaxSessions)";

/// Known about a connection whose server refused a second channel: it runs
/// one channel at a time (kept in the connection's facts).
struct OneChannel;

/// Set while a caller holds channels of its own open on the connection and
/// opens one more (ranges on several channels, `scp::lanes`): a refusal
/// then is the server's limit, not a channel still closing, and is
/// returned at once instead of waited out (and the connection is not
/// taken to allow one channel: the caller knows how many it holds).
#[derive(Default)]
struct Holding(AtomicBool);

/// Says whether the caller holds other channels open while it opens the
/// next ones (see [`Holding`]).
pub fn hold_channels(link: Link<'_>, holding: bool) {
    match link.facts().get::<Holding>() {
        Some(known) => known.0.store(holding, Ordering::Relaxed),
        None if holding => {
            link.facts().set(Holding(AtomicBool::new(true)));
        }
        None => {}
    }
}

/// Notes that this connection's server runs one channel at a time: it
/// refused a second one while the first was open.
pub fn note_one_channel(link: Link<'_>) {
    link.facts().set(OneChannel);
}

/// Whether libssh2's error is the server's refusal of a channel.
pub fn is_refusal(e: &ssh2::Error) -> bool {
    code(e) == CHANNEL_FAILURE
}

fn holding(link: Link<'_>) -> bool {
    link.facts().get::<Holding>().is_some_and(|h| h.0.load(Ordering::Relaxed))
}

/// Whether this connection's server has refused a channel while another was
/// closing: it runs one channel at a time.
pub fn allows_one_channel(link: Link<'_>) -> bool {
    link.facts().get::<OneChannel>().is_some()
}

/// Opens a session channel with this receive window and packet size,
/// retrying when the server refuses it (see the module docs). Any other
/// error is returned at once. The session must be in blocking mode.
pub fn open_session(link: Link<'_>, window: u32, packet: u32) -> Result<Channel, ssh2::Error> {
    retry_refused(link, || link.channel_open("session", window, packet, None))
}

/// Runs `open` (something that opens a session channel: a channel, an SFTP
/// client) again while the server refuses the channel, as
/// [`open_session`] does, after closing a parked channel (every channel
/// opened on a connection comes here).
pub fn retry_refused<T>(
    link: Link<'_>,
    mut open: impl FnMut() -> Result<T, ssh2::Error>,
) -> Result<T, ssh2::Error> {
    // A parked shell's channel would take the place (see [`super::parked`]).
    super::parked::close_parked(link);
    let mut pauses = RETRY_PAUSES.iter();
    loop {
        match open() {
            Err(e) if code(&e) == CHANNEL_FAILURE => {
                if holding(link) {
                    // The server's limit, which need not be one (sshd's
                    // default is 10): the caller decides what it means.
                    return Err(ssh2::Error::new(ssh2::ErrorCode::Session(CHANNEL_FAILURE), REFUSED));
                }
                link.facts().set(OneChannel);
                let Some(pause) = pauses.next() else {
                    return Err(ssh2::Error::new(ssh2::ErrorCode::Session(CHANNEL_FAILURE), REFUSED));
                };
                // Not logged here: the actor reports the host's one-channel
                // limit once, after the job (`ConnectionEvent::OneChannel`).
                std::thread::sleep(*pause);
            }
            other => return other,
        }
    }
}

/// [`open_session`] with libssh2's default window and packet size (what
/// `Session::channel_session` uses).
pub fn open_default(link: Link<'_>) -> Result<Channel, ssh2::Error> {
    open_session(link, 2 * 1024 * 1024, 32 * 1024)
}

fn code(e: &ssh2::Error) -> i32 {
    match e.code() {
        ssh2::ErrorCode::Session(code) | ssh2::ErrorCode::SFTP(code) => code,
    }
}
