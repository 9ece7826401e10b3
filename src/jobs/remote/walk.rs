//! Walking remote sources and listing remote destinations, on the thread
//! that owns the session: paths are classified first (a listing of a file
//! path must never pass for an empty directory), then directories are
//! listed with the best method the host has (`fs::remote`).

use std::collections::VecDeque;
use std::path::{Path, PathBuf};

use ssh2::Session;

use super::shell_ops::{self, PathKind};
use crate::fs::remote::{Capabilities, Remote};
use crate::fs::{Entry, Kind};
use crate::jobs::item::{DestInfo, ItemKind, Scan, ScanEntry, ScanError};
use crate::jobs::task::DirProbe;
use crate::shell::Banner;
use crate::text::escape_bytes;

fn shown(path: &Path) -> String {
    escape_bytes(path.as_os_str().as_encoded_bytes())
}

/// The entry for `path` itself, from its parent's listing.
fn entry_of(remote: &Remote, path: &Path) -> Result<Option<Entry>, String> {
    let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else { return Ok(None) };
    let listing = remote.list(parent).map_err(|e| e.to_string())?;
    Ok(listing.value.entries.into_iter().find(|e| e.name == name))
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
) -> Vec<Result<Scan, String>> {
    let remote = Remote::new(session, caps);
    let paths: Vec<&Path> = roots.iter().map(PathBuf::as_path).collect();
    let kinds = match shell_ops::classify(session, &paths) {
        Ok(results) => {
            banners.push(results.banner);
            results.items
        }
        Err(e) => return roots.iter().map(|_| Err(e.clone())).collect(),
    };
    roots
        .iter()
        .zip(kinds)
        .map(|(root, kind)| match kind? {
            PathKind::Missing => Err(format!("{}: No such file or directory", shown(root))),
            PathKind::Other => Err(format!("{}: not a regular file", shown(root))),
            PathKind::File => {
                let entry = entry_of(&remote, root)?;
                let (size, mode, mtime) = entry.map_or((0, 0o644, None), |e| (e.size, e.mode, mtime(&e)));
                Ok(Scan {
                    entries: vec![ScanEntry { rel: PathBuf::new(), kind: ItemKind::File, size, mode, mtime }],
                    errors: Vec::new(),
                })
            }
            PathKind::Dir => Ok(walk(&remote, root)),
        })
        .collect()
}

/// Lists a directory tree breadth first. Unreadable directories become
/// errors; symlinks to files are copied as files (like scp), symlinks to
/// directories are not followed (they could loop).
fn walk(remote: &Remote, root: &Path) -> Scan {
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
            Err(e) => {
                scan.errors.push(ScanError { rel, reason: e.to_string() });
                continue;
            }
        };
        for entry in listing.entries {
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
    scan
}

/// What each destination directory is, with its entries.
pub fn probe(
    session: &Session,
    caps: &Capabilities,
    dirs: &[PathBuf],
    banners: &mut Vec<Banner>,
) -> Vec<DirProbe> {
    let remote = Remote::new(session, caps);
    let paths: Vec<&Path> = dirs.iter().map(PathBuf::as_path).collect();
    let kinds = match shell_ops::classify(session, &paths) {
        Ok(results) => {
            banners.push(results.banner);
            results.items
        }
        Err(e) => return dirs.iter().map(|_| DirProbe::Error(e.clone())).collect(),
    };
    dirs.iter()
        .zip(kinds)
        .map(|(dir, kind)| match kind {
            Err(e) => DirProbe::Error(e),
            Ok(PathKind::Missing) => DirProbe::Missing,
            Ok(PathKind::File | PathKind::Other) => match entry_of(&remote, dir) {
                Ok(Some(e)) => DirProbe::NotADir(DestInfo { kind: e.kind, size: e.size, mtime: mtime(&e) }),
                Ok(None) => DirProbe::NotADir(DestInfo { kind: Kind::File, size: 0, mtime: None }),
                Err(e) => DirProbe::Error(e),
            },
            Ok(PathKind::Dir) => match remote.list(dir) {
                Ok(listing) => DirProbe::Listing(
                    listing
                        .value
                        .entries
                        .into_iter()
                        .map(|e| {
                            let kind = e.link.as_ref().and_then(|l| l.kind).unwrap_or(e.kind);
                            let info = DestInfo { kind, size: e.size, mtime: mtime(&e) };
                            (e.name, info)
                        })
                        .collect(),
                ),
                Err(e) => DirProbe::Error(e.to_string()),
            },
        })
        .collect()
}
