//! An authenticated SSH session with what keeps its stream alive.

use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::sync::Arc;

use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::socket::{MsgFlags, recv};
use ssh2::Session;

use super::error::ConnectError;
use super::host_config::HostConfig;
use super::link::{Facts, Link};
use super::transport::Transport;

/// An authenticated session. Use it from one thread at a time (libssh2
/// serializes every call on a session); the connection actor owns one per
/// thread.
pub struct Connection {
    // Field order matters: the session is dropped before the transport, so a
    // proxy sees the stream close before it is stopped.
    session: Session,
    probe: OwnedFd,
    transport: Transport,
    config: HostConfig,
    /// What the layers above learn about this connection.
    facts: Arc<Facts>,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("host", &self.config.label())
            .field("transport", &self.transport)
            .finish()
    }
}

impl Connection {
    pub(crate) fn new(
        session: Session,
        probe: OwnedFd,
        transport: Transport,
        config: HostConfig,
    ) -> Connection {
        Connection { session, probe, transport, config, facts: Arc::default() }
    }

    pub fn session(&self) -> &Session {
        &self.session
    }

    /// The session with its socket and what is known about the connection.
    pub fn link(&self) -> Link<'_> {
        Link::new(&self.session, self.probe.as_fd(), &self.facts)
    }

    pub fn config(&self) -> &HostConfig {
        &self.config
    }

    /// The host as named in messages.
    pub fn host(&self) -> String {
        self.config.label()
    }

    pub(crate) fn probe_fd(&self) -> BorrowedFd<'_> {
        self.probe.as_fd()
    }

    /// Whether the peer has closed the connection (or it broke, or it was
    /// given up on: [`super::broken`]). Does not block and does not consume
    /// data.
    pub fn is_closed(&self) -> bool {
        super::broken::is_broken(&self.facts) || socket_closed(self.probe.as_fd())
    }

    /// An error naming the host for a connection found closed.
    pub fn dropped(&mut self, detail: &str) -> ConnectError {
        let mut detail = detail.to_owned();
        if let Some(proxy) = self.transport.failure() {
            detail = format!("{detail} (proxy: {proxy})");
        }
        ConnectError::Dropped { host: self.host(), detail }
    }
}

impl std::ops::Deref for Connection {
    type Target = Session;

    fn deref(&self) -> &Session {
        &self.session
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        // Bounded waits, also for freeing the session afterwards, which
        // closes its channels: a peer that is gone, or a packet libssh2
        // holds half sent (it sends nothing else before it), would make
        // that wait or spin for ever.
        self.session.set_blocking(true);
        self.session.set_timeout(1000);
        if !self.is_closed() {
            // A polite goodbye, without waiting on a peer that may be gone.
            let _ =
                self.session.disconnect(Some(ssh2::DisconnectCode::ByApplication), "scpdeck closing", None);
        }
    }
}

/// Whether the peer has closed the socket (or it broke): readable with
/// nothing to read. Does not block and does not consume data.
pub(crate) fn socket_closed(fd: BorrowedFd<'_>) -> bool {
    let mut fds = [PollFd::new(fd, PollFlags::POLLIN)];
    match poll(&mut fds, PollTimeout::ZERO) {
        Ok(0) => false,
        Ok(_) => {
            let revents = fds[0].revents().unwrap_or(PollFlags::empty());
            if revents.intersects(PollFlags::POLLERR | PollFlags::POLLNVAL) {
                return true;
            }
            let mut byte = [0u8; 1];
            match recv(fd.as_raw_fd(), &mut byte, MsgFlags::MSG_PEEK | MsgFlags::MSG_DONTWAIT) {
                Ok(0) => true,
                Ok(_) => false,
                Err(nix::errno::Errno::EAGAIN) | Err(nix::errno::Errno::EINTR) => false,
                Err(_) => true,
            }
        }
        Err(_) => false,
    }
}
