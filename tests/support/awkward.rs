//! A directory holding every kind of file and the names that break naive
//! tools, and its expected listing read with lstat.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};
use std::path::Path;

use nix::sys::stat::{Mode, SFlag, UtimensatFlags, makedev, mknod, utimensat};
use nix::sys::time::TimeSpec;

/// Names that break `ls` parsers, shells and terminals (each a regular file).
pub const AWKWARD_NAMES: &[&[u8]] = &[
    b"plain.txt",
    b"with space",
    b"  leading spaces",
    b"trailing space ",
    b"a -> b",
    b"new\nline",
    b"\nstarts with newline",
    b"ends with newline\n",
    b"ctrl\x01\x1b[31mred\x7f",
    b"\xff\xfe not utf8",
    b"quote ' and \" both",
    b"$(touch pwned) `id` ${HOME}",
    b"-leading-dash",
    b"--",
    b"back\\slash",
    b"tab\there",
    b"*",
    b".hidden",
    "日本語 🚀 файл".as_bytes(),
    b"Jan  1 12:00 fake-date",
];

/// What [`awkward_tree`] created besides the awkward regular files.
pub struct Tree {
    /// Whether a character and a block device could be created (root only).
    pub devices: bool,
}

/// Fills `dir` with every kind of file and the awkward names. Times carry
/// nanoseconds; one file is 5 GB (sparse) to need a u64 size.
pub fn awkward_tree(dir: &Path) -> Tree {
    for (i, name) in AWKWARD_NAMES.iter().enumerate() {
        let path = dir.join(OsStr::from_bytes(name));
        std::fs::write(&path, vec![b'x'; i]).unwrap();
    }
    std::fs::create_dir(dir.join("dir")).unwrap();
    std::fs::create_dir(dir.join("sticky dir")).unwrap();
    std::fs::set_permissions(dir.join("sticky dir"), std::fs::Permissions::from_mode(0o1777)).unwrap();
    std::fs::write(dir.join("setuid"), b"#!/bin/sh\n").unwrap();
    std::fs::set_permissions(dir.join("setuid"), std::fs::Permissions::from_mode(0o4755)).unwrap();
    std::fs::write(dir.join("setgid"), b"").unwrap();
    std::fs::set_permissions(dir.join("setgid"), std::fs::Permissions::from_mode(0o2640)).unwrap();
    std::fs::File::create(dir.join("sparse 5G")).unwrap().set_len(5_000_000_000).unwrap();
    symlink("plain.txt", dir.join("link to file")).unwrap();
    symlink("dir", dir.join("link to dir")).unwrap();
    symlink("nowhere", dir.join("dangling")).unwrap();
    symlink("loop", dir.join("loop")).unwrap();
    symlink(OsStr::from_bytes(b"x -> y\nz \xff"), dir.join("sym -> with arrow")).unwrap();
    symlink("/", dir.join("link\nwith newline")).unwrap();
    nix::unistd::mkfifo(&dir.join("fifo"), Mode::from_bits_truncate(0o644)).unwrap();
    // The socket file stays when the listener is dropped.
    drop(std::os::unix::net::UnixListener::bind(dir.join("socket")).unwrap());
    let devices =
        mknod(&dir.join("char dev"), SFlag::S_IFCHR, Mode::from_bits_truncate(0o620), makedev(1, 3)).is_ok()
            && mknod(&dir.join("block dev"), SFlag::S_IFBLK, Mode::from_bits_truncate(0o660), makedev(7, 0))
                .is_ok();
    // Old and new times with nanoseconds, set last so nothing above moves them.
    let old = TimeSpec::new(1_234_567_890, 123_456_789);
    let recent = TimeSpec::new(jiff::Timestamp::now().as_second() - 3600, 987_654_321);
    for (i, entry) in std::fs::read_dir(dir).unwrap().enumerate() {
        let path = entry.unwrap().path();
        let when = if i % 2 == 0 { old } else { recent };
        utimensat(nix::fcntl::AT_FDCWD, &path, &when, &when, UtimensatFlags::NoFollowSymlink).unwrap();
    }
    Tree { devices }
}

/// The listing of `dir` read locally with lstat, sorted by name.
pub fn lstat_entries(dir: &Path) -> Vec<scpdeck::fs::Entry> {
    use scpdeck::fs::{Entry, Kind, LinkTarget, Mtime};
    let mut entries: Vec<Entry> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let meta = std::fs::symlink_metadata(e.path()).unwrap();
            let kind = Kind::from_mode(meta.mode());
            let link = (kind == Kind::Symlink).then(|| {
                let target = std::fs::metadata(e.path());
                LinkTarget {
                    path: std::fs::read_link(e.path()).unwrap().into_os_string(),
                    kind: target.as_ref().ok().map(|m| Kind::from_mode(m.mode())),
                    loops: target.is_err_and(|e| e.raw_os_error() == Some(nix::libc::ELOOP)),
                }
            });
            Entry {
                name: e.file_name(),
                kind,
                size: meta.size(),
                mode: meta.mode() & 0o7777,
                mtime: Mtime { secs: meta.mtime(), nanos: meta.mtime_nsec() as u32 },
                owner: user_name(meta.uid()),
                group: group_name(meta.gid()),
                link,
            }
        })
        .collect();
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    entries
}

pub fn user_name(uid: u32) -> String {
    nix::unistd::User::from_uid(uid.into()).ok().flatten().map_or(uid.to_string(), |u| u.name)
}

pub fn group_name(gid: u32) -> String {
    nix::unistd::Group::from_gid(gid.into()).ok().flatten().map_or(gid.to_string(), |g| g.name)
}

/// A name from bytes.
pub fn os(bytes: &[u8]) -> OsString {
    OsString::from_vec(bytes.to_vec())
}

/// The names in `dir`, sorted (lossy: for assertions).
pub fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}
