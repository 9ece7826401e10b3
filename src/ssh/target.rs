//! Where to connect, as a host is named everywhere inside scpdeck:
//! `[user@]host[:port]`, `[user@][v6-address][:port]` or
//! `ssh://[user@]host[:port]` (as ProxyJump hops are written). Whole
//! destinations with a path are read by `destination`.

use std::fmt;

use super::error::ConnectError;

/// Where to connect, before ssh_config is applied. `host` may be an alias
/// from ~/.ssh/config.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Target {
    pub user: Option<String>,
    pub host: String,
    pub port: Option<u16>,
}

impl Target {
    /// A target naming just a host (or alias).
    pub fn host(host: impl Into<String>) -> Target {
        Target { user: None, host: host.into(), port: None }
    }

    /// Parses `[user@]host[:port]`. The user is everything before the last
    /// `@` (like OpenSSH). An address with several colons and no brackets is
    /// an IPv6 address without a port.
    pub fn parse(text: &str) -> Result<Target, ConnectError> {
        let invalid =
            |reason: &str| ConnectError::InvalidTarget { text: text.to_owned(), reason: reason.to_owned() };
        let rest = text.strip_prefix("ssh://").unwrap_or(text);
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        let (user, host_port) = match rest.rsplit_once('@') {
            Some(("", _)) => return Err(invalid("the user name before @ is empty")),
            Some((user, host_port)) => (Some(user.to_owned()), host_port),
            None => (None, rest),
        };
        let (host, port) = if let Some(bracketed) = host_port.strip_prefix('[') {
            let Some((host, after)) = bracketed.split_once(']') else {
                return Err(invalid("a '[' without its closing ']'"));
            };
            match after {
                "" => (host, None),
                _ => match after.strip_prefix(':') {
                    Some(port) => (host, Some(port)),
                    None => return Err(invalid("only ':port' may follow ']'")),
                },
            }
        } else {
            match host_port.split_once(':') {
                Some((host, port)) if !port.contains(':') => (host, Some(port)),
                _ => (host_port, None),
            }
        };
        check_host(host).map_err(invalid)?;
        let port = port.map(parse_port).transpose().map_err(invalid)?;
        Ok(Target { user, host: host.to_owned(), port })
    }
}

/// What every host name must be: not empty, no option (`-...`), no
/// spaces or control characters.
pub(super) fn check_host(host: &str) -> Result<(), &'static str> {
    if host.is_empty() {
        return Err("the host name is empty");
    }
    if host.starts_with('-') {
        return Err("a host name may not start with '-'");
    }
    if host.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("the host name contains spaces or control characters");
    }
    Ok(())
}

/// A port: a number from 1 to 65535, digits only.
pub(super) fn parse_port(text: &str) -> Result<u16, &'static str> {
    match text.parse::<u16>() {
        Ok(port) if port > 0 && text.bytes().all(|b| b.is_ascii_digit()) => Ok(port),
        _ => Err("the port must be a number from 1 to 65535"),
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(user) = &self.user {
            write!(f, "{user}@")?;
        }
        // An IPv6 address always in brackets, so that scp's `host:path`
        // and the host picker read the text back as the same host.
        match self.host.contains(':') {
            true => write!(f, "[{}]", self.host)?,
            false => write!(f, "{}", self.host)?,
        }
        match self.port {
            Some(port) => write!(f, ":{port}"),
            None => Ok(()),
        }
    }
}

impl std::str::FromStr for Target {
    type Err = ConnectError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Target::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(user: Option<&str>, host: &str, port: Option<u16>) -> Target {
        Target { user: user.map(str::to_owned), host: host.to_owned(), port }
    }

    #[test]
    fn parses_the_usual_forms() {
        assert_eq!(Target::parse("example.org").unwrap(), t(None, "example.org", None));
        assert_eq!(Target::parse("alice@example.org").unwrap(), t(Some("alice"), "example.org", None));
        assert_eq!(
            Target::parse("alice@example.org:2222").unwrap(),
            t(Some("alice"), "example.org", Some(2222))
        );
        assert_eq!(Target::parse("a@b@host").unwrap(), t(Some("a@b"), "host", None));
        assert_eq!(Target::parse("ssh://bob@h:22/").unwrap(), t(Some("bob"), "h", Some(22)));
    }

    #[test]
    fn parses_ipv6() {
        assert_eq!(Target::parse("[::1]:2222").unwrap(), t(None, "::1", Some(2222)));
        assert_eq!(Target::parse("u@[fe80::1]").unwrap(), t(Some("u"), "fe80::1", None));
        assert_eq!(Target::parse("2001:db8::1").unwrap(), t(None, "2001:db8::1", None));
        assert_eq!(Target::parse("[::1]:2222").unwrap().to_string(), "[::1]:2222");
    }

    #[test]
    fn refuses_nonsense() {
        for bad in
            ["", "@h", "u@", "h:0", "h:99999", "h:x", "h:+1", "[::1", "[::1]x", "-oProxyCommand=x", "a b"]
        {
            let err = Target::parse(bad).unwrap_err();
            assert!(matches!(err, ConnectError::InvalidTarget { .. }), "{bad}: {err}");
        }
    }

    #[test]
    fn displays_round_trip() {
        for text in ["h", "u@h", "u@h:2", "[::1]:22", "u@[fe80::1]"] {
            assert_eq!(Target::parse(text).unwrap().to_string(), text);
        }
        assert_eq!(Target::parse("u@fe80::1").unwrap().to_string(), "u@[fe80::1]");
    }
}
