//! Listings and stats over SFTP, in the same [`Entry`] shape as every other
//! listing: a link's target and the kind it points to are looked up.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use ssh2::{FileStat, Sftp};

use super::error::{each, sftp_error};
use crate::fs::entry::{Entry, Kind, LinkTarget, Mtime};
use crate::fs::error::FsError;
use crate::fs::system::{Each, Listing, Stat};

/// How many links are followed before a chain counts as a loop (Linux's
/// limit for ELOOP).
const MAX_HOPS: usize = 40;

pub(super) fn list(sftp: &Sftp, dir: &Path) -> Result<Listing, FsError> {
    let read = sftp.readdir(dir).map_err(|e| sftp_error("list", Some(dir), &e))?;
    let mut listing = Listing::default();
    for (path, stat) in read {
        let Some(name) = path.file_name() else { continue };
        listing.entries.push(entry(sftp, &path, name.to_os_string(), &stat));
    }
    Ok(listing)
}

/// One entry from what the server said about it (not followed).
pub(super) fn entry(sftp: &Sftp, path: &Path, name: OsString, stat: &FileStat) -> Entry {
    let mode = stat.perm.unwrap_or(0);
    let kind = Kind::from_mode(mode);
    let link = (kind == Kind::Symlink).then(|| link_target(sftp, path));
    Entry {
        name,
        kind,
        size: stat.size.unwrap_or(0),
        mode: mode & 0o7777,
        mtime: Mtime { secs: stat.mtime.unwrap_or(0) as i64, nanos: 0 },
        owner: stat.uid.map(|u| u.to_string()).unwrap_or_default(),
        group: stat.gid.map(|g| g.to_string()).unwrap_or_default(),
        link,
    }
}

fn link_target(sftp: &Sftp, path: &Path) -> LinkTarget {
    let target = sftp.readlink(path).map(PathBuf::into_os_string).unwrap_or_default();
    match sftp.stat(path) {
        Ok(stat) => {
            LinkTarget { path: target, kind: Some(Kind::from_mode(stat.perm.unwrap_or(0))), loops: false }
        }
        // OpenSSH's server says "no such file" for a loop as for a
        // dangling link: the chain is followed here to tell them apart.
        Err(_) => LinkTarget { path: target, kind: None, loops: loops(sftp, path) },
    }
}

/// Whether following the link at `path` comes back to a link it passed.
fn loops(sftp: &Sftp, path: &Path) -> bool {
    let mut seen: Vec<PathBuf> = Vec::new();
    let mut at = path.to_path_buf();
    for _ in 0..MAX_HOPS {
        let is_link = sftp.lstat(&at).is_ok_and(|s| Kind::from_mode(s.perm.unwrap_or(0)) == Kind::Symlink);
        if !is_link {
            return false;
        }
        if seen.contains(&at) {
            return true;
        }
        let Ok(target) = sftp.readlink(&at) else { return false };
        seen.push(at.clone());
        at = match at.parent() {
            Some(parent) if target.is_relative() => parent.join(target),
            _ => target,
        };
    }
    true
}

/// What each path is itself (`None`: nothing there), a link not followed
/// (its target and the target's kind looked up, as in a listing).
pub(super) fn lstat(sftp: &Sftp, paths: &[&Path]) -> Each<Option<Entry>> {
    each(paths.iter().map(|&path| match sftp.lstat(path) {
        Ok(stat) => {
            let name = path.file_name().map_or_else(|| path.as_os_str().to_owned(), |n| n.to_owned());
            Ok(Some(entry(sftp, path, name, &stat)))
        }
        Err(e) => match sftp_error("check", Some(path), &e) {
            FsError::NotFound(_) | FsError::NotADirectory(_) => Ok(None),
            other => Err(other),
        },
    }))
}

/// What each path is, links followed (`None`: nothing there).
pub(super) fn stat(sftp: &Sftp, paths: &[&Path]) -> Each<Option<Stat>> {
    each(paths.iter().map(|&path| match sftp.stat(path) {
        Ok(stat) => Ok(Some(stat_of(&stat))),
        Err(e) => match sftp_error("check", Some(path), &e) {
            FsError::NotFound(_) | FsError::NotADirectory(_) => Ok(None),
            other => Err(other),
        },
    }))
}

pub(super) fn stat_of(stat: &FileStat) -> Stat {
    let mode = stat.perm.unwrap_or(0);
    Stat {
        kind: Kind::from_mode(mode),
        size: stat.size.unwrap_or(0),
        mode: mode & 0o7777,
        mtime: stat.mtime.map(|t| t as i64),
    }
}
