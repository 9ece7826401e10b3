//! Keepalives for an idle connection, like OpenSSH's ServerAliveInterval:
//! a request that wants a reply is sent every interval; when
//! ServerAliveCountMax of them go unanswered, the server is declared dead.
//!
//! libssh2 only reads from the socket inside calls, so while a connection
//! is idle the replies wait in the kernel. When the socket has data, a
//! short-lived session channel is opened and closed: waiting for its
//! confirmation makes libssh2 read and process everything pending
//! (keepalive replies, the server's own keepalive requests).

use std::time::{Duration, Instant};

use nix::poll::{PollFd, PollFlags, PollTimeout, poll};

use super::connection::Connection;

#[derive(Debug)]
pub(super) struct Keepalive {
    interval: Duration,
    count_max: u32,
    last_sent: Instant,
    unanswered: u32,
}

/// What an idle tick found.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Health {
    Alive,
    Dead(String),
}

impl Keepalive {
    pub(super) fn new(interval: Duration, count_max: u32) -> Keepalive {
        Keepalive { interval, count_max: count_max.max(1), last_sent: Instant::now(), unanswered: 0 }
    }

    /// The connection was just used successfully: it is alive.
    pub(super) fn heard_from_server(&mut self) {
        self.unanswered = 0;
        self.last_sent = Instant::now();
    }

    /// How long a silent server is given: OpenSSH's interval × count.
    fn dead_after(&self) -> Duration {
        if self.interval.is_zero() { Duration::from_secs(30) } else { self.interval * self.count_max }
    }

    /// How long until the next keepalive is due; `None` without
    /// ServerAliveInterval (nothing to send: the idle connection sleeps).
    pub(super) fn next_due(&self) -> Option<std::time::Duration> {
        (!self.interval.is_zero()).then(|| self.interval.saturating_sub(self.last_sent.elapsed()))
    }

    /// Runs between jobs: processes what the server sent, sends a keepalive
    /// when one is due, and says whether the connection is still alive.
    pub(super) fn tick(&mut self, connection: &Connection) -> Health {
        if connection.is_closed() {
            return Health::Dead("the server closed the connection".to_owned());
        }
        if readable(connection) {
            let limit = self.dead_after();
            if let Err(e) = drain(connection, limit) {
                return Health::Dead(if super::connect::code(&e) == TIMEOUT {
                    format!(
                        "no answer for {}s (ServerAliveInterval × ServerAliveCountMax keepalives)",
                        limit.as_secs()
                    )
                } else {
                    format!("reading from the server failed: {e}")
                });
            }
            self.unanswered = 0;
        }
        if self.interval.is_zero() || self.last_sent.elapsed() < self.interval {
            return Health::Alive;
        }
        if self.unanswered >= self.count_max {
            return Health::Dead(format!(
                "no answer to {} keepalives sent every {}s (ServerAliveInterval)",
                self.unanswered,
                self.interval.as_secs()
            ));
        }
        match connection.session().keepalive_send() {
            Ok(_) => {
                self.unanswered += 1;
                self.last_sent = Instant::now();
                Health::Alive
            }
            Err(e) => Health::Dead(format!("sending a keepalive failed: {e}")),
        }
    }
}

fn readable(connection: &Connection) -> bool {
    let mut fds = [PollFd::new(connection.probe_fd(), PollFlags::POLLIN)];
    matches!(poll(&mut fds, PollTimeout::ZERO), Ok(n) if n > 0)
}

/// Makes libssh2 read and handle pending packets (see the module docs).
fn drain(connection: &Connection, limit: Duration) -> Result<(), ssh2::Error> {
    let session = connection.session();
    session.set_blocking(true);
    session.set_timeout(limit.as_millis().min(u32::MAX as u128) as u32);
    let result = session.channel_session().map(drop);
    session.set_timeout(0);
    match result {
        // A refused channel is still an answer from a live server.
        Err(e) if matches!(super::connect::code(&e), CHANNEL_FAILURE | CHANNEL_REQUEST_DENIED) => Ok(()),
        other => other,
    }
}

const TIMEOUT: i32 = -9;
const CHANNEL_FAILURE: i32 = -21;
const CHANNEL_REQUEST_DENIED: i32 = -22;
