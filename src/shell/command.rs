//! Building a remote command line from trusted syntax and quoted words.

use std::ffi::OsStr;

use std::os::unix::ffi::OsStrExt;

use super::quote::{QuoteError, quote_home_path, quote_os, quote_pattern};

/// A command line for a remote POSIX `sh`. Literal parts are written by
/// scpdeck itself; everything that came from a user or a remote host is added
/// with [`Command::arg`] or [`Command::paths`], which quote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Command {
    bytes: Vec<u8>,
}

impl Command {
    /// Starts a command with a program name or shell syntax written by scpdeck.
    pub fn new(literal: &str) -> Self {
        Self { bytes: literal.as_bytes().to_vec() }
    }

    /// Appends literal shell syntax (options, redirections, `;`, pipes).
    pub fn lit(mut self, literal: &str) -> Self {
        self.space();
        self.bytes.extend_from_slice(literal.as_bytes());
        self
    }

    /// Appends one quoted word.
    pub fn arg(mut self, word: impl AsRef<OsStr>) -> Result<Self, QuoteError> {
        let quoted = quote_os(word.as_ref())?;
        self.space();
        self.bytes.extend(quoted);
        Ok(self)
    }

    /// Appends a remote path as scp's remote shell reads it: a leading `~`
    /// or `~NAME` is expanded to a home directory, the rest is quoted.
    pub fn home_path(mut self, path: impl AsRef<OsStr>) -> Result<Self, QuoteError> {
        let quoted = quote_home_path(path.as_ref().as_bytes())?;
        self.space();
        self.bytes.extend(quoted);
        Ok(self)
    }

    /// Appends a glob pattern that the remote shell expands (and nothing
    /// else: see [`quote_pattern`]).
    pub fn pattern(mut self, pattern: impl AsRef<OsStr>) -> Result<Self, QuoteError> {
        let quoted = quote_pattern(pattern.as_ref().as_bytes())?;
        self.space();
        self.bytes.extend(quoted);
        Ok(self)
    }

    /// Appends `--` and then each path quoted, so that no path can be taken
    /// for an option.
    pub fn paths<P: AsRef<OsStr>>(self, paths: impl IntoIterator<Item = P>) -> Result<Self, QuoteError> {
        paths.into_iter().try_fold(self.lit("--"), |cmd, p| cmd.arg(p))
    }

    /// Appends another command line (already quoted where it needs to be).
    pub fn append(mut self, other: &Command) -> Self {
        self.space();
        self.bytes.extend_from_slice(&other.bytes);
        self
    }

    /// The command line as bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    fn space(&mut self) {
        if !self.bytes.is_empty() && !self.bytes.ends_with(b" ") {
            self.bytes.push(b' ');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_come_after_double_dash_and_are_quoted() {
        let cmd = Command::new("scp").lit("-f").paths(["-rf x", "a'b"]).unwrap();
        assert_eq!(cmd.as_bytes(), b"scp -f -- '-rf x' 'a'\\''b'");
    }

    #[test]
    fn nul_in_any_path_is_refused() {
        use std::os::unix::ffi::OsStrExt;
        let bad = OsStr::from_bytes(b"a\0b");
        assert!(Command::new("ls").paths([bad]).is_err());
    }
}
