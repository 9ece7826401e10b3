//! What happens to a connection, told to whoever listens (the app's log,
//! `scpdeck cp`'s output): connected, dropped, retried, and what
//! authentication and the transport noticed on the way. Connections, the
//! actor and the pool all emit these; the listener decides what to show.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::error::ConnectError;

/// What happened to a connection, for the UI's log.
#[derive(Debug)]
pub enum ConnectionEvent {
    /// Connected (again, when `reconnect`).
    Connected { host: String, reconnect: bool },
    /// The connection was lost; the next use reconnects.
    Dropped(ConnectError),
    /// The server closed a connection before login (`error`, attempt
    /// `attempt` of `attempts`); the next attempt follows after `pause`.
    Retrying { host: String, attempt: u32, attempts: u32, pause: Duration, error: ConnectError },
    /// Connections to the host failed while others worked: the pool now
    /// runs at most `sessions` transfer sessions to it.
    SessionsLowered { host: String, sessions: usize },
    /// The server refused a second channel on this connection: it runs one
    /// channel at a time (sshd's MaxSessions 1).
    OneChannel { host: String },
    /// The server refused a key offered for authentication, in libssh2's
    /// words (escaped). Another key or method may still get in; when none
    /// does, this is why.
    KeyRefused { host: String, key: String, reason: String },
    /// What a connection noticed on the way that may explain trouble later
    /// (escaped): an agent that could not be reached, a line the
    /// ProxyCommand printed on its stderr.
    Detail { host: String, text: String },
}

impl ConnectionEvent {
    /// The host the event is about.
    pub fn host(&self) -> &str {
        match self {
            ConnectionEvent::Connected { host, .. }
            | ConnectionEvent::Retrying { host, .. }
            | ConnectionEvent::SessionsLowered { host, .. }
            | ConnectionEvent::OneChannel { host }
            | ConnectionEvent::KeyRefused { host, .. }
            | ConnectionEvent::Detail { host, .. } => host,
            ConnectionEvent::Dropped(error) => error.host(),
        }
    }
}

impl std::fmt::Display for ConnectionEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConnectionEvent::Connected { reconnect: false, .. } => write!(f, "connected"),
            ConnectionEvent::Connected { reconnect: true, .. } => write!(f, "connected again"),
            ConnectionEvent::Dropped(error) => write!(f, "{error}"),
            ConnectionEvent::Retrying { host, attempt, attempts, pause, error } => {
                let detail = match error {
                    ConnectError::ClosedBeforeLogin { step, detail, .. } => format!("{step}: {detail}"),
                    other => other.to_string(),
                };
                write!(
                    f,
                    "connection to {host} closed by the server before login (attempt {attempt} of {attempts}, \
                     retrying in {} s; {detail}). It may limit connections starting at once (MaxStartups): \
                     connections to {host} now start one at a time",
                    pause.as_secs_f64()
                )
            }
            ConnectionEvent::SessionsLowered { host, sessions } => write!(
                f,
                "{host} turned a new connection away while others to it worked: at most {sessions} \
                 transfer session{} to it from now on (its MaxStartups or another connection limit)",
                if *sessions == 1 { "" } else { "s" }
            ),
            ConnectionEvent::OneChannel { host } => write!(
                f,
                "{host} allows one channel per connection (MaxSessions 1?): commands and transfers \
                 on each connection take turns"
            ),
            ConnectionEvent::KeyRefused { key, reason, .. } => {
                write!(f, "the server refused the key {key}: {reason}")
            }
            ConnectionEvent::Detail { text, .. } => f.write_str(text),
        }
    }
}

/// Receives [`ConnectionEvent`]s from connection threads.
pub type EventSink = Arc<dyn Fn(ConnectionEvent) + Send + Sync>;

/// A mutex-protected list of events, handy as an [`EventSink`] in tests
/// and simple callers.
pub fn collect_events() -> (EventSink, Arc<Mutex<Vec<ConnectionEvent>>>) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink_events = Arc::clone(&events);
    let sink: EventSink = Arc::new(move |event| {
        sink_events.lock().unwrap_or_else(|p| p.into_inner()).push(event);
    });
    (sink, events)
}
