//! The one file-system interface: what panes, transfers and the command
//! line do to files, on this machine ([`super::LocalFs`]) or on a host
//! ([`super::remote::RemoteFs`]). It is the only code that lists, stats,
//! creates, deletes, renames, changes modes and owners, makes symlinks and
//! empty files, measures, hashes, reports free space and resolves paths.
//!
//! Every call blocks: on this machine run it on a blocking thread, on a
//! host on the thread that owns the connection. Calls that transfers make
//! for many paths at once take them all, so that a host answers in one
//! round trip; their outer `Err` means nothing was done (a lost connection),
//! the inner ones are per path.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use tokio_util::sync::CancellationToken;

use super::entry::{Entry, Kind};
use super::error::FsError;
use super::find::{FindEnd, FindQuery, Found};
use super::place::{Placed, Rename};
use super::tally::Tally;

/// sha256 of a file's content.
pub type Digest = [u8; 32];

/// One result per path, or a failure of the whole call.
pub type Each<T> = Result<Vec<Result<T, FsError>>, FsError>;

/// A directory's entries, unsorted, never `.` or `..`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listing {
    pub entries: Vec<Entry>,
    /// What went wrong without stopping the listing (an entry that vanished
    /// while it was read), escaped.
    pub warnings: Vec<String>,
}

/// What lies under some paths (symlinks counted, never followed).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    /// Everything that is not a directory; `None` where the host can only
    /// tell disk usage.
    pub files: Option<u64>,
    /// Directories, the given ones included; `None` as for `files`.
    pub dirs: Option<u64>,
    pub bytes: u64,
    /// False when part of a tree could not be read.
    pub complete: bool,
}

/// What a path is, a symlink followed (as scp treats a path it is given).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stat {
    pub kind: Kind,
    pub size: u64,
    /// Permission bits (with setuid, setgid and sticky).
    pub mode: u32,
    /// Seconds since the epoch.
    pub mtime: Option<i64>,
}

/// A part of a file: `len` bytes from `start` (to its end when `None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteRange<'a> {
    pub path: &'a Path,
    pub start: u64,
    pub len: Option<u64>,
}

/// A complete temporary file to put under its final name, as `how` says.
#[derive(Debug, Clone, Copy)]
pub struct Placement<'a> {
    pub temp: &'a Path,
    pub dest: &'a Path,
    pub how: Rename,
}

pub trait FileSystem {
    /// The entries of `dir`, symlinks not followed (their targets' kinds
    /// are looked up).
    fn list(&self, dir: &Path) -> Result<Listing, FsError>;

    /// What each path is (`None`: nothing there), symlinks followed.
    fn stat(&self, paths: &[&Path]) -> Each<Option<Stat>>;

    /// What each path is itself (`None`: nothing there): a symlink is not
    /// followed, its target and the target's kind are read as a listing
    /// reads them. How a copy tells a selected link from what it points to.
    fn lstat(&self, paths: &[&Path]) -> Each<Option<Entry>>;

    /// Whether listing a whole directory costs about what looking up a few
    /// names in it does: on this machine a listing is a readdir; on a
    /// host it crosses the network whatever the directory holds, so a
    /// copy looks up only the names it writes.
    fn lists_cheaply(&self) -> bool {
        false
    }

    /// Files, directories and bytes under `paths`.
    fn usage(&self, paths: &[PathBuf]) -> Result<Usage, FsError>;

    /// What a copy of `roots` will copy, counted exactly as its walk
    /// (`jobs::tally`) counts, in one command where the file system can;
    /// `None` where it cannot (the walk counts then).
    fn tally(&self, roots: &[PathBuf], follow: bool) -> Result<Option<Tally>, FsError> {
        let _ = (roots, follow);
        Ok(None)
    }

    /// Bytes the account may still write on the file system of `path`.
    fn free_space(&self, path: &Path) -> Result<u64, FsError>;

    /// The absolute, canonical form of `path` (`~` and `~user` expanded,
    /// symlinks and `..` resolved); relative paths start at the home.
    fn resolve(&self, path: &Path) -> Result<PathBuf, FsError>;

    /// What `pattern` names as the host's shell reads a path it is given
    /// (as scp's remote shell does): a leading `~` or `~USER` becomes that
    /// home directory, `*`, `?` and `[...]` match names (and nothing else is
    /// ever run). The matches, sorted; [`FsError::NotFound`] when a pattern
    /// matches nothing.
    fn expand(&self, pattern: &Path) -> Result<Vec<PathBuf>, FsError>;

    /// The first `limit` bytes of a file and its size.
    fn read_prefix(&self, path: &Path, limit: u64) -> Result<(Vec<u8>, u64), FsError>;

    /// At most `limit` bytes of a file from byte `offset` on (none past its
    /// end), and its size now: following a file as it grows.
    fn read_from(&self, path: &Path, offset: u64, limit: u64) -> Result<(Vec<u8>, u64), FsError>;

    /// sha256 of each file.
    fn sha256(&self, paths: &[&Path]) -> Each<Digest>;

    /// sha256 of each part of a file (a range past the end hashes what
    /// there is): how a resumed transfer checks that the part already
    /// copied still matches its source.
    fn sha256_ranges(&self, ranges: &[ByteRange]) -> Each<Digest>;

    /// Creates `path` and any missing parents; fails when it exists.
    fn make_dir(&self, path: &Path) -> Result<(), FsError>;

    /// Creates each directory (parents first, in order) with its mode;
    /// one that exists already (another copy made it) is success.
    fn make_dirs(&self, dirs: &[(&Path, Option<u32>)]) -> Each<()>;

    /// Deletes files and whole trees; a symlink is removed, never followed.
    fn delete(&self, paths: &[PathBuf]) -> Result<(), FsError>;

    /// Deletes each file (never a directory).
    fn remove_files(&self, paths: &[&Path]) -> Each<()>;

    /// Removes each empty directory, in order (never contents).
    fn remove_dirs(&self, paths: &[&Path]) -> Each<()>;

    /// Renames `from` to exactly `to`, which must not exist.
    fn rename(&self, from: &Path, to: &Path) -> Result<(), FsError>;

    /// Moves `sources` into the directory `dir`; nothing there is replaced.
    fn move_into(&self, sources: &[PathBuf], dir: &Path) -> Result<(), FsError>;

    /// Sets permission bits, on whole trees with `recursive`.
    fn chmod(&self, paths: &[PathBuf], mode: u32, recursive: bool) -> Result<(), FsError>;

    /// Sets the owner and/or the group (names or numbers).
    fn chown(
        &self,
        paths: &[PathBuf],
        owner: Option<&str>,
        group: Option<&str>,
        recursive: bool,
    ) -> Result<(), FsError>;

    /// Creates the symlink `link` pointing at `target`, kept exactly as
    /// given; `link` must not exist.
    fn symlink(&self, target: &OsStr, link: &Path) -> Result<(), FsError>;

    /// Creates an empty file; fails when anything is at `path`.
    fn touch(&self, path: &Path) -> Result<(), FsError>;

    /// Sets each file's modification and access times to `secs` since the
    /// epoch (what scp -p does).
    fn set_times(&self, files: &[(&Path, i64)]) -> Each<()>;

    /// Puts complete temporary files under their final names, each in one
    /// step nothing can come between (see [`super::place`]).
    fn place(&self, placements: &[Placement]) -> Each<Placed>;

    /// Copies each `(from, to)` within this file system (times and modes
    /// kept with `preserve`).
    fn copy_files(&self, pairs: &[(&Path, &Path)], preserve: bool) -> Each<()>;

    /// Searches under `query.root`, handing what matches to `found` in
    /// batches as they come, until the search ends or `cancel` fires
    /// ([`FsError::Cancelled`]; a host's command is stopped too).
    fn find(
        &self,
        query: &FindQuery,
        cancel: &CancellationToken,
        found: &mut dyn FnMut(Vec<Found>),
    ) -> Result<FindEnd, FsError>;
}

/// Names of the subdirectories of `dir` that start with `prefix` (dot
/// directories only when the prefix starts with a dot), sorted, at most 200.
pub fn complete(fs: &dyn FileSystem, dir: &Path, prefix: &str) -> Vec<String> {
    let Ok(listing) = fs.list(dir) else { return Vec::new() };
    let mut names: Vec<String> = listing
        .entries
        .into_iter()
        .filter(|e| e.is_dir_like())
        .filter_map(|e| e.name.into_string().ok())
        .filter(|n| n.starts_with(prefix) && (prefix.starts_with('.') || !n.starts_with('.')))
        .collect();
    names.sort();
    names.truncate(200);
    names
}
