//! scp's connection options, shared by the TUI, `scpdeck cp` and `scpdeck ls`
//! (each flattens [`ConnectArgs`] into its own arguments).

use std::path::PathBuf;

use clap::Args;

use crate::ssh::Overrides;

/// Options that change how hosts are reached; they take precedence over
/// ssh_config, as with OpenSSH's scp.
#[derive(Debug, Clone, Default, PartialEq, Eq, Args)]
pub struct ConnectArgs {
    /// Read this ssh_config instead of ~/.ssh/config and /etc/ssh/ssh_config.
    #[arg(short = 'F', value_name = "FILE")]
    pub config_file: Option<PathBuf>,

    /// An ssh_config option, e.g. -o Port=2222 (repeatable).
    #[arg(short = 'o', value_name = "KEY=VALUE")]
    pub options: Vec<String>,

    /// The port to connect to on the remote host.
    #[arg(short = 'P', value_name = "PORT", value_parser = clap::value_parser!(u16).range(1..))]
    pub port: Option<u16>,

    /// A private key file to authenticate with (repeatable).
    #[arg(short = 'i', value_name = "IDENTITY")]
    pub identities: Vec<PathBuf>,

    /// Connect through these jump hosts: [user@]host[:port][,...].
    #[arg(short = 'J', value_name = "DESTINATION")]
    pub jump: Option<String>,
}

impl ConnectArgs {
    pub fn overrides(&self) -> Overrides {
        Overrides::from(self.clone())
    }
}

impl From<ConnectArgs> for Overrides {
    fn from(args: ConnectArgs) -> Overrides {
        Overrides {
            config_file: args.config_file,
            options: args.options,
            port: args.port,
            identities: args.identities,
            jump: args.jump,
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Debug, Parser)]
    struct Probe {
        #[command(flatten)]
        connect: ConnectArgs,
    }

    #[test]
    fn parses_scp_flags() {
        let probe = Probe::try_parse_from([
            "x",
            "-F",
            "/cfg",
            "-o",
            "Port=1",
            "-oUser=bob",
            "-P",
            "2222",
            "-i",
            "/k1",
            "-i",
            "/k2",
            "-J",
            "a,b",
        ])
        .unwrap();
        let o = probe.connect.overrides();
        assert_eq!(o.config_file, Some(PathBuf::from("/cfg")));
        assert_eq!(o.options, vec!["Port=1", "User=bob"]);
        assert_eq!(o.port, Some(2222));
        assert_eq!(o.identities, vec![PathBuf::from("/k1"), PathBuf::from("/k2")]);
        assert_eq!(o.jump.as_deref(), Some("a,b"));
        assert!(Probe::try_parse_from(["x", "-P", "0"]).is_err());
    }
}
