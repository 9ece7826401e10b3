//! The local side of tasks: walking sources, listing destinations, creating
//! directories, hashing, deleting (copying: `local_copy.rs`). Blocking
//! calls for `spawn_blocking`; they check the cancel flag between chunks so
//! a cancel takes effect within milliseconds.

use std::fs::{self, File, Permissions};
use std::io::{self, Read};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use sha2::{Digest as _, Sha256};

use super::item::{DestInfo, ItemKind, Scan, ScanEntry, ScanError};
use super::task::{Digest, DirProbe};
use crate::fs::Kind;
use crate::text::escape_str;

const CHUNK: usize = 256 * 1024;

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
    let kind = Kind::from_mode(meta.mode());
    DestInfo { kind, size: meta.len(), mtime: mtime_secs(meta) }
}

pub fn make_dir(dir: &Path, mode: u32) -> Result<(), String> {
    match fs::create_dir(dir) {
        Ok(()) => fs::set_permissions(dir, Permissions::from_mode(mode)).map_err(|e| describe(dir, &e)),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists && dir.is_dir() => Ok(()),
        Err(e) => Err(describe(dir, &e)),
    }
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
