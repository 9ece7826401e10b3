//! One remote host as the panes see it: the pool's browsing connection (an
//! actor thread owning the session). What was probed about the host lives
//! with the connection (`fs::remote::Host`).

use crate::app::WorkError;
use crate::fs::{FileSystem, FsError, RemoteFs};
use crate::ssh::{Actor, HostConfig, Link};

pub struct HostHandle {
    actor: Actor,
    /// What the host resolved to: searches take a transfer connection of
    /// the pool by it, so that browsing never waits behind one.
    config: HostConfig,
}

impl HostHandle {
    pub fn new(actor: Actor, config: HostConfig) -> Self {
        HostHandle { actor, config }
    }

    pub fn config(&self) -> &HostConfig {
        &self.config
    }

    /// Runs `op` on the host's file system, on the connection's thread
    /// (connecting, and probing the host once per connection, when needed).
    /// Blocks the calling thread, never the UI.
    pub fn run<T: Send + 'static>(
        &self,
        op: impl FnOnce(&dyn FileSystem) -> Result<T, FsError> + Send + 'static,
    ) -> Result<T, WorkError> {
        Ok(self.actor.run(move |link| RemoteFs::open(link).and_then(|fs| op(&fs)))??)
    }

    /// Runs `job` with the connection itself (transfers of one file for
    /// the editor, the host's summary).
    pub fn with_link<T: Send + 'static>(
        &self,
        job: impl FnOnce(Link<'_>) -> Result<T, WorkError> + Send + 'static,
    ) -> Result<T, WorkError> {
        self.actor.run(job)?
    }

    /// Connects now (asking the user's questions) without running anything.
    pub fn connect(&self) -> Result<(), WorkError> {
        Ok(self.actor.connect()?)
    }
}
