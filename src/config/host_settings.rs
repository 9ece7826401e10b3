//! Per-host settings: `[hosts."ALIAS"]` tables of `config.toml`, ALIAS
//! being the host as the user names it (an ssh_config Host alias, or the
//! host name typed).

use serde::Deserialize;

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HostSettings {
    /// Open the host as root through sudo (the host picker and the menu's
    /// "as root" toggle start from this).
    pub sudo: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_host_table_reads_sudo_and_refuses_unknown_keys() {
        let settings: crate::config::Settings = toml::from_str("[hosts.\"web1\"]\nsudo = true\n").unwrap();
        assert_eq!(settings.hosts.get("web1"), Some(&HostSettings { sudo: true }));
        assert!(toml::from_str::<crate::config::Settings>("[hosts.web1]\nsudoo = true\n").is_err());
    }
}
