//! The names OpenSSH looks a server's key up by in known_hosts
//! (sshconnect.c's `check_host_key`): the host's own name, the same name
//! without the port, and with CheckHostIP the address connected to.

use std::net::SocketAddr;

use super::host_config::{HostConfig, put_host_port};

/// The names to look up for one connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct HostKeyNames {
    /// HostKeyAlias alone, or the host name (`[host]:port` off port 22).
    pub name: String,
    /// The host name without its port, asked read-only when `name` is not
    /// known ("checking without port identifier"): a key recorded for the
    /// host on port 22 is accepted on another port, never recorded there.
    /// Only without HostKeyAlias and off port 22.
    pub portless: Option<String>,
    /// CheckHostIP: the address as known_hosts names it (`[addr]:port` off
    /// port 22), checked and recorded beside `name`. `None` when the option
    /// is off and where OpenSSH turns it off: a loopback address, a
    /// connection through a proxy (no address is known), or a host named
    /// by that very address (without HostKeyAlias).
    pub address: Option<String>,
}

impl HostKeyNames {
    /// The names for `config` connected to `peer` (`None` through a
    /// ProxyCommand or ProxyJump).
    pub(super) fn new(config: &HostConfig, peer: Option<SocketAddr>) -> HostKeyNames {
        let hostname = config.hostname.to_ascii_lowercase();
        let portless = (config.host_key_alias.is_none() && config.port != 22).then(|| hostname.clone());
        let address = peer.filter(|p| config.check_host_ip && !p.ip().is_loopback()).and_then(|peer| {
            let ntop = peer.ip().to_string();
            let address = put_host_port(&ntop, config.port);
            // OpenSSH compares the host name with the address name; and
            // without an alias, a host named by its address looks itself up
            // under the same name (or turns the check off while trying the
            // name without its port).
            let same = hostname == address || (config.host_key_alias.is_none() && hostname == ntop);
            (!same).then_some(address)
        });
        HostKeyNames { name: config.known_hosts_name(), portless, address }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(hostname: &str, port: u16, alias: Option<&str>, check_host_ip: bool) -> HostConfig {
        let mut c = HostConfig::defaults("web", "u");
        c.hostname = hostname.into();
        c.port = port;
        c.host_key_alias = alias.map(str::to_owned);
        c.check_host_ip = check_host_ip;
        c
    }

    fn names(c: &HostConfig, peer: &str) -> HostKeyNames {
        HostKeyNames::new(c, Some(peer.parse().unwrap()))
    }

    #[test]
    fn an_alias_is_looked_up_alone_and_never_without_the_port() {
        let n = names(&config("10.0.0.1", 2222, Some("shared"), false), "10.0.0.1:2222");
        assert_eq!(n, HostKeyNames { name: "shared".into(), portless: None, address: None });
    }

    #[test]
    fn off_port_22_the_name_without_port_is_tried_too() {
        let n = names(&config("Web.Example", 2222, None, false), "192.0.2.7:2222");
        assert_eq!((n.name.as_str(), n.portless.as_deref()), ("[web.example]:2222", Some("web.example")));
        let n = names(&config("web.example", 22, None, false), "192.0.2.7:22");
        assert_eq!((n.name.as_str(), n.portless), ("web.example", None));
    }

    #[test]
    fn check_host_ip_names_the_address_where_openssh_checks_it() {
        let address = |c: &HostConfig, peer: &str| names(c, peer).address;
        // Off (OpenSSH's default since 8.5).
        assert_eq!(address(&config("web.example", 22, None, false), "192.0.2.7:22"), None);
        // On: the address, with the port off 22.
        assert_eq!(
            address(&config("web.example", 22, None, true), "192.0.2.7:22").as_deref(),
            Some("192.0.2.7")
        );
        assert_eq!(
            address(&config("web.example", 2222, None, true), "[2001:db8::7]:2222").as_deref(),
            Some("[2001:db8::7]:2222")
        );
        assert_eq!(
            address(&config("192.0.2.7", 2222, Some("box"), true), "192.0.2.7:2222").as_deref(),
            Some("[192.0.2.7]:2222")
        );
        // Turned off: loopback, a host named by its address, no address.
        assert_eq!(address(&config("web.example", 22, None, true), "127.0.0.2:22"), None);
        assert_eq!(address(&config("web.example", 22, None, true), "[::1]:22"), None);
        assert_eq!(address(&config("192.0.2.7", 22, None, true), "192.0.2.7:22"), None);
        assert_eq!(address(&config("192.0.2.7", 2222, None, true), "192.0.2.7:2222"), None);
        assert_eq!(address(&config("192.0.2.7", 22, Some("box"), true), "192.0.2.7:22"), None);
        assert_eq!(HostKeyNames::new(&config("web.example", 22, None, true), None).address, None);
    }
}
