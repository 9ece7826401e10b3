//! Walking remote sources and listing remote destinations, on the thread
//! that owns the session: paths are classified first (a listing of a file
//! path must never pass for an empty directory), then directories are
//! listed with the best method the host has (`fs::remote`).

use std::collections::VecDeque;
use std::path::{Path, PathBuf};

use ssh2::Session;

use super::shell_ops::{self, OpError, PathKind};
use crate::fs::remote::{Capabilities, Remote};
use crate::fs::{Entry, Kind};
use crate::jobs::item::{DestInfo, ItemKind, Scan, ScanEntry, ScanError};
use crate::jobs::task::{DirProbe, TaskError};
use crate::shell::Banner;
use crate::text::escape_bytes;

fn shown(path: &Path) -> String {
    escape_bytes(path.as_os_str().as_encoded_bytes())
}

/// Why something could not be looked at: the connection is gone (the
/// whole task stops) or just this path failed.
enum Miss {
    Lost(String),
    Path(String),
}

impl From<crate::fs::remote::RemoteFsError> for Miss {
    fn from(e: crate::fs::remote::RemoteFsError) -> Self {
        if e.is_connection_lost() { Miss::Lost(e.to_string()) } else { Miss::Path(e.to_string()) }
    }
}

/// The entry for `path` itself, from its parent's listing.
fn entry_of(remote: &Remote, path: &Path) -> Result<Option<Entry>, Miss> {
    let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else { return Ok(None) };
    let listing = remote.list(parent)?;
    Ok(listing.value.entries.into_iter().find(|e| e.name == name))
}

/// Classifies `paths`; a lost connection stops the task.
fn kinds(
    session: &Session,
    paths: &[&Path],
    banners: &mut Vec<Banner>,
) -> Result<Vec<Result<PathKind, String>>, TaskError> {
    match shell_ops::classify(session, paths) {
        Ok(results) => {
            banners.push(results.banner);
            Ok(results.items)
        }
        Err(OpError::Lost(reason)) => Err(TaskError::Dropped(reason)),
        Err(OpError::Failed(reason)) => Ok(paths.iter().map(|_| Err(reason.clone())).collect()),
    }
}

fn mtime(entry: &Entry) -> Option<i64> {
    Some(entry.mtime.secs)
}

/// Walks each root; banners seen go to `banners`.
pub fn scan(
    session: &Session,
    caps: &Capabilities,
    roots: &[PathBuf],
    banners: &mut Vec<Banner>,
) -> Result<Vec<Result<Scan, String>>, TaskError> {
    let remote = Remote::new(session, caps);
    let paths: Vec<&Path> = roots.iter().map(PathBuf::as_path).collect();
    let kinds = kinds(session, &paths, banners)?;
    let mut scans = Vec::new();
    for (root, kind) in roots.iter().zip(kinds) {
        let scan = match kind {
            Err(e) => Err(e),
            Ok(PathKind::Missing) => Err(format!("{}: No such file or directory", shown(root))),
            Ok(PathKind::Other) => Err(format!("{}: not a regular file", shown(root))),
            Ok(PathKind::File) => match entry_of(&remote, root) {
                Err(Miss::Lost(reason)) => return Err(TaskError::Dropped(reason)),
                Err(Miss::Path(reason)) => Err(reason),
                Ok(entry) => {
                    let (size, mode, mtime) = entry.map_or((0, 0o644, None), |e| (e.size, e.mode, mtime(&e)));
                    let root = ScanEntry { rel: PathBuf::new(), kind: ItemKind::File, size, mode, mtime };
                    Ok(Scan { entries: vec![root], errors: Vec::new() })
                }
            },
            Ok(PathKind::Dir) => Ok(walk(&remote, root)?),
        };
        scans.push(scan);
    }
    Ok(scans)
}

/// Lists a directory tree breadth first. Unreadable directories become
/// errors; symlinks to files are copied as files (like scp), symlinks to
/// directories are not followed (they could loop).
fn walk(remote: &Remote, root: &Path) -> Result<Scan, TaskError> {
    let mut scan = Scan::default();
    scan.entries.push(ScanEntry {
        rel: PathBuf::new(),
        kind: ItemKind::Dir,
        size: 0,
        mode: 0o755,
        mtime: None,
    });
    let mut queue = VecDeque::from([PathBuf::new()]);
    while let Some(rel) = queue.pop_front() {
        let listing = match remote.list(&root.join(&rel)) {
            Ok(listing) => listing.value,
            Err(e) if e.is_connection_lost() => return Err(TaskError::Dropped(e.to_string())),
            Err(e) => {
                scan.errors.push(ScanError { rel, reason: e.to_string() });
                continue;
            }
        };
        // A listing names entries of the directory only: never itself, its
        // parent or a path (a hostile or broken host could say otherwise).
        for entry in listing.entries.into_iter().filter(|e| is_plain_name(&e.name)) {
            let child = rel.join(&entry.name);
            let target = entry.link.as_ref().map(|l| l.kind);
            match (entry.kind, target) {
                (Kind::Dir, _) => {
                    let mode = entry.mode & 0o7777;
                    scan.entries.push(ScanEntry {
                        rel: child.clone(),
                        kind: ItemKind::Dir,
                        size: 0,
                        mode,
                        mtime: mtime(&entry),
                    });
                    queue.push_back(child);
                }
                (Kind::File, _) | (Kind::Symlink, Some(Some(Kind::File))) => scan.entries.push(ScanEntry {
                    rel: child,
                    kind: ItemKind::File,
                    size: if entry.kind == Kind::File { entry.size } else { 0 },
                    mode: entry.mode & 0o7777,
                    mtime: mtime(&entry),
                }),
                (Kind::Symlink, Some(Some(Kind::Dir))) => scan.errors.push(ScanError {
                    rel: child,
                    reason: "a symbolic link to a directory is not followed".into(),
                }),
                (Kind::Symlink, _) => {
                    scan.errors.push(ScanError { rel: child, reason: "a dangling symbolic link".into() })
                }
                _ => scan.errors.push(ScanError { rel: child, reason: "not a regular file".into() }),
            }
        }
    }
    Ok(scan)
}

fn is_plain_name(name: &std::ffi::OsStr) -> bool {
    let bytes = name.as_encoded_bytes();
    !bytes.is_empty() && bytes != b"." && bytes != b".." && !bytes.contains(&b'/')
}

/// What each destination directory is, with its entries.
pub fn probe(
    session: &Session,
    caps: &Capabilities,
    dirs: &[PathBuf],
    banners: &mut Vec<Banner>,
) -> Result<Vec<DirProbe>, TaskError> {
    let remote = Remote::new(session, caps);
    let paths: Vec<&Path> = dirs.iter().map(PathBuf::as_path).collect();
    let kinds = kinds(session, &paths, banners)?;
    let mut probes = Vec::new();
    for (dir, kind) in dirs.iter().zip(kinds) {
        let probe = match kind {
            Err(e) => DirProbe::Error(e),
            Ok(PathKind::Missing) => DirProbe::Missing,
            Ok(PathKind::File | PathKind::Other) => match entry_of(&remote, dir) {
                Ok(Some(e)) => {
                    let kind = e.link.as_ref().and_then(|l| l.kind).unwrap_or(e.kind);
                    DirProbe::NotADir(DestInfo { kind, size: e.size, mtime: mtime(&e) })
                }
                Ok(None) => DirProbe::NotADir(DestInfo { kind: Kind::File, size: 0, mtime: None }),
                Err(Miss::Lost(reason)) => return Err(TaskError::Dropped(reason)),
                Err(Miss::Path(e)) => DirProbe::Error(e),
            },
            Ok(PathKind::Dir) => match remote.list(dir) {
                Ok(listing) => DirProbe::Listing(
                    listing
                        .value
                        .entries
                        .into_iter()
                        .filter(|e| is_plain_name(&e.name))
                        .map(|e| {
                            let kind = e.link.as_ref().and_then(|l| l.kind).unwrap_or(e.kind);
                            let info = DestInfo { kind, size: e.size, mtime: mtime(&e) };
                            (e.name, info)
                        })
                        .collect(),
                ),
                Err(e) if e.is_connection_lost() => return Err(TaskError::Dropped(e.to_string())),
                Err(e) => DirProbe::Error(e.to_string()),
            },
        };
        probes.push(probe);
    }
    Ok(probes)
}
