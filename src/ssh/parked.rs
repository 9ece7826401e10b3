//! A session channel kept open between commands: a shell parked on it
//! waits for one line to run (`shell::park` parks the probe's shell), so
//! the next command saves the channel open and the exec request. One per
//! connection, kept in the connection's facts (a reconnect starts without
//! one).
//!
//! A parked channel holds one of the server's channel places (sshd's
//! MaxSessions): every other channel open on the connection first closes it
//! ([`super::channel::retry_refused`] does, for SFTP too), and the
//! connection's thread closes one unused for [`PARKED_LIMIT`].

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use ssh2::Channel;

use super::link::Link;

/// How long a parked channel may wait unused before it is closed.
pub const PARKED_LIMIT: Duration = Duration::from_secs(3);

/// A channel whose shell waits for one line.
pub struct Parked {
    pub channel: Channel,
    /// The receive window it was opened with.
    pub window: u32,
    /// How long opening it took (one round trip).
    pub round_trip: Duration,
    since: Instant,
}

/// The connection's parked channel, if any.
#[derive(Default)]
struct Slot(Mutex<Option<Parked>>);

fn slot(link: Link<'_>) -> std::sync::Arc<Slot> {
    link.facts()
        .get_or_try_init(|| Ok::<_, std::convert::Infallible>(Slot::default()))
        .unwrap_or_else(|e| match e {})
}

/// Keeps `channel` for the next command (closing one parked before).
pub fn park(link: Link<'_>, channel: Channel, window: u32, round_trip: Duration) {
    let old = slot(link).0.lock().unwrap_or_else(PoisonError::into_inner).replace(Parked {
        channel,
        window,
        round_trip,
        since: Instant::now(),
    });
    if let Some(old) = old {
        close(link, old);
    }
}

/// Takes the parked channel, if there is one.
pub fn take(link: Link<'_>) -> Option<Parked> {
    let slot = link.facts().get::<Slot>()?;
    slot.0.lock().unwrap_or_else(PoisonError::into_inner).take()
}

/// Closes the parked channel, if there is one: its shell reads the end of
/// input and exits. Works in either mode of the session (blocking while it
/// closes).
pub fn close_parked(link: Link<'_>) {
    if let Some(parked) = take(link) {
        close(link, parked);
    }
}

/// When the parked channel is due to be closed, if there is one.
pub fn due(link: Link<'_>) -> Option<Instant> {
    let slot = link.facts().get::<Slot>()?;
    let parked = slot.0.lock().unwrap_or_else(PoisonError::into_inner);
    parked.as_ref().map(|p| p.since + PARKED_LIMIT)
}

/// Closes the parked channel if it has waited [`PARKED_LIMIT`].
pub fn close_if_due(link: Link<'_>) {
    if due(link).is_some_and(|due| due <= Instant::now()) {
        log::debug!("closing the parked channel, unused for {PARKED_LIMIT:?}");
        close_parked(link);
    }
}

fn close(link: Link<'_>, mut parked: Parked) {
    let session = link.session();
    let blocking = session.is_blocking();
    session.set_blocking(true);
    let _ = parked.channel.send_eof();
    let _ = parked.channel.close();
    // The server's close: its place is free (or about to be) before the
    // next open.
    let _ = parked.channel.wait_close();
    drop(parked);
    session.set_blocking(blocking);
}
