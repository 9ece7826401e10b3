//! One directory entry, local or remote.

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;

use crate::text::escape_bytes;

/// What kind of file an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    File,
    Dir,
    Symlink,
    Fifo,
    Socket,
    CharDevice,
    BlockDevice,
    Unknown,
}

impl Kind {
    /// Every kind, for reading names back.
    pub const ALL: [Kind; 8] = [
        Kind::File,
        Kind::Dir,
        Kind::Symlink,
        Kind::Fifo,
        Kind::Socket,
        Kind::CharDevice,
        Kind::BlockDevice,
        Kind::Unknown,
    ];

    /// The kind's name in machine-readable output (`ls --json`, the job
    /// journal).
    pub fn name(self) -> &'static str {
        match self {
            Kind::File => "file",
            Kind::Dir => "dir",
            Kind::Symlink => "symlink",
            Kind::Fifo => "fifo",
            Kind::Socket => "socket",
            Kind::CharDevice => "char",
            Kind::BlockDevice => "block",
            Kind::Unknown => "unknown",
        }
    }

    /// The kind [`Kind::name`] names (`Unknown` for any other name).
    pub fn from_name(name: &str) -> Kind {
        Kind::ALL.into_iter().find(|k| k.name() == name).unwrap_or(Kind::Unknown)
    }

    /// The kind for the file-type bits of a `st_mode`.
    pub fn from_mode(mode: u32) -> Self {
        match mode & 0o170000 {
            0o100000 => Kind::File,
            0o040000 => Kind::Dir,
            0o120000 => Kind::Symlink,
            0o010000 => Kind::Fifo,
            0o140000 => Kind::Socket,
            0o020000 => Kind::CharDevice,
            0o060000 => Kind::BlockDevice,
            _ => Kind::Unknown,
        }
    }

    /// The character `ls -l` shows for this kind.
    pub fn ls_char(self) -> char {
        match self {
            Kind::File => '-',
            Kind::Dir => 'd',
            Kind::Symlink => 'l',
            Kind::Fifo => 'p',
            Kind::Socket => 's',
            Kind::CharDevice => 'c',
            Kind::BlockDevice => 'b',
            Kind::Unknown => '?',
        }
    }
}

/// Modification time: seconds since the epoch and nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Mtime {
    pub secs: i64,
    pub nanos: u32,
}

/// A symlink's target and what the target is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkTarget {
    pub path: OsString,
    /// The kind of the file the link points to; `None` when it points at
    /// nothing (it dangles, or it loops).
    pub kind: Option<Kind>,
    /// It points at nothing because its chain of links loops (ELOOP), not
    /// because a target is missing. False where the lister cannot tell.
    pub loops: bool,
}

/// One entry of a directory listing. Names are bytes: they may hold newlines,
/// invalid UTF-8 or control characters, and are escaped only for display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub name: OsString,
    pub kind: Kind,
    pub size: u64,
    /// Permission bits (including setuid, setgid, sticky), without the type.
    pub mode: u32,
    pub mtime: Mtime,
    pub owner: String,
    pub group: String,
    pub link: Option<LinkTarget>,
}

impl Entry {
    /// The name escaped for display (never holds control characters).
    pub fn display_name(&self) -> String {
        escape_bytes(self.name.as_bytes())
    }

    /// True for directories and for symlinks that point at one.
    pub fn is_dir_like(&self) -> bool {
        self.kind == Kind::Dir || self.link.as_ref().is_some_and(|l| l.kind == Some(Kind::Dir))
    }

    /// Hidden by the usual convention: the name starts with a dot.
    pub fn is_hidden(&self) -> bool {
        self.name.as_bytes().first() == Some(&b'.')
    }

    /// Permissions as `ls -l` shows them, e.g. `drwxr-xr-x`.
    pub fn permissions(&self) -> String {
        permission_string(self.kind, self.mode)
    }
}

/// `ls -l` style permission string for a kind and mode.
pub fn permission_string(kind: Kind, mode: u32) -> String {
    let mut s = String::with_capacity(10);
    s.push(kind.ls_char());
    let bit = |mask: u32, c: char| if mode & mask != 0 { c } else { '-' };
    let special = |exec: bool, set: bool, lower: char, upper: char| match (exec, set) {
        (true, true) => lower,
        (false, true) => upper,
        (true, false) => 'x',
        (false, false) => '-',
    };
    s.push(bit(0o400, 'r'));
    s.push(bit(0o200, 'w'));
    s.push(special(mode & 0o100 != 0, mode & 0o4000 != 0, 's', 'S'));
    s.push(bit(0o040, 'r'));
    s.push(bit(0o020, 'w'));
    s.push(special(mode & 0o010 != 0, mode & 0o2000 != 0, 's', 'S'));
    s.push(bit(0o004, 'r'));
    s.push(bit(0o002, 'w'));
    s.push(special(mode & 0o001 != 0, mode & 0o1000 != 0, 't', 'T'));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_from_mode() {
        assert_eq!(Kind::from_mode(0o100644), Kind::File);
        assert_eq!(Kind::from_mode(0o040755), Kind::Dir);
        assert_eq!(Kind::from_mode(0o120777), Kind::Symlink);
        assert_eq!(Kind::from_mode(0o020620), Kind::CharDevice);
    }

    #[test]
    fn permission_strings_match_ls() {
        assert_eq!(permission_string(Kind::Dir, 0o755), "drwxr-xr-x");
        assert_eq!(permission_string(Kind::File, 0o4755), "-rwsr-xr-x");
        assert_eq!(permission_string(Kind::File, 0o2644), "-rw-r-Sr--");
        assert_eq!(permission_string(Kind::Dir, 0o1777), "drwxrwxrwt");
        assert_eq!(permission_string(Kind::Dir, 0o1776), "drwxrwxrwT");
    }
}
