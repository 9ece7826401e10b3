//! Waking a connection thread that sleeps in `poll` on its socket: a pipe
//! whose read end the thread polls next to the socket. Each new job rings;
//! when every handle on the thread is gone the write end closes, which the
//! thread sees as the end. So an idle connection sleeps until something
//! happens (a job, data from the server, the server closing) instead of
//! waking up on a timer.

use std::os::fd::{AsFd, BorrowedFd, OwnedFd};

use nix::fcntl::OFlag;

/// The ringing end, shared by the handles on a thread.
#[derive(Debug)]
pub(super) struct Bell {
    write: OwnedFd,
}

/// The end the thread listens to.
#[derive(Debug)]
pub(super) struct Door {
    read: OwnedFd,
}

/// A new doorbell; both ends non-blocking, closed on exec.
pub(super) fn doorbell() -> std::io::Result<(Bell, Door)> {
    let (read, write) = nix::unistd::pipe2(OFlag::O_NONBLOCK | OFlag::O_CLOEXEC)?;
    Ok((Bell { write }, Door { read }))
}

impl Bell {
    /// Wakes the thread. A full pipe already has a wake-up pending.
    pub(super) fn ring(&self) {
        let _ = nix::unistd::write(&self.write, &[1]);
    }
}

impl Door {
    pub(super) fn fd(&self) -> BorrowedFd<'_> {
        self.read.as_fd()
    }

    /// Takes the pending rings; `false` once every bell is gone.
    pub(super) fn answer(&self) -> bool {
        let mut buf = [0u8; 64];
        loop {
            match nix::unistd::read(&self.read, &mut buf) {
                Ok(0) => return false,
                Ok(_) => {}
                Err(_) => return true,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nix::poll::{PollFd, PollFlags, PollTimeout, poll};

    fn ready(door: &Door, ms: u16) -> bool {
        let mut fds = [PollFd::new(door.fd(), PollFlags::POLLIN)];
        matches!(poll(&mut fds, PollTimeout::from(ms)), Ok(n) if n > 0)
    }

    #[test]
    fn rings_wake_and_a_dropped_bell_ends() {
        let (bell, door) = doorbell().unwrap();
        assert!(!ready(&door, 10));
        bell.ring();
        bell.ring();
        assert!(ready(&door, 10));
        assert!(door.answer());
        assert!(!ready(&door, 10));
        drop(bell);
        assert!(ready(&door, 10));
        assert!(!door.answer());
    }
}
