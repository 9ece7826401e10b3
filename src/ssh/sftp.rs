//! The connection's SFTP channel (the `sftp` subsystem through libssh2's
//! client), opened the first time a layer asks for it and kept in the
//! connection's [`Facts`](super::Facts) for the life of the connection:
//! one channel serves every file operation and transfer on it.

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
    link.facts().get_or_try_init(|| link.session().sftp().map(SftpChannel))
}

/// The client if one was opened on this connection already (without asking
/// the server).
pub fn opened(link: Link<'_>) -> Option<Arc<SftpChannel>> {
    link.facts().get::<SftpChannel>()
}
