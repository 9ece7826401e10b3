//! The local side of tasks: walking sources, listing destinations, creating
//! directories, copying a file (local to local), hashing, deleting. Blocking
//! calls for `spawn_blocking`; they check the cancel flag between chunks so
//! a cancel takes effect within milliseconds.

use std::fs::{self, File, Permissions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, UNIX_EPOCH};

use sha2::{Digest as _, Sha256};

use super::item::{DestInfo, ItemKind, Scan, ScanEntry, ScanError};
use super::task::{Digest, DirProbe};
use crate::fs::Kind;
use crate::scp::Throttle;
use crate::text::escape_str;

const CHUNK: usize = 256 * 1024;
/// Progress reports at most this often per file.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// What an I/O error means, in words a user can act on.
pub fn describe(path: &Path, error: &io::Error) -> String {
    format!("{}: {}", escape_str(&path.to_string_lossy()), error)
}

fn mtime_secs(meta: &fs::Metadata) -> Option<i64> {
    Some(meta.mtime())
}

/// Walks `root`, following a symlink given as the root itself (like scp),
/// but not symlinks to directories below it (they could loop).
pub fn scan(root: &Path) -> Result<Scan, String> {
    let meta = fs::metadata(root).map_err(|e| describe(root, &e))?;
    let mut scan = Scan::default();
    if meta.is_file() {
        scan.entries.push(file_entry(PathBuf::new(), &meta));
        return Ok(scan);
    }
    if !meta.is_dir() {
        return Err(format!("{}: not a regular file", escape_str(&root.to_string_lossy())));
    }
    scan.entries.push(dir_entry(PathBuf::new(), &meta));
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let dir = root.join(&rel);
        let read = match fs::read_dir(&dir) {
            Ok(read) => read,
            Err(e) => {
                scan.errors.push(ScanError { rel: rel.clone(), reason: describe(&dir, &e) });
                continue;
            }
        };
        for entry in read {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    scan.errors.push(ScanError { rel: rel.clone(), reason: describe(&dir, &e) });
                    continue;
                }
            };
            let child = rel.join(entry.file_name());
            let path = root.join(&child);
            match fs::symlink_metadata(&path) {
                Ok(m) if m.is_dir() => {
                    scan.entries.push(dir_entry(child.clone(), &m));
                    stack.push(child);
                }
                Ok(m) if m.is_file() => scan.entries.push(file_entry(child, &m)),
                Ok(m) if m.file_type().is_symlink() => match fs::metadata(&path) {
                    Ok(target) if target.is_file() => scan.entries.push(file_entry(child, &target)),
                    Ok(target) if target.is_dir() => scan.errors.push(ScanError {
                        rel: child,
                        reason: "a symbolic link to a directory is not followed".into(),
                    }),
                    Ok(_) => scan.errors.push(ScanError { rel: child, reason: "not a regular file".into() }),
                    Err(e) => scan.errors.push(ScanError { rel: child, reason: describe(&path, &e) }),
                },
                Ok(_) => scan.errors.push(ScanError { rel: child, reason: "not a regular file".into() }),
                Err(e) => scan.errors.push(ScanError { rel: child, reason: describe(&path, &e) }),
            }
        }
    }
    Ok(scan)
}

fn file_entry(rel: PathBuf, meta: &fs::Metadata) -> ScanEntry {
    ScanEntry {
        rel,
        kind: ItemKind::File,
        size: meta.len(),
        mode: meta.mode() & 0o7777,
        mtime: mtime_secs(meta),
    }
}

fn dir_entry(rel: PathBuf, meta: &fs::Metadata) -> ScanEntry {
    ScanEntry { rel, kind: ItemKind::Dir, size: 0, mode: meta.mode() & 0o7777, mtime: mtime_secs(meta) }
}

/// What `dir` is at the destination.
pub fn probe(dir: &Path) -> DirProbe {
    match fs::metadata(dir) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => DirProbe::Missing,
        Err(e) => DirProbe::Error(describe(dir, &e)),
        Ok(meta) if !meta.is_dir() => DirProbe::NotADir(info(&meta)),
        Ok(_) => match crate::fs::local::list(dir) {
            Err(e) => DirProbe::Error(describe(dir, &e)),
            Ok(entries) => DirProbe::Listing(
                entries
                    .into_iter()
                    .map(|e| {
                        // A link counts as what it points to: copying onto a
                        // link to a directory must not replace it.
                        let kind = e.link.as_ref().and_then(|l| l.kind).unwrap_or(e.kind);
                        (e.name, DestInfo { kind, size: e.size, mtime: Some(e.mtime.secs) })
                    })
                    .collect(),
            ),
        },
    }
}

fn info(meta: &fs::Metadata) -> DestInfo {
    let kind = if meta.is_dir() { Kind::Dir } else { Kind::File };
    DestInfo { kind, size: meta.len(), mtime: mtime_secs(meta) }
}

pub fn make_dir(dir: &Path, mode: u32) -> Result<(), String> {
    match fs::create_dir(dir) {
        Ok(()) => fs::set_permissions(dir, Permissions::from_mode(mode)).map_err(|e| describe(dir, &e)),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists && dir.is_dir() => Ok(()),
        Err(e) => Err(describe(dir, &e)),
    }
}

/// Why a copy stopped.
#[derive(Debug)]
pub enum CopyError {
    Cancelled,
    Failed(String),
}

/// Copies `source` to `dest` through a temporary file beside `dest`, renamed
/// over it only when complete: a failure or cancel leaves `dest` as it was.
/// One local to local file copy.
pub struct FileCopy<'a> {
    pub source: &'a Path,
    pub dest: &'a Path,
    /// The source's permission bits.
    pub mode: u32,
    pub mtime: Option<i64>,
    /// Keep mode and modification time exactly.
    pub preserve: bool,
}

pub fn copy_file(
    copy: &FileCopy,
    throttle: Option<&Throttle>,
    cancelled: &dyn Fn() -> bool,
    progress: &mut dyn FnMut(u64),
) -> Result<u64, CopyError> {
    let FileCopy { source, dest, mode, mtime, preserve } = *copy;
    let failed = |path: &Path, e: io::Error| CopyError::Failed(describe(path, &e));
    let mut input = File::open(source).map_err(|e| failed(source, e))?;
    let dir = dest.parent().ok_or_else(|| CopyError::Failed("the destination has no directory".into()))?;
    let name = dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    // New files get the source's permission bits less the umask, like scp
    // and cp; with "preserve" exactly the source's.
    let mut temp = tempfile::Builder::new()
        .prefix(&format!(".{}.", name.chars().take(100).collect::<String>()))
        .suffix(".scpdeck")
        .permissions(Permissions::from_mode(mode & 0o777))
        .tempfile_in(dir)
        .map_err(|e| failed(dest, e))?;
    let mut buffer = vec![0u8; CHUNK];
    let mut done = 0u64;
    let mut reported = Instant::now();
    loop {
        if cancelled() {
            return Err(CopyError::Cancelled);
        }
        let n = input.read(&mut buffer).map_err(|e| failed(source, e))?;
        if n == 0 {
            break;
        }
        if let Some(throttle) = throttle {
            // In short naps, so that a cancel is still noticed at once.
            let until = Instant::now() + throttle.reserve(n as u64);
            while !cancelled() && Instant::now() < until {
                std::thread::sleep(
                    until.saturating_duration_since(Instant::now()).min(Duration::from_millis(50)),
                );
            }
        }
        temp.write_all(&buffer[..n]).map_err(|e| failed(dest, e))?;
        done += n as u64;
        if reported.elapsed() >= PROGRESS_EVERY {
            progress(done);
            reported = Instant::now();
        }
    }
    let file = temp.as_file();
    if preserve {
        file.set_permissions(Permissions::from_mode(mode & 0o7777)).map_err(|e| failed(dest, e))?;
        if let Some(secs) = mtime {
            let time = if secs >= 0 {
                UNIX_EPOCH + Duration::from_secs(secs as u64)
            } else {
                UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs())
            };
            file.set_modified(time).map_err(|e| failed(dest, e))?;
        }
    }
    file.sync_all().map_err(|e| failed(dest, e))?;
    if cancelled() {
        return Err(CopyError::Cancelled);
    }
    temp.persist(dest).map_err(|e| failed(dest, e.error))?;
    progress(done);
    Ok(done)
}

pub fn hash(path: &Path, cancelled: &dyn Fn() -> bool) -> Result<Digest, String> {
    let mut file = File::open(path).map_err(|e| describe(path, &e))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; CHUNK];
    loop {
        if cancelled() {
            return Err("cancelled".into());
        }
        let n = file.read(&mut buffer).map_err(|e| describe(path, &e))?;
        if n == 0 {
            return Ok(hasher.finalize().into());
        }
        hasher.update(&buffer[..n]);
    }
}

pub fn remove_file(path: &Path) -> Result<(), String> {
    fs::remove_file(path).map_err(|e| describe(path, &e))
}

/// Removes an empty directory (never its contents).
pub fn remove_dir(path: &Path) -> Result<(), String> {
    fs::remove_dir(path).map_err(|e| describe(path, &e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_through_a_temporary_file_and_preserves() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("src");
        fs::write(&source, vec![5u8; 600_000]).unwrap();
        let dest = dir.path().join("dst");
        fs::write(&dest, b"old").unwrap();
        let mut reports = Vec::new();
        let copy =
            FileCopy { source: &source, dest: &dest, mode: 0o640, mtime: Some(1_000_000), preserve: true };
        let n = copy_file(&copy, None, &|| false, &mut |b| reports.push(b)).unwrap();
        assert_eq!(n, 600_000);
        assert_eq!(fs::read(&dest).unwrap(), vec![5u8; 600_000]);
        let meta = fs::metadata(&dest).unwrap();
        assert_eq!(meta.mode() & 0o777, 0o640);
        assert_eq!(meta.mtime(), 1_000_000);
        assert_eq!(reports.last(), Some(&600_000));
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 2, "no temporary file left");
    }

    #[test]
    fn a_cancelled_copy_leaves_the_destination_and_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("src");
        fs::write(&source, vec![1u8; 2_000_000]).unwrap();
        let dest = dir.path().join("dst");
        fs::write(&dest, b"keep").unwrap();
        let calls = std::cell::Cell::new(0);
        let cancel = || {
            calls.set(calls.get() + 1);
            calls.get() > 3
        };
        let copy = FileCopy { source: &source, dest: &dest, mode: 0o644, mtime: None, preserve: false };
        let result = copy_file(&copy, None, &cancel, &mut |_| {});
        assert!(matches!(result, Err(CopyError::Cancelled)));
        assert_eq!(fs::read(&dest).unwrap(), b"keep");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    #[test]
    fn scans_trees_and_reports_what_cannot_be_copied() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("tree");
        fs::create_dir_all(root.join("a/b")).unwrap();
        fs::write(root.join("a/b/f"), b"123").unwrap();
        fs::write(root.join("top"), b"1").unwrap();
        std::os::unix::fs::symlink(root.join("a"), root.join("loop")).unwrap();
        nix::unistd::mkfifo(&root.join("fifo"), nix::sys::stat::Mode::S_IRWXU).unwrap();
        let scan = scan(&root).unwrap();
        let mut rels: Vec<String> =
            scan.entries.iter().map(|e| e.rel.to_string_lossy().into_owned()).collect();
        rels.sort();
        assert_eq!(rels, ["", "a", "a/b", "a/b/f", "top"]);
        let mut errors: Vec<String> =
            scan.errors.iter().map(|e| e.rel.to_string_lossy().into_owned()).collect();
        errors.sort();
        assert_eq!(errors, ["fifo", "loop"]);
        assert_eq!(hash(&root.join("a/b/f"), &|| false).unwrap(), <[u8; 32]>::from(Sha256::digest(b"123")));
        assert!(matches!(probe(&root.join("nope")), DirProbe::Missing));
        assert!(matches!(probe(&root.join("top")), DirProbe::NotADir(_)));
        match probe(&root) {
            DirProbe::Listing(entries) => assert_eq!(entries.len(), 4),
            other => panic!("{other:?}"),
        }
    }
}
