//! Changes over SFTP: directories, renames, links, empty files, times, and
//! putting complete temporary files in place.
//!
//! SFTP version 3 (OpenSSH's) has no rename that replaces: its rename
//! fails when the name is taken, which is exactly "no replace". A
//! replacing placement therefore removes the old file and renames the new
//! one in its place: the destination is briefly absent, never half-written.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use ssh2::{FileStat, OpenFlags, OpenType, Sftp};

use super::error::sftp_error;
use crate::fs::error::{Failure, FsError};
use crate::fs::place::{Placed, Rename, keep_both_candidate};
use crate::fs::system::Placement;

/// How many "keep both" names are tried before giving up.
const KEEP_BOTH_TRIES: u32 = 10_000;

fn exists(sftp: &Sftp, path: &Path) -> bool {
    sftp.lstat(path).is_ok()
}

fn taken(action: &str, path: &Path) -> FsError {
    FsError::AlreadyExists(Failure {
        action: format!("{action} {}", super::shown(path)),
        command: String::new(),
        status: None,
        said: String::new(),
    })
}

/// Creates `path` and its missing parents; fails when it exists.
pub(super) fn make_dir(sftp: &Sftp, path: &Path) -> Result<(), FsError> {
    if exists(sftp, path) {
        return Err(taken("create the directory", path));
    }
    let mut missing: Vec<PathBuf> = Vec::new();
    let mut at = Some(path);
    while let Some(dir) = at.filter(|d| !d.as_os_str().is_empty() && !exists(sftp, d)) {
        missing.push(dir.to_path_buf());
        at = dir.parent();
    }
    missing.iter().rev().try_for_each(|dir| {
        sftp.mkdir(dir, 0o755).map_err(|e| sftp_error("create the directory", Some(dir), &e))
    })
}

/// Creates one directory with `mode`; one that is there already is fine.
pub(super) fn make_one_dir(sftp: &Sftp, dir: &Path, mode: Option<u32>) -> Result<(), FsError> {
    let mode = mode.unwrap_or(0o755);
    match sftp.mkdir(dir, mode as i32) {
        Ok(()) => {
            // The server applies its umask: a private directory must be
            // exactly this.
            let perm =
                FileStat { size: None, uid: None, gid: None, perm: Some(mode), atime: None, mtime: None };
            sftp.setstat(dir, perm).map_err(|e| sftp_error("set the mode of", Some(dir), &e))
        }
        Err(e) => match sftp.stat(dir) {
            Ok(stat) if stat.is_dir() => Ok(()),
            _ => Err(sftp_error("create the directory", Some(dir), &e)),
        },
    }
}

/// Renames `from` to `to`, which must not exist.
pub(super) fn rename(sftp: &Sftp, from: &Path, to: &Path) -> Result<(), FsError> {
    if exists(sftp, to) {
        return Err(taken("rename to", to));
    }
    sftp.rename(from, to, None).map_err(|e| sftp_error("rename", Some(from), &e))
}

/// Owner and group as numbers: SFTP sets ids, and a host that runs no
/// commands cannot look names up.
pub(super) fn numeric_ids(
    owner: Option<&str>,
    group: Option<&str>,
) -> Result<(Option<u32>, Option<u32>), FsError> {
    let number = |what: &str, text: Option<&str>| -> Result<Option<u32>, FsError> {
        text.map(|t| {
            t.parse().map_err(|_| FsError::Refused {
                action: format!("change the {what} to {}", crate::text::escape_str(t)),
                reason: "over SFTP an owner or group is given as a number".into(),
            })
        })
        .transpose()
    };
    Ok((number("owner", owner)?, number("group", group)?))
}

/// Creates the symlink `link` pointing at `target`, kept as given.
pub(super) fn symlink(sftp: &Sftp, target: &OsStr, link: &Path) -> Result<(), FsError> {
    if exists(sftp, link) {
        return Err(taken("create the link", link));
    }
    // OpenSSH's sftp-server reads SSH_FXP_SYMLINK's two paths the other way
    // round from the draft; libssh2 sends (original, link) so that, on
    // OpenSSH, `link` is made pointing at the original. What was made is
    // read back: a server that follows the draft would have made another
    // thing, which is then reported.
    sftp.symlink(Path::new(target), link).map_err(|e| sftp_error("create the link", Some(link), &e))?;
    match sftp.readlink(link) {
        Ok(made) if made.as_os_str() == target => Ok(()),
        _ => Err(FsError::Refused {
            action: format!("create the link {}", super::shown(link)),
            reason:
                "the SFTP server did not make the link as asked (it may read the paths in the other order)"
                    .into(),
        }),
    }
}

/// Creates an empty file; fails when anything is there.
pub(super) fn touch(sftp: &Sftp, path: &Path) -> Result<(), FsError> {
    let flags = OpenFlags::WRITE | OpenFlags::CREATE | OpenFlags::EXCLUSIVE;
    match sftp.open_mode(path, flags, 0o644, OpenType::File) {
        Ok(_) => Ok(()),
        Err(_) if exists(sftp, path) => Err(taken("create", path)),
        Err(e) => Err(sftp_error("create", Some(path), &e)),
    }
}

pub(super) fn set_times(sftp: &Sftp, path: &Path, secs: i64) -> Result<(), FsError> {
    let secs = u64::try_from(secs).unwrap_or(0);
    let times =
        FileStat { size: None, uid: None, gid: None, perm: None, atime: Some(secs), mtime: Some(secs) };
    sftp.setstat(path, times).map_err(|e| sftp_error("set the times of", Some(path), &e))
}

/// Puts a complete temporary file under its destination's name.
pub(super) fn place(sftp: &Sftp, placement: &Placement) -> Result<Placed, FsError> {
    let (temp, dest) = (placement.temp, placement.dest);
    match placement.how {
        Rename::Replace => {
            if sftp.rename(temp, dest, None).is_ok() {
                return Ok(Placed::At(dest.to_path_buf()));
            }
            match sftp.lstat(dest) {
                Ok(stat) if !stat.is_dir() => {
                    sftp.unlink(dest).map_err(|e| sftp_error("replace", Some(dest), &e))?;
                }
                _ => {}
            }
            sftp.rename(temp, dest, None).map_err(|e| sftp_error("put in place", Some(dest), &e))?;
            Ok(Placed::At(dest.to_path_buf()))
        }
        Rename::NoReplace => no_replace(sftp, temp, dest),
        Rename::KeepBoth { from } => {
            let (Some(dir), Some(name)) = (dest.parent(), dest.file_name()) else {
                return Err(FsError::Refused {
                    action: format!("put {} in place", super::shown(dest)),
                    reason: "the destination has no file name".into(),
                });
            };
            for n in from..from.saturating_add(KEEP_BOTH_TRIES) {
                let candidate = dir.join(keep_both_candidate(name, n));
                if let Placed::At(path) = no_replace_keeping(sftp, temp, &candidate)? {
                    return Ok(Placed::At(path));
                }
            }
            Err(taken("find a free name for", dest))
        }
    }
}

fn no_replace(sftp: &Sftp, temp: &Path, dest: &Path) -> Result<Placed, FsError> {
    let placed = no_replace_keeping(sftp, temp, dest)?;
    if placed == Placed::Taken {
        let _ = sftp.unlink(temp);
    }
    Ok(placed)
}

/// The server's rename fails when the name is taken: that is the check.
fn no_replace_keeping(sftp: &Sftp, temp: &Path, dest: &Path) -> Result<Placed, FsError> {
    match sftp.rename(temp, dest, None) {
        Ok(()) => Ok(Placed::At(dest.to_path_buf())),
        Err(_) if exists(sftp, dest) => Ok(Placed::Taken),
        Err(e) => Err(sftp_error("put in place", Some(dest), &e)),
    }
}
