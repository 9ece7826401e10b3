//! SFTP channels (the `sftp` subsystem through libssh2's client). On a host
//! that runs no commands the connection's one channel is opened the first
//! time a layer asks for it and kept in the connection's
//! [`Facts`](super::Facts): it serves every file operation and transfer.
//! A host that also runs commands gets a channel per transfer instead, so
//! that an idle SFTP channel never takes the place of a command's on a
//! server that allows one channel at a time.

use std::sync::Arc;

use super::link::Link;

/// An SFTP client and the session it runs on.
pub struct SftpChannel(pub ssh2::Sftp, pub ssh2::Session);

/// How long a blocking SFTP call of a transfer waits before it looks at
/// its cancel token again (libssh2 resumes the call where it stopped).
const PATIENCE: std::time::Duration = std::time::Duration::from_millis(250);

impl SftpChannel {
    /// Closes a file given up on (a cancel, an error) without waiting
    /// longer than a moment for a server that stopped answering.
    pub fn close_soon(&self, file: ssh2::File) {
        let previous = self.1.timeout();
        self.1.set_timeout(u32::try_from(PATIENCE.as_millis()).unwrap_or(u32::MAX));
        drop(file);
        self.1.set_timeout(previous);
    }

    /// Runs a read or write of a transfer (`op`), giving it up when
    /// `cancelled` says so: libssh2's blocking call is bounded by a session
    /// timeout and called again (it resumes, as after EAGAIN) until it
    /// ends. `Ok(None)`: cancelled.
    pub fn patiently<T>(
        &self,
        cancelled: &dyn Fn() -> bool,
        mut op: impl FnMut() -> std::io::Result<T>,
    ) -> std::io::Result<Option<T>> {
        let previous = self.1.timeout();
        self.1.set_timeout(u32::try_from(PATIENCE.as_millis()).unwrap_or(u32::MAX));
        let result = loop {
            match op() {
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut && !cancelled() => continue,
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => break Ok(None),
                other => break other.map(Some),
            }
        };
        self.1.set_timeout(previous);
        result
    }
}

impl std::fmt::Debug for SftpChannel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SftpChannel")
    }
}

/// The SFTP client of the connection under `link`, opened once. Fails when
/// the server has no `sftp` subsystem (or refuses the channel). The session
/// must be in blocking mode while it is used.
pub fn sftp(link: Link<'_>) -> Result<Arc<SftpChannel>, ssh2::Error> {
    link.facts().get_or_try_init(|| start(link))
}

/// A client of its own, closed when dropped: for a connection that also
/// runs commands, whose server may allow only one channel at a time.
pub fn open(link: Link<'_>) -> Result<Arc<SftpChannel>, ssh2::Error> {
    start(link).map(Arc::new)
}

fn start(link: Link<'_>) -> Result<SftpChannel, ssh2::Error> {
    // The first try opens a channel too (see `super::parked`).
    super::parked::close_parked(link);
    let sftp = match link.session().sftp() {
        Ok(sftp) => sftp,
        // libssh2 says the same of a refused channel and of a refused
        // subsystem: a server without one is neither waited for nor taken
        // for one that allows a single channel (MaxSessions 1).
        Err(e) if refused(&e) && subsystem_offered(link) == Some(false) => return Err(e),
        Err(_) => super::channel::retry_refused(link, || link.session().sftp())?,
    };
    Ok(SftpChannel(sftp, link.session().clone()))
}

fn refused(e: &ssh2::Error) -> bool {
    matches!(e.code(), ssh2::ErrorCode::Session(super::channel::CHANNEL_FAILURE))
}

/// Whether the server grants a channel of its own (opened as every channel
/// is, waiting out a channel limit) the `sftp` subsystem; `None` when the
/// channel is refused for good.
pub fn subsystem_offered(link: Link<'_>) -> Option<bool> {
    let mut channel = super::channel::open_default(link).ok()?;
    let offered = channel.subsystem("sftp").is_ok();
    let _ = channel.close();
    let _ = channel.wait_close();
    Some(offered)
}
