//! A connection actor: one OS thread owns one SSH connection (libssh2
//! serializes every call on a session, and a blocking read blocks the whole
//! session). Callers submit closures that run on that thread with the
//! session; results come back through channels.
//!
//! The actor connects on first use, sends keepalives while idle, notices a
//! dropped connection (reported through the event sink, naming the host) and
//! connects again on the next use.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::mpsc::{self, TryRecvError};
use std::time::Duration;

use nix::poll::{PollFd, PollFlags, PollTimeout, poll};

use super::connect::connect_with;
use super::connection::Connection;
use super::connection_event::{ConnectionEvent, EventSink};
use super::credentials::Credentials;
use super::doorbell::{Bell, Door, doorbell};
use super::error::ConnectError;
use super::host_config::HostConfig;
use super::keepalive::{Health, Keepalive};
use super::link::Link;
use super::prompt::Prompter;
use super::startup::{self, Startups};

type Job = Box<dyn FnOnce(Result<&Connection, ConnectError>) + Send>;

/// A handle to a connection thread. Clones share the thread; it ends (and
/// disconnects) when the last handle is dropped.
#[derive(Clone)]
pub struct Actor {
    host: String,
    jobs: mpsc::Sender<Job>,
    /// Wakes the thread for each job (it sleeps in `poll`, see `serve`).
    bell: Arc<Bell>,
}

impl std::fmt::Debug for Actor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Actor").field("host", &self.host).finish()
    }
}

impl Actor {
    /// Starts the thread. It connects on the first job.
    pub fn spawn(
        config: HostConfig,
        prompter: Arc<dyn Prompter>,
        credentials: Arc<Credentials>,
        events: Option<EventSink>,
    ) -> Result<Actor, ConnectError> {
        Actor::spawn_with(config, prompter, credentials, events, Arc::new(Startups::new(1)))
    }

    /// [`Actor::spawn`], sharing how connections to the host start with the
    /// pool's other connections to it.
    pub(crate) fn spawn_with(
        config: HostConfig,
        prompter: Arc<dyn Prompter>,
        credentials: Arc<Credentials>,
        events: Option<EventSink>,
        startups: Arc<Startups>,
    ) -> Result<Actor, ConnectError> {
        let host = config.label();
        let (jobs, inbox) = mpsc::channel::<Job>();
        let (bell, door) = doorbell().map_err(|e| ConnectError::Channel {
            host: host.clone(),
            detail: format!("cannot make a pipe for the connection thread: {e}"),
        })?;
        let state = Worker {
            config,
            prompter,
            credentials,
            events,
            startups,
            connection: None,
            keepalive: None,
            ever: false,
            told_one_channel: false,
        };
        std::thread::Builder::new()
            .name(format!("ssh {host}"))
            .spawn(move || state.serve(inbox, door))
            .map_err(|e| ConnectError::Channel {
                host: host.clone(),
                detail: format!("cannot start a thread: {e}"),
            })?;
        Ok(Actor { host, jobs, bell: Arc::new(bell) })
    }

    /// The host as named in messages.
    pub fn host(&self) -> &str {
        &self.host
    }

    fn submit<T: Send + 'static>(
        &self,
        job: impl FnOnce(Link<'_>) -> T + Send + 'static,
        reply: impl FnOnce(Result<T, ConnectError>) + Send + 'static,
    ) {
        let wrapped: Job = Box::new(move |connection| reply(connection.map(|c| job(c.link()))));
        // A send fails only when the thread has gone; the reply's sender is
        // dropped with the job, which the caller sees as `Closed`.
        if self.jobs.send(wrapped).is_ok() {
            self.bell.ring();
        }
    }

    /// Runs `job` on the connection thread and waits for its result. Blocks:
    /// call it from a thread that may block (use [`Actor::run_async`] from
    /// async code).
    pub fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce(Link<'_>) -> T + Send + 'static,
    ) -> Result<T, ConnectError> {
        let (tx, rx) = mpsc::sync_channel(1);
        self.submit(job, move |result| {
            let _ = tx.send(result);
        });
        rx.recv().unwrap_or_else(|_| Err(ConnectError::Closed { host: self.host.clone() }))
    }

    /// [`Actor::run`] for async callers: the job still runs on the
    /// connection thread, and the task waits without blocking the runtime.
    pub async fn run_async<T: Send + 'static>(
        &self,
        job: impl FnOnce(Link<'_>) -> T + Send + 'static,
    ) -> Result<T, ConnectError> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.submit(job, move |result| {
            let _ = tx.send(result);
        });
        rx.await.unwrap_or_else(|_| Err(ConnectError::Closed { host: self.host.clone() }))
    }

    /// Connects now (if not connected) instead of on the first job.
    pub fn connect(&self) -> Result<(), ConnectError> {
        self.run(|_| ())
    }

    /// [`Actor::connect`] for async callers.
    pub async fn connect_async(&self) -> Result<(), ConnectError> {
        self.run_async(|_| ()).await
    }
}

/// The connection thread's state.
struct Worker {
    config: HostConfig,
    prompter: Arc<dyn Prompter>,
    credentials: Arc<Credentials>,
    events: Option<EventSink>,
    startups: Arc<Startups>,
    connection: Option<Connection>,
    keepalive: Option<Keepalive>,
    /// Whether a connection was ever made (the next one is a reconnect).
    ever: bool,
    /// Whether this connection's one-channel limit was reported.
    told_one_channel: bool,
}

impl Worker {
    /// Runs jobs as they come. Between jobs the thread sleeps in `poll` on
    /// the doorbell and, when connected, the socket: it wakes for a job,
    /// for data from the server (keepalive replies, a close) and, only with
    /// ServerAliveInterval set, when the next keepalive is due; an idle
    /// connection costs nothing.
    fn serve(mut self, inbox: mpsc::Receiver<Job>, door: Door) {
        loop {
            match inbox.try_recv() {
                Ok(job) => {
                    self.run(job);
                    continue;
                }
                Err(TryRecvError::Disconnected) => return,
                Err(TryRecvError::Empty) => {}
            }
            let keepalive_due =
                self.keepalive.as_ref().filter(|_| self.connection.is_some()).and_then(Keepalive::next_due);
            // A parked channel is closed when unused for a while (see
            // `super::parked`): it must not hold the server's place.
            let parked_due = self
                .connection
                .as_ref()
                .and_then(|c| super::parked::due(c.link()))
                .map(|at| at.saturating_duration_since(std::time::Instant::now()));
            let due = match (keepalive_due, parked_due) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            let timeout = due.map_or(PollTimeout::NONE, |d| {
                PollTimeout::try_from(d.max(Duration::from_millis(1))).unwrap_or(PollTimeout::MAX)
            });
            let (door_ready, socket_ready) = {
                let mut fds = vec![PollFd::new(door.fd(), PollFlags::POLLIN)];
                if let Some(connection) = &self.connection {
                    fds.push(PollFd::new(connection.probe_fd(), PollFlags::POLLIN));
                }
                if poll(&mut fds, timeout).is_err() {
                    // EINTR: look again.
                    continue;
                }
                let ready = |fd: &PollFd| fd.revents().is_some_and(|r| !r.is_empty());
                (ready(&fds[0]), fds.get(1).is_some_and(ready))
            };
            if door_ready && !door.answer() {
                // Every handle is gone: the jobs sent before are run, then
                // the inbox says it is closed.
                continue;
            }
            if socket_ready || (!door_ready && due.is_some()) {
                self.idle();
            }
        }
    }

    fn emit(&self, event: ConnectionEvent) {
        if let Some(sink) = &self.events {
            sink(event);
        }
    }

    fn lost(&mut self, detail: &str) {
        if let Some(mut connection) = self.connection.take() {
            let error = connection.dropped(detail);
            self.emit(ConnectionEvent::Dropped(error));
        }
        self.keepalive = None;
    }

    fn ensure_connected(&mut self) -> Result<(), ConnectError> {
        if self.connection.as_ref().is_some_and(Connection::is_closed) {
            self.lost("the server closed the connection");
        }
        if self.connection.is_none() {
            let connection = self.connect()?;
            self.emit(ConnectionEvent::Connected { host: connection.host(), reconnect: self.ever });
            self.ever = true;
            self.keepalive =
                Some(Keepalive::new(self.config.server_alive_interval, self.config.server_alive_count_max));
            if self.config.sudo {
                let (prompter, credentials) = (Arc::clone(&self.prompter), Arc::clone(&self.credentials));
                super::as_root::become_root(connection.link(), &self.config, prompter, credentials);
            }
            self.connection = Some(connection);
            self.told_one_channel = false;
        }
        Ok(())
    }

    /// Connects, retrying a connection the server closed before login with
    /// backoff, one start at a time once the host has dropped one (see
    /// [`super::startup`]).
    fn connect(&self) -> Result<Connection, ConnectError> {
        let startups = Arc::clone(&self.startups);
        let mut turn = startups.turn();
        let attempts = startups.attempts();
        let mut attempt = 1;
        loop {
            match connect_with(&self.config, &*self.prompter, &self.credentials, self.events.as_ref()) {
                Ok(connection) => {
                    startups.connected();
                    return Ok(connection);
                }
                Err(error) if error.is_closed_before_login() => {
                    startups.dropped();
                    if attempt >= attempts {
                        startups.gave_up();
                        return Err(error.after_attempts(attempt));
                    }
                    if turn.is_none() {
                        turn = Some(startups.wait_turn());
                        // Another connection used every retry meanwhile:
                        // the host is not taking any.
                        if startups.given_up() {
                            return Err(error.after_attempts(attempt));
                        }
                    }
                    let pause = startup::pause_before(attempt + 1);
                    let host = self.config.label();
                    self.emit(ConnectionEvent::Retrying { host, attempt, attempts, pause, error });
                    std::thread::sleep(pause);
                    attempt += 1;
                }
                Err(error) => return Err(error),
            }
        }
    }

    fn run(&mut self, job: Job) {
        if let Err(e) = self.ensure_connected() {
            job(Err(e));
            return;
        }
        let Some(connection) = &self.connection else { return };
        connection.session().set_blocking(true);
        let panicked = std::panic::catch_unwind(AssertUnwindSafe(|| job(Ok(connection)))).is_err();
        connection.session().set_blocking(true);
        let closed = connection.is_closed();
        if panicked {
            // The session may be mid-packet: start afresh next time.
            self.lost("a task panicked while using the connection");
        } else if closed {
            self.lost("the server closed the connection");
        } else {
            if let Some(keepalive) = &mut self.keepalive {
                keepalive.heard_from_server();
            }
            if !self.told_one_channel && super::channel::allows_one_channel(connection.link()) {
                self.told_one_channel = true;
                self.emit(ConnectionEvent::OneChannel { host: self.config.label() });
            }
        }
    }

    fn idle(&mut self) {
        if let Some(connection) = &self.connection {
            super::parked::close_if_due(connection.link());
        }
        let (Some(connection), Some(keepalive)) = (&self.connection, &mut self.keepalive) else { return };
        if let Health::Dead(why) = keepalive.tick(connection) {
            self.lost(&why);
        }
    }
}
