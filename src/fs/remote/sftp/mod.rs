//! A host's file system over SFTP, for accounts that run no commands
//! (`ForceCommand internal-sftp`, chrooted accounts): every operation of
//! [`FileSystem`] through libssh2's SFTP client on the connection's one
//! SFTP channel ([`crate::ssh::sftp`]). Names are bytes as the server
//! sends them; what the server says is escaped before it is shown.

mod change;
mod content;
mod error;
mod list;
mod walk;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use crate::fs::entry::Entry;
use crate::fs::error::FsError;
use crate::fs::find::{FindEnd, FindQuery, Found};
use crate::fs::place::Placed;
use crate::fs::system::{ByteRange, Digest, Each, FileSystem, Listing, Placement, Stat, Usage};
use crate::ssh::Link;
use crate::ssh::sftp::SftpChannel;

pub(crate) use error::sftp_error;

/// The file system of an SFTP-only host.
pub struct SftpFs {
    channel: Arc<SftpChannel>,
    /// Where relative paths start (the server's `realpath .`).
    home: Option<PathBuf>,
}

impl SftpFs {
    /// The SFTP file system of the host behind `link` (the connection's
    /// channel, opened the first time).
    pub fn open(link: Link<'_>, home: Option<PathBuf>) -> Result<Self, FsError> {
        let channel =
            crate::ssh::sftp::sftp(link).map_err(|e| sftp_error("open an SFTP channel", None, &e))?;
        Ok(SftpFs { channel, home })
    }

    fn sftp(&self) -> &ssh2::Sftp {
        &self.channel.0
    }

    /// `~` and `~/...` as the home directory; other paths as they are.
    fn tilde(&self, path: &Path) -> Result<PathBuf, FsError> {
        let Ok(rest) = path.strip_prefix("~") else {
            if path.as_os_str().as_encoded_bytes().starts_with(b"~") {
                return Err(FsError::Refused {
                    action: format!("resolve {}", shown(path)),
                    reason: "an SFTP-only host cannot look up other users' homes".into(),
                });
            }
            return Ok(path.to_path_buf());
        };
        let home = self.home.clone().unwrap_or_else(|| PathBuf::from("."));
        Ok(if rest.as_os_str().is_empty() { home } else { home.join(rest) })
    }
}

fn shown(path: &Path) -> String {
    crate::text::escape_bytes(path.as_os_str().as_encoded_bytes())
}

impl FileSystem for SftpFs {
    fn list(&self, dir: &Path) -> Result<Listing, FsError> {
        list::list(self.sftp(), dir)
    }

    fn stat(&self, paths: &[&Path]) -> Each<Option<Stat>> {
        list::stat(self.sftp(), paths)
    }

    fn lstat(&self, paths: &[&Path]) -> Each<Option<Entry>> {
        list::lstat(self.sftp(), paths)
    }

    fn usage(&self, paths: &[PathBuf]) -> Result<Usage, FsError> {
        walk::usage(self.sftp(), paths)
    }

    fn free_space(&self, path: &Path) -> Result<u64, FsError> {
        content::free_space(self.sftp(), path)
    }

    fn resolve(&self, path: &Path) -> Result<PathBuf, FsError> {
        let path = self.tilde(path)?;
        self.sftp().realpath(&path).map_err(|e| sftp_error("resolve", Some(&path), &e))
    }

    fn expand(&self, pattern: &Path) -> Result<Vec<PathBuf>, FsError> {
        walk::expand(self.sftp(), &self.tilde(pattern)?)
    }

    fn read_prefix(&self, path: &Path, limit: u64) -> Result<(Vec<u8>, u64), FsError> {
        content::read_from(self.sftp(), path, 0, limit)
    }

    fn read_from(&self, path: &Path, offset: u64, limit: u64) -> Result<(Vec<u8>, u64), FsError> {
        content::read_from(self.sftp(), path, offset, limit)
    }

    fn sha256(&self, paths: &[&Path]) -> Each<Digest> {
        let ranges: Vec<ByteRange> =
            paths.iter().map(|&path| ByteRange { path, start: 0, len: None }).collect();
        self.sha256_ranges(&ranges)
    }

    fn sha256_ranges(&self, ranges: &[ByteRange]) -> Each<Digest> {
        error::each(ranges.iter().map(|range| content::sha256_range(self.sftp(), range)))
    }

    fn make_dir(&self, path: &Path) -> Result<(), FsError> {
        change::make_dir(self.sftp(), path)
    }

    fn make_dirs(&self, dirs: &[(&Path, Option<u32>)]) -> Each<()> {
        error::each(dirs.iter().map(|&(dir, mode)| change::make_one_dir(self.sftp(), dir, mode)))
    }

    fn delete(&self, paths: &[PathBuf]) -> Result<(), FsError> {
        paths.iter().try_for_each(|path| walk::delete(self.sftp(), path))
    }

    fn remove_files(&self, paths: &[&Path]) -> Each<()> {
        error::each(
            paths
                .iter()
                .map(|&path| self.sftp().unlink(path).map_err(|e| sftp_error("delete", Some(path), &e))),
        )
    }

    fn remove_dirs(&self, paths: &[&Path]) -> Each<()> {
        error::each(paths.iter().map(|&path| {
            self.sftp().rmdir(path).map_err(|e| sftp_error("remove the directory", Some(path), &e))
        }))
    }

    fn rename(&self, from: &Path, to: &Path) -> Result<(), FsError> {
        change::rename(self.sftp(), from, to)
    }

    fn move_into(&self, sources: &[PathBuf], dir: &Path) -> Result<(), FsError> {
        sources.iter().try_for_each(|source| {
            let name = source.file_name().ok_or_else(|| FsError::Refused {
                action: format!("move {}", shown(source)),
                reason: "it has no name".into(),
            })?;
            change::rename(self.sftp(), source, &dir.join(name))
        })
    }

    fn chmod(&self, paths: &[PathBuf], mode: u32, recursive: bool) -> Result<(), FsError> {
        paths.iter().try_for_each(|path| walk::chmod(self.sftp(), path, mode, recursive))
    }

    fn chown(
        &self,
        paths: &[PathBuf],
        owner: Option<&str>,
        group: Option<&str>,
        recursive: bool,
    ) -> Result<(), FsError> {
        let ids = change::numeric_ids(owner, group)?;
        paths.iter().try_for_each(|path| walk::chown(self.sftp(), path, ids, recursive))
    }

    fn symlink(&self, target: &OsStr, link: &Path) -> Result<(), FsError> {
        change::symlink(self.sftp(), target, link)
    }

    fn touch(&self, path: &Path) -> Result<(), FsError> {
        change::touch(self.sftp(), path)
    }

    fn set_times(&self, files: &[(&Path, i64)]) -> Each<()> {
        error::each(files.iter().map(|&(path, secs)| change::set_times(self.sftp(), path, secs)))
    }

    fn place(&self, placements: &[Placement]) -> Each<Placed> {
        error::each(placements.iter().map(|p| change::place(self.sftp(), p)))
    }

    fn copy_files(&self, pairs: &[(&Path, &Path)], preserve: bool) -> Each<()> {
        error::each(pairs.iter().map(|&(from, to)| content::copy_file(self.sftp(), from, to, preserve)))
    }

    fn find(
        &self,
        query: &FindQuery,
        cancel: &CancellationToken,
        found: &mut dyn FnMut(Vec<Found>),
    ) -> Result<FindEnd, FsError> {
        walk::find(self.sftp(), query, cancel, found)
    }
}
