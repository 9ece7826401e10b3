//! Transfers on the lower rungs of the protocol ladder, for hosts without
//! the remote `scp`: through the connection's SFTP channel, or through
//! `cat` over exec channels. Files go one after another, each read in
//! large blocks (SFTP: libssh2 keeps as many requests of its packet size
//! in flight as a block holds) and written where the caller says: a
//! download through the engine's own disk writer (temporary names renamed
//! into place, as with SCP), an upload or a relay into the path the caller
//! gives (a private directory on the host, placed afterwards). Events are
//! the engine's, so callers handle every rung alike.

mod fetch;
mod reader;
mod send;
mod store;

use std::sync::Arc;

use crate::ssh::Link;
use crate::ssh::sftp::SftpChannel;

pub use fetch::download_by;
pub use send::{Ends, Expected, send_by};

/// Where files come from or go to on a lower rung.
#[derive(Clone)]
pub enum End<'s> {
    /// This machine (a source only).
    Local,
    /// A host's SFTP channel.
    Sftp(Arc<SftpChannel>),
    /// A host's shell: `cat` reads, `cat >` writes.
    Stream(Link<'s>),
}

/// Bytes read or written per call on a lower rung: SFTP turns one call into
/// this many bytes of requests in flight.
pub const BLOCK: usize = 1024 * 1024;

/// The connection behind an SFTP end lost, or just this file's failure?
/// ssh2's `Read`/`Write` for SFTP files lose the error code, so the
/// channel is asked something harmless: a dead connection fails that too.
fn connection_lost(sftp: &SftpChannel) -> bool {
    matches!(sftp.0.lstat(std::path::Path::new("/")), Err(e) if crate::ssh::is_transport_lost(&e))
}
