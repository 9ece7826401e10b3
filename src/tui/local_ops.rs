//! File operations on this machine, run by the executor on blocking
//! threads. Messages name the path and the reason.

use std::fs;
use std::io::{self, Read};
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

use crate::app::dialog::Counts;
use crate::text::escape_str;

fn shown(path: &Path) -> String {
    escape_str(&path.to_string_lossy())
}

fn failed(what: &str, path: &Path, error: &io::Error) -> String {
    format!("cannot {what} {}: {}", shown(path), escape_str(&error.to_string()))
}

pub fn mkdir(path: &Path) -> Result<String, String> {
    if fs::symlink_metadata(path).is_ok() {
        return Err(format!("{} already exists", shown(path)));
    }
    fs::create_dir_all(path).map_err(|e| failed("create directory", path, &e))?;
    Ok(format!("created {}", shown(path)))
}

/// Renames one entry, or moves entries into the directory `target`. An
/// existing destination is never replaced.
pub fn rename(sources: &[PathBuf], target: &Path) -> Result<String, String> {
    let into_dir =
        fs::metadata(target).is_ok_and(|m| m.is_dir()) && !(sources.len() == 1 && sources[0] == target);
    if !into_dir && sources.len() > 1 {
        return Err(format!("{} is not a directory", shown(target)));
    }
    for source in sources {
        let destination = match (into_dir, source.file_name()) {
            (true, Some(name)) => target.join(name),
            (true, None) => return Err(format!("cannot move {}", shown(source))),
            (false, _) => target.to_path_buf(),
        };
        if fs::symlink_metadata(&destination).is_ok() {
            return Err(format!("{} already exists; nothing was replaced", shown(&destination)));
        }
        move_one(source, &destination)?;
    }
    Ok(match sources {
        [one] => format!("moved {} to {}", shown(one), shown(target)),
        many => format!("moved {} entries to {}", many.len(), shown(target)),
    })
}

fn move_one(source: &Path, destination: &Path) -> Result<(), String> {
    match fs::rename(source, destination) {
        Ok(()) => Ok(()),
        // Another file system: copy under a temporary name, rename, then remove the source.
        Err(e) if e.raw_os_error() == Some(nix::libc::EXDEV) => {
            let temp = temporary_sibling(destination);
            if let Err(e) = copy_tree(source, &temp) {
                let _ = remove(&temp);
                return Err(failed("copy", source, &e));
            }
            fs::rename(&temp, destination).map_err(|e| failed("rename", &temp, &e))?;
            remove(source).map_err(|e| failed("remove the moved", source, &e))
        }
        Err(e) => Err(failed("move", source, &e)),
    }
}

fn temporary_sibling(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!(".{name}.scpdeck-{:08x}", rand::random::<u32>()))
}

fn copy_tree(source: &Path, destination: &Path) -> io::Result<()> {
    let meta = fs::symlink_metadata(source)?;
    if meta.file_type().is_symlink() {
        symlink(fs::read_link(source)?, destination)
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

fn remove(path: &Path) -> io::Result<()> {
    // symlink_metadata: a link to a directory is removed, never followed.
    if fs::symlink_metadata(path)?.is_dir() { fs::remove_dir_all(path) } else { fs::remove_file(path) }
}

pub fn delete(targets: &[PathBuf]) -> Result<String, String> {
    for (done, target) in targets.iter().enumerate() {
        remove(target).map_err(|e| {
            let prefix = if done > 0 { format!("deleted {done} entries, then ") } else { String::new() };
            format!("{prefix}{}", failed("delete", target, &e))
        })?;
    }
    Ok(match targets {
        [one] => format!("deleted {}", shown(one)),
        many => format!("deleted {} entries", many.len()),
    })
}

/// Files, directories and bytes under `targets`, without following symlinks.
pub fn count(targets: &[PathBuf]) -> Result<Counts, String> {
    let mut counts = Counts::default();
    let mut stack: Vec<PathBuf> = targets.to_vec();
    while let Some(path) = stack.pop() {
        let meta = fs::symlink_metadata(&path).map_err(|e| failed("read", &path, &e))?;
        if meta.is_dir() {
            counts.dirs += 1;
            let items = fs::read_dir(&path).map_err(|e| failed("read directory", &path, &e))?;
            for item in items {
                stack.push(item.map_err(|e| failed("read directory", &path, &e))?.path());
            }
        } else {
            counts.files += 1;
            counts.bytes += meta.len();
        }
    }
    Ok(counts)
}

/// Bytes in the files under a directory.
pub fn dir_size(path: &Path) -> Result<u64, String> {
    count(&[path.to_path_buf()]).map(|c| c.bytes)
}

/// Space available to this user on the file system holding `path`.
pub fn free_space(path: &Path) -> Result<u64, String> {
    let stat =
        nix::sys::statvfs::statvfs(path).map_err(|e| failed("stat file system of", path, &e.into()))?;
    Ok((stat.blocks_available() as u64).saturating_mul(stat.fragment_size() as u64))
}

/// Names of subdirectories of `dir` starting with `prefix`; dot directories
/// only when the prefix starts with a dot.
pub fn complete(dir: &Path, prefix: &str) -> Vec<String> {
    let Ok(items) = fs::read_dir(dir) else { return Vec::new() };
    let mut names: Vec<String> = items
        .flatten()
        .filter_map(|item| item.file_name().into_string().ok().map(|name| (item, name)))
        .filter(|(_, name)| name.starts_with(prefix) && (prefix.starts_with('.') || !name.starts_with('.')))
        .filter(|(item, _)| fs::metadata(item.path()).is_ok_and(|m| m.is_dir()))
        .map(|(_, name)| name)
        .collect();
    names.sort();
    names.truncate(200);
    names
}

/// The first `limit` bytes of a file and its size.
pub fn read_prefix(path: &Path, limit: u64) -> Result<(Vec<u8>, u64), String> {
    let file = fs::File::open(path).map_err(|e| failed("open", path, &e))?;
    let total = file.metadata().map_err(|e| failed("read", path, &e))?.len();
    let mut bytes = Vec::new();
    file.take(limit).read_to_end(&mut bytes).map_err(|e| failed("read", path, &e))?;
    Ok((bytes, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_count_rename_and_delete() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        mkdir(&root.join("a/b")).unwrap();
        assert!(mkdir(&root.join("a")).unwrap_err().contains("already exists"));
        fs::write(root.join("a/b/f"), b"12345").unwrap();
        fs::write(root.join("g"), b"xy").unwrap();
        symlink("/", root.join("a/link")).unwrap();
        let counts = count(&[root.join("a"), root.join("g")]).unwrap();
        assert_eq!(counts, Counts { files: 3, dirs: 2, bytes: 8 });
        assert!(rename(&[root.join("g")], &root.join("a/b/f")).unwrap_err().contains("already exists"));
        rename(&[root.join("g")], &root.join("h")).unwrap();
        rename(&[root.join("h")], &root.join("a")).unwrap();
        assert!(root.join("a/h").exists());
        assert_eq!(complete(root, ""), ["a"]);
        assert_eq!(dir_size(&root.join("a/b")).unwrap(), 5);
        delete(&[root.join("a")]).unwrap();
        assert!(!root.join("a").exists());
        assert!(free_space(root).unwrap() > 0);
    }

    #[test]
    fn read_prefix_stops_at_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("f"), vec![b'x'; 100]).unwrap();
        assert_eq!(read_prefix(&dir.path().join("f"), 10).unwrap(), (vec![b'x'; 10], 100));
    }
}
