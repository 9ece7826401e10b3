//! Where a pane should go, as typed on the command line, in the host picker
//! or in a bookmark: a local path or `[user@]host[:path]` (scp's rule: a
//! colon before the first slash makes it remote).

use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Local(PathBuf),
    /// `host` may carry a `user@`; `path` `None` means the remote home.
    Remote {
        host: String,
        path: Option<PathBuf>,
    },
}

impl Target {
    /// Parses `text`. With `bare_is_host`, a word without a colon or slash
    /// is a host (the host picker) instead of a local path (the command line).
    pub fn parse(text: &str, bare_is_host: bool) -> Target {
        if let Some(rest) = text.strip_prefix('[') {
            // [user@]host is not bracketed; an IPv6 address is: [::1]:path
            if let Some((host, after)) = rest.split_once(']') {
                let path = after.strip_prefix(':');
                if path.is_some() || (after.is_empty() && bare_is_host) {
                    return Target::remote(host, path.unwrap_or(""));
                }
            }
        }
        let (user, rest) = match text.split_once('@') {
            Some((user, rest)) if !user.contains('/') && !user.contains(':') => (Some(user), rest),
            _ => (None, text),
        };
        let host_of = |host: &str| match user {
            Some(user) => format!("{user}@{host}"),
            None => host.to_owned(),
        };
        if let Some(colon) = rest.find(':') {
            let slash = rest.find('/').unwrap_or(usize::MAX);
            if colon < slash && colon > 0 {
                return Target::remote(&host_of(&rest[..colon]), &rest[colon + 1..]);
            }
        }
        if bare_is_host && !rest.is_empty() && !rest.contains('/') {
            return Target::remote(&host_of(rest), "");
        }
        Target::Local(PathBuf::from(text))
    }

    fn remote(host: &str, path: &str) -> Target {
        let path = (!path.is_empty()).then(|| PathBuf::from(path));
        Target::Remote { host: host.to_owned(), path }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn remote(host: &str, path: Option<&str>) -> Target {
        Target::Remote { host: host.into(), path: path.map(PathBuf::from) }
    }

    #[test]
    fn scp_rules() {
        assert_eq!(Target::parse("/tmp", false), Target::Local("/tmp".into()));
        assert_eq!(Target::parse("docs", false), Target::Local("docs".into()));
        assert_eq!(Target::parse("./a:b", false), Target::Local("./a:b".into()));
        assert_eq!(Target::parse("web:/var/log", false), remote("web", Some("/var/log")));
        assert_eq!(Target::parse("alice@web:", false), remote("alice@web", None));
        assert_eq!(Target::parse("alice@web:logs", false), remote("alice@web", Some("logs")));
        assert_eq!(Target::parse("[::1]:/x", false), remote("::1", Some("/x")));
        assert_eq!(Target::parse("web", true), remote("web", None));
        assert_eq!(Target::parse("alice@web", true), remote("alice@web", None));
        assert_eq!(Target::parse("/srv", true), Target::Local("/srv".into()));
    }
}
