//! Finding files under a directory: what to look for ([`FindQuery`]), what
//! is found ([`Found`]), and how a name pattern reads. The walk itself is
//! the file system's: [`super::FileSystem::find`] (this machine's in
//! `local.rs`, a host's in `remote/find/`).

mod local;

use std::path::PathBuf;

pub use local::find_local;
pub(crate) use local::{fold, matcher, reader_holds};

use super::entry::{Kind, Mtime};

/// Which kinds of entries a search keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KindFilter {
    #[default]
    Any,
    File,
    Dir,
    Symlink,
}

impl KindFilter {
    pub const ALL: [KindFilter; 4] =
        [KindFilter::Any, KindFilter::File, KindFilter::Dir, KindFilter::Symlink];

    pub fn label(self) -> &'static str {
        match self {
            KindFilter::Any => "any",
            KindFilter::File => "file",
            KindFilter::Dir => "directory",
            KindFilter::Symlink => "symlink",
        }
    }

    /// Whether an entry of `kind` (not followed, as `find -type` without
    /// `-L`) is kept.
    pub fn keeps(self, kind: Kind) -> bool {
        match self {
            KindFilter::Any => true,
            KindFilter::File => kind == Kind::File,
            KindFilter::Dir => kind == Kind::Dir,
            KindFilter::Symlink => kind == Kind::Symlink,
        }
    }
}

/// What to look for under `root` (every filter must hold).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FindQuery {
    pub root: PathBuf,
    /// Empty: any name.
    pub name: String,
    /// `name` is a glob (`*.log`, `img_[0-9]*`) rather than a part of the name.
    pub glob: bool,
    /// Names (and the text inside files) compared with case; otherwise
    /// ASCII letters match either case.
    pub case_sensitive: bool,
    pub kind: KindFilter,
    /// Only entries larger than this many bytes.
    pub larger_than: Option<u64>,
    /// Only entries smaller than this many bytes.
    pub smaller_than: Option<u64>,
    /// Only entries modified less than this many minutes ago.
    pub modified_within_minutes: Option<u64>,
    /// Only regular files holding this text (compared as bytes).
    pub contains: Option<String>,
}

impl FindQuery {
    /// The name pattern as a glob: a substring `part` becomes `*part*` with
    /// the glob characters in it escaped; `None` when any name matches.
    pub fn name_glob(&self) -> Option<String> {
        if self.name.is_empty() {
            return None;
        }
        if self.glob {
            return Some(self.name.clone());
        }
        let mut glob = String::from("*");
        for c in self.name.chars() {
            if matches!(c, '*' | '?' | '[' | ']' | '\\') {
                glob.push('\\');
            }
            glob.push(c);
        }
        glob.push('*');
        Some(glob)
    }

    /// Only regular files can hold text.
    pub fn effective_kind(&self) -> KindFilter {
        if self.contains.is_some() { KindFilter::File } else { self.kind }
    }
}

/// One entry found: its full path and what `lstat` says of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub path: PathBuf,
    pub kind: Kind,
    pub size: u64,
    pub mtime: Mtime,
}

/// How a search ended (its results went to the caller as they came).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FindEnd {
    /// The tool that searched ("GNU find", "find + stat", "perl", "scpdeck").
    pub tool: &'static str,
    /// Directories that could not be read and the like, escaped.
    pub warnings: Vec<String>,
}

/// The glob as a perl regular expression matching a whole name (for hosts
/// searched with perl): `*` any run, `?` one character, `[...]` a class
/// (`[!...]` negated), `\x` the character x; every other character literal.
pub fn glob_to_regex(glob: &str) -> String {
    let mut out = String::from("^");
    let mut chars = glob.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '*' => out.push_str(".*"),
            '?' => out.push('.'),
            '\\' => match chars.next() {
                Some(next) => literal(&mut out, next),
                None => literal(&mut out, '\\'),
            },
            '[' => {
                let class: String = {
                    let mut probe = chars.clone();
                    let mut body = String::new();
                    let mut closed = false;
                    if let Some(&first) = probe.peek()
                        && (first == '!' || first == '^')
                    {
                        body.push('^');
                        probe.next();
                    }
                    if probe.peek() == Some(&']') {
                        body.push_str("\\]");
                        probe.next();
                    }
                    for d in probe.by_ref() {
                        if d == ']' {
                            closed = true;
                            break;
                        }
                        if d == '\\' || d == '[' {
                            body.push('\\');
                        }
                        body.push(d);
                    }
                    if closed {
                        chars = probe;
                        format!("[{body}]")
                    } else {
                        String::new()
                    }
                };
                if class.is_empty() {
                    literal(&mut out, '[');
                } else {
                    out.push_str(&class);
                }
            }
            c => literal(&mut out, c),
        }
    }
    out.push('$');
    out
}

fn literal(out: &mut String, c: char) {
    if c.is_ascii() && !c.is_ascii_alphanumeric() && c != '_' {
        out.push('\\');
    }
    out.push(c);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_substring_becomes_an_escaped_glob() {
        let q = |name: &str, glob| FindQuery { name: name.into(), glob, ..FindQuery::default() };
        assert_eq!(q("", false).name_glob(), None);
        assert_eq!(q("a*b?[c]\\", false).name_glob().unwrap(), "*a\\*b\\?\\[c\\]\\\\*");
        assert_eq!(q("*.log", true).name_glob().unwrap(), "*.log");
    }

    #[test]
    fn globs_become_anchored_regexes() {
        assert_eq!(glob_to_regex("*.log"), "^.*\\.log$");
        assert_eq!(glob_to_regex("img_?[0-9]"), "^img_.[0-9]$");
        assert_eq!(glob_to_regex("[!a]x"), "^[^a]x$");
        assert_eq!(glob_to_regex("a\\*b"), "^a\\*b$");
        assert_eq!(glob_to_regex("[unclosed"), "^\\[unclosed$");
        assert_eq!(glob_to_regex("$(x)'"), "^\\$\\(x\\)\\'$");
    }

    #[test]
    fn content_implies_files() {
        let q = FindQuery { contains: Some("x".into()), kind: KindFilter::Any, ..FindQuery::default() };
        assert_eq!(q.effective_kind(), KindFilter::File);
    }
}
