//! A connection given up on: its session cannot be used any more, though
//! its socket may still look open. libssh2 keeps a packet it could not
//! send whole in its one output buffer and sends no other packet until the
//! same call is repeated; a caller that can no longer repeat it (a cancel
//! whose packet the socket did not take in time) leaves a session on which
//! every later call spins on "again" or, worse, sends the old packet in
//! place of its own and waits for an answer that never comes. A blocking
//! call that ran out of its time limit leaves the session mid-call too.
//!
//! [`give_up`] shuts the socket down (every later socket call fails at
//! once) and notes it in the connection's facts: the connection then
//! counts as closed ([`super::Connection::is_closed`]) even while the
//! kernel still holds bytes the server sent before, so its thread drops it
//! after the job and the next job connects again.

use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use nix::sys::socket::Shutdown;

use super::link::{Facts, Link};

/// Noted in a connection's facts once it is given up on.
struct Broken;

/// Gives the connection up (see the module docs); `why` goes to `-v`.
pub fn give_up(link: Link<'_>, why: &str) {
    if is_broken(link.facts()) {
        return;
    }
    log::warn!("{why}: closing the connection");
    link.facts().set(Broken);
    let _ = nix::sys::socket::shutdown(link.socket().as_raw_fd(), Shutdown::Both);
}

/// Whether the connection was given up on.
pub fn is_broken(facts: &Facts) -> bool {
    facts.get::<Broken>().is_some()
}

/// Runs `job` with every blocking call on the session limited to `limit`
/// (libssh2's session timeout), then restores the timeout it had. A job
/// that took `limit` or longer may have had a call run out of time, which
/// leaves the session mid-call: the connection is given up on (at worst
/// needlessly: the next job connects again). For work after a cancel (the
/// cleanup), which must end whatever the session's state.
pub fn within<T>(link: Link<'_>, limit: Duration, job: impl FnOnce() -> T) -> T {
    let session = link.session();
    let previous = session.timeout();
    session.set_timeout(u32::try_from(limit.as_millis()).unwrap_or(u32::MAX).max(1));
    let began = Instant::now();
    let result = job();
    session.set_timeout(previous);
    if began.elapsed() >= limit {
        give_up(link, &format!("a call after a cancel took {}s or more", limit.as_secs()));
    }
    result
}

#[cfg(test)]
mod tests {
    use std::io::Read;
    use std::os::unix::net::UnixStream;
    use std::time::Duration;

    use super::{is_broken, within};
    use crate::ssh::OwnedLink;

    fn link_over(socket: &UnixStream) -> OwnedLink {
        OwnedLink::new(ssh2::Session::new().unwrap(), socket).unwrap()
    }

    #[test]
    fn a_job_within_its_limit_leaves_the_connection_and_the_timeout_as_they_were() {
        let (ours, _theirs) = UnixStream::pair().unwrap();
        let owned = link_over(&ours);
        owned.set_timeout(1234);
        let got = within(owned.link(), Duration::from_secs(5), || owned.timeout());
        assert_eq!(got, 5000);
        assert_eq!(owned.timeout(), 1234);
        assert!(!is_broken(owned.link().facts()));
    }

    #[test]
    fn a_job_that_ran_out_of_its_limit_gives_the_connection_up_and_shuts_its_socket() {
        let (ours, mut theirs) = UnixStream::pair().unwrap();
        let owned = link_over(&ours);
        within(owned.link(), Duration::from_millis(20), || std::thread::sleep(Duration::from_millis(40)));
        assert!(is_broken(owned.link().facts()));
        assert_eq!(owned.timeout(), 0);
        // The peer sees the end of the stream.
        theirs.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        assert_eq!(theirs.read(&mut [0u8; 8]).unwrap(), 0);
    }
}
