//! The one function that quotes a word for a remote POSIX shell.
//!
//! Every remote path goes through here: an unquoted path is a command injection
//! (CVE-2020-15778). Words are single-quoted and `'` becomes `'\''`, which is
//! exact for any bytes except NUL, which no POSIX argument can hold.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use crate::text::escape_bytes;

/// A word that cannot be passed to a remote shell.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuoteError {
    #[error("the path \"{0}\" contains a NUL byte, which no remote command can receive")]
    Nul(String),
}

/// Quotes `word` for a POSIX shell.
pub fn quote(word: &[u8]) -> Result<Vec<u8>, QuoteError> {
    quote_with(word, None)
}

/// Quotes `word` for a POSIX shell as one line: each newline becomes
/// `'"$VAR"'`, so the result is exact only where the shell variable
/// `newline_var` holds a single newline. The framing sends every command
/// as a one-line script this way (see [`super::frame`]).
pub fn quote_one_line(word: &[u8], newline_var: &str) -> Result<Vec<u8>, QuoteError> {
    quote_with(word, Some(newline_var))
}

fn quote_with(word: &[u8], newline_var: Option<&str>) -> Result<Vec<u8>, QuoteError> {
    if word.contains(&0) {
        return Err(QuoteError::Nul(escape_bytes(word)));
    }
    let mut out = Vec::with_capacity(word.len() + 2);
    out.push(b'\'');
    for &b in word {
        match (b, newline_var) {
            (b'\'', _) => out.extend_from_slice(b"'\\''"),
            (b'\n', Some(var)) => {
                out.extend_from_slice(b"'\"$");
                out.extend_from_slice(var.as_bytes());
                out.extend_from_slice(b"\"'");
            }
            _ => out.push(b),
        }
    }
    out.push(b'\'');
    Ok(out)
}

/// Quotes an `OsStr` (a path or a name) for a POSIX shell.
pub fn quote_os(word: &OsStr) -> Result<Vec<u8>, QuoteError> {
    quote(word.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_word() {
        assert_eq!(quote(b"a b").unwrap(), b"'a b'");
    }

    #[test]
    fn single_quote_is_closed_escaped_and_reopened() {
        assert_eq!(quote(b"it's").unwrap(), b"'it'\\''s'");
    }

    #[test]
    fn nul_is_refused() {
        assert!(matches!(quote(b"a\0b"), Err(QuoteError::Nul(_))));
    }

    #[test]
    fn one_line_quoting_has_no_newline_and_round_trips_through_sh() {
        let word = b"a\nb 'c'\n\n$(x)\n";
        let quoted = quote_one_line(word, "nl").unwrap();
        assert_eq!(quoted, br#"'a'"$nl"'b '\''c'\'''"$nl"''"$nl"'$(x)'"$nl"''"#);
        let mut script = br"nl=$(printf '\nx'); nl=${nl%x}; printf %s ".to_vec();
        script.extend(quoted);
        let out =
            std::process::Command::new("sh").arg("-c").arg(OsStr::from_bytes(&script)).output().unwrap();
        assert_eq!(out.stdout, word);
        assert!(matches!(quote_one_line(b"a\0", "nl"), Err(QuoteError::Nul(_))));
    }

    #[test]
    fn round_trips_through_sh() {
        let nasty: &[&[u8]] = &[
            b"plain",
            b"with space",
            b"quote ' inside",
            b"$(touch /tmp/pwned) `id` ${HOME}",
            b"-leading dash",
            b"new\nline",
            b"back\\slash\\",
            b"\xff\xfe not utf8",
            b"",
        ];
        for word in nasty {
            let mut script = b"printf %s ".to_vec();
            script.extend(quote(word).unwrap());
            let out =
                std::process::Command::new("sh").arg("-c").arg(OsStr::from_bytes(&script)).output().unwrap();
            assert_eq!(&out.stdout, word, "{}", escape_bytes(word));
        }
    }
}
