//! The remote side of transfers, over the connection pool's transfer
//! sessions: every blocking ssh2 call runs on the thread that owns its
//! session (the pool's connection actors).

mod arrivals;
mod banners;
mod direct;
mod download;
mod ladder;
mod resume;
mod segment_worker;
mod segments;
mod upload;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use futures::future::BoxFuture;

use super::backend::Reporter;
use super::fs_tasks;
use super::segment_plan::Segments;
use super::system::RemoteSide;
use super::task::{Batch, Task, TaskError, Work};
use crate::eventlog::{Event, LogSink};
use crate::fs::Location;
use crate::fs::RemoteFs;
use crate::ssh::{
    ConnectError, ConnectionEvent, HostConfig, Lease, Link, Overrides, OwnedLink, Pool, Resolver,
};
use upload::{Leftovers, Sender};

/// Transfers over SSH: resolves hosts like OpenSSH, borrows sessions from
/// the pool, and logs what it runs and what the remote side said.
pub struct SshRemote {
    inner: Arc<Inner>,
}

struct Inner {
    pool: Pool,
    resolver: Resolver,
    overrides: Overrides,
    configs: Mutex<HashMap<String, HostConfig>>,
    /// Private upload directories that dropped connections left behind.
    leftovers: Leftovers,
    /// How large files are split into ranges sent at once.
    segments: Segments,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl SshRemote {
    pub fn new(pool: Pool, resolver: Resolver, overrides: Overrides) -> Self {
        let inner = Inner {
            pool,
            resolver,
            overrides,
            configs: Mutex::default(),
            leftovers: Leftovers::default(),
            segments: Segments::default(),
        };
        Self { inner: Arc::new(inner) }
    }

    /// Takes these hosts' configurations as resolved already (`scpdeck cp`
    /// resolved them to connect first): no `ssh -G` again for them.
    pub fn with_configs(self, configs: Vec<(String, HostConfig)>) -> Self {
        lock(&self.inner.configs).extend(configs);
        self
    }

    /// Splits large files as `segments` says (the default: 4 ranges from
    /// 64 MiB on).
    pub fn with_segments(mut self, segments: Segments) -> Self {
        if let Some(inner) = Arc::get_mut(&mut self.inner) {
            inner.segments = segments;
        }
        self
    }
}

/// Logs the pool's connections: made, made again, dropped (with the reason),
/// retried, and how scpdeck adapted to the server's limits.
pub fn log_connections(pool: &Pool, log: LogSink) {
    pool.set_events(Arc::new(move |event| log.emit(connection_event(&event))));
}

/// The log event for a connection event.
pub fn connection_event(event: &ConnectionEvent) -> Event {
    let text = event.to_string();
    match event {
        ConnectionEvent::Connected { host, .. } | ConnectionEvent::KeyRefused { host, .. } => {
            Event::info(&text).host(host)
        }
        ConnectionEvent::Detail { host, .. } => Event::debug(&text).host(host),
        ConnectionEvent::Dropped(_) => Event::error(&text),
        other => Event::warn(&text).host(other.host()),
    }
}

impl RemoteSide for SshRemote {
    fn run(&self, task: Task, reporter: Reporter) -> BoxFuture<'static, Result<(), TaskError>> {
        let inner = self.inner.clone();
        Box::pin(async move {
            let hosts = task_hosts(&task.work);
            let result = inner.clone().run(task, reporter).await;
            if let Err(TaskError::Connection(_) | TaskError::Dropped(_)) = &result {
                // Its sessions may be dead without knowing it yet: the next
                // task connects afresh.
                for host in hosts {
                    if let Some(config) = lock(&inner.configs).get(&host).cloned() {
                        inner.pool.forget(&config);
                    }
                }
            }
            result
        })
    }
}

fn connection(e: ConnectError) -> TaskError {
    TaskError::Connection(e.to_string())
}

impl Inner {
    async fn config(&self, host: &str) -> Result<HostConfig, TaskError> {
        if let Some(config) = lock(&self.configs).get(host) {
            return Ok(config.clone());
        }
        let (resolver, overrides, text) = (self.resolver.clone(), self.overrides.clone(), host.to_owned());
        let config = tokio::task::spawn_blocking(move || resolver.resolve_str(&text, &overrides))
            .await
            .map_err(|e| TaskError::Failed(e.to_string()))?
            .map_err(connection)?;
        lock(&self.configs).insert(host.to_owned(), config.clone());
        Ok(config)
    }

    /// A transfer session to `host`, connected; waits within the limits.
    /// The pool retries a connection the server turns away before login and
    /// hands out a working session when the host has one, so an error here
    /// means no connection to the host could be made.
    async fn lease(self: &Arc<Self>, host: &str, r: &Reporter) -> Result<Lease, TaskError> {
        self.lease_beside(host, None, r).await
    }

    /// [`Inner::lease`], for the destination of a copy between two hosts
    /// when `source` is its source's session: the two ends count as one
    /// connection when only one is allowed in all (`-j 1`).
    async fn lease_beside(
        self: &Arc<Self>,
        host: &str,
        source: Option<&Lease>,
        r: &Reporter,
    ) -> Result<Lease, TaskError> {
        let config = self.config(host).await?;
        let lease = async {
            match source {
                Some(source) => self.pool.transfer_beside_async(&config, source).await,
                None => self.pool.transfer_async(&config).await,
            }
        };
        tokio::select! {
            lease = lease => lease.map_err(connection),
            _ = r.cancel.cancelled() => Err(TaskError::Interrupted),
        }
    }

    /// Runs `job` on the lease's connection thread. The lease is connected
    /// already, so a failure here means the connection dropped.
    async fn on<T: Send + 'static>(
        lease: &Lease,
        job: impl FnOnce(Link<'_>) -> T + Send + 'static,
    ) -> Result<T, TaskError> {
        lease.run_async(job).await.map_err(|e| TaskError::Dropped(e.to_string()))
    }

    async fn run(self: Arc<Self>, task: Task, r: Reporter) -> Result<(), TaskError> {
        match task.work {
            Work::Transfer(batch) => self.transfer(batch, r).await,
            work => self.fs_work(work, r).await,
        }
    }

    /// Scans, listings, mkdir, deletes: the file-system tasks, on the
    /// host's file system, the same code as on this machine.
    async fn fs_work(self: &Arc<Self>, work: Work, r: Reporter) -> Result<(), TaskError> {
        let host = task_hosts(&work)
            .into_iter()
            .next()
            .ok_or_else(|| TaskError::Failed("no remote host in this task".into()))?;
        let lease = self.lease(&host, &r).await?;
        r.connected();
        r.log(Event::debug(&format!("{} on the host", work.name())).host(&host));
        let rr = r.clone();
        let (note, result) = Self::on(&lease, move |link| match RemoteFs::open(link) {
            Ok(fs) => (fs.host().banner_note(), fs_tasks::run(work, &fs, &rr)),
            Err(e) => (None, Err(fs_tasks::task_error(e))),
        })
        .await?;
        if let Some(note) = &note {
            r.banner(&host, note);
        }
        result
    }

    async fn transfer(self: &Arc<Self>, batch: Batch, r: Reporter) -> Result<(), TaskError> {
        let Some(first) = batch.items.first() else { return Ok(()) };
        let (from, to) = (first.source.host().map(String::from), first.dest.host().map(String::from));
        match (from, to) {
            (Some(from), None) => {
                let lease = self.lease(&from, &r).await?;
                r.connected();
                let batch = segments::take(self, &lease, &from, batch, &r, segment_worker::Way::Down).await?;
                let (rr, host) = (r.clone(), from.clone());
                Self::on(&lease, move |s| download::download(s, &host, &batch, &rr)).await?
            }
            (None, Some(to)) => {
                let lease = self.lease(&to, &r).await?;
                r.connected();
                let batch = segments::take(self, &lease, &to, batch, &r, segment_worker::Way::Up).await?;
                let (rr, host, left) = (r.clone(), to.clone(), self.leftovers.clone());
                Self::on(&lease, move |s| upload::to_remote(s, &host, &Sender::Local, &batch, &rr, &left))
                    .await?
            }
            (Some(from), Some(to)) if from == to => {
                let lease = self.lease(&to, &r).await?;
                r.connected();
                let (rr, host, left) = (r.clone(), to.clone(), self.leftovers.clone());
                Self::on(&lease, move |s| upload::to_remote(s, &host, &Sender::SameHost, &batch, &rr, &left))
                    .await?
            }
            (Some(from), Some(to)) => self.remote_to_remote(from, to, batch, r).await,
            (None, None) => Err(TaskError::Failed("a local copy reached the remote side".into())),
        }
    }

    /// Relay (or direct): the destination session is lent to the source's
    /// connection thread while its own thread waits, so no other job uses it.
    async fn remote_to_remote(
        self: &Arc<Self>,
        from: String,
        to: String,
        batch: Batch,
        r: Reporter,
    ) -> Result<(), TaskError> {
        let source = self.lease(&from, &r).await?;
        let dest = self.lease_beside(&to, Some(&source), &r).await?;
        r.connected();
        let target = self.config(&to).await?;
        let (session_tx, session_rx) = tokio::sync::oneshot::channel::<std::io::Result<OwnedLink>>();
        let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
        let hold = dest.run_async(move |s| {
            let _ = session_tx.send(s.to_owned());
            // Until the relay is over (or gone).
            let _ = done_rx.recv();
        });
        let left = self.leftovers.clone();
        let held = async {
            let lost = |detail: String| TaskError::Dropped(format!("lost the connection to {to}: {detail}"));
            let to_session =
                session_rx.await.map_err(|_| lost("it closed".into()))?.map_err(|e| lost(e.to_string()))?;
            let rr = r.clone();
            Self::on(&source, move |s| {
                let address = format!("{}@{}", target.user, target.hostname);
                let to_link = to_session.link();
                let direct = batch.direct && ladder::direct_possible(s, &from, to_link, &to, &rr);
                let sender = if direct {
                    Sender::Direct {
                        from: s,
                        from_host: &from,
                        peer: direct::Peer { address: &address, port: target.port },
                    }
                } else {
                    Sender::Relay { from: s, from_host: &from }
                };
                let result = upload::to_remote(to_link, &to, &sender, &batch, &rr, &left);
                drop(done_tx);
                result
            })
            .await?
        };
        let (result, _) = tokio::join!(held, hold);
        result
    }
}

/// The remote hosts a task talks to.
fn task_hosts(work: &Work) -> Vec<String> {
    let locations: Vec<&Location> = match work {
        Work::Scan { roots, .. } => roots.iter().map(|r| &r.1).collect(),
        Work::Probe { dirs, .. } => dirs.iter().collect(),
        Work::MakeDirs { dirs } => dirs.iter().map(|d| &d.1).collect(),
        Work::Transfer(batch) => batch.items.iter().flat_map(|i| [&i.source, &i.dest]).collect(),
        Work::Delete { files } => files.iter().map(|f| &f.1).collect(),
        Work::RemoveDirs { dirs } => dirs.iter().map(|d| &d.1).collect(),
        Work::Discard { files } => files.iter().map(|f| &f.1).collect(),
        Work::MakeLinks { links } => links.iter().map(|l| &l.dest).collect(),
        Work::DirTimes { dirs } => dirs.iter().map(|d| &d.0).collect(),
    };
    let mut hosts: Vec<String> = locations.iter().filter_map(|l| l.host().map(String::from)).collect();
    hosts.sort();
    hosts.dedup();
    hosts
}
