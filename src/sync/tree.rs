//! A directory tree as the comparison sees it: every entry under a root by
//! its path relative to the root. Walking calls the file system; the rest
//! is data.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use super::excludes::Excludes;
use crate::fs::{Digest, FileSystem, FsError, Kind};

/// What the comparison needs of an entry. Symlinks are kept as what they
/// are (never followed): a link is compared with a link by kind only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Node {
    pub kind: Kind,
    pub size: u64,
    /// Whole seconds: what scp's `-p` keeps, and all some hosts tell.
    pub mtime: i64,
    pub mode: u32,
}

/// Entries by relative path (sorted: a directory before what is in it).
pub type Tree = BTreeMap<PathBuf, Node>;

/// Entries seen so far (for a gauge) and a cancel flag, shared with whoever
/// watches a walk.
#[derive(Debug, Default)]
pub struct Progress {
    entries: AtomicU64,
    /// Files to hash in all, once hashing starts (0 before).
    hashing: AtomicU64,
    cancelled: AtomicBool,
}

impl Progress {
    pub fn entries(&self) -> u64 {
        self.entries.load(Ordering::Relaxed)
    }

    /// Hashing `files` starts: `entries` counts from 0 up to it.
    pub fn expect(&self, files: u64) {
        self.entries.store(0, Ordering::Relaxed);
        self.hashing.store(files, Ordering::Relaxed);
    }

    /// Files to hash in all (0: still reading the trees).
    pub fn hashing(&self) -> u64 {
        self.hashing.load(Ordering::Relaxed)
    }

    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }

    fn check(&self) -> Result<(), FsError> {
        if self.is_cancelled() { Err(FsError::Cancelled) } else { Ok(()) }
    }
}

/// Everything under `root` (only its own entries unless `recursive`),
/// excluded paths left out and excluded directories not entered.
/// Directories are listed one by one, so a cancel takes effect between two.
pub fn walk(
    fs: &dyn FileSystem,
    root: &Path,
    recursive: bool,
    excludes: &Excludes,
    progress: &Progress,
) -> Result<Tree, FsError> {
    let mut tree = Tree::new();
    let mut pending = vec![PathBuf::new()];
    while let Some(relative) = pending.pop() {
        progress.check()?;
        let listing = fs.list(&root.join(&relative))?;
        for entry in listing.entries {
            let path = relative.join(&entry.name);
            if excludes.excludes(&path) {
                continue;
            }
            progress.entries.fetch_add(1, Ordering::Relaxed);
            if recursive && entry.kind == Kind::Dir {
                pending.push(path.clone());
            }
            let node = Node { kind: entry.kind, size: entry.size, mtime: entry.mtime.secs, mode: entry.mode };
            tree.insert(path, node);
        }
    }
    Ok(tree)
}

/// The files both trees hold with the same size: those whose content the
/// checksum criterion compares.
pub fn same_size_files(left: &Tree, right: &Tree) -> Vec<PathBuf> {
    left.iter()
        .filter(|(path, l)| {
            l.kind == Kind::File && right.get(*path).is_some_and(|r| r.kind == Kind::File && r.size == l.size)
        })
        .map(|(path, _)| path.clone())
        .collect()
}

/// sha256 of each of `paths` under `root`, computed by `fs` (on its host).
/// Hashed in batches so that a host answers many files per round trip and
/// a cancel is seen between two. A file that cannot be hashed (vanished,
/// unreadable) fails the whole: it must not pass for equal.
pub fn hash_all(
    fs: &dyn FileSystem,
    root: &Path,
    paths: &[PathBuf],
    progress: &Progress,
) -> Result<Vec<Digest>, FsError> {
    const BATCH: usize = 200;
    let mut digests = Vec::with_capacity(paths.len());
    for batch in paths.chunks(BATCH) {
        progress.check()?;
        let full: Vec<PathBuf> = batch.iter().map(|p| root.join(p)).collect();
        let refs: Vec<&Path> = full.iter().map(PathBuf::as_path).collect();
        for digest in fs.sha256(&refs)? {
            digests.push(digest?);
        }
        progress.entries.fetch_add(batch.len() as u64, Ordering::Relaxed);
    }
    Ok(digests)
}

/// The paths whose two digests differ.
pub fn content_differs(paths: &[PathBuf], left: &[Digest], right: &[Digest]) -> BTreeSet<PathBuf> {
    paths.iter().zip(left.iter().zip(right)).filter(|(_, (l, r))| l != r).map(|(p, _)| p.clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::LocalFs;

    #[test]
    fn walks_recursively_leaving_out_excluded_trees_and_cancels() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("a/b")).unwrap();
        std::fs::create_dir_all(root.join("skip/deep")).unwrap();
        std::fs::write(root.join("a/b/f"), "123").unwrap();
        std::fs::write(root.join("top"), "").unwrap();
        std::fs::write(root.join("x.tmp"), "").unwrap();
        let excludes = Excludes::new(&["skip", "*.tmp"]).unwrap();
        let progress = Progress::default();
        let tree = walk(&LocalFs::new(), root, true, &excludes, &progress).unwrap();
        let paths: Vec<&str> = tree.keys().map(|p| p.to_str().unwrap()).collect();
        assert_eq!(paths, ["a", "a/b", "a/b/f", "top"]);
        assert_eq!(tree[Path::new("a/b/f")].size, 3);
        assert_eq!(progress.entries(), 4);
        let flat = walk(&LocalFs::new(), root, false, &Excludes::default(), &Progress::default()).unwrap();
        assert_eq!(flat.len(), 4);
        let cancelled = Progress::default();
        cancelled.cancel();
        assert!(matches!(walk(&LocalFs::new(), root, true, &excludes, &cancelled), Err(FsError::Cancelled)));
    }

    #[test]
    fn hashes_only_files_of_equal_size_on_each_side() {
        let (l, r) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        for (name, left, right) in [("same", "abc", "abc"), ("differs", "abc", "abd"), ("sized", "a", "ab")] {
            std::fs::write(l.path().join(name), left).unwrap();
            std::fs::write(r.path().join(name), right).unwrap();
        }
        let (fs, none, p) = (LocalFs::new(), Excludes::default(), Progress::default());
        let lt = walk(&fs, l.path(), true, &none, &p).unwrap();
        let rt = walk(&fs, r.path(), true, &none, &p).unwrap();
        let paths = same_size_files(&lt, &rt);
        assert_eq!(paths.len(), 2);
        let (ld, rd) =
            (hash_all(&fs, l.path(), &paths, &p).unwrap(), hash_all(&fs, r.path(), &paths, &p).unwrap());
        let differing = content_differs(&paths, &ld, &rd);
        assert_eq!(differing.into_iter().collect::<Vec<_>>(), [PathBuf::from("differs")]);
    }
}
