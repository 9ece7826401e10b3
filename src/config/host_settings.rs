//! Settings of one host: `[hosts."ALIAS"]` tables in config.toml, ALIAS
//! the host as the user names it (an ssh_config Host alias, or the host as
//! typed: `alice@web1:2222`).

use serde::{Deserialize, Deserializer};

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HostSettings {
    /// Open the host as root through sudo (the host picker and the menu's
    /// "as root" toggle start from this).
    pub sudo: bool,
    /// Bandwidth limit for copies to or from the host, in Kbit/s as `cp -l`
    /// takes it (the copy dialog starts with it).
    #[serde(deserialize_with = "kbit")]
    pub bandwidth: Option<u64>,
}

/// A whole number of Kbit/s, at least 1 (a number or a string of one).
fn kbit<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Limit {
        Number(i64),
        Text(String),
    }
    let text = match Limit::deserialize(deserializer)? {
        Limit::Number(n) => n.to_string(),
        Limit::Text(t) => t,
    };
    crate::scp::parse_kbit(&text).map(Some).map_err(serde::de::Error::custom)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Settings;

    #[test]
    fn bandwidth_per_host_as_cp_l_in_config_toml() {
        let text = "theme = \"light\"\n[hosts.\"web1\"]\nbandwidth = 800\n\
                    [hosts.\"alice@db:2222\"]\nbandwidth = \"64\"\n[hosts.x]\n";
        let settings: Settings = toml::from_str(text).unwrap();
        assert_eq!(settings.theme, "light");
        assert_eq!(settings.hosts["web1"].bandwidth, Some(800));
        assert_eq!(settings.hosts["alice@db:2222"].bandwidth, Some(64));
        assert_eq!(settings.hosts["x"], HostSettings::default());
        for bad in ["bandwidth = 0", "bandwidth = \"8M\"", "bandwith = 5"] {
            assert!(toml::from_str::<Settings>(&format!("[hosts.h]\n{bad}\n")).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_host_table_reads_sudo_and_refuses_unknown_keys() {
        let settings: Settings = toml::from_str("[hosts.\"web1\"]\nsudo = true\nbandwidth = 64\n").unwrap();
        assert_eq!(settings.hosts.get("web1"), Some(&HostSettings { sudo: true, bandwidth: Some(64) }));
        assert!(toml::from_str::<Settings>("[hosts.web1]\nsudoo = true\n").is_err());
    }
}
