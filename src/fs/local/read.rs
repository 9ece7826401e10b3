//! Reading this machine's file system: stat, usage, free space, resolving,
//! a file's first bytes, sha256.

use std::fs;
use std::io::{self, Read, Seek, SeekFrom};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use sha2::{Digest as _, Sha256};

use super::shown;
use crate::fs::entry::Kind;
use crate::fs::error::FsError;
use crate::fs::system::{ByteRange, Digest, Stat, Usage};

const CHUNK: usize = 256 * 1024;

/// What `path` is, a symlink followed; `None` when nothing is there.
pub(super) fn stat(path: &Path) -> Result<Option<Stat>, FsError> {
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
pub(super) fn usage(paths: &[PathBuf]) -> Result<Usage, FsError> {
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
pub(super) fn free_space(path: &Path) -> Result<u64, FsError> {
    let stat = nix::sys::statvfs::statvfs(path)
        .map_err(|e| FsError::io(&format!("read the free space of {}", shown(path)), path, &e.into()))?;
    Ok((stat.blocks_available() as u64).saturating_mul(stat.fragment_size() as u64))
}

/// The canonical form of `path`; `~` and `~/x` are the user's home.
pub(super) fn resolve(path: &Path) -> Result<PathBuf, FsError> {
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

/// What `pattern` names: `~` and `~USER` expanded, then glob patterns
/// matched as glob(3) and the shell do.
pub(super) fn expand(pattern: &Path) -> Result<Vec<PathBuf>, FsError> {
    let action = format!("expand {}", shown(pattern));
    let bytes = pattern.as_os_str().as_encoded_bytes();
    let home_of = |user: &[u8]| -> Option<PathBuf> {
        if user.is_empty() {
            return directories::BaseDirs::new().map(|d| d.home_dir().to_path_buf());
        }
        let name = std::str::from_utf8(user).ok()?;
        nix::unistd::User::from_name(name).ok().flatten().map(|u| u.dir)
    };
    let path = match crate::shell::split_tilde(bytes) {
        Some((home, rest)) => {
            let Some(dir) = home_of(&home[1..]) else {
                return Err(FsError::NotFound(crate::fs::error::Failure::local(
                    &action,
                    pattern,
                    &io::Error::new(io::ErrorKind::NotFound, "no such user"),
                )));
            };
            let rest = std::ffi::OsStr::from_bytes(rest.strip_prefix(b"/").unwrap_or(rest));
            dir.join(rest)
        }
        None => pattern.to_path_buf(),
    };
    if !crate::shell::is_pattern(path.as_os_str().as_encoded_bytes()) {
        return Ok(vec![path]);
    }
    let found = crate::ssh::glob_paths(&path)
        .map_err(|detail| FsError::Refused { action: action.clone(), reason: detail })?;
    if found.is_empty() {
        let error = io::Error::new(io::ErrorKind::NotFound, "nothing matches the pattern");
        return Err(FsError::NotFound(crate::fs::error::Failure::local(&action, pattern, &error)));
    }
    Ok(found)
}

/// The first `limit` bytes of a file and its size.
pub(super) fn read_prefix(path: &Path, limit: u64) -> Result<(Vec<u8>, u64), FsError> {
    let action = || format!("read {}", shown(path));
    let file = open_for_reading(path).map_err(|e| FsError::io(&action(), path, &e))?;
    let total = file.metadata().map_err(|e| FsError::io(&action(), path, &e))?.len();
    let mut bytes = Vec::new();
    file.take(limit).read_to_end(&mut bytes).map_err(|e| FsError::io(&action(), path, &e))?;
    Ok((bytes, total))
}

/// Opens `path` for the viewer without waiting: a fifo, socket or
/// character device (which could block a read until a writer comes) is
/// refused, whatever the listing said when the viewer asked.
fn open_for_reading(path: &Path) -> std::io::Result<fs::File> {
    use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
    let file =
        fs::OpenOptions::new().read(true).custom_flags(nix::fcntl::OFlag::O_NONBLOCK.bits()).open(path)?;
    let kind = file.metadata()?.file_type();
    if kind.is_fifo() || kind.is_socket() || kind.is_char_device() {
        let why = "a fifo, socket or character device is not read (it could wait for a writer)";
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, why));
    }
    Ok(file)
}

/// At most `limit` bytes of `path` from `offset`, and its size.
pub(super) fn read_from(path: &Path, offset: u64, limit: u64) -> Result<(Vec<u8>, u64), FsError> {
    let action = || format!("read {} from byte {offset}", shown(path));
    let mut file = open_for_reading(path).map_err(|e| FsError::io(&action(), path, &e))?;
    let total = file.metadata().map_err(|e| FsError::io(&action(), path, &e))?.len();
    let mut bytes = Vec::new();
    if offset < total {
        file.seek(SeekFrom::Start(offset)).map_err(|e| FsError::io(&action(), path, &e))?;
        file.take(limit).read_to_end(&mut bytes).map_err(|e| FsError::io(&action(), path, &e))?;
    }
    // It may have grown since its size was read.
    let size = if bytes.is_empty() { total } else { total.max(offset + bytes.len() as u64) };
    Ok((bytes, size))
}

/// sha256 of a file, stopping when `cancelled` says so.
pub fn sha256(path: &Path, cancelled: &dyn Fn() -> bool) -> Result<Digest, FsError> {
    sha256_range(&ByteRange { path, start: 0, len: None }, cancelled)
}

/// sha256 of a part of a file (what there is of it), stopping when
/// `cancelled` says so.
pub fn sha256_range(range: &ByteRange, cancelled: &dyn Fn() -> bool) -> Result<Digest, FsError> {
    let path = range.path;
    let action = || format!("checksum {}", shown(path));
    let mut file = crate::scp::open_regular(path).map_err(|e| FsError::io(&action(), path, &e))?;
    file.seek(SeekFrom::Start(range.start)).map_err(|e| FsError::io(&action(), path, &e))?;
    let mut input = file.take(range.len.unwrap_or(u64::MAX));
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; CHUNK];
    loop {
        if cancelled() {
            return Err(FsError::Cancelled);
        }
        let n = input.read(&mut buffer).map_err(|e| FsError::io(&action(), path, &e))?;
        if n == 0 {
            return Ok(hasher.finalize().into());
        }
        hasher.update(&buffer[..n]);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_from_an_offset_and_reports_the_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log");
        std::fs::write(&path, b"0123456789").unwrap();
        assert_eq!(super::read_from(&path, 4, 3).unwrap(), (b"456".to_vec(), 10));
        assert_eq!(super::read_from(&path, 10, 3).unwrap(), (Vec::new(), 10));
        // Past the end (the file shrank): nothing, and the smaller size.
        assert_eq!(super::read_from(&path, 20, 3).unwrap(), (Vec::new(), 10));
    }

    use super::*;

    /// A fifo with no writer would block a plain open and read forever.
    #[test]
    fn the_viewer_refuses_a_fifo_and_a_character_device_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
        for path in [fifo, PathBuf::from("/dev/tty")] {
            // On a thread, so that a read that blocks fails the test.
            let (tx, rx) = std::sync::mpsc::channel();
            let reading = path.clone();
            std::thread::spawn(move || {
                let _ = tx.send((read_prefix(&reading, 10).is_err(), read_from(&reading, 0, 10).is_err()));
            });
            let refused = rx.recv_timeout(std::time::Duration::from_secs(5));
            assert_eq!(refused, Ok((true, true)), "{}", path.display());
        }
    }

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
        let part = ByteRange { path: &root.join("a/b/f"), start: 1, len: Some(3) };
        assert_eq!(sha256_range(&part, &|| false).unwrap(), <[u8; 32]>::from(Sha256::digest(b"234")));
        let past = ByteRange { path: &root.join("a/b/f"), start: 3, len: Some(10) };
        assert_eq!(sha256_range(&past, &|| false).unwrap(), <[u8; 32]>::from(Sha256::digest(b"45")));
        assert_eq!(read_prefix(&root.join("a/b/f"), 2).unwrap(), (b"12".to_vec(), 5));
        assert!(free_space(root).unwrap() > 0);
        assert_eq!(resolve(&root.join("a/b/../b")).unwrap(), fs::canonicalize(root.join("a/b")).unwrap());
    }

    #[test]
    fn patterns_and_homes_expand() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for name in ["x.gz", "y.gz", ".hidden.gz", "z.txt"] {
            fs::write(root.join(name), b"").unwrap();
        }
        assert_eq!(expand(&root.join("*.gz")).unwrap(), [root.join("x.gz"), root.join("y.gz")]);
        assert_eq!(expand(&root.join("z.txt")).unwrap(), [root.join("z.txt")], "a plain path is itself");
        assert!(matches!(expand(&root.join("*.zip")), Err(FsError::NotFound(_))));
        let home = directories::BaseDirs::new().unwrap().home_dir().to_path_buf();
        assert_eq!(expand(Path::new("~/x")).unwrap(), [home.join("x")]);
        assert_eq!(expand(Path::new("~root")).unwrap(), [PathBuf::from("/root")]);
        assert!(matches!(expand(Path::new("~no-such-user-here/x")), Err(FsError::NotFound(_))));
    }
}
