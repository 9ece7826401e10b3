//! `scpdeck cp` operands, read the way OpenSSH's scp reads them
//! (`ssh::destination`): `scp://` or `ssh://[user@]host[:port][/path]`,
//! or `[user@]host:path` when a colon comes before any slash
//! (`[user@][v6addr]:path` for IPv6); anything else is a local path. No
//! I/O.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

use crate::ssh::{Destination, DestinationError, Target, destination};

/// One SOURCE or TARGET.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operand {
    Local(PathBuf),
    Remote(RemotePath),
}

/// `[user@]host:path`, or a URI's `[user@]host[:port][/path]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemotePath {
    pub user: Option<String>,
    /// Host name, alias or address (IPv6 without brackets).
    pub host: String,
    /// A URI's port (scp's `host:path` has none).
    pub port: Option<u16>,
    /// The path on the host; empty means the remote home directory.
    pub path: OsString,
    /// Used as root through sudo (`cp --sudo`).
    pub root: bool,
}

impl RemotePath {
    /// `[user@]host[:port]` (an IPv6 address in brackets): how the host is
    /// named to connect, and in messages.
    /// With `root`, the host carries the root mark (see `ssh::as_root`).
    pub fn destination(&self) -> String {
        let host = Target { user: self.user.clone(), host: self.host.clone(), port: self.port }.to_string();
        if self.root { crate::ssh::root_host(&host) } else { host }
    }

    /// The path to give the remote scp (`.` for an empty path, as scp does).
    pub fn scp_path(&self) -> OsString {
        if self.path.is_empty() { OsString::from(".") } else { self.path.clone() }
    }
}

/// Why an operand cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OperandError {
    #[error(transparent)]
    Destination(#[from] DestinationError),
}

/// Reads one operand.
pub fn parse(arg: &OsStr) -> Result<Operand, OperandError> {
    Ok(match destination::parse(arg.as_bytes())? {
        None => Operand::Local(PathBuf::from(arg)),
        Some(Destination { target, path }) => Operand::Remote(RemotePath {
            user: target.user,
            host: target.host,
            port: target.port,
            path: path.unwrap_or_default(),
            root: false,
        }),
    })
}

/// The operand with its host used as root (nothing for a local one).
pub fn as_root(operand: Operand) -> Operand {
    match operand {
        Operand::Remote(remote) => Operand::Remote(RemotePath { root: true, ..remote }),
        local => local,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn remote(user: Option<&str>, host: &str, port: Option<u16>, path: &str) -> Operand {
        Operand::Remote(RemotePath {
            user: user.map(String::from),
            host: host.into(),
            port,
            path: path.into(),
            root: false,
        })
    }

    fn p(s: &str) -> Operand {
        parse(OsStr::new(s)).unwrap()
    }

    #[test]
    fn remote_forms() {
        assert_eq!(p("host:file"), remote(None, "host", None, "file"));
        assert_eq!(p("me@host:/etc/x"), remote(Some("me"), "host", None, "/etc/x"));
        assert_eq!(p("host:"), remote(None, "host", None, ""));
        assert_eq!(p("a@b@host:x"), remote(Some("a@b"), "host", None, "x"));
        assert_eq!(p("[::1]:/tmp/f"), remote(None, "::1", None, "/tmp/f"));
        assert_eq!(p("me@[fe80::1]:x:y"), remote(Some("me"), "fe80::1", None, "x:y"));
        assert_eq!(p("host:path with: colon"), remote(None, "host", None, "path with: colon"));
        assert_eq!(p("scp://me@host:2222//tmp/a%20b"), remote(Some("me"), "host", Some(2222), "/tmp/a b"));
        assert_eq!(p("ssh://me@[::1]:2222/rel"), remote(Some("me"), "::1", Some(2222), "rel"));
        assert_eq!(p("ssh://host"), remote(None, "host", None, ""));
    }

    #[test]
    fn local_forms() {
        assert_eq!(p("file"), Operand::Local("file".into()));
        assert_eq!(p("./host:file"), Operand::Local("./host:file".into()));
        assert_eq!(p("dir/a:b"), Operand::Local("dir/a:b".into()));
        assert_eq!(p(":leading"), Operand::Local(":leading".into()));
        assert_eq!(p("/abs/x"), Operand::Local("/abs/x".into()));
        assert_eq!(p("[::1]x"), Operand::Local("[::1]x".into()), "scp's reading: no colon after ']'");
    }

    #[test]
    fn bad_forms() {
        for bad in ["@:x", "scp://host:0/x", "ssh://host/%zz", "-oProxyCommand=id:x"] {
            assert!(matches!(parse(OsStr::new(bad)), Err(OperandError::Destination(_))), "{bad}");
        }
    }

    #[test]
    fn destinations_and_paths() {
        let Operand::Remote(r) = p("me@[::1]:") else { panic!() };
        assert_eq!(r.destination(), "me@[::1]");
        assert_eq!(r.scp_path(), ".");
        let Operand::Remote(r) = p("scp://me@web:2200/x") else { panic!() };
        assert_eq!(r.destination(), "me@web:2200");
    }
}
