//! Command-line settings that take precedence over ssh_config, as in scp.

use std::path::PathBuf;

/// `-F`, `-o`, `-P`, `-i` and `-J`, as plain data.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    /// `-F`: read this file instead of ~/.ssh/config and /etc/ssh/ssh_config.
    pub config_file: Option<PathBuf>,
    /// `-o Key=Value` (or `Key Value`), in the order given.
    pub options: Vec<String>,
    /// `-P`: the port.
    pub port: Option<u16>,
    /// `-i`: identity files, tried before the configured ones.
    pub identities: Vec<PathBuf>,
    /// `-J`: ProxyJump hops, comma-separated.
    pub jump: Option<String>,
}

impl Overrides {
    /// Only the parts that also apply to ProxyJump hops: OpenSSH runs each
    /// hop with the same `-F` file but not the other options.
    pub fn for_jump_hop(&self) -> Overrides {
        Overrides { config_file: self.config_file.clone(), ..Overrides::default() }
    }

    /// Splits `-o` text into keyword and value (`Key=Value`, `Key Value`,
    /// `Key = Value`).
    pub fn split_option(option: &str) -> Option<(&str, &str)> {
        let option = option.trim();
        let end = option.find(|c: char| c == '=' || c.is_whitespace())?;
        let (key, rest) = option.split_at(end);
        let value = rest.trim_start();
        let value = value.strip_prefix('=').unwrap_or(value).trim();
        if key.is_empty() || value.is_empty() { None } else { Some((key, value)) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_options_like_openssh() {
        assert_eq!(Overrides::split_option("Port=22"), Some(("Port", "22")));
        assert_eq!(Overrides::split_option("Port 22"), Some(("Port", "22")));
        assert_eq!(
            Overrides::split_option(" ProxyCommand = ssh -W %h:%p j"),
            Some(("ProxyCommand", "ssh -W %h:%p j"))
        );
        assert_eq!(Overrides::split_option("Port"), None);
        assert_eq!(Overrides::split_option("Port="), None);
    }
}
