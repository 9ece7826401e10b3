//! Reading this machine's file system: stat, usage, free space, resolving,
//! a file's first bytes, sha256.

use std::fs;
use std::io::{self, Read};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use sha2::{Digest as _, Sha256};

use super::shown;
use crate::fs::entry::Kind;
use crate::fs::error::FsError;
use crate::fs::system::{Digest, Stat, Usage};

const CHUNK: usize = 256 * 1024;

/// What `path` is, a symlink followed; `None` when nothing is there.
pub fn stat(path: &Path) -> Result<Option<Stat>, FsError> {
    match fs::metadata(path) {
        Ok(meta) => Ok(Some(Stat {
            kind: Kind::from_mode(meta.mode()),
            size: meta.len(),
            mode: meta.mode() & 0o7777,
            mtime: Some(meta.mtime()),
        })),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            // A dangling symlink is something (it can be replaced or not).
            match fs::symlink_metadata(path) {
                Ok(meta) => Ok(Some(Stat {
                    kind: Kind::Symlink,
                    size: meta.len(),
                    mode: meta.mode() & 0o7777,
                    mtime: Some(meta.mtime()),
                })),
                Err(_) => Ok(None),
            }
        }
        Err(e) => Err(FsError::io(&format!("look at {}", shown(path)), path, &e)),
    }
}

/// Files, directories and bytes under `paths`, symlinks not followed.
pub fn usage(paths: &[PathBuf]) -> Result<Usage, FsError> {
    let mut usage = Usage { files: Some(0), dirs: Some(0), bytes: 0, complete: true };
    let mut stack: Vec<PathBuf> = paths.to_vec();
    while let Some(path) = stack.pop() {
        let action = || format!("measure {}", shown(&path));
        let meta = fs::symlink_metadata(&path).map_err(|e| FsError::io(&action(), &path, &e))?;
        if meta.is_dir() {
            usage.dirs = usage.dirs.map(|n| n + 1);
            let items = fs::read_dir(&path).map_err(|e| FsError::io(&action(), &path, &e))?;
            for item in items {
                stack.push(item.map_err(|e| FsError::io(&action(), &path, &e))?.path());
            }
        } else {
            usage.files = usage.files.map(|n| n + 1);
            usage.bytes += meta.len();
        }
    }
    Ok(usage)
}

/// Space available to this user on the file system holding `path`.
pub fn free_space(path: &Path) -> Result<u64, FsError> {
    let stat = nix::sys::statvfs::statvfs(path)
        .map_err(|e| FsError::io(&format!("read the free space of {}", shown(path)), path, &e.into()))?;
    Ok((stat.blocks_available() as u64).saturating_mul(stat.fragment_size() as u64))
}

/// The canonical form of `path`; `~` and `~/x` are the user's home.
pub fn resolve(path: &Path) -> Result<PathBuf, FsError> {
    let bytes = path.as_os_str().as_encoded_bytes();
    let expanded = match bytes.strip_prefix(b"~") {
        Some(rest) if rest.is_empty() || rest.starts_with(b"/") => {
            let home = directories::BaseDirs::new().map(|d| d.home_dir().to_path_buf()).unwrap_or_default();
            home.join(path.strip_prefix("~").unwrap_or(Path::new("")))
        }
        _ => path.to_path_buf(),
    };
    fs::canonicalize(&expanded).map_err(|e| FsError::io(&format!("resolve {}", shown(path)), path, &e))
}

/// The first `limit` bytes of a file and its size.
pub fn read_prefix(path: &Path, limit: u64) -> Result<(Vec<u8>, u64), FsError> {
    let action = || format!("read {}", shown(path));
    let file = fs::File::open(path).map_err(|e| FsError::io(&action(), path, &e))?;
    let total = file.metadata().map_err(|e| FsError::io(&action(), path, &e))?.len();
    let mut bytes = Vec::new();
    file.take(limit).read_to_end(&mut bytes).map_err(|e| FsError::io(&action(), path, &e))?;
    Ok((bytes, total))
}

/// sha256 of a file, stopping when `cancelled` says so.
pub fn sha256(path: &Path, cancelled: &dyn Fn() -> bool) -> Result<Digest, FsError> {
    let action = || format!("checksum {}", shown(path));
    let mut file = fs::File::open(path).map_err(|e| FsError::io(&action(), path, &e))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; CHUNK];
    loop {
        if cancelled() {
            return Err(FsError::Cancelled);
        }
        let n = file.read(&mut buffer).map_err(|e| FsError::io(&action(), path, &e))?;
        if n == 0 {
            return Ok(hasher.finalize().into());
        }
        hasher.update(&buffer[..n]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_usage_and_checksums() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("a/b")).unwrap();
        fs::write(root.join("a/b/f"), b"12345").unwrap();
        fs::write(root.join("g"), b"xy").unwrap();
        std::os::unix::fs::symlink("/", root.join("a/link")).unwrap();
        std::os::unix::fs::symlink("nowhere", root.join("dangling")).unwrap();
        let usage = usage(&[root.join("a"), root.join("g")]).unwrap();
        assert_eq!((usage.files, usage.dirs, usage.bytes), (Some(3), Some(2), 8));
        assert_eq!(stat(&root.join("a/link")).unwrap().map(|s| s.kind), Some(Kind::Dir), "followed");
        assert_eq!(stat(&root.join("dangling")).unwrap().map(|s| s.kind), Some(Kind::Symlink));
        assert_eq!(stat(&root.join("nope")).unwrap(), None);
        assert_eq!(
            sha256(&root.join("a/b/f"), &|| false).unwrap(),
            <[u8; 32]>::from(Sha256::digest(b"12345"))
        );
        assert!(matches!(sha256(&root.join("g"), &|| true), Err(FsError::Cancelled)));
        assert_eq!(read_prefix(&root.join("a/b/f"), 2).unwrap(), (b"12".to_vec(), 5));
        assert!(free_space(root).unwrap() > 0);
        assert_eq!(resolve(&root.join("a/b/../b")).unwrap(), fs::canonicalize(root.join("a/b")).unwrap());
    }
}
