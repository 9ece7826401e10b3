//! Turning what the user typed into a [`HostConfig`]: by `ssh -G` when
//! OpenSSH is installed, otherwise by the fallback parser.

use std::path::{Path, PathBuf};

use super::config_hosts::ConfigHost;
use super::error::ConnectError;
use super::host_config::HostConfig;
use super::overrides::Overrides;
use super::target::Target;
use super::{fallback, openssh_g};

/// Resolves targets. [`Resolver::system`] finds `ssh` on `PATH`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolver {
    ssh_program: Option<PathBuf>,
}

impl Default for Resolver {
    fn default() -> Self {
        Resolver::system()
    }
}

impl Resolver {
    /// The resolver that produced `config` (for its ProxyJump hops).
    pub fn of(config: &HostConfig) -> Resolver {
        Resolver { ssh_program: config.ssh_program.clone() }
    }

    /// Uses the `ssh` found on `PATH`, or the fallback parser when there is
    /// none.
    pub fn system() -> Resolver {
        Resolver { ssh_program: find_on_path("ssh") }
    }

    /// Uses this OpenSSH client; a path that does not exist means "no
    /// OpenSSH" and selects the fallback parser.
    pub fn with_ssh_program(path: impl Into<PathBuf>) -> Resolver {
        let path = path.into();
        Resolver { ssh_program: path.is_file().then_some(path) }
    }

    /// Always uses the fallback parser.
    pub fn fallback_only() -> Resolver {
        Resolver { ssh_program: None }
    }

    /// The OpenSSH client in use, if any.
    pub fn ssh_program(&self) -> Option<&Path> {
        self.ssh_program.as_deref()
    }

    /// The settings OpenSSH would use to connect to `target`.
    pub fn resolve(&self, target: &Target, overrides: &Overrides) -> Result<HostConfig, ConnectError> {
        match &self.ssh_program {
            Some(program) => openssh_g::resolve(program, target, overrides),
            None => fallback::resolve(target, overrides),
        }
    }

    /// Parses `text` as a destination, then resolves it.
    /// A host named with the root mark (`web1 [sudo]`) resolves as the
    /// host itself, used as root.
    pub fn resolve_str(&self, text: &str, overrides: &Overrides) -> Result<HostConfig, ConnectError> {
        let (text, sudo) = super::as_root::split_root(text);
        let mut config = self.resolve(&Target::parse(text)?, overrides)?;
        config.sudo = sudo;
        Ok(config)
    }

    /// Where `text` (`[user@]host[:port]`, an alias) connects to, as
    /// `user@host:port`: for showing, so only the settings that say it are
    /// read.
    pub fn address(&self, text: &str, overrides: &Overrides) -> Result<String, ConnectError> {
        let target = Target::parse(super::as_root::plain_host(text))?;
        let config = match &self.ssh_program {
            Some(program) => openssh_g::settings(program, &target, overrides)?,
            None => fallback::resolve(&target, overrides)?,
        };
        Ok(config.address())
    }
}

/// Host aliases from the user's ssh_config (or the `-F` file), without
/// wildcard patterns, following Include: the choices for a host picker.
pub fn host_aliases(config_file: Option<&Path>) -> Result<Vec<String>, ConnectError> {
    Ok(config_hosts(config_file)?.into_iter().map(|h| h.alias).collect())
}

/// [`host_aliases`], each with the file and line it is written on.
pub fn config_hosts(config_file: Option<&Path>) -> Result<Vec<ConfigHost>, ConnectError> {
    super::config_hosts::config_hosts(config_file)
        .map_err(|detail| ConnectError::Config { host: String::new(), detail })
}

fn find_on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join(program)).find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ssh::host_config::StrictHostKeyChecking;

    /// The fallback must agree with OpenSSH on the options scpdeck uses.
    #[test]
    fn fallback_agrees_with_openssh() {
        let system = Resolver::system();
        let Some(_) = system.ssh_program() else { return };
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("extra.conf"),
            "Host inc\n  HostName inc.example\n  Port 2201\n  IdentityFile /keys/inc\n",
        )
        .unwrap();
        let config = dir.path().join("config");
        std::fs::write(
            &config,
            format!(
                "Include {}/*.conf\nHost web\n  HostName %h.example.org\n  User deploy\n  Port 2222\n  \
                 ProxyCommand sh -c \"nc %h %p\"\n  ServerAliveInterval 15\n  ConnectTimeout 4\n\
                 Host db\n  ProxyJump web,bastion:2200\n  StrictHostKeyChecking accept-new\n  BatchMode yes\n  CheckHostIP yes\n  \
                 IdentitiesOnly yes\n  IdentityFile /keys/db\n  UserKnownHostsFile /kh/one /kh/two\n\
                 Host *\n  User fallback\n  NumberOfPasswordPrompts 2\n  ServerAliveCountMax 5\n\
                 HostKeyAlias alias-%h\n",
                dir.path().display()
            ),
        )
        .unwrap();
        let cli_key = dir.path().join("cli_key");
        std::fs::write(&cli_key, "").unwrap();
        let fallback = Resolver::fallback_only();
        for (text, overrides) in [
            ("web", Overrides::default()),
            ("db", Overrides::default()),
            ("inc", Overrides::default()),
            (
                "other",
                Overrides {
                    port: Some(7),
                    options: vec!["StrictHostKeyChecking=no".into()],
                    ..Default::default()
                },
            ),
            (
                "bob@web:99",
                Overrides {
                    identities: vec![cli_key.clone()],
                    jump: Some("j1".into()),
                    ..Default::default()
                },
            ),
        ] {
            let overrides = Overrides { config_file: Some(config.clone()), ..overrides };
            let a = system.resolve_str(text, &overrides).unwrap();
            let mut b = fallback.resolve_str(text, &overrides).unwrap();
            b.ssh_program = a.ssh_program.clone();
            assert_eq!(a, b, "{text}");
        }
        let db = fallback
            .resolve_str("db", &Overrides { config_file: Some(config.clone()), ..Default::default() })
            .unwrap();
        assert_eq!(db.strict_host_key_checking, StrictHostKeyChecking::AcceptNew);
        assert!(db.check_host_ip);
        assert_eq!(db.proxy_jump, vec!["web", "bastion:2200"]);
    }

    #[test]
    fn addresses_say_user_host_and_port_as_resolved() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config");
        std::fs::write(
            &config,
            "Host web\n  HostName 10.1.2.3\n  User deploy\n  Port 2222\nHost six\n  HostName ::1\n",
        )
        .unwrap();
        let overrides = Overrides { config_file: Some(config), ..Default::default() };
        for resolver in [Resolver::system(), Resolver::fallback_only()] {
            let address = |text: &str| resolver.address(text, &overrides).unwrap();
            assert_eq!(address("web"), "deploy@10.1.2.3:2222");
            assert_eq!(address("alice@web:2200"), "alice@10.1.2.3:2200");
            assert!(address("six").ends_with("@[::1]:22"), "{}", address("six"));
            assert!(resolver.address("web:0", &overrides).is_err());
        }
    }

    #[test]
    fn a_missing_program_selects_the_fallback() {
        assert_eq!(Resolver::with_ssh_program("/nonexistent/ssh").ssh_program(), None);
    }
}
