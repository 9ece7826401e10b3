//! A tmpfs mounted on a new directory (scripts/test runs as root), for a
//! disk that is full or has no inodes left.

use std::path::Path;
use std::process::Command;

/// A tmpfs mounted with `options` (`size=…`, `nr_inodes=…`) on a new
/// directory, unmounted when dropped.
pub struct Tmpfs(tempfile::TempDir);

impl Tmpfs {
    /// A tmpfs of `size` bytes (`700k`…).
    pub fn new(size: &str) -> Tmpfs {
        Tmpfs::with(&format!("size={size}"))
    }

    /// A tmpfs mounted with `options`.
    pub fn with(options: &str) -> Tmpfs {
        let dir = tempfile::tempdir().unwrap();
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", options, "tmpfs"])
            .arg(dir.path())
            .status()
            .unwrap();
        assert!(status.success(), "mounting a tmpfs needs root (scripts/test runs as root)");
        Tmpfs(dir)
    }

    pub fn path(&self) -> &Path {
        self.0.path()
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.0.path()).status();
    }
}
