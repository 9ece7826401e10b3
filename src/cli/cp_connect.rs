//! Connections for `scpdeck cp`: one per `user@host`, made when first
//! needed and reused by every step that goes to the same place.

use ssh2::Session;

use super::ConnectArgs;
use super::operand::RemotePath;
use crate::ssh::{self, Connection, Resolver, Target, TerminalPrompter};

pub struct Sessions<'a> {
    args: &'a ConnectArgs,
    open: Vec<(Target, Connection)>,
}

impl<'a> Sessions<'a> {
    pub fn new(args: &'a ConnectArgs) -> Self {
        Sessions { args, open: Vec::new() }
    }

    fn target(remote: &RemotePath) -> Target {
        Target { user: remote.user.clone(), host: remote.host.clone(), port: None }
    }

    /// Connects to `remote` unless already connected; the session.
    pub fn get(&mut self, remote: &RemotePath) -> Result<&Session, String> {
        let target = Self::target(remote);
        if !self.open.iter().any(|(t, _)| *t == target) {
            let connection = connect(&target, self.args)?;
            self.open.push((target.clone(), connection));
        }
        self.cached(remote)
    }

    /// The session of an earlier [`Sessions::get`].
    pub fn cached(&self, remote: &RemotePath) -> Result<&Session, String> {
        let target = Self::target(remote);
        self.open
            .iter()
            .find(|(t, _)| *t == target)
            .map(|(_, c)| c.session())
            .ok_or_else(|| format!("{}: not connected", remote.destination()))
    }

    /// A second, separate connection (a relay between two paths on one
    /// host needs one session per side).
    pub fn another(&self, remote: &RemotePath) -> Result<Connection, String> {
        connect(&Self::target(remote), self.args)
    }
}

fn connect(target: &Target, args: &ConnectArgs) -> Result<Connection, String> {
    let config = Resolver::system().resolve(target, &args.overrides()).map_err(|e| e.to_string())?;
    ssh::connect(&config, &TerminalPrompter::new()).map_err(|e| e.to_string())
}
