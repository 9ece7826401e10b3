//! Pieces every remote script shares, and running one as an operation.

use std::borrow::Cow;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::Path;

use crate::ssh::Link;

use crate::fs::FsError;
use crate::shell::{self, Banner, Command, Output};
use crate::text::escape_bytes;

/// Starts every script: English messages and C collation whatever the
/// remote locale, and no `CDPATH` so `cd` goes exactly where it is told.
pub(super) const PRELUDE: &str = "LC_ALL=C; export LC_ALL; unset CDPATH;";

/// A result, with what the login profile printed and any warnings the
/// command gave while succeeding (both escaped, for the log).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply<T> {
    pub value: T,
    pub banner: Banner,
    /// The command's stderr lines, when it succeeded anyway (an entry that
    /// vanished during a listing, an unreadable subdirectory while counting).
    pub warnings: Vec<String>,
}

impl<T> Reply<T> {
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Reply<U> {
        Reply { value: f(self.value), banner: self.banner, warnings: self.warnings }
    }
}

/// A remote path as a word for a command: relative paths get `./` in front,
/// so that no path can be taken for an option or a `find` expression, even
/// where `--` is not understood.
pub(super) fn path_word(path: &Path) -> Cow<'_, OsStr> {
    let bytes = path.as_os_str().as_bytes();
    if bytes.first() == Some(&b'/') || bytes.starts_with(b"./") {
        Cow::Borrowed(path.as_os_str())
    } else if bytes.is_empty() {
        Cow::Borrowed(OsStr::new("."))
    } else {
        let mut word = b"./".to_vec();
        word.extend_from_slice(bytes);
        Cow::Owned(OsString::from_vec(word))
    }
}

/// A path for messages.
pub(super) fn shown(path: &Path) -> String {
    escape_bytes(path.as_os_str().as_bytes())
}

/// Appends a path word, turning a NUL in it into an error for `action`.
pub(super) fn with_path(cmd: Command, path: &Path, action: &str) -> Result<Command, FsError> {
    cmd.arg(path_word(path)).map_err(|source| FsError::Quote { action: action.into(), source })
}

/// Appends a word that is not a path (a mode, a symlink target as given).
pub(super) fn with_word(cmd: Command, word: &OsStr, action: &str) -> Result<Command, FsError> {
    cmd.arg(word).map_err(|source| FsError::Quote { action: action.into(), source })
}

/// Fails with "File exists" (recognised as [`FsError::AlreadyExists`])
/// when something, even a dangling symlink, is at `path`.
pub(super) fn refuse_existing(cmd: Command, path: &Path, action: &str) -> Result<Command, FsError> {
    let cmd = with_path(cmd.lit("if [ -e"), path, action)?.lit("] || [ -L");
    Ok(with_path(cmd, path, action)?.lit("]; then echo 'scpdeck: File exists' >&2; exit 1; fi;"))
}

/// Runs a short command; a failure becomes a classified error.
pub(super) fn run(link: Link<'_>, action: &str, cmd: &Command) -> Result<Reply<Vec<u8>>, FsError> {
    let out = shell::exec::run(link, cmd).map_err(|source| FsError::exec(action, source))?;
    check(action, cmd, out)
}

/// Turns a finished command into a reply or a classified error.
pub(super) fn check(action: &str, cmd: &Command, out: Output) -> Result<Reply<Vec<u8>>, FsError> {
    if !out.status.success() {
        return Err(FsError::from_output(action, cmd.as_bytes(), &out));
    }
    Ok(Reply { value: out.stdout, banner: out.banner, warnings: warning_lines(&out.stderr) })
}

/// Stderr lines, escaped, without empty ones.
pub(super) fn warning_lines(stderr: &[u8]) -> Vec<String> {
    stderr.split(|&b| b == b'\n').filter(|l| !l.trim_ascii().is_empty()).map(escape_bytes).collect()
}

/// One line of output without its final newline (exactly one is removed:
/// a path may itself end with a newline).
pub(super) fn strip_newline(mut bytes: Vec<u8>) -> Vec<u8> {
    if bytes.last() == Some(&b'\n') {
        bytes.pop();
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_cannot_look_like_options() {
        assert_eq!(path_word(Path::new("-rf")), OsStr::new("./-rf"));
        assert_eq!(path_word(Path::new("/abs")), OsStr::new("/abs"));
        assert_eq!(path_word(Path::new("")), OsStr::new("."));
        assert_eq!(path_word(Path::new("./x")), OsStr::new("./x"));
        assert_eq!(path_word(Path::new("~")), OsStr::new("./~"));
    }

    #[test]
    fn existence_test_quotes_both_places() {
        let cmd = refuse_existing(Command::new("x;"), Path::new("/a b"), "x").unwrap();
        assert_eq!(
            cmd.as_bytes(),
            b"x; if [ -e '/a b' ] || [ -L '/a b' ]; then echo 'scpdeck: File exists' >&2; exit 1; fi;"
        );
    }
}
