//! The resolved settings for one host: what OpenSSH would use.

use std::path::PathBuf;
use std::time::Duration;

/// Used when ConnectTimeout is unset. OpenSSH then waits for the system's TCP
/// timeout and forever for the handshake; a file manager must not hang on a
/// silent port, so scpdeck bounds both.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// OpenSSH's StrictHostKeyChecking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum StrictHostKeyChecking {
    /// Refuse hosts whose key is not in known_hosts.
    Yes,
    /// Record unknown hosts without asking; refuse changed keys.
    AcceptNew,
    /// Ask about unknown hosts (OpenSSH's default).
    #[default]
    Ask,
    /// Record unknown hosts without asking; still refuse changed keys.
    No,
}

impl StrictHostKeyChecking {
    /// Parses ssh_config's values (and `ssh -G`'s true/false spelling).
    pub fn parse(value: &str) -> Option<StrictHostKeyChecking> {
        match value.to_ascii_lowercase().as_str() {
            "yes" | "true" => Some(StrictHostKeyChecking::Yes),
            "accept-new" => Some(StrictHostKeyChecking::AcceptNew),
            "ask" => Some(StrictHostKeyChecking::Ask),
            "no" | "false" | "off" => Some(StrictHostKeyChecking::No),
            _ => None,
        }
    }
}

/// An SSH user authentication method scpdeck can use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthMethod {
    PublicKey,
    KeyboardInteractive,
    Password,
}

impl AuthMethod {
    /// The method's name in the SSH protocol.
    pub fn name(self) -> &'static str {
        match self {
            AuthMethod::PublicKey => "publickey",
            AuthMethod::KeyboardInteractive => "keyboard-interactive",
            AuthMethod::Password => "password",
        }
    }

    /// Parses a PreferredAuthentications list, keeping the methods scpdeck
    /// supports in the given order.
    pub fn parse_list(value: &str) -> Vec<AuthMethod> {
        let mut methods = Vec::new();
        for name in value.split(',') {
            let method = match name.trim() {
                "publickey" => AuthMethod::PublicKey,
                "keyboard-interactive" => AuthMethod::KeyboardInteractive,
                "password" => AuthMethod::Password,
                _ => continue,
            };
            if !methods.contains(&method) {
                methods.push(method);
            }
        }
        methods
    }

    /// OpenSSH's default order (without GSSAPI, which libssh2 lacks).
    pub fn default_order() -> Vec<AuthMethod> {
        vec![AuthMethod::PublicKey, AuthMethod::KeyboardInteractive, AuthMethod::Password]
    }
}

/// Which ssh-agent to ask (IdentityAgent).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum IdentityAgent {
    /// `$SSH_AUTH_SOCK` (the default).
    #[default]
    FromEnvironment,
    /// A socket path given in ssh_config.
    Socket(PathBuf),
    /// `IdentityAgent none`.
    Disabled,
}

/// Everything needed to connect to one host, resolved the way OpenSSH
/// resolves it (`ssh -G`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HostConfig {
    /// The host (or alias) as the user typed it.
    pub alias: String,
    /// The name or address to connect to (HostName).
    pub hostname: String,
    pub port: u16,
    pub user: String,
    /// Keys to try, in order (IdentityFile, plus -i).
    pub identity_files: Vec<PathBuf>,
    /// Offer only the identity files' keys, even when the agent has others.
    pub identities_only: bool,
    pub identity_agent: IdentityAgent,
    /// ProxyJump hops, first hop first; empty for none.
    pub proxy_jump: Vec<String>,
    /// ProxyCommand before %-expansion; `None` for none.
    pub proxy_command: Option<String>,
    pub user_known_hosts_files: Vec<PathBuf>,
    pub global_known_hosts_files: Vec<PathBuf>,
    pub strict_host_key_checking: StrictHostKeyChecking,
    /// Write new known_hosts entries hashed (HashKnownHosts).
    pub hash_known_hosts: bool,
    /// The name to look up in known_hosts instead of the host name (and
    /// port).
    pub host_key_alias: Option<String>,
    /// CheckHostIP: also check (and record) the key under the address
    /// connected to. OpenSSH's default is no since 8.5.
    pub check_host_ip: bool,
    /// `None`: [`DEFAULT_CONNECT_TIMEOUT`].
    pub connect_timeout: Option<Duration>,
    /// Zero: no keepalives.
    pub server_alive_interval: Duration,
    pub server_alive_count_max: u32,
    pub batch_mode: bool,
    pub number_of_password_prompts: u32,
    /// Methods in the order to try them.
    pub preferred_authentications: Vec<AuthMethod>,
    pub pubkey_authentication: bool,
    pub kbd_interactive_authentication: bool,
    pub password_authentication: bool,
    /// Ciphers as the user set them (ssh_config or `-o`), in their order;
    /// `None` when they left OpenSSH's default, in whose place scpdeck
    /// asks for the ciphers libssh2 is fastest with (`ssh::algorithms`).
    pub ciphers: Option<Vec<String>>,
    /// MACs, the same way.
    pub macs: Option<Vec<String>>,
    /// The `-F` file this was resolved with, reused for ProxyJump hops.
    pub config_file: Option<PathBuf>,
    /// The OpenSSH client that resolved this (`None`: the fallback parser);
    /// ProxyJump hops are resolved the same way.
    pub ssh_program: Option<PathBuf>,
    /// Run every command as root through `sudo` (the host was named with
    /// [`super::as_root::MARK`]; see `shell::sudo`).
    pub sudo: bool,
}

impl HostConfig {
    /// OpenSSH's defaults for `alias`, before any configuration applies.
    pub fn defaults(alias: &str, user: &str) -> HostConfig {
        HostConfig {
            alias: alias.to_owned(),
            hostname: alias.to_owned(),
            port: 22,
            user: user.to_owned(),
            identity_files: Vec::new(),
            identities_only: false,
            identity_agent: IdentityAgent::FromEnvironment,
            proxy_jump: Vec::new(),
            proxy_command: None,
            user_known_hosts_files: Vec::new(),
            global_known_hosts_files: Vec::new(),
            strict_host_key_checking: StrictHostKeyChecking::Ask,
            hash_known_hosts: false,
            host_key_alias: None,
            check_host_ip: false,
            connect_timeout: None,
            server_alive_interval: Duration::ZERO,
            server_alive_count_max: 3,
            batch_mode: false,
            number_of_password_prompts: 3,
            preferred_authentications: AuthMethod::default_order(),
            pubkey_authentication: true,
            kbd_interactive_authentication: true,
            password_authentication: true,
            ciphers: None,
            macs: None,
            config_file: None,
            ssh_program: None,
            sudo: false,
        }
    }

    /// The timeout for the TCP connect and the SSH handshake.
    pub fn effective_connect_timeout(&self) -> Duration {
        self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT)
    }

    /// How the host is named in messages: the alias, with the real address
    /// when the alias stands for something else.
    pub fn label(&self) -> String {
        let mark = if self.sudo { super::as_root::MARK } else { "" };
        format!("{}{mark}", self.plain_label())
    }

    /// The host as sudo's password question names it (without the mark).
    pub(crate) fn plain_label_for_sudo(&self) -> String {
        self.plain_label()
    }

    fn plain_label(&self) -> String {
        if self.alias == self.hostname && self.port == 22 {
            self.alias.clone()
        } else if self.alias == self.hostname {
            format!("{}:{}", self.alias, self.port)
        } else {
            format!("{} ({}:{})", self.alias, self.hostname, self.port)
        }
    }

    /// Where it connects: `user@host:port` (an IPv6 address in brackets).
    pub fn address(&self) -> String {
        match self.hostname.contains(':') {
            true => format!("{}@[{}]:{}", self.user, self.hostname, self.port),
            false => format!("{}@{}:{}", self.user, self.hostname, self.port),
        }
    }

    /// The name this host has in known_hosts, as OpenSSH looks it up:
    /// HostKeyAlias alone when set (never with a port), else the host name,
    /// as `[host]:port` when the port is not 22; in lower case, as `ssh`
    /// makes both.
    pub fn known_hosts_name(&self) -> String {
        match &self.host_key_alias {
            Some(alias) => alias.to_ascii_lowercase(),
            None => put_host_port(&self.hostname.to_ascii_lowercase(), self.port),
        }
    }
}

/// OpenSSH's `put_host_port`: `host` on port 22 (or 0), `[host]:port`
/// otherwise.
pub(super) fn put_host_port(host: &str, port: u16) -> String {
    if port == 22 || port == 0 { host.to_owned() } else { format!("[{host}]:{port}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_hosts_name_follows_openssh() {
        let mut c = HostConfig::defaults("web", "u");
        c.hostname = "10.0.0.1".into();
        assert_eq!(c.known_hosts_name(), "10.0.0.1");
        c.port = 2222;
        assert_eq!(c.known_hosts_name(), "[10.0.0.1]:2222");
        c.host_key_alias = Some("WebKey".into());
        assert_eq!(c.known_hosts_name(), "webkey", "an alias never gets the port");
        c.host_key_alias = None;
        c.hostname = "Web.Example".into();
        assert_eq!(c.known_hosts_name(), "[web.example]:2222");
        c.hostname = "10.0.0.1".into();
        assert_eq!(c.label(), "web (10.0.0.1:2222)");
        assert_eq!(c.address(), "u@10.0.0.1:2222");
        c.hostname = "2001:db8::1".into();
        assert_eq!(c.address(), "u@[2001:db8::1]:2222");
    }

    #[test]
    fn parses_option_values() {
        assert_eq!(StrictHostKeyChecking::parse("true"), Some(StrictHostKeyChecking::Yes));
        assert_eq!(StrictHostKeyChecking::parse("accept-new"), Some(StrictHostKeyChecking::AcceptNew));
        assert_eq!(StrictHostKeyChecking::parse("false"), Some(StrictHostKeyChecking::No));
        assert_eq!(
            AuthMethod::parse_list("gssapi-with-mic,password,publickey,password"),
            vec![AuthMethod::Password, AuthMethod::PublicKey]
        );
    }
}
