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

/// The `~` or `~NAME` a remote path starts with, where NAME is a user name
/// (letters, digits, `.`, `_`, `-`), and the rest (empty, or from a `/`).
pub fn split_tilde(path: &[u8]) -> Option<(&[u8], &[u8])> {
    let rest = path.strip_prefix(b"~")?;
    let end = rest.iter().position(|&b| b == b'/').unwrap_or(rest.len());
    let name = &rest[..end];
    name.iter().all(|&b| b.is_ascii_alphanumeric() || b"._-".contains(&b)).then(|| path.split_at(end + 1))
}

/// Quotes a remote path the way scp's remote shell reads it: a leading `~`
/// or `~NAME` is left unquoted so the shell expands it to a home directory;
/// everything else is quoted as by [`quote`].
pub fn quote_home_path(path: &[u8]) -> Result<Vec<u8>, QuoteError> {
    let Some((home, rest)) = split_tilde(path) else { return quote(path) };
    let mut out = home.to_vec();
    if !rest.is_empty() {
        // The slash stays unquoted: it ends the tilde prefix.
        out.push(b'/');
        out.extend(quote(&rest[1..])?);
    }
    Ok(out)
}

/// Whether a path holds a glob pattern (`*`, `?` or `[`).
pub fn is_pattern(path: &[u8]) -> bool {
    path.iter().any(|b| b"*?[".contains(b))
}

/// Quotes a remote glob pattern so that the remote shell expands the
/// pattern and nothing else: `*`, `?`, bracket expressions and a leading
/// `~`/`~NAME` stay unquoted, every other character is quoted (so `$(…)`,
/// backticks, `$VAR` and spaces are only characters of names). Inside a
/// bracket expression the members are quoted one by one, which POSIX
/// shells read as literal members; `!`/`^` first, `-` and classes like
/// `[:alpha:]` stay as they are.
pub fn quote_pattern(pattern: &[u8]) -> Result<Vec<u8>, QuoteError> {
    if pattern.contains(&0) {
        return Err(QuoteError::Nul(escape_bytes(pattern)));
    }
    let (mut out, body) = match split_tilde(pattern) {
        Some((home, rest)) if !rest.is_empty() => {
            let mut out = home.to_vec();
            out.push(b'/');
            (out, &rest[1..])
        }
        Some((home, _)) => return Ok(home.to_vec()),
        None => (Vec::new(), pattern),
    };
    let mut literal = Vec::new();
    let flush = |literal: &mut Vec<u8>, out: &mut Vec<u8>| -> Result<(), QuoteError> {
        if !literal.is_empty() {
            out.extend(quote(literal)?);
            literal.clear();
        }
        Ok(())
    };
    let mut i = 0;
    while i < body.len() {
        let b = body[i];
        match b {
            b'*' | b'?' => {
                flush(&mut literal, &mut out)?;
                out.push(b);
            }
            b'[' => match bracket_end(body, i) {
                Some(end) => {
                    flush(&mut literal, &mut out)?;
                    out.extend(quote_bracket(&body[i..=end])?);
                    i = end;
                }
                None => literal.push(b),
            },
            _ => literal.push(b),
        }
        i += 1;
    }
    flush(&mut literal, &mut out)?;
    if out.is_empty() {
        out.extend_from_slice(b"''");
    }
    Ok(out)
}

/// Where the bracket expression opened at `start` closes: the first `]`
/// after at least one member (a `]` first, or after `!`/`^`, is a member).
fn bracket_end(body: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    if matches!(body.get(i), Some(b'!' | b'^')) {
        i += 1;
    }
    if body.get(i) == Some(&b']') {
        i += 1;
    }
    while i < body.len() {
        if body[i] == b'[' && body.get(i + 1) == Some(&b':') {
            let close = body[i + 2..].windows(2).position(|w| w == b":]")?;
            i += 2 + close + 2;
            continue;
        }
        if body[i] == b']' {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// `[...]` with its members quoted one by one.
fn quote_bracket(bracket: &[u8]) -> Result<Vec<u8>, QuoteError> {
    let inner = &bracket[1..bracket.len() - 1];
    let mut out = b"[".to_vec();
    let mut i = 0;
    if matches!(inner.first(), Some(b'!' | b'^')) {
        out.push(b'!');
        i = 1;
    }
    while i < inner.len() {
        let b = inner[i];
        if b == b'[' && inner.get(i + 1) == Some(&b':') {
            let close = inner[i + 2..].windows(2).position(|w| w == b":]").unwrap_or(0);
            let class = &inner[i..i + 2 + close + 2];
            if class[2..class.len() - 2].iter().all(u8::is_ascii_alphabetic) {
                out.extend_from_slice(class);
                i += class.len();
                continue;
            }
        }
        if b == b'-' && i > 0 && i + 1 < inner.len() {
            out.push(b'-');
        } else {
            out.extend(quote(&[b])?);
        }
        i += 1;
    }
    out.push(b']');
    Ok(out)
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

    /// The names `pattern` matches in a directory holding `names`, as sh
    /// expands it once quoted; and whether anything ran.
    fn expand(pattern: &[u8], names: &[&str]) -> Vec<String> {
        let dir = tempfile::tempdir().unwrap();
        for name in names {
            std::fs::write(dir.path().join(name), b"").unwrap();
        }
        let mut script = b"for f in ".to_vec();
        script.extend(quote_pattern(pattern).unwrap());
        script.extend_from_slice(b"; do [ -e \"$f\" ] && printf '%s/' \"$f\"; done");
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(OsStr::from_bytes(&script))
            .current_dir(dir.path())
            .output()
            .unwrap();
        let mut found: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .split('/')
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect();
        found.sort();
        found
    }

    #[test]
    fn patterns_expand_and_nothing_else_does() {
        let names = ["a.gz", "b.gz", "c.txt", "$(touch x).gz", "`id`.gz", "sp ace.gz", "[x].gz", "q1", "q2"];
        assert_eq!(
            expand(b"*.gz", &names),
            ["$(touch x).gz", "[x].gz", "`id`.gz", "a.gz", "b.gz", "sp ace.gz"]
        );
        assert_eq!(expand(b"$(touch x)*", &names), ["$(touch x).gz"]);
        assert_eq!(expand(b"`id`*", &names), ["`id`.gz"]);
        assert_eq!(expand(b"sp ace*", &names), ["sp ace.gz"]);
        assert_eq!(expand(b"[ab].gz", &names), ["a.gz", "b.gz"]);
        assert_eq!(expand(b"[!ab].*", &names), ["c.txt"]);
        assert_eq!(expand(b"q[0-9]", &names), ["q1", "q2"]);
        assert_eq!(expand(b"q[[:digit:]]", &names), ["q1", "q2"]);
        assert_eq!(expand(b"[$]*", &names), ["$(touch x).gz"]);
        // An unclosed bracket is a character of the name.
        assert_eq!(expand(b"[x", &names), Vec::<String>::new());
        let dir = tempfile::tempdir().unwrap();
        let mut script = b"cd ".to_vec();
        script.extend(quote(dir.path().as_os_str().as_bytes()).unwrap());
        script.extend_from_slice(b"; for f in ");
        script.extend(quote_pattern(b"$(touch pwned)`touch pwned2`*").unwrap());
        script.extend_from_slice(b"; do :; done");
        std::process::Command::new("sh").arg("-c").arg(OsStr::from_bytes(&script)).status().unwrap();
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "nothing ran");
    }

    #[test]
    fn a_home_prefix_is_left_to_the_shell() {
        assert_eq!(split_tilde(b"~alice/x/y"), Some((&b"~alice"[..], &b"/x/y"[..])));
        assert_eq!(split_tilde(b"~"), Some((&b"~"[..], &b""[..])));
        assert_eq!(split_tilde(b"~a$b/x"), None);
        assert_eq!(quote_home_path(b"~root/a b").unwrap(), b"~root/'a b'");
        assert_eq!(quote_home_path(b"~x;rm/a").unwrap(), b"'~x;rm/a'");
        assert_eq!(quote_pattern(b"~root/*.log").unwrap(), b"~root/*'.log'");
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(OsStr::from_bytes(
                &[b"printf %s ".as_slice(), &quote_home_path(b"~root/x").unwrap()].concat(),
            ))
            .output()
            .unwrap();
        assert!(out.stdout.ends_with(b"/x") && !out.stdout.starts_with(b"~"), "{:?}", out.stdout);
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
