//! Remote panes: connections from the ssh pool (one browsing connection per
//! host, on its own thread), questions through the TUI prompter, and the
//! remote file system operations run on those threads.

mod edit;
mod host;
mod prompter;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc::UnboundedSender;

pub(super) use edit::discard;
pub(super) use host::HostHandle;
pub(super) use prompter::TuiPrompter;

use tokio_util::sync::CancellationToken;

use crate::app::{Msg, Note, WorkError};
use crate::eventlog::{Event, LogSink};
use crate::fs::{FileSystem, FindEnd, FindQuery, Found};
use crate::ssh::{ConnectionEvent, Overrides, Pool, PoolLimits, Resolver};

/// The remote hosts of this run. Cheap to clone.
#[derive(Clone)]
pub struct Remotes {
    inner: Arc<Inner>,
}

struct Inner {
    pool: Pool,
    resolver: Resolver,
    overrides: Overrides,
    prompter: Arc<TuiPrompter>,
    /// By the name the user typed (`alice@web1`, an alias...).
    hosts: Mutex<HashMap<String, Arc<HostHandle>>>,
    tx: UnboundedSender<Msg>,
    log: LogSink,
}

impl Remotes {
    /// Connections are logged to `log`; `limits` bound the transfer
    /// connections (shared with the transfer scheduler).
    pub fn new(tx: UnboundedSender<Msg>, overrides: Overrides, limits: PoolLimits, log: LogSink) -> Self {
        let prompter = Arc::new(TuiPrompter::new(tx.clone()));
        let events = tx.clone();
        let connections = log.clone();
        // Every event is logged; warnings and errors (a dropped
        // connection, a retry) come back as log events and are shown. A
        // reconnection is a notice the app shows and logs itself.
        let sink = Arc::new(move |event: ConnectionEvent| match event {
            ConnectionEvent::Connected { host, reconnect: true } => {
                let note = Note::info(&format!("reconnected to {host}")).host(&host);
                let _ = events.send(Msg::Report(note));
            }
            event => connections.emit(crate::jobs::connection_event(&event)),
        });
        let pool = Pool::new(prompter.clone(), limits).with_events(sink);
        let inner = Inner {
            pool,
            resolver: Resolver::system(),
            overrides,
            prompter,
            hosts: Mutex::new(HashMap::new()),
            tx,
            log,
        };
        Remotes { inner: Arc::new(inner) }
    }

    /// The pool, shared with the transfer scheduler (one set of
    /// credentials and limits for browsing and copying).
    pub fn pool(&self) -> Pool {
        self.inner.pool.clone()
    }

    pub fn overrides(&self) -> Overrides {
        self.inner.overrides.clone()
    }

    /// The connection for `host`, when the user has opened it.
    pub fn host(&self, host: &str) -> Result<Arc<HostHandle>, WorkError> {
        let hosts = self.inner.hosts.lock().unwrap_or_else(|p| p.into_inner());
        hosts.get(host).cloned().ok_or_else(|| WorkError::NotConnected { host: host.to_owned() })
    }

    /// Opens `host` (blocking: run on a blocking thread). Reports stages as
    /// it goes; returns the remote home.
    pub fn connect(&self, id: u64, host: &str) -> Result<PathBuf, WorkError> {
        let inner = &self.inner;
        inner.prompter.begin(id);
        let result = self.connect_inner(id, host);
        inner.prompter.end(id);
        result
    }

    fn connect_inner(&self, id: u64, host: &str) -> Result<PathBuf, WorkError> {
        let inner = &self.inner;
        let stage = |text: String| {
            let _ = inner.tx.send(Msg::ConnectStage { id, stage: text });
        };
        stage("reading the ssh configuration".into());
        let config = inner.resolver.resolve_str(host, &inner.overrides)?;
        stage(format!("connecting to {} and authenticating", config.label()));
        let actor = inner.pool.browser(&config)?;
        let handle = HostHandle::new(actor, config.clone());
        handle.connect()?;
        if inner.prompter.is_cancelled(id) {
            inner.pool.forget(&config);
            return Err(WorkError::ConnectCancelled { host: host.to_owned() });
        }
        stage("looking at the host (shell, find, stat, scp)".into());
        let (home, summary, note, protocol) = handle
            .with_link(|link| {
                let fs = crate::fs::RemoteFs::open(link)?;
                let host = fs.host();
                Ok((host.caps().home.clone(), host.summary(link), host.banner_note(), host.protocol()))
            })
            // A connection keeps its failed probe (`fs::remote::Host`): the
            // next try (a sudo password typed again) connects afresh.
            .inspect_err(|_| inner.pool.forget(&config))?;
        for line in summary {
            inner.log.emit(Event::info(&line).host(&config.label()));
        }
        if let Some(note) = &note {
            // Shown with the summary whenever the host is opened; recorded
            // so that transfers to the host do not note it again.
            inner.log.first_banner(host, note);
            inner.log.emit(Event::banner(&config.label(), note));
        }
        let talkative = note.is_some_and(|n| n.harmful());
        let _ = inner.tx.send(Msg::HostProbed { host: host.to_owned(), talkative });
        let _ = inner.tx.send(Msg::HostRung { host: host.to_owned(), protocol });
        let home = home.unwrap_or_else(|| PathBuf::from("/"));
        let mut hosts = inner.hosts.lock().unwrap_or_else(|p| p.into_inner());
        hosts.insert(host.to_owned(), Arc::new(handle));
        Ok(home)
    }

    /// Downloads a remote file for editing (blocking).
    pub fn fetch_for_edit(&self, host: &str, path: &std::path::Path) -> Result<PathBuf, WorkError> {
        edit::fetch(&*self.host(host)?, host, path)
    }

    /// Uploads an edited copy back (blocking); the copy is removed once uploaded.
    pub fn upload_edit(
        &self,
        host: &str,
        copy: &std::path::Path,
        path: &std::path::Path,
    ) -> Result<String, WorkError> {
        let note = edit::upload(&*self.host(host)?, host, copy, path)?;
        edit::discard(copy);
        Ok(note)
    }

    /// Searches on `host` over a transfer connection of the pool (browsing
    /// keeps its own), handing results to `found` as they come (blocking).
    pub fn find(
        &self,
        host: &str,
        query: FindQuery,
        cancel: CancellationToken,
        mut found: impl FnMut(Vec<Found>) + Send + 'static,
    ) -> Result<FindEnd, WorkError> {
        let handle = self.host(host)?;
        let lease = self.inner.pool.transfer(handle.config())?;
        let job = move |link: crate::ssh::Link<'_>| {
            crate::fs::RemoteFs::open(link).and_then(|fs| fs.find(&query, &cancel, &mut found))
        };
        Ok(lease.run(job)??)
    }

    /// Closes `host`'s browsing connection and the pool's idle ones to it.
    /// A transfer running keeps its connection until it ends (the pool lets
    /// it go then); a later one connects again, with the secrets the pool
    /// remembers.
    pub fn disconnect(&self, host: &str) {
        let handle = self.inner.hosts.lock().unwrap_or_else(|p| p.into_inner()).remove(host);
        if let Some(handle) = handle {
            self.inner.pool.forget(handle.config());
        }
    }

    /// The user gave up waiting for connection `id`.
    pub fn cancel(&self, id: u64) {
        self.inner.prompter.cancel(id);
    }

    /// `Host` names without wildcards from the ssh configuration in effect.
    /// Each with the `file:line` it is written on.
    pub fn ssh_hosts(&self) -> Vec<(String, String)> {
        let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_default();
        let hosts = crate::ssh::config_hosts(self.inner.overrides.config_file.as_deref()).unwrap_or_default();
        hosts.into_iter().map(|h| (h.origin(&home), h)).map(|(origin, h)| (h.alias, origin)).collect()
    }

    /// `(host, user@host:port)` for each host that resolves.
    pub fn addresses(&self, hosts: &[String]) -> Vec<(String, String)> {
        let address = |host: &String| self.inner.resolver.address(host, &self.inner.overrides).ok();
        hosts.iter().filter_map(|host| Some((host.clone(), address(host)?))).collect()
    }
}
