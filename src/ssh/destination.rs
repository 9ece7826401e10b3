//! Destinations as people type them, the one reading for `cp`, `ls`, the
//! commander's command line, go-to and the host picker:
//!
//! - scp's `[user@]host:path`: remote when a colon comes before any slash
//!   (`[user@][v6-address]:path` for IPv6; a leading colon or a slash
//!   first makes a local path), the user up to the last `@`;
//! - `scp://[user@]host[:port][/path]` and `ssh://` the same, read as
//!   OpenSSH's scp reads its URIs: the user up to the first `@` (`;` and
//!   what follows it ignored), the path after the slash that ends the host
//!   and port, relative to the remote home (`scp://h//etc` is `/etc`),
//!   user and path percent-decoded (`%2F`, and `+` for a space); an IPv6
//!   address in brackets, which OpenSSH refuses in a URI, is allowed.
//!
//! No I/O.

use std::ffi::OsString;
use std::net::Ipv6Addr;
use std::os::unix::ffi::{OsStrExt, OsStringExt};

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_encode};

use super::target::{Target, check_host, parse_port};

/// A remote place: where to connect and the path there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    pub target: Target,
    /// The path as given; `None` when none was (the remote home).
    /// Relative paths are relative to the remote home.
    pub path: Option<OsString>,
}

/// A destination that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{text:?} is not a valid destination: {reason}. Write [user@]host:path, \
     scp://[user@]host[:port][/path] or ssh://[user@]host[:port][/path], an IPv6 address in brackets"
)]
pub struct DestinationError {
    pub text: String,
    pub reason: &'static str,
}

/// Reads `arg` as scp reads an operand: a `scp://` or `ssh://` URI, or
/// `[user@]host:path`; `Ok(None)` for a local path.
pub fn parse(arg: &[u8]) -> Result<Option<Destination>, DestinationError> {
    let error = |reason| DestinationError { text: String::from_utf8_lossy(arg).into_owned(), reason };
    if let Some(rest) = uri_rest(arg) {
        return uri(rest).map(Some).map_err(error);
    }
    match scp_colon(arg) {
        None => Ok(None),
        Some(colon) => scp_form(&arg[..colon], &arg[colon + 1..], false).map(Some).map_err(error),
    }
}

/// Reads `arg` where a host is expected (the host picker): as [`parse`],
/// except that `host:NUMBER` names a port (`host:./NUMBER` is the path)
/// and a word without a colon or slash is a host.
pub fn parse_host(arg: &[u8]) -> Result<Option<Destination>, DestinationError> {
    let error = |reason| DestinationError { text: String::from_utf8_lossy(arg).into_owned(), reason };
    if let Some(rest) = uri_rest(arg) {
        return uri(rest).map(Some).map_err(error);
    }
    let parsed = match scp_colon(arg) {
        Some(colon) => scp_form(&arg[..colon], &arg[colon + 1..], true),
        None if arg.is_empty() || arg.contains(&b'/') => return Ok(None),
        None => login(arg, None).map(|target| Destination { target, path: None }),
    };
    parsed.map(Some).map_err(error)
}

impl Destination {
    /// Text that [`parse`] and [`parse_host`] read back as this
    /// destination: scp's `[user@]host:path`, or an `ssh://` URI when there
    /// is a port, which scp's form has no place for.
    pub fn text(&self) -> String {
        let path = self.path.as_ref().map(|p| p.as_bytes()).unwrap_or_default();
        let Some(port) = self.target.port else {
            return format!("{}:{}", self.target, String::from_utf8_lossy(path));
        };
        let mut text = String::from("ssh://");
        if let Some(user) = &self.target.user {
            text.extend(percent_encode(user.as_bytes(), NON_ALPHANUMERIC));
            text.push('@');
        }
        let host = &self.target.host;
        if host.contains(':') {
            text.push_str(&format!("[{host}]:{port}"));
        } else {
            text.push_str(&format!("{host}:{port}"));
        }
        if !path.is_empty() {
            text.push('/');
            text.extend(percent_encode(path, PATH));
        }
        text
    }
}

/// What a path keeps as it is in a URI: letters, digits, `/` and the
/// marks that mean nothing there (`+` and `%` do).
const PATH: &AsciiSet = &NON_ALPHANUMERIC.remove(b'/').remove(b'-').remove(b'.').remove(b'_').remove(b'~');

fn uri_rest(arg: &[u8]) -> Option<&[u8]> {
    arg.strip_prefix(b"scp://").or_else(|| arg.strip_prefix(b"ssh://"))
}

/// `[user@]host[:port][/path]` after the scheme.
fn uri(rest: &[u8]) -> Result<Destination, &'static str> {
    // The authority ends at the first slash (outside an IPv6 address).
    let (user, rest) = match rest.iter().take_while(|&&b| b != b'/').position(|&b| b == b'@') {
        Some(at) => {
            // Connection parameters after `;` are ignored, as by OpenSSH.
            let user = rest[..at].split(|&b| b == b';').next().unwrap_or_default();
            if user.is_empty() {
                return Err("the user name before @ is empty");
            }
            let user = String::from_utf8(decode(user)?).map_err(|_| "the user name is not valid UTF-8")?;
            (Some(user), &rest[at + 1..])
        }
        None => (None, rest),
    };
    let (host, rest) = match rest.strip_prefix(b"[") {
        Some(bracketed) => {
            let end = bracketed.iter().position(|&b| b == b']').ok_or("a '[' without its closing ']'")?;
            let host =
                std::str::from_utf8(&bracketed[..end]).map_err(|_| "the address is not valid UTF-8")?;
            host.parse::<Ipv6Addr>().map_err(|_| "only an IPv6 address may be in brackets")?;
            (host, &bracketed[end + 1..])
        }
        None => {
            let end = rest.iter().position(|&b| b == b':' || b == b'/').unwrap_or(rest.len());
            let host = std::str::from_utf8(&rest[..end]).map_err(|_| "the host name is not valid UTF-8")?;
            valid_domain(host)?;
            (host, &rest[end..])
        }
    };
    let (port, rest) = match rest.strip_prefix(b":") {
        Some(after) => {
            let end = after.iter().position(|&b| b == b'/').unwrap_or(after.len());
            let port = std::str::from_utf8(&after[..end]).map_err(|_| "the port must be a number")?;
            (Some(parse_port(port)?), &after[end..])
        }
        None => (None, rest),
    };
    let path = match rest {
        [] | [b'/'] => None,
        [b'/', path @ ..] => Some(OsString::from_vec(decode(path)?)),
        _ => return Err("only ':port' or '/path' may follow the host"),
    };
    Ok(Destination { target: Target { user, host: host.to_owned(), port }, path })
}

/// OpenSSH's `valid_domain`, which its URIs' host names must pass: a
/// letter or digit first, then letters, digits, `.`, `-` and `_`, no `..`.
fn valid_domain(host: &str) -> Result<(), &'static str> {
    let bytes = host.as_bytes();
    if !bytes.first().is_some_and(u8::is_ascii_alphanumeric) {
        return Err("the host name must start with a letter or a digit");
    }
    if !bytes.iter().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_')) {
        return Err("the host name may hold only letters, digits, '.', '-' and '_'");
    }
    if host.contains("..") {
        return Err("the host name holds '..'");
    }
    Ok(())
}

/// OpenSSH's `urldecode`: `%XX` is the byte XX and `+` a space; a `%`
/// without two hex digits, or `%00`, makes the URI invalid.
fn decode(text: &[u8]) -> Result<Vec<u8>, &'static str> {
    let mut out = Vec::with_capacity(text.len());
    let mut bytes = text.iter();
    while let Some(&b) = bytes.next() {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = [bytes.next(), bytes.next()];
                let digit = |d: Option<&u8>| d.and_then(|d| (*d as char).to_digit(16));
                match (digit(hex[0]), digit(hex[1])) {
                    (Some(0), Some(0)) => return Err("%00 would put a NUL byte in it"),
                    (Some(high), Some(low)) => out.push((high * 16 + low) as u8),
                    _ => return Err("'%' must be followed by two hex digits"),
                }
            }
            b => out.push(b),
        }
    }
    Ok(out)
}

/// OpenSSH's `colon()`: the colon that ends the host of a remote operand.
fn scp_colon(arg: &[u8]) -> Option<usize> {
    if arg.first() == Some(&b':') {
        return None;
    }
    let mut bracket = arg.first() == Some(&b'[');
    for (i, &b) in arg.iter().enumerate() {
        match b {
            b'@' if arg.get(i + 1) == Some(&b'[') => bracket = true,
            b']' if bracket && arg.get(i + 1) == Some(&b':') => return Some(i + 1),
            b':' if !bracket => return Some(i),
            b'/' => return None,
            _ => {}
        }
    }
    None
}

/// `login:rest` of scp's form; with `port_if_number`, a `rest` of digits
/// only is the port.
fn scp_form(login_text: &[u8], rest: &[u8], port_if_number: bool) -> Result<Destination, &'static str> {
    if port_if_number && !rest.is_empty() && rest.iter().all(u8::is_ascii_digit) {
        let port = parse_port(std::str::from_utf8(rest).map_err(|_| "the port must be a number")?)?;
        return Ok(Destination { target: login(login_text, Some(port))?, path: None });
    }
    let path = (!rest.is_empty()).then(|| OsString::from_vec(rest.to_vec()));
    Ok(Destination { target: login(login_text, None)?, path })
}

/// `[user@]host` or `[user@][v6-address]`: the user up to the last `@`,
/// as scp reads it.
fn login(text: &[u8], port: Option<u16>) -> Result<Target, &'static str> {
    let (user, host) = match text.iter().rposition(|&b| b == b'@') {
        Some(0) => return Err("the user name before @ is empty"),
        Some(at) => (Some(&text[..at]), &text[at + 1..]),
        None => (None, text),
    };
    let host = host.strip_prefix(b"[").and_then(|h| h.strip_suffix(b"]")).unwrap_or(host);
    let utf8 =
        |b: &[u8]| String::from_utf8(b.to_vec()).map_err(|_| "a user or host name must be valid UTF-8");
    let host = utf8(host)?;
    check_host(&host)?;
    if host.contains(['[', ']']) {
        return Err("'[' and ']' may only enclose an IPv6 address, followed by ':'");
    }
    Ok(Target { user: user.map(utf8).transpose()?, host, port })
}

#[cfg(test)]
#[path = "destination_tests.rs"]
mod tests;
