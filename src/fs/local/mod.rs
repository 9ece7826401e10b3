//! This machine's file system behind [`FileSystem`] (blocking; run off the
//! UI thread): listings (`list.rs`), reading (`read.rs`) and changes
//! (`change.rs`).

mod change;
mod list;
mod read;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use tokio_util::sync::CancellationToken;

pub use list::{NameCache, entry_for, list};
pub use read::{sha256, sha256_range};

use super::entry::Entry;
use super::error::FsError;
use super::find::{FindEnd, FindQuery, Found};
use super::place::Placed;
use super::system::{ByteRange, Digest, Each, FileSystem, Listing, Placement, Stat, Usage};

/// The local file system. A cancel token, when given, stops long reads
/// (hashing a large file) within one chunk.
#[derive(Debug, Clone, Default)]
pub struct LocalFs {
    cancel: Option<CancellationToken>,
}

impl LocalFs {
    pub fn new() -> Self {
        Self::default()
    }

    /// Long reads stop with [`FsError::Cancelled`] once `cancel` fires.
    pub fn with_cancel(cancel: CancellationToken) -> Self {
        Self { cancel: Some(cancel) }
    }

    fn cancelled(&self) -> bool {
        self.cancel.as_ref().is_some_and(CancellationToken::is_cancelled)
    }
}

fn shown(path: &Path) -> String {
    crate::text::escape_bytes(path.as_os_str().as_encoded_bytes())
}

impl FileSystem for LocalFs {
    fn lists_cheaply(&self) -> bool {
        true
    }

    fn find(
        &self,
        query: &FindQuery,
        cancel: &CancellationToken,
        found: &mut dyn FnMut(Vec<Found>),
    ) -> Result<FindEnd, FsError> {
        super::find::find_local(query, cancel, found)
    }

    fn list(&self, dir: &Path) -> Result<Listing, FsError> {
        let entries = list(dir).map_err(|e| FsError::io(&format!("list {}", shown(dir)), dir, &e))?;
        Ok(Listing { entries, warnings: Vec::new() })
    }

    fn stat(&self, paths: &[&Path]) -> Each<Option<Stat>> {
        Ok(paths.iter().map(|p| read::stat(p)).collect())
    }

    fn lstat(&self, paths: &[&Path]) -> Each<Option<Entry>> {
        Ok(paths.iter().map(|p| list::lstat(p)).collect())
    }

    fn usage(&self, paths: &[PathBuf]) -> Result<Usage, FsError> {
        read::usage(paths)
    }

    fn free_space(&self, path: &Path) -> Result<u64, FsError> {
        read::free_space(path)
    }

    fn resolve(&self, path: &Path) -> Result<PathBuf, FsError> {
        read::resolve(path)
    }

    fn expand(&self, pattern: &Path) -> Result<Vec<PathBuf>, FsError> {
        read::expand(pattern)
    }

    fn read_prefix(&self, path: &Path, limit: u64) -> Result<(Vec<u8>, u64), FsError> {
        read::read_prefix(path, limit)
    }

    fn read_from(&self, path: &Path, offset: u64, limit: u64) -> Result<(Vec<u8>, u64), FsError> {
        read::read_from(path, offset, limit)
    }

    fn sha256(&self, paths: &[&Path]) -> Each<Digest> {
        let cancelled = || self.cancelled();
        Ok(paths.iter().map(|p| read::sha256(p, &cancelled)).collect())
    }

    fn sha256_ranges(&self, ranges: &[ByteRange]) -> Each<Digest> {
        let cancelled = || self.cancelled();
        Ok(ranges.iter().map(|r| read::sha256_range(r, &cancelled)).collect())
    }

    fn make_dir(&self, path: &Path) -> Result<(), FsError> {
        change::make_dir(path)
    }

    fn make_dirs(&self, dirs: &[(&Path, Option<u32>)]) -> Each<()> {
        Ok(dirs.iter().map(|(dir, mode)| change::make_one_dir(dir, *mode)).collect())
    }

    fn delete(&self, paths: &[PathBuf]) -> Result<(), FsError> {
        change::delete(paths)
    }

    fn remove_files(&self, paths: &[&Path]) -> Each<()> {
        Ok(paths.iter().map(|p| change::remove_file(p)).collect())
    }

    fn remove_dirs(&self, paths: &[&Path]) -> Each<()> {
        Ok(paths.iter().map(|p| change::remove_dir(p)).collect())
    }

    fn rename(&self, from: &Path, to: &Path) -> Result<(), FsError> {
        change::rename(from, to)
    }

    fn move_into(&self, sources: &[PathBuf], dir: &Path) -> Result<(), FsError> {
        change::move_into(sources, dir)
    }

    fn chmod(&self, paths: &[PathBuf], mode: u32, recursive: bool) -> Result<(), FsError> {
        change::chmod(paths, mode, recursive)
    }

    fn chown(
        &self,
        paths: &[PathBuf],
        owner: Option<&str>,
        group: Option<&str>,
        recursive: bool,
    ) -> Result<(), FsError> {
        change::chown(paths, owner, group, recursive)
    }

    fn symlink(&self, target: &OsStr, link: &Path) -> Result<(), FsError> {
        change::symlink(target, link)
    }

    fn touch(&self, path: &Path) -> Result<(), FsError> {
        change::touch(path)
    }

    fn set_times(&self, files: &[(&Path, i64)]) -> Each<()> {
        Ok(files.iter().map(|(path, secs)| change::set_times(path, *secs)).collect())
    }

    fn place(&self, placements: &[Placement]) -> Each<Placed> {
        Ok(placements
            .iter()
            .map(|p| {
                super::place::place(p.temp, p.dest, p.how)
                    .map_err(|e| FsError::io(&format!("put {} in place", shown(p.dest)), p.dest, &e))
            })
            .collect())
    }

    fn copy_files(&self, pairs: &[(&Path, &Path)], preserve: bool) -> Each<()> {
        Ok(pairs.iter().map(|(from, to)| change::copy_file(from, to, preserve)).collect())
    }
}
