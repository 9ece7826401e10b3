//! SFTP channels (the `sftp` subsystem through libssh2's client). On a host
//! that runs no commands the connection's one channel is opened the first
//! time a layer asks for it and kept in the connection's
//! [`Facts`](super::Facts): it serves every file operation and transfer.
//! A host that also runs commands gets a channel per transfer instead, so
//! that an idle SFTP channel never takes the place of a command's on a
//! server that allows one channel at a time.

use std::sync::Arc;

use super::link::Link;

/// The connection's SFTP client.
pub struct SftpChannel(pub ssh2::Sftp);

impl std::fmt::Debug for SftpChannel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SftpChannel")
    }
}

/// The SFTP client of the connection under `link`, opened once. Fails when
/// the server has no `sftp` subsystem (or refuses the channel). The session
/// must be in blocking mode while it is used.
pub fn sftp(link: Link<'_>) -> Result<Arc<SftpChannel>, ssh2::Error> {
    link.facts()
        .get_or_try_init(|| super::channel::retry_refused(link, || link.session().sftp()).map(SftpChannel))
}

/// A client of its own, closed when dropped: for a connection that also
/// runs commands, whose server may allow only one channel at a time.
pub fn open(link: Link<'_>) -> Result<Arc<SftpChannel>, ssh2::Error> {
    super::channel::retry_refused(link, || link.session().sftp()).map(|sftp| Arc::new(SftpChannel(sftp)))
}
