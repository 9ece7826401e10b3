//! `scpdeck cp` operands, read the way OpenSSH's scp reads them: a colon
//! before any slash makes `[user@]host:path` remote (`[user@][v6addr]:path`
//! for IPv6); a leading colon, or a slash before the first colon, makes a
//! local path. No I/O.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::PathBuf;

/// One SOURCE or TARGET.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operand {
    Local(PathBuf),
    Remote(RemotePath),
}

/// `[user@]host:path`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemotePath {
    pub user: Option<String>,
    /// Host name, alias or address (IPv6 without brackets).
    pub host: String,
    /// The path on the host; empty means the remote home directory.
    pub path: OsString,
}

impl RemotePath {
    /// `[user@]host`, as the user wrote it, for messages.
    pub fn destination(&self) -> String {
        let host = if self.host.contains(':') { format!("[{}]", self.host) } else { self.host.clone() };
        match &self.user {
            Some(user) => format!("{user}@{host}"),
            None => host,
        }
    }

    /// The path to give the remote scp (`.` for an empty path, as scp does).
    pub fn scp_path(&self) -> OsString {
        if self.path.is_empty() { OsString::from(".") } else { self.path.clone() }
    }
}

/// Why an operand cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OperandError {
    #[error("\"{0}\": the host name is empty")]
    EmptyHost(String),
    #[error("\"{0}\": a user or host name must be valid UTF-8")]
    NotUtf8(String),
    #[error("\"{0}\": an IPv6 address in brackets must be followed by ':'")]
    Bracket(String),
}

/// Reads one operand.
pub fn parse(arg: &OsStr) -> Result<Operand, OperandError> {
    let bytes = arg.as_bytes();
    let show = || crate::text::escape_bytes(bytes);
    let Some(colon) = remote_colon(bytes) else {
        if bytes.contains(&b'[') && bytes.contains(&b']') && bytes.starts_with(b"[") {
            return Err(OperandError::Bracket(show()));
        }
        return Ok(Operand::Local(PathBuf::from(arg)));
    };
    let (login, path) = (&bytes[..colon], &bytes[colon + 1..]);
    let (user, host) = match login.iter().rposition(|&b| b == b'@') {
        Some(at) => (Some(&login[..at]), &login[at + 1..]),
        None => (None, login),
    };
    let host = host.strip_prefix(b"[").and_then(|h| h.strip_suffix(b"]")).unwrap_or(host);
    if host.is_empty() {
        return Err(OperandError::EmptyHost(show()));
    }
    let text = |b: &[u8]| String::from_utf8(b.to_vec()).map_err(|_| OperandError::NotUtf8(show()));
    Ok(Operand::Remote(RemotePath {
        user: user.map(text).transpose()?,
        host: text(host)?,
        path: OsString::from_vec(path.to_vec()),
    }))
}

/// The colon that separates host and path, if the operand is remote.
fn remote_colon(bytes: &[u8]) -> Option<usize> {
    if bytes.first() == Some(&b':') {
        return None;
    }
    let mut in_brackets = false;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'@' if bytes.get(i + 1) == Some(&b'[') => in_brackets = true,
            b'[' if i == 0 => in_brackets = true,
            b']' if in_brackets => in_brackets = false,
            b':' if !in_brackets => return Some(i),
            b'/' if !in_brackets => return None,
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn remote(user: Option<&str>, host: &str, path: &str) -> Operand {
        Operand::Remote(RemotePath { user: user.map(String::from), host: host.into(), path: path.into() })
    }

    fn p(s: &str) -> Operand {
        parse(OsStr::new(s)).unwrap()
    }

    #[test]
    fn remote_forms() {
        assert_eq!(p("host:file"), remote(None, "host", "file"));
        assert_eq!(p("me@host:/etc/x"), remote(Some("me"), "host", "/etc/x"));
        assert_eq!(p("host:"), remote(None, "host", ""));
        assert_eq!(p("a@b@host:x"), remote(Some("a@b"), "host", "x"));
        assert_eq!(p("[::1]:/tmp/f"), remote(None, "::1", "/tmp/f"));
        assert_eq!(p("me@[fe80::1]:x:y"), remote(Some("me"), "fe80::1", "x:y"));
        assert_eq!(p("host:path with: colon"), remote(None, "host", "path with: colon"));
    }

    #[test]
    fn local_forms() {
        assert_eq!(p("file"), Operand::Local("file".into()));
        assert_eq!(p("./host:file"), Operand::Local("./host:file".into()));
        assert_eq!(p("dir/a:b"), Operand::Local("dir/a:b".into()));
        assert_eq!(p(":leading"), Operand::Local(":leading".into()));
        assert_eq!(p("/abs/x"), Operand::Local("/abs/x".into()));
    }

    #[test]
    fn bad_forms() {
        assert!(matches!(parse(OsStr::new(":x")), Ok(Operand::Local(_))));
        assert_eq!(parse(OsStr::new("@:x")), Err(OperandError::EmptyHost("@:x".into())));
        assert!(matches!(parse(OsStr::new("[::1]x")), Err(OperandError::Bracket(_))));
    }

    #[test]
    fn destinations_and_paths() {
        let Operand::Remote(r) = p("me@[::1]:") else { panic!() };
        assert_eq!(r.destination(), "me@[::1]");
        assert_eq!(r.scp_path(), ".");
    }
}
