//! Connections per host: one browsing connection that never waits behind
//! transfers, and transfer connections lent out within per-host and global
//! limits (kept open between transfers).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::actor::{Actor, EventSink};
use super::credentials::Credentials;
use super::error::ConnectError;
use super::host_config::HostConfig;
use super::prompt::Prompter;

/// How many transfer connections may be open at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolLimits {
    /// Transfer connections to one host.
    pub per_host: usize,
    /// Transfer connections to all hosts together.
    pub global: usize,
}

impl Default for PoolLimits {
    fn default() -> Self {
        PoolLimits { per_host: 4, global: 4 }
    }
}

struct HostEntry {
    browser: Actor,
    slots: Arc<Semaphore>,
    idle: Vec<Actor>,
}

struct Shared {
    prompter: Arc<dyn Prompter>,
    credentials: Arc<Credentials>,
    events: Mutex<Option<EventSink>>,
    limits: PoolLimits,
    global: Arc<Semaphore>,
    hosts: Mutex<HashMap<HostConfig, HostEntry>>,
}

/// The connections of a running scpdeck. Cheap to clone.
#[derive(Clone)]
pub struct Pool {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pool").field("limits", &self.shared.limits).finish()
    }
}

/// A transfer connection lent by the pool; it goes back (still connected)
/// when dropped. Use it through [`Actor`]'s methods.
pub struct Lease {
    actor: Actor,
    key: HostConfig,
    shared: Arc<Shared>,
    _host_slot: OwnedSemaphorePermit,
    _global_slot: OwnedSemaphorePermit,
}

impl std::ops::Deref for Lease {
    type Target = Actor;

    fn deref(&self) -> &Actor {
        &self.actor
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        // A clone keeps the thread (and its connection) for the next lease.
        let mut hosts = self.shared.hosts.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(entry) = hosts.get_mut(&self.key) {
            entry.idle.push(self.actor.clone());
        }
    }
}

impl Pool {
    /// Questions from every connection go to `prompter`; secrets that work
    /// are remembered for the pool's other connections to the same host.
    pub fn new(prompter: Arc<dyn Prompter>, limits: PoolLimits) -> Pool {
        let limits = PoolLimits { per_host: limits.per_host.max(1), global: limits.global.max(1) };
        Pool {
            shared: Arc::new(Shared {
                prompter,
                credentials: Arc::new(Credentials::new()),
                events: Mutex::new(None),
                limits,
                global: Arc::new(Semaphore::new(limits.global)),
                hosts: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// Sends connection events (connected, dropped) to `sink`.
    pub fn with_events(self, sink: EventSink) -> Pool {
        self.set_events(sink);
        self
    }

    /// Sends events of connections started from now on to `sink`.
    pub fn set_events(&self, sink: EventSink) {
        *self.shared.events.lock().unwrap_or_else(|p| p.into_inner()) = Some(sink);
    }

    pub fn limits(&self) -> PoolLimits {
        self.shared.limits
    }

    fn spawn(&self, config: &HostConfig) -> Result<Actor, ConnectError> {
        Actor::spawn(
            config.clone(),
            Arc::clone(&self.shared.prompter),
            Arc::clone(&self.shared.credentials),
            self.shared.events.lock().unwrap_or_else(|p| p.into_inner()).clone(),
        )
    }

    fn with_entry<T>(
        &self,
        config: &HostConfig,
        f: impl FnOnce(&mut HostEntry) -> T,
    ) -> Result<T, ConnectError> {
        let mut hosts = self.shared.hosts.lock().unwrap_or_else(|p| p.into_inner());
        if !hosts.contains_key(config) {
            let entry = HostEntry {
                browser: self.spawn(config)?,
                slots: Arc::new(Semaphore::new(self.shared.limits.per_host)),
                idle: Vec::new(),
            };
            hosts.insert(config.clone(), entry);
        }
        match hosts.get_mut(config) {
            Some(entry) => Ok(f(entry)),
            None => Err(ConnectError::Closed { host: config.label() }),
        }
    }

    /// The host's browsing connection (listings, file operations). It is
    /// separate from transfers, so browsing never waits behind a copy.
    pub fn browser(&self, config: &HostConfig) -> Result<Actor, ConnectError> {
        self.with_entry(config, |entry| entry.browser.clone())
    }

    /// A transfer connection to the host, waiting while the per-host or
    /// global limit is reached. Blocks: call from a thread that may block
    /// (use [`Pool::transfer_async`] from async code).
    pub fn transfer(&self, config: &HostConfig) -> Result<Lease, ConnectError> {
        futures::executor::block_on(self.transfer_async(config))
    }

    /// [`Pool::transfer`] for async callers.
    pub async fn transfer_async(&self, config: &HostConfig) -> Result<Lease, ConnectError> {
        let closed = || ConnectError::Closed { host: config.label() };
        let slots = self.with_entry(config, |entry| Arc::clone(&entry.slots))?;
        // Host first, then global: a task holding a global slot never waits
        // for a host slot, so no two tasks wait on each other.
        let host_slot = slots.acquire_owned().await.map_err(|_| closed())?;
        let global_slot = Arc::clone(&self.shared.global).acquire_owned().await.map_err(|_| closed())?;
        let reused = self.with_entry(config, |entry| entry.idle.pop())?;
        let actor = match reused {
            Some(actor) => actor,
            None => self.spawn(config)?,
        };
        Ok(Lease {
            actor,
            key: config.clone(),
            shared: Arc::clone(&self.shared),
            _host_slot: host_slot,
            _global_slot: global_slot,
        })
    }

    /// Closes every connection to the host (after the current jobs); later
    /// use connects again.
    pub fn forget(&self, config: &HostConfig) {
        let mut hosts = self.shared.hosts.lock().unwrap_or_else(|p| p.into_inner());
        hosts.remove(config);
    }
}
