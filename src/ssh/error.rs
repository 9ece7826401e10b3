//! The one error type of the SSH module. Every message names the host, the
//! step that failed, and what the user can do about it.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// The step of connecting that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Reading the destination, ssh_config or command-line options.
    Configuration,
    NameResolution,
    TcpConnect,
    /// Starting a ProxyCommand or reaching the target through a ProxyJump hop.
    Proxy,
    /// Waiting for the server's first line (`SSH-2.0-...`) on a stream that
    /// is open.
    Greeting,
    Handshake,
    HostKey,
    Authentication,
    Channel,
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Step::Configuration => "configuration",
            Step::NameResolution => "name resolution",
            Step::TcpConnect => "TCP connect",
            Step::Proxy => "proxy",
            Step::Greeting => "the server's SSH greeting",
            Step::Handshake => "SSH handshake",
            Step::HostKey => "host key verification",
            Step::Authentication => "authentication",
            Step::Channel => "channel",
        })
    }
}

/// Why authentication failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthFailure {
    /// The server rejected every password typed (or cached).
    WrongPassword { tries: u32 },
    /// Every passphrase typed for this key was wrong.
    WrongPassphrase { key: PathBuf, tries: u32 },
    /// The server accepted none of the keys and no other method was left.
    NoMethodLeft { tried: Vec<String>, server_offers: String },
    /// BatchMode is on and the next method needed a question.
    BatchMode { needed: &'static str },
    /// The user cancelled a question.
    Cancelled,
    /// The server says the password has expired.
    PasswordExpired,
    /// Anything else libssh2 or the agent reported.
    Other(String),
}

impl fmt::Display for AuthFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthFailure::WrongPassword { tries } => write!(
                f,
                "wrong password ({tries} {}). Check the password and the user name \
                 (set it with user@host or User in ~/.ssh/config)",
                if *tries == 1 { "try" } else { "tries" }
            ),
            AuthFailure::WrongPassphrase { key, tries } => write!(
                f,
                "wrong passphrase for the key {} ({tries} {}). Type the key's passphrase, \
                 or add the key to ssh-agent with ssh-add",
                key.display(),
                if *tries == 1 { "try" } else { "tries" }
            ),
            AuthFailure::NoMethodLeft { tried, server_offers } => {
                if tried.is_empty() {
                    write!(f, "scpdeck had nothing to offer (no key, agent key or password it could use)")?;
                } else {
                    write!(f, "the server accepted none of these: {}", tried.join(", "))?;
                }
                if server_offers.trim().is_empty() {
                    write!(f, "; it named no method it accepts")?;
                } else {
                    write!(f, "; it offers: {server_offers}")?;
                }
                write!(
                    f,
                    ". Check the user name, add your public key to the server's ~/.ssh/authorized_keys, \
                     or name the right key with -i"
                )
            }
            AuthFailure::BatchMode { needed } => write!(
                f,
                "BatchMode is on, so scpdeck did not ask for {needed}. Load a key into ssh-agent, \
                 or connect without BatchMode"
            ),
            AuthFailure::Cancelled => write!(f, "cancelled"),
            AuthFailure::PasswordExpired => {
                write!(f, "the password has expired. Log in once with ssh to change it")
            }
            AuthFailure::Other(detail) => write!(f, "{detail}"),
        }
    }
}

/// A host key that differs from the one recorded for `name` (the
/// HostKeyAlias, or `host`/`[host]:port`). `address_note` says, with
/// CheckHostIP, what is recorded for the address (OpenSSH's "POSSIBLE DNS
/// SPOOFING").
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{host}: THE HOST KEY HAS CHANGED (now {key_type} {fingerprint}); the key recorded for {name} in {}:{line} differs{}. Someone could be intercepting the connection, or the host was reinstalled. If you know the new key is right, remove the old one with `ssh-keygen -f {} -R {name}` and connect again", file.display(), note(address_note), file.display())]
pub struct ChangedKey {
    pub host: String,
    pub name: String,
    pub key_type: String,
    pub fingerprint: String,
    pub file: PathBuf,
    pub line: usize,
    pub address_note: Option<String>,
}

/// CheckHostIP: the key is right for the host's name (or new) but another
/// key is recorded for the address connected to, and `reason` says why that
/// is not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{host}: the {key_type} host key for {name} differs from the key recorded for the IP address {address} in {}:{line}, and {reason}. The address may now belong to another host, or someone could be intercepting the connection; if the address is right, remove its old line with `ssh-keygen -f {} -R {address}`", file.display(), file.display())]
pub struct AddressKeyChanged {
    pub host: String,
    pub name: String,
    pub address: String,
    pub key_type: String,
    pub file: PathBuf,
    pub line: usize,
    pub reason: &'static str,
}

/// Connecting to a host failed, or a connection broke.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error(
        "{text:?} is not a valid destination: {reason}. Write [user@]host[:port], e.g. alice@example.org:2222 or [2001:db8::1]:22"
    )]
    InvalidTarget { text: String, reason: String },

    #[error(
        "{host}: cannot read the ssh configuration: {detail}. Check your ssh_config and the -F/-o options"
    )]
    Config { host: String, detail: String },

    #[error(
        "{host}: cannot resolve the host name {hostname:?}: {detail}. Check the spelling, HostName in your ssh_config, or your DNS"
    )]
    NameResolution { host: String, hostname: String, detail: String },

    #[error("{host}: TCP connect to {address} failed: {detail}. {hint}")]
    TcpConnect { host: String, address: String, detail: String, hint: &'static str },

    /// No answer within ConnectTimeout; `step` says how far the connection
    /// got (no TCP connection, nothing through the proxy, a TCP connection
    /// but no SSH greeting, a greeting but no key exchange).
    #[error("{host}: {}", timeout_text(*.step, .after))]
    Timeout { host: String, step: Step, after: Duration },

    #[error(
        "{host}: the proxy failed: {detail}. Check ProxyCommand/ProxyJump (run the same ssh command by hand to see why)"
    )]
    Proxy { host: String, detail: String },

    #[error("{host}: SSH handshake failed: {detail}. Is an SSH server listening on that port? Check -P/Port")]
    Handshake { host: String, detail: String },

    #[error("{host}: the host key is not known ({key_type} {fingerprint}) and {reason}. Verify the fingerprint with the host's administrator, then connect once with `ssh` or use -o StrictHostKeyChecking=accept-new; it would be recorded in {}", known_hosts.display())]
    HostKeyUnknown {
        host: String,
        key_type: String,
        fingerprint: String,
        known_hosts: PathBuf,
        reason: &'static str,
    },

    /// The key differs from the one on record; refused in every
    /// StrictHostKeyChecking mode.
    #[error(transparent)]
    HostKeyChanged(Box<ChangedKey>),

    /// CheckHostIP: another key is recorded for the address connected to.
    #[error(transparent)]
    HostKeyAddressChanged(Box<AddressKeyChanged>),

    #[error("{host}: the host key {key_type} {fingerprint} is marked @revoked in {}:{line}; refusing to connect. Ask the host's administrator", file.display())]
    HostKeyRevoked { host: String, key_type: String, fingerprint: String, file: PathBuf, line: usize },

    #[error("{host}: authentication as {user:?} failed: {failure}")]
    Authentication { host: String, user: String, failure: AuthFailure },

    #[error(
        "{host}: cannot open a channel: {detail}. The server may limit sessions (MaxSessions) or forbid forwarding (AllowTcpForwarding)"
    )]
    Channel { host: String, detail: String },

    #[error("{host}: the connection was lost: {detail}. scpdeck reconnects on the next use")]
    Dropped { host: String, detail: String },

    /// The server closed or reset the connection before login completed
    /// (no banner, end of file or reset during the key exchange or
    /// authentication). sshd does that to connections beyond MaxStartups,
    /// so it is worth trying again, later and one connection at a time.
    #[error(
        "{host}: the server closed the connection before login ({step}{}): {detail}. It may limit connections that have not logged in yet (sshd's MaxStartups): use fewer sessions (-j 1, or max_connections_per_host in the settings), or ask the host's administrator to raise MaxStartups",
        attempts_text(*.attempts)
    )]
    ClosedBeforeLogin { host: String, step: Step, detail: String, attempts: u32 },

    #[error("{host}: the connection thread has stopped. Reopen the host")]
    Closed { host: String },
}

fn note(address_note: &Option<String>) -> String {
    address_note.as_ref().map(|n| format!(" ({n}: possible DNS spoofing)")).unwrap_or_default()
}

fn attempts_text(attempts: u32) -> String {
    if attempts > 1 { format!(", {attempts} attempts") } else { String::new() }
}

fn seconds(d: &Duration) -> String {
    format!("{}s", d.as_secs_f64())
}

/// What a timeout at `step` means, and what to check.
fn timeout_text(step: Step, after: &Duration) -> String {
    let after = seconds(after);
    let what = match step {
        Step::TcpConnect => format!(
            "no TCP connection within {after} (ConnectTimeout): the host is down or unreachable, or a \
             firewall drops the packets. Check the host name, the port and the network"
        ),
        Step::Proxy => format!(
            "nothing came back through the proxy within {after} (ConnectTimeout): the ProxyCommand or \
             ProxyJump may never have reached the host. Run the same ssh command by hand to see why"
        ),
        Step::Greeting => format!(
            "the TCP connection was made, but the server sent no SSH greeting within {after} \
             (ConnectTimeout): is an SSH server listening on that port (-P, Port)? A busy server \
             may also answer late"
        ),
        Step::Handshake => format!(
            "the server greeted, but the SSH handshake did not finish within {after} (ConnectTimeout): \
             the server or the network in between is slow or stalled"
        ),
        other => format!("no answer within {after} during {other} (ConnectTimeout)"),
    };
    format!("{what}; or raise -o ConnectTimeout=SECONDS")
}

impl ConnectError {
    /// The step that failed.
    pub fn step(&self) -> Step {
        match self {
            ConnectError::InvalidTarget { .. } | ConnectError::Config { .. } => Step::Configuration,
            ConnectError::NameResolution { .. } => Step::NameResolution,
            ConnectError::TcpConnect { .. } => Step::TcpConnect,
            ConnectError::Timeout { step, .. } | ConnectError::ClosedBeforeLogin { step, .. } => *step,
            ConnectError::Proxy { .. } => Step::Proxy,
            ConnectError::Handshake { .. } => Step::Handshake,
            ConnectError::HostKeyUnknown { .. }
            | ConnectError::HostKeyChanged(_)
            | ConnectError::HostKeyAddressChanged(_)
            | ConnectError::HostKeyRevoked { .. } => Step::HostKey,
            ConnectError::Authentication { .. } => Step::Authentication,
            ConnectError::Channel { .. } | ConnectError::Dropped { .. } | ConnectError::Closed { .. } => {
                Step::Channel
            }
        }
    }

    /// The host as the user named it (empty for an unparsable destination).
    pub fn host(&self) -> &str {
        match self {
            ConnectError::InvalidTarget { .. } => "",
            ConnectError::Config { host, .. }
            | ConnectError::NameResolution { host, .. }
            | ConnectError::TcpConnect { host, .. }
            | ConnectError::Timeout { host, .. }
            | ConnectError::Proxy { host, .. }
            | ConnectError::Handshake { host, .. }
            | ConnectError::HostKeyUnknown { host, .. }
            | ConnectError::HostKeyRevoked { host, .. }
            | ConnectError::Authentication { host, .. }
            | ConnectError::Channel { host, .. }
            | ConnectError::Dropped { host, .. }
            | ConnectError::ClosedBeforeLogin { host, .. }
            | ConnectError::Closed { host } => host,
            ConnectError::HostKeyChanged(changed) => &changed.host,
            ConnectError::HostKeyAddressChanged(changed) => &changed.host,
        }
    }

    /// Whether trying again may help: the connection broke or the server
    /// turned it away (too busy, too many connections starting), as
    /// opposed to a final answer (authentication refused, host key, name
    /// resolution, proxy, configuration) that a retry would only repeat.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            ConnectError::TcpConnect { .. }
                | ConnectError::Timeout { .. }
                | ConnectError::Dropped { .. }
                | ConnectError::ClosedBeforeLogin { .. }
        )
    }

    /// Whether the server closed or reset the connection before login: the
    /// case retried with backoff, one connection at a time.
    pub fn is_closed_before_login(&self) -> bool {
        matches!(self, ConnectError::ClosedBeforeLogin { .. })
    }

    /// The same error, saying how many attempts were made.
    pub fn after_attempts(self, attempts: u32) -> ConnectError {
        match self {
            ConnectError::ClosedBeforeLogin { host, step, detail, .. } => {
                ConnectError::ClosedBeforeLogin { host, step, detail, attempts }
            }
            other => other,
        }
    }
}

/// Whether an ssh2 error means the transport itself is gone: libssh2 could
/// not write to or read from the socket, or the server disconnected. Every
/// layer that turns ssh2 errors into messages asks this, so a drop is
/// reported as a drop and not as a refused key or a failed command.
pub fn is_transport_lost(e: &ssh2::Error) -> bool {
    const SOCKET_SEND: i32 = -7;
    const SOCKET_DISCONNECT: i32 = -13;
    const SOCKET_RECV: i32 = -43;
    matches!(e.code(), ssh2::ErrorCode::Session(SOCKET_SEND | SOCKET_DISCONNECT | SOCKET_RECV))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_key_names_file_and_line() {
        let e = ConnectError::HostKeyChanged(Box::new(ChangedKey {
            host: "web".into(),
            name: "shared-alias".into(),
            key_type: "ssh-ed25519".into(),
            fingerprint: "SHA256:abc".into(),
            file: "/home/u/.ssh/known_hosts".into(),
            line: 7,
            address_note: None,
        }));
        let text = e.to_string();
        assert!(text.starts_with("web: "), "{text}");
        assert!(text.contains("for shared-alias in /home/u/.ssh/known_hosts:7 differs. "), "{text}");
        assert!(text.contains("ssh-keygen -f /home/u/.ssh/known_hosts -R shared-alias"), "{text}");
        assert_eq!(e.step(), Step::HostKey);
        let e = ConnectError::HostKeyChanged(Box::new(ChangedKey {
            host: "web".into(),
            name: "web".into(),
            key_type: "ssh-ed25519".into(),
            fingerprint: "SHA256:abc".into(),
            file: "/kh".into(),
            line: 1,
            address_note: Some("the key for the IP address 192.0.2.7 is unchanged".into()),
        }));
        assert!(
            e.to_string().contains(
                "differs (the key for the IP address 192.0.2.7 is unchanged: possible DNS spoofing)"
            ),
            "{e}"
        );
    }

    #[test]
    fn a_connection_closed_before_login_is_transient_and_names_max_startups() {
        let e = ConnectError::ClosedBeforeLogin {
            host: "web".into(),
            step: Step::Handshake,
            detail: "Failed getting banner".into(),
            attempts: 1,
        };
        assert!(e.is_transient() && e.is_closed_before_login());
        assert!(!e.to_string().contains("attempts"), "{e}");
        let e = e.after_attempts(4);
        let text = e.to_string();
        assert!(
            text.starts_with(
                "web: the server closed the connection before login (SSH handshake, 4 attempts)"
            )
        );
        assert!(text.contains("MaxStartups") && text.contains("-j 1"), "{text}");
        let refused = ConnectError::Authentication {
            host: "web".into(),
            user: "alice".into(),
            failure: AuthFailure::NoMethodLeft { tried: vec![], server_offers: "publickey".into() },
        };
        assert!(!refused.is_transient() && !refused.is_closed_before_login());
        let resolve =
            ConnectError::NameResolution { host: "w".into(), hostname: "w".into(), detail: "x".into() };
        assert!(!resolve.is_transient());
    }

    #[test]
    fn a_timeout_says_how_far_the_connection_got() {
        let timeout =
            |step| ConnectError::Timeout { host: "web".into(), step, after: Duration::from_secs(4) };
        let tcp = timeout(Step::TcpConnect).to_string();
        assert!(tcp.starts_with("web: no TCP connection within 4s (ConnectTimeout)"), "{tcp}");
        assert!(!tcp.contains("handshake") && !tcp.contains("SSH"), "{tcp}");
        let proxy = timeout(Step::Proxy).to_string();
        assert!(proxy.contains("may never have reached the host") && !proxy.contains("handshake"), "{proxy}");
        let greeting = timeout(Step::Greeting).to_string();
        assert!(
            greeting.contains("TCP connection was made, but the server sent no SSH greeting"),
            "{greeting}"
        );
        assert!(timeout(Step::Handshake).to_string().contains("the server greeted, but the SSH handshake"));
        for step in [Step::TcpConnect, Step::Proxy, Step::Greeting, Step::Handshake] {
            assert!(timeout(step).to_string().ends_with("raise -o ConnectTimeout=SECONDS"), "{step}");
        }
    }

    #[test]
    fn no_method_left_says_what_was_tried_and_offered_without_empty_lists() {
        let failure = |tried: &[&str], offers: &str| {
            let tried = tried.iter().map(|t| t.to_string()).collect();
            AuthFailure::NoMethodLeft { tried, server_offers: offers.into() }.to_string()
        };
        let none = failure(&[], "publickey");
        assert!(none.starts_with("scpdeck had nothing to offer (no key"), "{none}");
        assert!(none.contains("; it offers: publickey. Check the user name"), "{none}");
        let silent = failure(&["key ~/.ssh/id_ed25519"], "");
        assert!(
            silent.contains("accepted none of these: key ~/.ssh/id_ed25519; it named no method"),
            "{silent}"
        );
        assert!(!silent.contains("offers: ."), "{silent}");
    }

    #[test]
    fn wrong_password_says_so() {
        let e = ConnectError::Authentication {
            host: "web".into(),
            user: "alice".into(),
            failure: AuthFailure::WrongPassword { tries: 3 },
        };
        assert!(e.to_string().contains("wrong password (3 tries)"), "{e}");
        assert!(!e.to_string().contains("suitable key"));
    }
}
