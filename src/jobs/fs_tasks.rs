//! The tasks that are file-system work on one side, carried out the same
//! way on this machine and on a host through [`FileSystem`]: walking
//! sources, listing destination directories, creating directories,
//! deleting moved sources, hashing.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use super::backend::Reporter;
use super::item::{DestInfo, ItemId};
use super::task::{DirProbe, TaskError, Work};
use super::walk::is_plain_name;
use crate::fs::{Digest, FileSystem, FsError, Kind};

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
        Work::Scan { roots, follow } => {
            let paths: Vec<PathBuf> = roots.iter().map(|(_, l)| l.path().to_path_buf()).collect();
            let scans = super::walk::scan(fs, &paths, follow).map_err(task_error)?;
            for ((item, _), scan) in roots.into_iter().zip(scans) {
                r.scanned(
                    item,
                    scan.map_err(|e| match e {
                        super::walk::RootFailure::Fs(e) => failure(r, item, e),
                        super::walk::RootFailure::Other(text) => text,
                    }),
                );
            }
        }
        Work::Probe { dirs, names, whole } => {
            let paths: Vec<PathBuf> = dirs.iter().map(|l| l.path().to_path_buf()).collect();
            let names = (!whole && !fs.lists_cheaply()).then_some(names.as_slice());
            for (dir, probe) in dirs.into_iter().zip(probe(fs, &paths, names)?) {
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
        Work::MakeLinks { links } => super::links::make_links(fs, links, r)?,
        Work::DirTimes { dirs } => super::dir_times::set_dir_times(fs, &dirs, r)?,
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

/// What each destination directory is, with its entries (a link counts as
/// what it points to: copying onto a link to a directory must not replace
/// it): all of them (this machine's directories, where listing is cheap
/// and also finds what a crash left, and with `cp --resume`), or, given
/// `names`, only `names[k]` in `dirs[k]`, looked up in one command per
/// directory: a 100,000-entry directory on a host is never listed to copy
/// one file into it.
pub(super) fn probe(
    fs: &dyn FileSystem,
    dirs: &[PathBuf],
    names: Option<&[Vec<OsString>]>,
) -> Result<Vec<DirProbe>, TaskError> {
    let paths: Vec<&Path> = dirs.iter().map(PathBuf::as_path).collect();
    let stats = fs.stat(&paths).map_err(task_error)?;
    if let Some(names) = names {
        return look_up(fs, dirs, names, stats);
    }
    let mut probes = Vec::with_capacity(dirs.len());
    for (dir, stat) in dirs.iter().zip(stats) {
        probes.push(match stat {
            Err(e) => DirProbe::Error(e.to_string()),
            Ok(None) => DirProbe::Missing,
            Ok(Some(stat)) if stat.kind != Kind::Dir => not_a_dir(&stat),
            Ok(Some(_)) => match fs.list(dir) {
                Ok(listing) => DirProbe::Listing(
                    listing
                        .entries
                        .into_iter()
                        .filter(|e| is_plain_name(&e.name))
                        .map(|e| (e.name.clone(), dest_info(&e)))
                        .collect(),
                ),
                Err(e) if e.is_connection_lost() => return Err(task_error(e)),
                Err(e) => DirProbe::Error(e.to_string()),
            },
        });
    }
    Ok(probes)
}

/// [`probe`] where a listing costs a command: each directory's `names`
/// (with a plain name) looked up, in one `lstat` call for all.
fn look_up(
    fs: &dyn FileSystem,
    dirs: &[PathBuf],
    names: &[Vec<OsString>],
    stats: Vec<Result<Option<crate::fs::Stat>, FsError>>,
) -> Result<Vec<DirProbe>, TaskError> {
    let none = Vec::new();
    let wanted = |k: usize| names.get(k).unwrap_or(&none).iter().filter(|n| is_plain_name(n));
    let mut paths: Vec<PathBuf> = Vec::new();
    for (k, (dir, stat)) in dirs.iter().zip(&stats).enumerate() {
        if matches!(stat, Ok(Some(s)) if s.kind == Kind::Dir) {
            paths.extend(wanted(k).map(|n| dir.join(n)));
        }
    }
    let looked: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    let mut entries = fs.lstat(&looked).map_err(task_error)?.into_iter();
    let mut probes = Vec::with_capacity(dirs.len());
    for (k, stat) in stats.into_iter().enumerate() {
        probes.push(match stat {
            Err(e) => DirProbe::Error(e.to_string()),
            Ok(None) => DirProbe::Missing,
            Ok(Some(stat)) if stat.kind != Kind::Dir => not_a_dir(&stat),
            Ok(Some(_)) => {
                let mut found = Vec::new();
                let mut failed = None;
                for name in wanted(k) {
                    match entries.next() {
                        Some(Ok(Some(entry))) => found.push((name.clone(), dest_info(&entry))),
                        Some(Ok(None)) | None => {}
                        Some(Err(e)) => failed = Some(e),
                    }
                }
                match failed {
                    Some(e) => DirProbe::Error(e.to_string()),
                    // Every name counts as looked at (one that is not a
                    // plain name cannot be there), or the job would ask
                    // again and again.
                    None => DirProbe::Named { looked: names.get(k).cloned().unwrap_or_default(), found },
                }
            }
        });
    }
    Ok(probes)
}

fn not_a_dir(stat: &crate::fs::Stat) -> DirProbe {
    DirProbe::NotADir(DestInfo { kind: stat.kind, size: stat.size, mtime: stat.mtime, link: false })
}

/// What a copy needs to know of an entry at its destination.
fn dest_info(e: &crate::fs::Entry) -> DestInfo {
    let kind = e.link.as_ref().and_then(|l| l.kind).unwrap_or(e.kind);
    DestInfo { kind, size: e.size, mtime: Some(e.mtime.secs), link: e.kind == Kind::Symlink }
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;
    use crate::fs::LocalFs;

    #[test]
    fn probes_say_what_each_destination_directory_is() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("tree");
        fs::create_dir_all(root.join("a")).unwrap();
        fs::write(root.join("top"), b"1").unwrap();
        std::os::unix::fs::symlink(root.join("a"), root.join("link")).unwrap();
        let probes =
            probe(&LocalFs::new(), &[root.join("nope"), root.join("top"), root.clone()], None).unwrap();
        assert!(matches!(probes[0], DirProbe::Missing));
        assert!(matches!(probes[1], DirProbe::NotADir(_)));
        let DirProbe::Listing(entries) = &probes[2] else { panic!("{:?}", probes[2]) };
        assert_eq!(entries.len(), 3);
        // A link counts as what it points to.
        let link = entries.iter().find(|(n, _)| n == "link").unwrap();
        assert_eq!(link.1.kind, Kind::Dir);
    }
}
