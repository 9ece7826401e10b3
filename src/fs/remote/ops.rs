//! File operations on a remote host: each one short command, run through
//! the shared quoting and framing (blocking; on the session's thread).

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

use super::Remote;
use super::script::{self, PRELUDE, Reply, refuse_existing, shown, strip_newline, with_path, with_word};
use crate::fs::FsError;
use crate::shell::Command;

/// What to do when a destination already exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overwrite {
    /// Fail with [`FsError::AlreadyExists`] and change nothing.
    Never,
    /// Replace files (what `mv -f` and `cp` do; a directory is merged into).
    Replace,
}

impl Remote<'_> {
    /// Creates `path` and any missing parents; fails when something is at
    /// `path` already.
    pub fn make_new_dir(&self, path: &Path) -> Result<Reply<()>, FsError> {
        let action = format!("create the directory {}", shown(path));
        let cmd = refuse_existing(Command::new(PRELUDE), path, &action)?.lit("mkdir -p --");
        self.run(&action, with_path(cmd, path, &action)?.lit("</dev/null"))
    }

    /// Deletes files and whole directory trees (`rm -r`). Call
    /// [`Remote::count`] first to tell the user what will go. A symlink is
    /// removed, never followed, even when given with a trailing `/`.
    pub fn delete(&self, paths: &[PathBuf]) -> Result<Reply<()>, FsError> {
        let action = format!("delete {}", list_shown(paths));
        let mut cmd = Command::new(PRELUDE).lit("rm -r --");
        for path in paths {
            let path = trim_slashes(path);
            if refuse_to_delete(&path) {
                return Err(FsError::Refused {
                    action,
                    reason: format!("{} is not something to delete", shown(&path)),
                });
            }
            cmd = with_path(cmd, &path, &action)?;
        }
        if paths.is_empty() {
            return Err(FsError::Refused { action, reason: "nothing was selected".into() });
        }
        self.run(&action, cmd.lit("</dev/null"))
    }

    /// Renames (or moves within the host) `from` to exactly `to`, which must
    /// not exist yet.
    pub fn rename(&self, from: &Path, to: &Path) -> Result<Reply<()>, FsError> {
        let action = format!("rename {} to {}", shown(from), shown(to));
        let cmd = refuse_existing(Command::new(PRELUDE), to, &action)?.lit("mv --");
        let cmd = with_path(with_path(cmd, from, &action)?, to, &action)?.lit("</dev/null");
        self.run(&action, cmd)
    }

    /// Moves `sources` into the directory `dir` (`mv`), keeping their names.
    pub fn move_into(
        &self,
        sources: &[PathBuf],
        dir: &Path,
        overwrite: Overwrite,
    ) -> Result<Reply<()>, FsError> {
        let action = format!("move {} into {}", list_shown(sources), shown(dir));
        let program = if overwrite == Overwrite::Replace { "mv -f --" } else { "mv --" };
        self.put_in_dir(&action, program, sources, dir, overwrite)
    }

    /// Sets permission bits (`chmod`, octal; `-R` when `recursive`). Symlinks
    /// given directly are followed, as `chmod` does.
    pub fn chmod(&self, paths: &[PathBuf], mode: u32, recursive: bool) -> Result<Reply<()>, FsError> {
        let action = format!("change the mode of {} to {:o}", list_shown(paths), mode & 0o7777);
        let mut cmd = Command::new(PRELUDE).lit("chmod");
        if recursive {
            cmd = cmd.lit("-R");
        }
        cmd = cmd.lit(&format!("{:o}", mode & 0o7777)).lit("--");
        for path in paths {
            cmd = with_path(cmd, path, &action)?;
        }
        self.run(&action, cmd.lit("</dev/null"))
    }

    /// Sets the owner and/or the group (`chown`, `chgrp`; `-R` when
    /// `recursive`). Names are checked to be plain user and group names
    /// (or numbers) before they reach the command.
    pub fn chown(
        &self,
        paths: &[PathBuf],
        owner: Option<&str>,
        group: Option<&str>,
        recursive: bool,
    ) -> Result<Reply<()>, FsError> {
        let action = format!("change the owner of {}", list_shown(paths));
        let plain = |n: &str| {
            !n.is_empty()
                && !n.starts_with('-')
                && n.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-$".contains(&b))
        };
        let spec = match (owner, group) {
            (Some(o), Some(g)) if plain(o) && plain(g) => format!("{o}:{g}"),
            (Some(o), None) if plain(o) => o.to_owned(),
            (None, Some(g)) if plain(g) => format!(":{g}"),
            _ => {
                return Err(FsError::Refused { action, reason: "not a user or group name".into() });
            }
        };
        let mut cmd = Command::new(PRELUDE).lit("chown");
        if recursive {
            cmd = cmd.lit("-R");
        }
        cmd = with_word(cmd, OsStr::new(&spec), &action)?.lit("--");
        for path in paths {
            cmd = with_path(cmd, path, &action)?;
        }
        self.run(&action, cmd.lit("</dev/null"))
    }

    /// Creates the symlink `link` pointing at `target` (kept exactly as
    /// given: relative targets stay relative). `link` must not exist.
    pub fn symlink(&self, target: &OsStr, link: &Path) -> Result<Reply<()>, FsError> {
        let action = format!("create the symlink {}", shown(link));
        let cmd = refuse_existing(Command::new(PRELUDE), link, &action)?.lit("ln -s --");
        let cmd = with_path(with_word(cmd, target, &action)?, link, &action)?.lit("</dev/null");
        self.run(&action, cmd)
    }

    /// Creates an empty file; fails if anything is at `path` already.
    pub fn new_file(&self, path: &Path) -> Result<Reply<()>, FsError> {
        let action = format!("create the file {}", shown(path));
        let cmd = refuse_existing(Command::new(PRELUDE), path, &action)?.lit("touch --");
        self.run(&action, with_path(cmd, path, &action)?.lit("</dev/null"))
    }

    /// The absolute, canonical form of `path`: `~` and `~user` expanded,
    /// symlinks and `..` resolved (`realpath`, else `readlink -f`, else
    /// `cd -P && pwd -P` on the directory part). Relative paths start at the
    /// remote home.
    pub fn resolve(&self, path: &Path) -> Result<Reply<PathBuf>, FsError> {
        let action = format!("resolve {}", shown(path));
        let expanded = match self.expand_tilde(path, &action)? {
            Some(p) => p,
            None => path.to_path_buf(),
        };
        let exists = with_path(Command::new(PRELUDE).lit("ls -d --"), &expanded, &action)?
            .lit(">/dev/null || exit 2;");
        let cmd = if self.caps.realpath || self.caps.readlink_f {
            // BusyBox `realpath` takes no options, not even `--`: paths are
            // absolute or start with `./` here anyway.
            let tool = if self.caps.realpath { "realpath" } else { "readlink -f" };
            with_path(exists.lit(tool), &expanded, &action)?
        } else {
            let (parent, _) = split_parent(&expanded);
            let cmd = with_path(exists.lit("if [ -d"), &expanded, &action)?.lit("]; then cd -P");
            let cmd = with_path(cmd, &expanded, &action)?.lit("&& echo d && pwd -P; else cd -P");
            with_path(cmd, &parent, &action)?.lit("&& echo f && pwd -P; fi")
        };
        let reply = self.run_stdout(&action, cmd.lit("</dev/null"))?;
        let fallback = !(self.caps.realpath || self.caps.readlink_f);
        Ok(reply.map(|out| {
            let out = strip_newline(out);
            if !fallback {
                return PathBuf::from(OsString::from_vec(out));
            }
            let (tag, dir) = out.split_at(out.len().min(2));
            let dir = PathBuf::from(OsString::from_vec(dir.to_vec()));
            if tag == b"f\n" { dir.join(split_parent(&expanded).1) } else { dir }
        }))
    }

    /// What `pattern` names as the remote shell reads it: `~`/`~USER`
    /// expanded, glob patterns matched, nothing else run
    /// (`shell::quote_pattern`), the matches sorted.
    pub fn expand(&self, pattern: &Path) -> Result<Vec<PathBuf>, FsError> {
        let action = format!("expand {}", shown(pattern));
        let quote = |source| FsError::Quote { action: action.clone(), source };
        let is_pattern = crate::shell::is_pattern(pattern.as_os_str().as_bytes());
        let cmd = if is_pattern {
            Command::new(PRELUDE)
                .lit("for f in")
                .pattern(pattern)
                .map(|c| c.lit(r#"; do if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\0' "$f"; fi; done"#))
        } else {
            Command::new(PRELUDE).lit(r"printf '%s\0'").home_path(pattern)
        }
        .map_err(quote)?;
        let out = self.run_stdout(&action, cmd)?.value;
        let mut found: Vec<PathBuf> = out
            .split(|&b| b == 0)
            .filter(|p| !p.is_empty())
            .map(|p| PathBuf::from(OsString::from_vec(p.to_vec())))
            .collect();
        found.sort();
        let missing = |what: &str| {
            FsError::NotFound(crate::fs::Failure {
                action: action.clone(),
                command: String::new(),
                status: None,
                said: what.to_owned(),
            })
        };
        if is_pattern && found.is_empty() {
            return Err(missing("nothing matches the pattern"));
        }
        if found.iter().any(|p| p.as_os_str().as_bytes().starts_with(b"~")) {
            return Err(missing("no such user on the host"));
        }
        Ok(found)
    }

    /// `~`, `~/x`, `~user/x` made absolute; `None` when `path` has no tilde.
    fn expand_tilde(&self, path: &Path, action: &str) -> Result<Option<PathBuf>, FsError> {
        let bytes = path.as_os_str().as_bytes();
        if bytes.first() != Some(&b'~') {
            return Ok(None);
        }
        let cut = bytes.iter().position(|&b| b == b'/').unwrap_or(bytes.len());
        let (head, rest) = (&bytes[1..cut], bytes[cut..].strip_prefix(b"/").unwrap_or(b""));
        let base = if head.is_empty() && self.caps.home.is_some() {
            self.caps.home.clone().unwrap_or_default()
        } else if head.iter().all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-')) {
            // Checked to be a plain user name, so the unquoted `~user` cannot
            // be anything but tilde expansion.
            let user = String::from_utf8_lossy(head);
            let cmd = Command::new(PRELUDE).lit(&format!(
                "cd ~{user} 2>/dev/null || {{ echo 'scpdeck: No such file or directory (no such user)' >&2; exit 2; }}; pwd"
            ));
            PathBuf::from(OsString::from_vec(strip_newline(self.run_stdout(action, cmd)?.value)))
        } else {
            return Ok(None);
        };
        Ok(Some(if rest.is_empty() { base } else { base.join(OsStr::from_bytes(rest)) }))
    }

    fn put_in_dir(
        &self,
        action: &str,
        program: &str,
        sources: &[PathBuf],
        dir: &Path,
        overwrite: Overwrite,
    ) -> Result<Reply<()>, FsError> {
        if sources.is_empty() {
            return Err(FsError::Refused { action: action.into(), reason: "nothing was selected".into() });
        }
        let mut cmd = Command::new(PRELUDE);
        for source in sources {
            let source = trim_slashes(source);
            let Some(name) = source.file_name() else {
                return Err(FsError::Refused {
                    action: action.into(),
                    reason: format!("{} has no name", shown(&source)),
                });
            };
            if overwrite == Overwrite::Never {
                cmd = refuse_existing(cmd, &dir.join(name), action)?;
            }
        }
        cmd = cmd.lit(program);
        for source in sources {
            cmd = with_path(cmd, &trim_slashes(source), action)?;
        }
        let mut dir_slash = dir.as_os_str().as_bytes().to_vec();
        if dir_slash.last() != Some(&b'/') {
            dir_slash.push(b'/');
        }
        let cmd = with_path(cmd, Path::new(OsStr::from_bytes(&dir_slash)), action)?.lit("</dev/null");
        self.run(action, cmd)
    }

    fn run(&self, action: &str, cmd: Command) -> Result<Reply<()>, FsError> {
        Ok(script::run(self.link, action, &cmd)?.map(drop))
    }

    fn run_stdout(&self, action: &str, cmd: Command) -> Result<Reply<Vec<u8>>, FsError> {
        script::run(self.link, action, &cmd)
    }
}

/// `a/b//` becomes `a/b`, so that `rm -r link/` cannot empty what a
/// symlink points to; `/` stays `/`.
fn trim_slashes(path: &Path) -> PathBuf {
    let bytes = path.as_os_str().as_bytes();
    let end = bytes.iter().rposition(|&b| b != b'/').map_or(bytes.len().min(1), |i| i + 1);
    PathBuf::from(OsStr::from_bytes(&bytes[..end]))
}

fn refuse_to_delete(path: &Path) -> bool {
    let bytes = path.as_os_str().as_bytes();
    bytes.is_empty()
        || bytes == b"/"
        || path.file_name().is_none()
        || bytes == b"~"
        || bytes.ends_with(b"/.")
        || bytes.ends_with(b"/..")
}

fn split_parent(path: &Path) -> (PathBuf, OsString) {
    let path = trim_slashes(path);
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    (parent, path.file_name().map(OsStr::to_os_string).unwrap_or_default())
}

fn list_shown(paths: &[PathBuf]) -> String {
    match paths {
        [one] => shown(one),
        many => format!("{} items", many.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_slashes_go() {
        assert_eq!(trim_slashes(Path::new("a/b//")), Path::new("a/b"));
        assert_eq!(trim_slashes(Path::new("///")), Path::new("/"));
        assert_eq!(trim_slashes(Path::new("x")), Path::new("x"));
    }

    #[test]
    fn dangerous_deletes_are_refused() {
        for p in ["/", "", ".", "..", "a/..", "~", "/x/."] {
            assert!(refuse_to_delete(&trim_slashes(Path::new(p))), "{p}");
        }
        assert!(!refuse_to_delete(Path::new("/tmp/x")));
        assert!(!refuse_to_delete(Path::new(".hidden")));
    }

    #[test]
    fn parents() {
        assert_eq!(split_parent(Path::new("/a/b/")), (PathBuf::from("/a"), OsString::from("b")));
        assert_eq!(split_parent(Path::new("b")), (PathBuf::from("."), OsString::from("b")));
    }
}
