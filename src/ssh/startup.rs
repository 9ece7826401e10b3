//! How connections to one host start. sshd drops connections that have not
//! logged in yet beyond MaxStartups (default `10:30:100`: some dropped past
//! 10, all past 100; a host may set `MaxStartups 2`), closing them before or
//! right after its banner. So connections start all at once until the
//! server drops one; after that they start one at a time, each retried with
//! backoff, and the pool runs no more transfer sessions to the host than
//! could be made.

use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Attempts at one connection, the first included.
pub(super) const ATTEMPTS: u32 = 4;

/// The pause before each retry: 3.5 s in all.
const BACKOFF: [Duration; 3] = [Duration::from_millis(500), Duration::from_secs(1), Duration::from_secs(2)];

/// How long a host that could not be reached after every retry gets a
/// single attempt per connection: the other tasks waiting for it then fail
/// at once instead of each spending the whole backoff again.
const GAVE_UP_FOR: Duration = Duration::from_secs(10);

/// The pause before attempt `attempt` (numbered from 1; the first has none).
pub(super) fn pause_before(attempt: u32) -> Duration {
    let index = attempt.saturating_sub(2) as usize;
    BACKOFF.get(index).or(BACKOFF.last()).copied().unwrap_or_default()
}

/// The shared state of a host's connection starts (one per host in a pool,
/// shared by its browsing and transfer connections).
#[derive(Debug)]
pub(crate) struct Startups {
    state: Mutex<State>,
    /// Held while a connection starts, once the host has dropped one.
    one_at_a_time: Mutex<()>,
}

#[derive(Debug)]
struct State {
    /// The server dropped a connection before login: start one at a time.
    careful: bool,
    /// When a connection last failed after every retry, with none made since.
    gave_up: Option<Instant>,
    /// Transfer sessions the pool may run to this host.
    sessions: usize,
}

impl Startups {
    pub(crate) fn new(sessions: usize) -> Startups {
        Startups {
            state: Mutex::new(State { careful: false, gave_up: None, sessions: sessions.max(1) }),
            one_at_a_time: Mutex::new(()),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Held while a connection starts: nothing while the host has dropped
    /// none, else the host's one turn (waiting for it).
    pub(crate) fn turn(&self) -> Option<MutexGuard<'_, ()>> {
        self.is_careful().then(|| self.wait_turn())
    }

    /// Waits for the host's one turn.
    pub(crate) fn wait_turn(&self) -> MutexGuard<'_, ()> {
        self.one_at_a_time.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Attempts a new connection may make: one while the host is given up.
    pub(crate) fn attempts(&self) -> u32 {
        if self.given_up() { 1 } else { ATTEMPTS }
    }

    /// Whether a connection failed after every retry lately, none made since.
    pub(crate) fn given_up(&self) -> bool {
        self.state().gave_up.is_some_and(|at| at.elapsed() < GAVE_UP_FOR)
    }

    /// The server dropped a connection before login: later connections
    /// start one at a time.
    pub(crate) fn dropped(&self) {
        self.state().careful = true;
    }

    /// Whether connections start one at a time (the server has dropped one
    /// before login).
    pub(crate) fn is_careful(&self) -> bool {
        self.state().careful
    }

    pub(crate) fn connected(&self) {
        self.state().gave_up = None;
    }

    pub(crate) fn gave_up(&self) {
        self.state().gave_up = Some(Instant::now());
    }

    /// Transfer sessions the pool may run to this host.
    pub(crate) fn sessions(&self) -> usize {
        self.state().sessions
    }

    /// One transfer session fewer (never below one); returns the new number.
    pub(crate) fn lower(&self) -> usize {
        let mut state = self.state();
        state.sessions = state.sessions.saturating_sub(1).max(1);
        state.sessions
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_bounded() {
        let pauses: Vec<Duration> = (2..=ATTEMPTS).map(pause_before).collect();
        assert_eq!(pauses, [Duration::from_millis(500), Duration::from_secs(1), Duration::from_secs(2)]);
        assert!(pauses.iter().sum::<Duration>() <= Duration::from_secs(4));
    }

    #[test]
    fn a_dropped_connection_makes_starts_take_turns() {
        let startups = Startups::new(4);
        assert!(startups.turn().is_none());
        startups.dropped();
        assert!(startups.turn().is_some());
    }

    #[test]
    fn a_host_given_up_gets_one_attempt_until_a_connection_works() {
        let startups = Startups::new(4);
        assert_eq!(startups.attempts(), ATTEMPTS);
        startups.gave_up();
        assert_eq!(startups.attempts(), 1);
        startups.connected();
        assert_eq!(startups.attempts(), ATTEMPTS);
    }

    #[test]
    fn sessions_are_lowered_to_one_at_least() {
        let startups = Startups::new(2);
        assert_eq!(startups.lower(), 1);
        assert_eq!(startups.lower(), 1);
        assert_eq!(startups.sessions(), 1);
    }
}
