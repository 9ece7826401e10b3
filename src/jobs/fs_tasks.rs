//! The tasks that are file-system work on one side, carried out the same
//! way on this machine and on a host through [`FileSystem`]: walking
//! sources, listing destination directories, creating directories,
//! deleting moved sources, hashing.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};

use super::backend::Reporter;
use super::item::{DestInfo, ItemId, ItemKind, Scan, ScanEntry, ScanError};
use super::task::{DirProbe, TaskError, Work};
use crate::fs::{Digest, Entry, FileSystem, FsError, Kind, Stat};
use crate::text::escape_bytes;

fn shown(path: &Path) -> String {
    escape_bytes(path.as_os_str().as_encoded_bytes())
}

/// A failure of a whole call as the task's: a lost connection sends the
/// task's items to another one.
pub(super) fn task_error(e: FsError) -> TaskError {
    match e {
        FsError::Lost { detail, .. } => TaskError::Dropped(detail),
        FsError::Cancelled => TaskError::Interrupted,
        other => TaskError::Failed(other.to_string()),
    }
}

/// Carries out `work` (anything but a transfer) on `fs`.
pub(super) fn run(work: Work, fs: &dyn FileSystem, r: &Reporter) -> Result<(), TaskError> {
    match work {
        Work::Scan { roots } => {
            let paths: Vec<PathBuf> = roots.iter().map(|(_, l)| l.path().to_path_buf()).collect();
            let scans = scan(fs, &paths)?;
            for ((item, _), scan) in roots.into_iter().zip(scans) {
                r.scanned(
                    item,
                    scan.map_err(|e| match e {
                        RootFailure::Fs(e) => failure(r, item, e),
                        RootFailure::Other(text) => text,
                    }),
                );
            }
        }
        Work::Probe { dirs } => {
            let paths: Vec<PathBuf> = dirs.iter().map(|l| l.path().to_path_buf()).collect();
            for (dir, probe) in dirs.into_iter().zip(probe(fs, &paths)?) {
                r.probed(dir, probe);
            }
        }
        Work::MakeDirs { dirs } => {
            let wanted: Vec<(&Path, Option<u32>)> =
                dirs.iter().map(|(_, d, m)| (d.path(), Some(*m))).collect();
            report(r, dirs.iter().map(|d| d.0), fs.make_dirs(&wanted))?;
        }
        Work::Delete { files } => {
            let paths: Vec<&Path> = files.iter().map(|(_, l)| l.path()).collect();
            report(r, files.iter().map(|f| f.0), fs.remove_files(&paths))?;
        }
        Work::RemoveDirs { dirs } => {
            let paths: Vec<&Path> = dirs.iter().map(|(_, l)| l.path()).collect();
            report(r, dirs.iter().map(|d| d.0), fs.remove_dirs(&paths))?;
        }
        Work::Discard { files } => {
            // A leftover private directory goes whole; files one by one.
            let is_dir = |p: &Path| p.file_name().is_some_and(|n| n.as_encoded_bytes().starts_with(b".sd-"));
            let (dirs, files): (Vec<_>, Vec<_>) = files.into_iter().partition(|(_, l)| is_dir(l.path()));
            for (item, dir) in dirs {
                match fs.delete(&[dir.path().to_path_buf()]) {
                    Err(e) if e.is_connection_lost() => return Err(task_error(e)),
                    result => r.item_done(item, result.map_err(|e| e.to_string())),
                }
            }
            let paths: Vec<&Path> = files.iter().map(|(_, l)| l.path()).collect();
            report(r, files.iter().map(|f| f.0), fs.remove_files(&paths))?;
            // An upload's partial copy sits in a private directory of its
            // own: gone with its last file (one still holding others stays).
            let mut private: Vec<&Path> = paths.iter().filter_map(|p| private_dir(p)).collect();
            private.dedup();
            let _ = fs.remove_dirs(&private);
        }
        Work::Transfer(_) => return Err(TaskError::Failed("a transfer is not file-system work".into())),
    }
    Ok(())
}

fn report(
    r: &Reporter,
    items: impl Iterator<Item = ItemId>,
    results: Result<Vec<Result<(), FsError>>, FsError>,
) -> Result<(), TaskError> {
    for (item, result) in items.zip(results.map_err(task_error)?) {
        r.item_done(item, result.map_err(|e| failure(r, item, e)));
    }
    Ok(())
}

/// Why a source could not be scanned.
#[derive(Debug)]
pub(super) enum RootFailure {
    Fs(FsError),
    Other(String),
}

/// An item's failure as reported: its text, and whether it was a
/// permission denied (which may be retried as root).
fn failure(r: &Reporter, item: ItemId, e: FsError) -> String {
    if matches!(e, FsError::PermissionDenied(_)) {
        r.denied(item);
    }
    e.to_string()
}

/// The private upload directory (`.sd-XXXXXXXX`) a temporary file is in,
/// if it is in one.
pub(super) fn private_dir(temp: &Path) -> Option<&Path> {
    let dir = temp.parent()?;
    dir.file_name()?.as_encoded_bytes().starts_with(b".sd-").then_some(dir)
}

/// sha256 of files on one side.
pub(super) fn digests(
    fs: &dyn FileSystem,
    files: &[&Path],
) -> Result<Vec<Result<Digest, String>>, TaskError> {
    let results = fs.sha256(files).map_err(task_error)?;
    Ok(results.into_iter().map(|r| r.map_err(|e| e.to_string())).collect())
}

/// Walks each root: a symlink given as a root is followed (like scp), but
/// symlinks to directories below it are not (they could loop); symlinks to
/// files are copied as files.
pub(super) fn scan(
    fs: &dyn FileSystem,
    roots: &[PathBuf],
) -> Result<Vec<Result<Scan, RootFailure>>, TaskError> {
    let paths: Vec<&Path> = roots.iter().map(PathBuf::as_path).collect();
    let stats = fs.stat(&paths).map_err(task_error)?;
    let mut scans = Vec::with_capacity(roots.len());
    for (root, stat) in roots.iter().zip(stats) {
        scans.push(match stat {
            Err(e) => Err(RootFailure::Fs(e)),
            Ok(None) => Err(RootFailure::Other(format!("{}: No such file or directory", shown(root)))),
            Ok(Some(stat)) if stat.kind == Kind::Dir => Ok(walk(fs, root, &stat)?),
            Ok(Some(stat)) if stat.kind == Kind::File => Ok(Scan {
                entries: vec![ScanEntry {
                    rel: PathBuf::new(),
                    kind: ItemKind::File,
                    size: stat.size,
                    mode: stat.mode,
                    mtime: stat.mtime,
                }],
                errors: Vec::new(),
            }),
            Ok(Some(_)) => Err(RootFailure::Other(format!("{}: not a regular file", shown(root)))),
        });
    }
    Ok(scans)
}

/// Lists a directory tree breadth first. Unreadable directories become
/// errors; a lost connection stops the task.
fn walk(fs: &dyn FileSystem, root: &Path, stat: &Stat) -> Result<Scan, TaskError> {
    let mut scan = Scan::default();
    scan.entries.push(ScanEntry {
        rel: PathBuf::new(),
        kind: ItemKind::Dir,
        size: 0,
        mode: stat.mode,
        mtime: stat.mtime,
    });
    let mut queue = VecDeque::from([PathBuf::new()]);
    while let Some(rel) = queue.pop_front() {
        let listing = match fs.list(&root.join(&rel)) {
            Ok(listing) => listing,
            Err(e) if e.is_connection_lost() => return Err(task_error(e)),
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
            let mtime = Some(entry.mtime.secs);
            match (entry.kind, target) {
                (Kind::Dir, _) => {
                    scan.entries.push(ScanEntry {
                        rel: child.clone(),
                        kind: ItemKind::Dir,
                        size: 0,
                        mode: entry.mode & 0o7777,
                        mtime,
                    });
                    queue.push_back(child);
                }
                (Kind::File, _) | (Kind::Symlink, Some(Some(Kind::File))) => scan.entries.push(ScanEntry {
                    rel: child,
                    kind: ItemKind::File,
                    size: if entry.kind == Kind::File { entry.size } else { 0 },
                    mode: entry.mode & 0o7777,
                    mtime,
                }),
                (Kind::Symlink, Some(Some(Kind::Dir))) => scan.errors.push(ScanError {
                    rel: child,
                    reason: "a symbolic link to a directory is not followed".into(),
                }),
                (Kind::Symlink, _) => scan.errors.push(ScanError { rel: child, reason: unfollowed(&entry) }),
                _ => scan.errors.push(ScanError { rel: child, reason: "not a regular file".into() }),
            }
        }
    }
    Ok(scan)
}

/// Why a symbolic link that leads to neither a file nor a directory is not
/// copied.
fn unfollowed(entry: &Entry) -> String {
    let Some(link) = &entry.link else { return "a symbolic link whose target is not known".into() };
    let target = escape_bytes(link.path.as_encoded_bytes());
    match link.kind {
        _ if link.loops => format!("a symbolic link loop (following its target {target} leads back to it)"),
        Some(_) => format!("a symbolic link to {target}, which is not a regular file or a directory"),
        None if target.is_empty() => "a dangling symbolic link".into(),
        None => format!("a dangling symbolic link (its target {target} does not exist)"),
    }
}

fn is_plain_name(name: &std::ffi::OsStr) -> bool {
    let bytes = name.as_encoded_bytes();
    !bytes.is_empty() && bytes != b"." && bytes != b".." && !bytes.contains(&b'/')
}

/// What each destination directory is, with its entries (a link counts as
/// what it points to: copying onto a link to a directory must not replace
/// it).
pub(super) fn probe(fs: &dyn FileSystem, dirs: &[PathBuf]) -> Result<Vec<DirProbe>, TaskError> {
    let paths: Vec<&Path> = dirs.iter().map(PathBuf::as_path).collect();
    let stats = fs.stat(&paths).map_err(task_error)?;
    let mut probes = Vec::with_capacity(dirs.len());
    for (dir, stat) in dirs.iter().zip(stats) {
        probes.push(match stat {
            Err(e) => DirProbe::Error(e.to_string()),
            Ok(None) => DirProbe::Missing,
            Ok(Some(stat)) if stat.kind != Kind::Dir => {
                DirProbe::NotADir(DestInfo { kind: stat.kind, size: stat.size, mtime: stat.mtime })
            }
            Ok(Some(_)) => match fs.list(dir) {
                Ok(listing) => DirProbe::Listing(
                    listing
                        .entries
                        .into_iter()
                        .filter(|e| is_plain_name(&e.name))
                        .map(|e| {
                            let kind = e.link.as_ref().and_then(|l| l.kind).unwrap_or(e.kind);
                            (e.name, DestInfo { kind, size: e.size, mtime: Some(e.mtime.secs) })
                        })
                        .collect(),
                ),
                Err(e) if e.is_connection_lost() => return Err(task_error(e)),
                Err(e) => DirProbe::Error(e.to_string()),
            },
        });
    }
    Ok(probes)
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;
    use crate::fs::LocalFs;

    #[test]
    fn scans_trees_and_reports_what_cannot_be_copied() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("tree");
        fs::create_dir_all(root.join("a/b")).unwrap();
        fs::write(root.join("a/b/f"), b"123").unwrap();
        fs::write(root.join("top"), b"1").unwrap();
        std::os::unix::fs::symlink(root.join("a"), root.join("loop")).unwrap();
        nix::unistd::mkfifo(&root.join("fifo"), nix::sys::stat::Mode::S_IRWXU).unwrap();
        let scan = scan(&LocalFs::new(), std::slice::from_ref(&root)).unwrap().remove(0).unwrap();
        let mut rels: Vec<String> =
            scan.entries.iter().map(|e| e.rel.to_string_lossy().into_owned()).collect();
        rels.sort();
        assert_eq!(rels, ["", "a", "a/b", "a/b/f", "top"]);
        let mut errors: Vec<String> =
            scan.errors.iter().map(|e| e.rel.to_string_lossy().into_owned()).collect();
        errors.sort();
        assert_eq!(errors, ["fifo", "loop"]);
        let probes = probe(&LocalFs::new(), &[root.join("nope"), root.join("top"), root.clone()]).unwrap();
        assert!(matches!(probes[0], DirProbe::Missing));
        assert!(matches!(probes[1], DirProbe::NotADir(_)));
        assert!(matches!(&probes[2], DirProbe::Listing(entries) if entries.len() == 4));
    }

    #[test]
    fn a_link_loop_is_called_a_loop_and_a_dangling_link_names_its_target() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("tree");
        fs::create_dir(&root).unwrap();
        std::os::unix::fs::symlink("self", root.join("self")).unwrap();
        std::os::unix::fs::symlink("nowhere", root.join("dangling")).unwrap();
        nix::unistd::mkfifo(&root.join("fifo"), nix::sys::stat::Mode::S_IRWXU).unwrap();
        std::os::unix::fs::symlink("fifo", root.join("to fifo")).unwrap();
        let scan = scan(&LocalFs::new(), std::slice::from_ref(&root)).unwrap().remove(0).unwrap();
        let reason = |name: &str| {
            scan.errors.iter().find(|e| e.rel == Path::new(name)).map(|e| e.reason.clone()).unwrap()
        };
        assert_eq!(reason("self"), "a symbolic link loop (following its target self leads back to it)");
        assert_eq!(reason("dangling"), "a dangling symbolic link (its target nowhere does not exist)");
        assert_eq!(reason("to fifo"), "a symbolic link to fifo, which is not a regular file or a directory");
        assert_eq!(reason("fifo"), "not a regular file");
    }
}
