//! Symbolic links copied as links: which are ready (pure), and recreating
//! them on the destination's file system, the same way on this machine
//! and on a host (`ln -s` through the one quoting function): the link is
//! made under a temporary name beside its destination, then placed as a
//! file would be, so the overwrite policy and "nothing half-done" hold.

use std::ffi::OsString;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

use super::backend::Reporter;
use super::fs_tasks::task_error;
use super::item::{ItemKind, ItemState};
use super::job::Job;
use super::landing::rename_for;
use super::task::{LinkItem, Outcome, TaskError};
use crate::fs::place::Placed;
use crate::fs::{FileSystem, FsError, Placement};

impl Job {
    /// Links whose directory exists at the destination and whose turn has
    /// come (as for files in a batch).
    pub(super) fn links_to_make(&self) -> Vec<LinkItem> {
        self.items
            .iter()
            .enumerate()
            .filter(|(_, i)| i.kind == ItemKind::Link && i.state == ItemState::Ready)
            .filter(|(_, i)| self.parent_made(i.parent) && self.turn_come(i.after))
            .filter_map(|(n, i)| {
                Some(LinkItem {
                    item: super::item::ItemId(n as u32),
                    dest: i.dest.clone()?,
                    target: i.link.clone()?,
                    place: i.place,
                })
            })
            .collect()
    }
}

/// Recreates each link; `ItemDone` each (a destination that cannot hold a
/// link is a skip with the reason, not a failure).
pub(super) fn make_links(fs: &dyn FileSystem, links: Vec<LinkItem>, r: &Reporter) -> Result<(), TaskError> {
    for link in links {
        if r.is_cancelled() {
            return Err(TaskError::Interrupted);
        }
        r.started(link.item);
        match make_link(fs, &link) {
            Err(e) if e.is_connection_lost() || matches!(e, FsError::Cancelled) => return Err(task_error(e)),
            Err(e) => r.finished_item(link.item, Err(e.to_string())),
            Ok(outcome) => r.finished_item(link.item, Ok(outcome)),
        }
    }
    Ok(())
}

fn make_link(fs: &dyn FileSystem, link: &LinkItem) -> Result<Outcome, FsError> {
    let Some(how) = rename_for(link.place) else {
        return Ok(Outcome::Skipped(
            "the destination is a device, a pipe or a socket, which a link does not replace".into(),
        ));
    };
    let dest = link.dest.path();
    let temp = temp_beside(dest);
    if let Err(e) = fs.symlink(link.target.as_os_str(), &temp) {
        return refused(e);
    }
    let placed = fs.place(&[Placement { temp: &temp, dest, how }]).map(|mut v| v.pop());
    match placed {
        Ok(Some(Ok(Placed::At(path)))) if path == dest => Ok(Outcome::Done),
        Ok(Some(Ok(Placed::At(path)))) => Ok(Outcome::PlacedAs(link.dest.with_path(path))),
        Ok(Some(Ok(Placed::Taken))) => {
            Ok(Outcome::Skipped("exists at the destination (it appeared while this copy was made)".into()))
        }
        Ok(Some(Err(e))) | Err(e) => {
            if !e.is_connection_lost() {
                let _ = fs.remove_files(&[&temp]);
            }
            Err(e)
        }
        Ok(None) => Err(FsError::Malformed { action: "place a link".into(), detail: "no result".into() }),
    }
}

/// A link the destination would not create: where the file system cannot
/// hold one (EPERM from a file system without links: FAT, some mounts; or
/// an operation it does not support) the link is skipped with the reason,
/// not failed; anything else (no space, a missing directory, a lost
/// connection) is an error.
fn refused(e: FsError) -> Result<Outcome, FsError> {
    match e {
        FsError::PermissionDenied(_) | FsError::Failed(_) => {
            Ok(Outcome::Skipped(format!("the destination cannot hold a symbolic link ({e})")))
        }
        e => Err(e),
    }
}

/// `.NAME.XXXXXX.scpdeck` beside `dest` (at most 16 bytes of the name), as
/// a copied file's temporary name: a leftover is recognised as one.
fn temp_beside(dest: &Path) -> PathBuf {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let name = dest.file_name().map(|n| n.as_bytes()).unwrap_or_default();
    let mut temp = b".".to_vec();
    temp.extend_from_slice(&name[..name.len().min(16)]);
    temp.push(b'.');
    temp.extend(rand::random::<[u8; 6]>().iter().map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()]));
    temp.extend_from_slice(b".scpdeck");
    dest.with_file_name(OsString::from_vec(temp))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::fs::LocalFs;

    #[test]
    fn a_file_system_without_links_skips_the_link_with_the_reason() {
        let eperm = std::io::Error::from_raw_os_error(nix::errno::Errno::EPERM as i32);
        let e = FsError::io("create the symlink /mnt/fat/l", Path::new("/mnt/fat/l"), &eperm);
        let Ok(Outcome::Skipped(reason)) = refused(e) else { panic!("not a skip") };
        assert!(reason.starts_with("the destination cannot hold a symbolic link"), "{reason}");
        let enospc = std::io::Error::from_raw_os_error(nix::errno::Errno::ENOSPC as i32);
        assert!(refused(FsError::io("create the symlink x", Path::new("x"), &enospc)).is_err());
    }

    #[test]
    fn a_link_is_made_under_a_temporary_name_then_placed() {
        let dir = tempfile::tempdir().unwrap();
        let dest = crate::fs::Location::Local(dir.path().join("l"));
        let item = |place| LinkItem {
            item: super::super::item::ItemId(0),
            dest: dest.clone(),
            target: "t".into(),
            place,
        };
        let fs = LocalFs::new();
        assert_eq!(make_link(&fs, &item(super::super::task::Place::NoReplace)).unwrap(), Outcome::Done);
        assert_eq!(std::fs::read_link(dir.path().join("l")).unwrap(), Path::new("t"));
        let taken = make_link(&fs, &item(super::super::task::Place::NoReplace)).unwrap();
        assert!(matches!(taken, Outcome::Skipped(_)), "{taken:?}");
        let kept = make_link(&fs, &item(super::super::task::Place::KeepBoth { from: 0 })).unwrap();
        assert_eq!(kept, Outcome::PlacedAs(dest.with_path(dir.path().join("l (1)"))));
        // Nothing temporary is left.
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }
}
