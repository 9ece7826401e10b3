//! Listing a local directory (blocking; run off the UI thread).

use std::collections::HashMap;
use std::ffi::OsString;
use std::fs;
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use nix::unistd::{Gid, Group, Uid, User};

use crate::fs::entry::{Entry, Kind, LinkTarget, Mtime};

/// Lists `dir` without following symlinks for the entries themselves; a
/// symlink's target kind is looked up separately.
pub fn list(dir: &Path) -> io::Result<Vec<Entry>> {
    let mut entries = Vec::new();
    let mut names = NameCache::default();
    for item in fs::read_dir(dir)? {
        let item = item?;
        let path = item.path();
        // An entry can vanish between readdir and lstat; skip it rather than
        // failing the whole listing.
        match entry_for(&path, item.file_name(), &mut names) {
            Ok(entry) => entries.push(entry),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(entries)
}

/// The entry for `path` itself (a link not followed); `None` when nothing
/// is there.
pub(super) fn lstat(path: &Path) -> Result<Option<Entry>, crate::fs::error::FsError> {
    let name = path.file_name().map(OsString::from).unwrap_or_else(|| path.as_os_str().to_owned());
    match entry_for(path, name, &mut NameCache::default()) {
        Ok(entry) => Ok(Some(entry)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(crate::fs::error::FsError::io(&format!("look at {}", super::shown(path)), path, &e)),
    }
}

/// Builds the entry for one path (lstat semantics).
pub fn entry_for(path: &Path, name: OsString, names: &mut NameCache) -> io::Result<Entry> {
    let meta = fs::symlink_metadata(path)?;
    let kind = Kind::from_mode(meta.mode());
    let link = if kind == Kind::Symlink {
        let target = fs::read_link(path)?;
        let target = target.into_os_string();
        Some(match fs::metadata(path) {
            Ok(meta) => LinkTarget { path: target, kind: Some(Kind::from_mode(meta.mode())), loops: false },
            Err(e) => {
                let loops = e.raw_os_error() == Some(nix::errno::Errno::ELOOP as i32);
                LinkTarget { path: target, kind: None, loops }
            }
        })
    } else {
        None
    };
    Ok(Entry {
        name,
        kind,
        size: meta.size(),
        mode: meta.mode() & 0o7777,
        mtime: Mtime { secs: meta.mtime(), nanos: u32::try_from(meta.mtime_nsec()).unwrap_or(0) },
        owner: names.user(meta.uid()),
        group: names.group(meta.gid()),
        link,
    })
}

/// Owner and group names by id, looked up once per listing.
#[derive(Default)]
pub struct NameCache {
    users: HashMap<u32, String>,
    groups: HashMap<u32, String>,
}

impl NameCache {
    fn user(&mut self, uid: u32) -> String {
        self.users
            .entry(uid)
            .or_insert_with(|| match User::from_uid(Uid::from_raw(uid)) {
                Ok(Some(user)) => user.name,
                _ => uid.to_string(),
            })
            .clone()
    }

    fn group(&mut self, gid: u32) -> String {
        self.groups
            .entry(gid)
            .or_insert_with(|| match Group::from_gid(Gid::from_raw(gid)) {
                Ok(Some(group)) => group.name,
                _ => gid.to_string(),
            })
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn lists_kinds_sizes_and_link_targets() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("file"), b"hello").unwrap();
        fs::create_dir(dir.path().join("sub")).unwrap();
        symlink("sub", dir.path().join("link")).unwrap();
        symlink("nowhere", dir.path().join("dangling")).unwrap();
        let mut entries = list(dir.path()).unwrap();
        entries.sort_by(|a, b| a.name.cmp(&b.name));
        let names: Vec<_> = entries.iter().map(|e| e.display_name()).collect();
        assert_eq!(names, ["dangling", "file", "link", "sub"]);
        assert_eq!(entries[1].size, 5);
        assert_eq!(entries[1].kind, Kind::File);
        assert_eq!(entries[2].link.as_ref().unwrap().kind, Some(Kind::Dir));
        assert!(entries[2].is_dir_like());
        assert_eq!(entries[0].link.as_ref().unwrap().kind, None);
        assert_eq!(entries[3].kind, Kind::Dir);
    }
}
