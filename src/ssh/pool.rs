//! Connections per host: one browsing connection that never waits behind
//! transfers, and transfer connections lent out within per-host and global
//! limits (kept open between transfers).
//!
//! A lease is connected before it is handed out. When a host turns a new
//! connection away before login (after the actor's retries, see
//! [`super::startup`]) while other transfer connections to it work, the
//! host gets one transfer session fewer for good and the task waits for
//! one of the working ones instead of failing.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::actor::Actor;
use super::connection_event::{ConnectionEvent, EventSink};
use super::credentials::Credentials;
use super::error::ConnectError;
use super::host_config::HostConfig;
use super::prompt::Prompter;
use super::startup::Startups;

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
    /// Transfer connections made and not known to be dead (idle or lent).
    working: usize,
    /// Tells this entry from one made after [`Pool::forget`].
    generation: u64,
}

struct Shared {
    prompter: Arc<dyn Prompter>,
    credentials: Arc<Credentials>,
    events: Mutex<Option<EventSink>>,
    limits: PoolLimits,
    global: Arc<Semaphore>,
    hosts: Mutex<HashMap<HostConfig, HostEntry>>,
    /// Per host, how its connections start and how many transfer sessions
    /// it takes; kept when the host's connections are forgotten.
    startups: Mutex<HashMap<HostConfig, Arc<Startups>>>,
    generations: std::sync::atomic::AtomicU64,
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
    generation: u64,
    shared: Arc<Shared>,
    _host_slot: OwnedSemaphorePermit,
    /// `None` for a relay's second end under a global limit of one, which
    /// shares its first end's slot.
    _global_slot: Option<OwnedSemaphorePermit>,
}

impl std::ops::Deref for Lease {
    type Target = Actor;

    fn deref(&self) -> &Actor {
        &self.actor
    }
}

impl Lease {
    /// Gives the lease back without its connection, which is known to be
    /// dead (its channel was lost): the next lease connects afresh.
    pub fn discard(mut self) {
        let mut hosts = self.shared.hosts.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(entry) = hosts.get_mut(&self.key).filter(|e| e.generation == self.generation) {
            entry.working = entry.working.saturating_sub(1);
        }
        // Drop then finds no entry of this generation to return it to.
        self.generation = u64::MAX;
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        // A clone keeps the thread (and its connection) for the next lease;
        // not after the host was forgotten (its connections may be dead).
        let mut hosts = self.shared.hosts.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(entry) = hosts.get_mut(&self.key).filter(|e| e.generation == self.generation) {
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
                startups: Mutex::new(HashMap::new()),
                generations: std::sync::atomic::AtomicU64::new(0),
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

    fn startups(&self, config: &HostConfig) -> Arc<Startups> {
        let mut startups = self.shared.startups.lock().unwrap_or_else(|p| p.into_inner());
        let per_host = self.shared.limits.per_host;
        Arc::clone(startups.entry(config.clone()).or_insert_with(|| Arc::new(Startups::new(per_host))))
    }

    fn spawn(&self, config: &HostConfig) -> Result<Actor, ConnectError> {
        Actor::spawn_with(
            config.clone(),
            Arc::clone(&self.shared.prompter),
            Arc::clone(&self.shared.credentials),
            self.events(),
            self.startups(config),
        )
    }

    fn events(&self) -> Option<EventSink> {
        self.shared.events.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn emit(&self, event: ConnectionEvent) {
        if let Some(sink) = self.events() {
            sink(event);
        }
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
                slots: Arc::new(Semaphore::new(self.startups(config).sessions())),
                idle: Vec::new(),
                working: 0,
                generation: self.shared.generations.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
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

    /// A transfer connection to the host, connected, waiting while the
    /// per-host or global limit is reached. Blocks: call from a thread that
    /// may block (use [`Pool::transfer_async`] from async code).
    pub fn transfer(&self, config: &HostConfig) -> Result<Lease, ConnectError> {
        futures::executor::block_on(self.transfer_async(config))
    }

    /// [`Pool::transfer`] for async callers. A connection the server turns
    /// away before login while others to the host work lowers the host's
    /// transfer sessions, and the caller waits for a working one; the
    /// error comes back only when no connection to the host works.
    pub async fn transfer_async(&self, config: &HostConfig) -> Result<Lease, ConnectError> {
        self.lease_async(config, true).await
    }

    /// The second end of a copy between two hosts, whose first end
    /// `beside` holds: [`Pool::transfer_async`], but under a global limit
    /// of one the two ends share `beside`'s slot. A relay cannot move a
    /// byte without both, and waiting for a second slot that its own
    /// first end holds would wait forever.
    pub async fn transfer_beside_async(
        &self,
        config: &HostConfig,
        beside: &Lease,
    ) -> Result<Lease, ConnectError> {
        let shared = self.shared.limits.global < 2 && beside._global_slot.is_some();
        self.lease_async(config, !shared).await
    }

    async fn lease_async(&self, config: &HostConfig, global: bool) -> Result<Lease, ConnectError> {
        let closed = || ConnectError::Closed { host: config.label() };
        loop {
            let (slots, generation) =
                self.with_entry(config, |entry| (Arc::clone(&entry.slots), entry.generation))?;
            // Host first, then global: a task holding a global slot never
            // waits for a host slot, so no two tasks wait on each other.
            let host_slot = slots.acquire_owned().await.map_err(|_| closed())?;
            let global_slot = match global {
                true => Some(Arc::clone(&self.shared.global).acquire_owned().await.map_err(|_| closed())?),
                false => None,
            };
            let reused = self.in_generation(config, generation, |entry| entry.idle.pop())?.flatten();
            let (actor, fresh) = match reused {
                Some(actor) => (actor, false),
                None => (self.spawn(config)?, true),
            };
            let error = match actor.connect_async().await {
                Ok(()) => {
                    if fresh {
                        self.in_generation(config, generation, |entry| entry.working += 1)?;
                    }
                    return Ok(Lease {
                        actor,
                        key: config.clone(),
                        generation,
                        shared: Arc::clone(&self.shared),
                        _host_slot: host_slot,
                        _global_slot: global_slot,
                    });
                }
                Err(error) => error,
            };
            let working = self
                .in_generation(config, generation, |entry| {
                    if !fresh {
                        entry.working = entry.working.saturating_sub(1);
                    }
                    entry.working
                })?
                .unwrap_or(0);
            if !error.is_closed_before_login() || working == 0 {
                return Err(error);
            }
            // The host takes no more connections than it has: this slot
            // goes away for good, and the loop waits for a working one.
            host_slot.forget();
            let sessions = self.startups(config).lower();
            self.emit(ConnectionEvent::SessionsLowered { host: config.label(), sessions });
        }
    }

    /// A transfer connection to the host only if one is free now (within
    /// the per-host and global limits) and connects: never waits for
    /// another lease to come back, so a job that asks for extra sessions
    /// (ranged transfers) cannot wait on a job waiting on it. `None` when
    /// none is free or the connection fails.
    pub async fn try_transfer_async(&self, config: &HostConfig) -> Option<Lease> {
        let (slots, generation) =
            self.with_entry(config, |entry| (Arc::clone(&entry.slots), entry.generation)).ok()?;
        let host_slot = slots.try_acquire_owned().ok()?;
        let global_slot = Some(Arc::clone(&self.shared.global).try_acquire_owned().ok()?);
        let reused = self.in_generation(config, generation, |entry| entry.idle.pop()).ok()?.flatten();
        let (actor, fresh) = match reused {
            Some(actor) => (actor, false),
            None => (self.spawn(config).ok()?, true),
        };
        let connected = actor.connect_async().await.is_ok();
        let _ = self.in_generation(config, generation, |entry| match (connected, fresh) {
            (true, true) => entry.working += 1,
            (false, false) => entry.working = entry.working.saturating_sub(1),
            _ => {}
        });
        connected.then(|| Lease {
            actor,
            key: config.clone(),
            generation,
            shared: Arc::clone(&self.shared),
            _host_slot: host_slot,
            _global_slot: global_slot,
        })
    }

    /// Runs `f` on the host's entry if it is still of `generation`.
    fn in_generation<T>(
        &self,
        config: &HostConfig,
        generation: u64,
        f: impl FnOnce(&mut HostEntry) -> T,
    ) -> Result<Option<T>, ConnectError> {
        self.with_entry(config, |entry| (entry.generation == generation).then(|| f(entry)))
    }

    /// Closes every connection to the host (after the current jobs); later
    /// use connects again.
    pub fn forget(&self, config: &HostConfig) {
        let mut hosts = self.shared.hosts.lock().unwrap_or_else(|p| p.into_inner());
        hosts.remove(config);
    }
}
