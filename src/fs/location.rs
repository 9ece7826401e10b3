//! Where a pane is: a directory on this machine or on a remote host.

use std::fmt;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use crate::text::escape_bytes;

/// A directory (or file) on this machine or on a remote host. Remote paths
/// are POSIX paths kept as bytes in a `PathBuf`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Location {
    Local(PathBuf),
    Remote { host: String, path: PathBuf },
}

impl Location {
    pub fn path(&self) -> &Path {
        match self {
            Location::Local(path) | Location::Remote { path, .. } => path,
        }
    }

    /// The host name for remote locations.
    pub fn host(&self) -> Option<&str> {
        match self {
            Location::Local(_) => None,
            Location::Remote { host, .. } => Some(host),
        }
    }

    /// The same host, another path.
    pub fn with_path(&self, path: PathBuf) -> Location {
        match self {
            Location::Local(_) => Location::Local(path),
            Location::Remote { host, .. } => Location::Remote { host: host.clone(), path },
        }
    }

    /// The parent directory, if there is one.
    pub fn parent(&self) -> Option<Location> {
        self.path().parent().map(|p| self.with_path(p.to_path_buf()))
    }

    /// A child of this directory.
    pub fn join(&self, name: impl AsRef<Path>) -> Location {
        self.with_path(self.path().join(name))
    }
}

impl fmt::Display for Location {
    /// `host:path` or `path`, escaped for display.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = escape_bytes(self.path().as_os_str().as_bytes());
        match self {
            Location::Local(_) => write!(f, "{path}"),
            Location::Remote { host, .. } => write!(f, "{}:{path}", escape_bytes(host.as_bytes())),
        }
    }
}
