//! Changing this machine's file system: directories, deleting, renaming
//! and moving (across file systems too), modes, owners, symlinks, empty
//! files and copies within it.

use std::ffi::OsStr;
use std::fs::{self, Permissions};
use std::io;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};

use nix::unistd::{Gid, Group, Uid, User};

use super::shown;
use crate::fs::error::FsError;

fn exists(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok()
}

fn taken(action: &str, path: &Path) -> FsError {
    FsError::io(action, path, &io::Error::from(io::ErrorKind::AlreadyExists))
}

/// Creates `path` and its missing parents; fails when it exists.
pub(super) fn make_dir(path: &Path) -> Result<(), FsError> {
    let action = format!("create the directory {}", shown(path));
    if exists(path) {
        return Err(taken(&action, path));
    }
    fs::create_dir_all(path).map_err(|e| FsError::io(&action, path, &e))
}

/// Creates one directory with `mode`; one that exists already is success.
pub(super) fn make_one_dir(dir: &Path, mode: Option<u32>) -> Result<(), FsError> {
    let action = format!("create the directory {}", shown(dir));
    match fs::create_dir(dir) {
        Ok(()) => match mode {
            Some(mode) => fs::set_permissions(dir, Permissions::from_mode(mode))
                .map_err(|e| FsError::io(&action, dir, &e)),
            None => Ok(()),
        },
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists && dir.is_dir() => Ok(()),
        Err(e) => Err(FsError::io(&action, dir, &e)),
    }
}

/// Removes a file, a symlink or a whole tree; a symlink to a directory is
/// removed, never followed.
fn remove(path: &Path) -> io::Result<()> {
    if fs::symlink_metadata(path)?.is_dir() { fs::remove_dir_all(path) } else { fs::remove_file(path) }
}

pub(super) fn delete(paths: &[PathBuf]) -> Result<(), FsError> {
    if paths.is_empty() {
        return Err(FsError::Refused { action: "delete".into(), reason: "nothing was selected".into() });
    }
    for path in paths {
        if path.parent().is_none() {
            let action = format!("delete {}", shown(path));
            return Err(FsError::Refused { action, reason: "it is the root directory".into() });
        }
        remove(path).map_err(|e| FsError::io(&format!("delete {}", shown(path)), path, &e))?;
    }
    Ok(())
}

pub(super) fn remove_file(path: &Path) -> Result<(), FsError> {
    let action = format!("delete {}", shown(path));
    if fs::symlink_metadata(path).is_ok_and(|m| m.is_dir()) {
        let error = io::Error::from(io::ErrorKind::IsADirectory);
        return Err(FsError::io(&action, path, &error));
    }
    fs::remove_file(path).map_err(|e| FsError::io(&action, path, &e))
}

/// Removes an empty directory (never its contents).
pub(super) fn remove_dir(path: &Path) -> Result<(), FsError> {
    fs::remove_dir(path).map_err(|e| FsError::io(&format!("remove the directory {}", shown(path)), path, &e))
}

/// Renames `from` to exactly `to`, which must not exist.
pub(super) fn rename(from: &Path, to: &Path) -> Result<(), FsError> {
    let action = format!("rename {} to {}", shown(from), shown(to));
    if exists(to) {
        return Err(taken(&action, to));
    }
    move_one(from, to).map_err(|e| FsError::io(&action, from, &e))
}

/// Moves `sources` into `dir`, keeping their names; nothing is replaced.
pub(super) fn move_into(sources: &[PathBuf], dir: &Path) -> Result<(), FsError> {
    for source in sources {
        let action = format!("move {} into {}", shown(source), shown(dir));
        let Some(name) = source.file_name() else {
            return Err(FsError::Refused { action, reason: "it has no name".into() });
        };
        let destination = dir.join(name);
        if exists(&destination) {
            return Err(taken(&action, &destination));
        }
        move_one(source, &destination).map_err(|e| FsError::io(&action, source, &e))?;
    }
    Ok(())
}

fn move_one(source: &Path, destination: &Path) -> io::Result<()> {
    match fs::rename(source, destination) {
        // Another file system: copy under a temporary name, rename, then
        // remove the source.
        Err(e) if e.raw_os_error() == Some(nix::libc::EXDEV) => {
            let name = destination.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let temp = destination.with_file_name(format!(".{name}.scpdeck-{:08x}", rand::random::<u32>()));
            if let Err(e) = copy_tree(source, &temp) {
                let _ = remove(&temp);
                return Err(e);
            }
            fs::rename(&temp, destination)?;
            remove(source)
        }
        other => other,
    }
}

fn copy_tree(source: &Path, destination: &Path) -> io::Result<()> {
    let meta = fs::symlink_metadata(source)?;
    if meta.file_type().is_symlink() {
        std::os::unix::fs::symlink(fs::read_link(source)?, destination)
    } else if meta.is_dir() {
        fs::create_dir(destination)?;
        for item in fs::read_dir(source)? {
            let item = item?;
            copy_tree(&item.path(), &destination.join(item.file_name()))?;
        }
        fs::set_permissions(destination, meta.permissions())
    } else {
        fs::copy(source, destination)?;
        let file = fs::File::options().write(true).open(destination)?;
        file.set_modified(meta.modified()?)
    }
}

/// Each path and, with `recursive`, everything below it; symlinks below
/// the given paths are not followed (and not visited).
fn walk(
    paths: &[PathBuf],
    recursive: bool,
    each: &mut dyn FnMut(&Path) -> io::Result<()>,
) -> Result<(), FsError> {
    // (path, whether it was given): a given symlink to a directory is
    // entered, as chmod -R does with its operands.
    let mut stack: Vec<(PathBuf, bool)> = paths.iter().map(|p| (p.clone(), true)).collect();
    while let Some((path, given)) = stack.pop() {
        let action = || format!("change {}", shown(&path));
        each(&path).map_err(|e| FsError::io(&action(), &path, &e))?;
        if !recursive {
            continue;
        }
        let meta = fs::symlink_metadata(&path).map_err(|e| FsError::io(&action(), &path, &e))?;
        let descend = meta.is_dir() || (given && meta.file_type().is_symlink() && path.is_dir());
        if descend {
            for item in fs::read_dir(&path).map_err(|e| FsError::io(&action(), &path, &e))? {
                let item = item.map_err(|e| FsError::io(&action(), &path, &e))?;
                if !item.file_type().is_ok_and(|t| t.is_symlink()) {
                    stack.push((item.path(), false));
                }
            }
        }
    }
    Ok(())
}

pub(super) fn chmod(paths: &[PathBuf], mode: u32, recursive: bool) -> Result<(), FsError> {
    walk(paths, recursive, &mut |path| fs::set_permissions(path, Permissions::from_mode(mode & 0o7777)))
}

/// A user or group given by name or number.
fn id_of(what: &str, name: &str, lookup: impl Fn(&str) -> nix::Result<Option<u32>>) -> Result<u32, FsError> {
    if let Ok(n) = name.parse::<u32>() {
        return Ok(n);
    }
    match lookup(name) {
        Ok(Some(id)) => Ok(id),
        _ => Err(FsError::Refused {
            action: format!("change the {what}"),
            reason: format!("there is no {what} named {}", crate::text::escape_str(name)),
        }),
    }
}

pub(super) fn chown(
    paths: &[PathBuf],
    owner: Option<&str>,
    group: Option<&str>,
    recursive: bool,
) -> Result<(), FsError> {
    let uid =
        owner.map(|o| id_of("user", o, |n| Ok(User::from_name(n)?.map(|u| u.uid.as_raw())))).transpose()?;
    let gid =
        group.map(|g| id_of("group", g, |n| Ok(Group::from_name(n)?.map(|g| g.gid.as_raw())))).transpose()?;
    walk(paths, recursive, &mut |path| {
        nix::unistd::chown(path, uid.map(Uid::from_raw), gid.map(Gid::from_raw)).map_err(io::Error::from)
    })
}

pub(super) fn symlink(target: &OsStr, link: &Path) -> Result<(), FsError> {
    std::os::unix::fs::symlink(target, link)
        .map_err(|e| FsError::io(&format!("create the symlink {}", shown(link)), link, &e))
}

pub(super) fn touch(path: &Path) -> Result<(), FsError> {
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map(drop)
        .map_err(|e| FsError::io(&format!("create the file {}", shown(path)), path, &e))
}

/// Copies a file, with its mode and modification time when `preserve`.
pub(super) fn copy_file(from: &Path, to: &Path, preserve: bool) -> Result<(), FsError> {
    let action = format!("copy {} to {}", shown(from), shown(to));
    fs::copy(from, to).map_err(|e| FsError::io(&action, from, &e))?;
    if preserve {
        let meta = fs::metadata(from).map_err(|e| FsError::io(&action, from, &e))?;
        let mtime = UNIX_EPOCH + Duration::from_secs(u64::try_from(meta.mtime()).unwrap_or(0));
        let file = fs::File::options().write(true).open(to).map_err(|e| FsError::io(&action, to, &e))?;
        file.set_modified(mtime).map_err(|e| FsError::io(&action, to, &e))?;
        fs::set_permissions(to, Permissions::from_mode(meta.mode() & 0o7777))
            .map_err(|e| FsError::io(&action, to, &e))?;
    }
    Ok(())
}

/// Sets a file's modification and access times to `secs`.
pub(super) fn set_times(path: &Path, secs: i64) -> Result<(), FsError> {
    let action = format!("set the times of {}", shown(path));
    let time = if secs >= 0 {
        std::time::UNIX_EPOCH.checked_add(std::time::Duration::from_secs(secs.unsigned_abs()))
    } else {
        std::time::UNIX_EPOCH.checked_sub(std::time::Duration::from_secs(secs.unsigned_abs()))
    };
    let Some(time) = time else {
        return Err(FsError::Refused { action, reason: format!("{secs} is out of range") });
    };
    let times = std::fs::FileTimes::new().set_modified(time).set_accessed(time);
    std::fs::File::open(path).and_then(|f| f.set_times(times)).map_err(|e| FsError::io(&action, path, &e))
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::symlink as make_link;

    use super::*;

    #[test]
    fn directories_renames_moves_and_deletes() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        make_dir(&root.join("a/b")).unwrap();
        assert!(matches!(make_dir(&root.join("a")), Err(FsError::AlreadyExists(_))));
        make_one_dir(&root.join("a"), Some(0o700)).unwrap();
        fs::write(root.join("a/b/f"), b"12345").unwrap();
        fs::write(root.join("g"), b"xy").unwrap();
        assert!(matches!(rename(&root.join("g"), &root.join("a/b/f")), Err(FsError::AlreadyExists(_))));
        rename(&root.join("g"), &root.join("h")).unwrap();
        move_into(&[root.join("h")], &root.join("a")).unwrap();
        assert!(root.join("a/h").exists());
        make_link("/", root.join("a/link")).unwrap();
        delete(&[root.join("a")]).unwrap();
        assert!(!root.join("a").exists());
        assert!(matches!(delete(&[]), Err(FsError::Refused { .. })));
    }

    #[test]
    fn modes_owners_links_and_new_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("t/sub")).unwrap();
        fs::write(root.join("t/sub/f"), b"x").unwrap();
        make_link("/etc", root.join("t/outside")).unwrap();
        let etc_mode = fs::metadata("/etc").unwrap().mode();
        chmod(&[root.join("t")], 0o750, true).unwrap();
        assert_eq!(fs::metadata(root.join("t/sub/f")).unwrap().mode() & 0o7777, 0o750);
        assert_eq!(fs::metadata("/etc").unwrap().mode(), etc_mode, "links below are not followed");
        let me = Uid::current().as_raw().to_string();
        chown(&[root.join("t")], Some(&me), None, true).unwrap();
        assert!(matches!(
            chown(&[root.join("t")], Some("no-such-user-x"), None, false),
            Err(FsError::Refused { .. })
        ));
        symlink(OsStr::new("sub/f"), &root.join("t/l")).unwrap();
        assert_eq!(fs::read_link(root.join("t/l")).unwrap(), Path::new("sub/f"));
        touch(&root.join("t/new")).unwrap();
        assert!(matches!(touch(&root.join("t/new")), Err(FsError::AlreadyExists(_))));
        copy_file(&root.join("t/sub/f"), &root.join("t/copy"), true).unwrap();
        assert_eq!(fs::metadata(root.join("t/copy")).unwrap().mode() & 0o7777, 0o750);
    }
}
