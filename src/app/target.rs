//! Where a pane should go, as typed on the command line, in go-to, in the
//! host picker or in a bookmark: a local path, scp's `[user@]host:path`, or
//! `ssh://` / `scp://[user@]host[:port][/path]` (`ssh::destination` reads
//! them all; a colon before the first slash makes it remote).

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

use crate::ssh::{Destination, DestinationError, destination};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Local(PathBuf),
    /// `host` is `[user@]host[:port]` (an IPv6 address in brackets);
    /// `path` `None` means the remote home, a relative one is below it.
    Remote {
        host: String,
        path: Option<PathBuf>,
    },
}

impl Target {
    /// Parses `text`. With `bare_is_host` (the host picker), a word without
    /// a colon or slash is a host instead of a local path, and
    /// `host:NUMBER` names the port.
    pub fn parse(text: &str, bare_is_host: bool) -> Result<Target, DestinationError> {
        let parsed = if bare_is_host {
            destination::parse_host(text.as_bytes())
        } else {
            destination::parse(text.as_bytes())
        };
        Ok(match parsed? {
            None => Target::Local(PathBuf::from(text)),
            Some(Destination { target, path }) => {
                Target::Remote { host: target.to_string(), path: path.and_then(|p| below_home(p.as_bytes())) }
            }
        })
    }
}

/// A remote path as the pane opens it: `~` and `~/` are the home, which
/// relative paths are below.
fn below_home(path: &[u8]) -> Option<PathBuf> {
    let path = match path {
        b"" | b"~" | b"~/" => return None,
        _ => path.strip_prefix(b"~/").unwrap_or(path),
    };
    Some(PathBuf::from(OsStr::from_bytes(path)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn remote(host: &str, path: Option<&str>) -> Target {
        Target::Remote { host: host.into(), path: path.map(PathBuf::from) }
    }

    fn parse(text: &str, bare_is_host: bool) -> Target {
        Target::parse(text, bare_is_host).unwrap()
    }

    #[test]
    fn scp_rules() {
        assert_eq!(parse("/tmp", false), Target::Local("/tmp".into()));
        assert_eq!(parse("docs", false), Target::Local("docs".into()));
        assert_eq!(parse("./a:b", false), Target::Local("./a:b".into()));
        assert_eq!(parse("web:/var/log", false), remote("web", Some("/var/log")));
        assert_eq!(parse("alice@web:", false), remote("alice@web", None));
        assert_eq!(parse("alice@web:logs", false), remote("alice@web", Some("logs")));
        assert_eq!(parse("alice@web:~/logs", false), remote("alice@web", Some("logs")));
        assert_eq!(parse("[::1]:/x", false), remote("[::1]", Some("/x")));
        assert_eq!(parse("web:2222", false), remote("web", Some("2222")));
        assert_eq!(parse("web", true), remote("web", None));
        assert_eq!(parse("alice@web", true), remote("alice@web", None));
        assert_eq!(parse("/srv", true), Target::Local("/srv".into()));
    }

    #[test]
    fn uris_and_ports() {
        for bare_is_host in [false, true] {
            assert_eq!(
                parse("ssh://alice@web:2222//var/log", bare_is_host),
                remote("alice@web:2222", Some("/var/log"))
            );
            assert_eq!(parse("scp://web/notes", bare_is_host), remote("web", Some("notes")));
            assert_eq!(parse("ssh://[::1]:2222/", bare_is_host), remote("[::1]:2222", None));
            assert!(Target::parse("ssh://web:0/", bare_is_host).is_err());
        }
        assert_eq!(parse("alice@web:2222", true), remote("alice@web:2222", None));
        assert_eq!(parse("[::1]:2222", true), remote("[::1]:2222", None));
    }
}
