//! Putting a complete temporary file under its destination's name on this
//! machine, in one step that nothing can come between: replace (rename over
//! it), no-replace (fails when the name is taken, instead of checking first
//! and renaming after), keep both (the first free name, each tried the
//! no-replace way). Concurrent copies into one directory therefore never
//! lose a file to one another.

use std::ffi::{OsStr, OsString};
use std::fs;
use std::io::{self, ErrorKind};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

/// How a temporary file takes its destination's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rename {
    /// Whatever is there is replaced.
    Replace,
    /// Only while the name is free.
    NoReplace,
    /// The first free name among `dest` and `name (N).ext`, N from `from`
    /// on (0 is `dest` itself).
    KeepBoth { from: u32 },
}

/// Where the file went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placed {
    At(PathBuf),
    /// The name was taken (no-replace): the temporary file was removed.
    Taken,
}

/// How many "keep both" names are tried before giving up.
const KEEP_BOTH_TRIES: u32 = 10_000;

/// `name (n).ext` ("keep both"); `n == 0` is `name` itself. The extension
/// starts at the first dot after the first character, so `a.tar.gz` becomes
/// `a (1).tar.gz` and `.profile` becomes `.profile (1)`.
pub fn keep_both_candidate(name: &OsStr, n: u32) -> OsString {
    if n == 0 {
        return name.to_os_string();
    }
    let (stem, ext) = split_extension(name);
    let mut candidate = stem.as_bytes().to_vec();
    candidate.extend_from_slice(format!(" ({n})").as_bytes());
    candidate.extend_from_slice(ext.as_bytes());
    OsString::from_vec(candidate)
}

/// A name's stem and extension as "keep both" names see them: the extension
/// starts at the first dot after the first character.
pub fn split_extension(name: &OsStr) -> (&OsStr, &OsStr) {
    let bytes = name.as_bytes();
    let split = bytes.iter().skip(1).position(|&b| b == b'.').map(|p| p + 1).unwrap_or(bytes.len());
    let (stem, ext) = bytes.split_at(split);
    (OsStr::from_bytes(stem), OsStr::from_bytes(ext))
}

/// Moves `temp` (in the destination's directory) to `dest` as `how` says.
/// On error the temporary file is left for the caller to remove.
pub fn place(temp: &Path, dest: &Path, how: Rename) -> io::Result<Placed> {
    match how {
        Rename::Replace => fs::rename(temp, dest).map(|()| Placed::At(dest.to_path_buf())),
        Rename::NoReplace => no_replace(temp, dest),
        Rename::KeepBoth { from } => {
            let (Some(dir), Some(name)) = (dest.parent(), dest.file_name()) else {
                return Err(io::Error::new(ErrorKind::InvalidInput, "the destination has no file name"));
            };
            for n in from..from.saturating_add(KEEP_BOTH_TRIES) {
                let candidate = dir.join(keep_both_candidate(name, n));
                if let Placed::At(path) = no_replace_keeping(temp, &candidate)? {
                    return Ok(Placed::At(path));
                }
            }
            Err(io::Error::new(ErrorKind::AlreadyExists, "no free name to keep both copies"))
        }
    }
}

fn no_replace(temp: &Path, dest: &Path) -> io::Result<Placed> {
    let placed = no_replace_keeping(temp, dest)?;
    if placed == Placed::Taken {
        let _ = fs::remove_file(temp);
    }
    Ok(placed)
}

/// Renames unless `dest` exists; when it does, `temp` stays where it is.
fn no_replace_keeping(temp: &Path, dest: &Path) -> io::Result<Placed> {
    match rename_noreplace(temp, dest) {
        Ok(()) => return Ok(Placed::At(dest.to_path_buf())),
        Err(e) if e.kind() == ErrorKind::AlreadyExists => return Ok(Placed::Taken),
        Err(e) if !unsupported(&e) => return Err(e),
        Err(_) => {}
    }
    // A hard link cannot replace an existing name either.
    match fs::hard_link(temp, dest) {
        Ok(()) => {
            fs::remove_file(temp)?;
            return Ok(Placed::At(dest.to_path_buf()));
        }
        Err(e) if e.kind() == ErrorKind::AlreadyExists => return Ok(Placed::Taken),
        // EPERM: the file system has no hard links (vfat, some FUSE ones).
        Err(e) if !unsupported(&e) && e.raw_os_error() != Some(nix::errno::Errno::EPERM as i32) => {
            return Err(e);
        }
        Err(_) => {}
    }
    // Neither (a file system without hard links): claim the name by
    // creating it exclusively, then rename over our own placeholder.
    match fs::OpenOptions::new().write(true).create_new(true).open(dest) {
        Ok(_) => fs::rename(temp, dest).map(|()| Placed::At(dest.to_path_buf())),
        Err(e) if e.kind() == ErrorKind::AlreadyExists => Ok(Placed::Taken),
        Err(e) => Err(e),
    }
}

/// The file system or kernel cannot do this kind of rename or link.
fn unsupported(e: &io::Error) -> bool {
    use nix::errno::Errno;
    matches!(
        e.raw_os_error().map(Errno::from_raw),
        Some(Errno::EINVAL | Errno::ENOSYS | Errno::EOPNOTSUPP | Errno::EXDEV)
    )
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn rename_noreplace(from: &Path, to: &Path) -> io::Result<()> {
    use nix::fcntl::{AT_FDCWD, RenameFlags, renameat2};
    renameat2(AT_FDCWD, from, AT_FDCWD, to, RenameFlags::RENAME_NOREPLACE).map_err(io::Error::from)
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn rename_noreplace(_: &Path, _: &Path) -> io::Result<()> {
    Err(io::Error::from_raw_os_error(nix::errno::Errno::ENOSYS as i32))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_with(dir: &Path, text: &str) -> PathBuf {
        let path = dir.join(format!(".t{}", rand::random::<u32>()));
        fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn candidates() {
        assert_eq!(keep_both_candidate(OsStr::new("a.txt"), 0), "a.txt");
        assert_eq!(keep_both_candidate(OsStr::new("a.txt"), 2), "a (2).txt");
        assert_eq!(keep_both_candidate(OsStr::new("x.tar.gz"), 1), "x (1).tar.gz");
        assert_eq!(keep_both_candidate(OsStr::new(".profile"), 1), ".profile (1)");
        assert_eq!(keep_both_candidate(OsStr::new("noext"), 3), "noext (3)");
    }

    #[test]
    fn replace_no_replace_and_keep_both() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("f.txt");
        let first = temp_with(dir.path(), "one");
        assert_eq!(place(&first, &dest, Rename::NoReplace).unwrap(), Placed::At(dest.clone()));
        let second = temp_with(dir.path(), "two");
        assert_eq!(place(&second, &dest, Rename::NoReplace).unwrap(), Placed::Taken);
        assert!(!second.exists(), "a copy that lost the race is removed");
        assert_eq!(fs::read_to_string(&dest).unwrap(), "one");
        let third = temp_with(dir.path(), "three");
        let kept = place(&third, &dest, Rename::KeepBoth { from: 0 }).unwrap();
        assert_eq!(kept, Placed::At(dir.path().join("f (1).txt")));
        let fourth = temp_with(dir.path(), "four");
        assert_eq!(place(&fourth, &dest, Rename::Replace).unwrap(), Placed::At(dest.clone()));
        assert_eq!(fs::read_to_string(&dest).unwrap(), "four");
        assert_eq!(fs::read_to_string(dir.path().join("f (1).txt")).unwrap(), "three");
    }

    #[test]
    fn concurrent_keep_both_keeps_every_copy() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("same");
        let temps: Vec<PathBuf> = (0..16).map(|n| temp_with(dir.path(), &n.to_string())).collect();
        std::thread::scope(|scope| {
            for temp in &temps {
                let dest = &dest;
                scope.spawn(move || place(temp, dest, Rename::KeepBoth { from: 0 }).unwrap());
            }
        });
        let mut contents: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| fs::read_to_string(e.unwrap().path()).unwrap())
            .collect();
        contents.sort_by_key(|c| c.parse::<u32>().unwrap());
        assert_eq!(contents, (0..16).map(|n| n.to_string()).collect::<Vec<_>>());
    }
}
