//! Opening an authenticated SSH connection: stream (TCP or proxy), handshake
//! (ciphers: the user's, else the fastest first), host key verification,
//! user authentication.

use std::os::fd::{AsFd, OwnedFd};
use std::time::Duration;

use ssh2::{MethodType, Session};

use super::algorithms;
use super::asker::Asker;
use super::auth;
use super::connection::Connection;
use super::connection::socket_closed;
use super::connection_event::EventSink;
use super::credentials::Credentials;
use super::error::{AuthFailure, ConnectError, Step, is_transport_lost};
use super::host_config::HostConfig;
use super::host_key;
use super::jump;
use super::prompt::Prompter;
use super::proxy_command;
use super::transport::{self, Stream, Transport};
use crate::text::escape_str;

/// Hops (ProxyJump, nested) allowed before a loop is assumed.
const MAX_HOPS: usize = 8;

/// libssh2's code for a blocking call that ran into the session timeout.
const ERROR_TIMEOUT: i32 = -9;

/// Connects and authenticates. Blocking; questions go to `prompter` on this
/// thread. The returned connection belongs to this thread's caller: move it
/// to the thread that will use it (it is `Send`), but use it from one thread
/// at a time.
pub fn connect(config: &HostConfig, prompter: &dyn Prompter) -> Result<Connection, ConnectError> {
    connect_with(config, prompter, &Credentials::new(), None)
}

/// [`connect`], trying remembered secrets first and remembering the ones
/// that work (the pool shares one [`Credentials`] between its connections),
/// and telling `events` what it notices on the way (keys the server
/// refused and why, the ProxyCommand's stderr).
pub fn connect_with(
    config: &HostConfig,
    prompter: &dyn Prompter,
    credentials: &Credentials,
    events: Option<&EventSink>,
) -> Result<Connection, ConnectError> {
    connect_hop(config, prompter, credentials, events, 0)
}

pub(crate) fn connect_hop(
    config: &HostConfig,
    prompter: &dyn Prompter,
    credentials: &Credentials,
    events: Option<&EventSink>,
    depth: usize,
) -> Result<Connection, ConnectError> {
    let host = config.label();
    if depth > MAX_HOPS {
        return Err(ConnectError::Config {
            host,
            detail: format!("more than {MAX_HOPS} ProxyJump hops; is there a loop in ProxyJump?"),
        });
    }
    let timeout = config.effective_connect_timeout();
    let via = match (&config.proxy_jump[..], &config.proxy_command) {
        ([], None) => String::new(),
        ([], Some(_)) => " through its ProxyCommand".to_owned(),
        (jumps, _) => format!(" through {}", jumps.join(", ")),
    };
    log::info!("connecting to {} port {} as {}{via}", config.hostname, config.port, config.user);
    let (stream, mut transport) = open_stream(config, prompter, credentials, events, depth, timeout)?;
    // CheckHostIP's address: none through a proxy, as in OpenSSH.
    let peer = match &stream {
        Stream::Tcp(tcp) => tcp.peer_addr().ok(),
        Stream::Pair(_) => None,
    };
    let probe = stream.probe().map_err(|e| ConnectError::Handshake {
        host: host.clone(),
        detail: format!("cannot watch the socket: {e}"),
    })?;

    let mut session = Session::new()
        .map_err(|e| ConnectError::Handshake { host: host.clone(), detail: escape_str(e.message()) })?;
    session.set_timeout(millis(timeout));
    algorithms::prefer(&session, config)?;
    host_key::prefer_known_algorithms(&session, config);
    session.set_tcp_stream(stream);
    if let Err(e) = session.handshake() {
        // A timeout says how far it got: the server's greeting came but
        // not the key exchange; or a ProxyCommand still running has sent
        // nothing, which may never have reached the host at all.
        let timed_out = code(&e) == ERROR_TIMEOUT;
        let greeted = session.banner().is_some();
        if timed_out && (greeted || transport.command_running()) {
            let step = if greeted { Step::Handshake } else { Step::Proxy };
            return Err(ConnectError::Timeout { host, step, after: timeout });
        }
        if let Some(proxy) = transport.failure() {
            return Err(ConnectError::Proxy { host, detail: proxy });
        }
        if timed_out {
            // A TCP connection, or a ProxyJump hop's channel (which the
            // hop's sshd confirms once it has connected to the host), and
            // no line from the server.
            return Err(ConnectError::Timeout { host, step: Step::Greeting, after: timeout });
        }
        // sshd drops connections beyond MaxStartups before its banner (or
        // after a line saying so): that is a closed connection, not a
        // server that speaks no SSH.
        if is_transport_lost(&e) || socket_closed(probe.as_fd()) {
            let detail = escape_str(e.message());
            return Err(ConnectError::ClosedBeforeLogin { host, step: Step::Handshake, detail, attempts: 1 });
        }
        return Err(ConnectError::Handshake { host, detail: escape_str(e.message()) });
    }

    log::info!(
        "SSH handshake done: server {}, key exchange {}, cipher {}",
        session.banner().unwrap_or("(no banner)"),
        session.methods(MethodType::Kex).unwrap_or("?"),
        session.methods(MethodType::CryptCs).unwrap_or("?"),
    );
    let asker = Asker::new(prompter, config.batch_mode);
    host_key::verify(&session, config, peer, &asker)?;
    // A slow PAM stack (fail delays) must not trip a short ConnectTimeout,
    // but a server that stops answering must not hang authentication forever.
    session.set_timeout(millis(timeout.max(Duration::from_secs(60))));
    auth::authenticate(&session, probe.as_fd(), config, &asker, credentials, events)
        .map_err(|e| lost_during(&probe, config, e))?;
    session.set_timeout(0);
    if !config.server_alive_interval.is_zero() {
        session.set_keepalive(true, config.server_alive_interval.as_secs().clamp(1, u32::MAX as u64) as u32);
    }
    Ok(Connection::new(session, probe, transport, config.clone()))
}

fn open_stream(
    config: &HostConfig,
    prompter: &dyn Prompter,
    credentials: &Credentials,
    events: Option<&EventSink>,
    depth: usize,
    timeout: Duration,
) -> Result<(Stream, Transport), ConnectError> {
    if !config.proxy_jump.is_empty() {
        let (stream, bridge) = jump::open(config, prompter, credentials, events, depth, timeout)?;
        return Ok((Stream::Pair(stream), Transport::Jump(bridge)));
    }
    if let Some(command) = &config.proxy_command {
        let command = proxy_command::expanded(config, command)?;
        let (stream, child) = proxy_command::spawn(config, &command, events.cloned())?;
        return Ok((Stream::Pair(stream), Transport::Command(child)));
    }
    Ok((Stream::Tcp(transport::tcp(config, timeout)?), Transport::Direct))
}

fn millis(d: Duration) -> u32 {
    d.as_millis().min(u32::MAX as u128) as u32
}

pub(crate) fn code(e: &ssh2::Error) -> i32 {
    match e.code() {
        ssh2::ErrorCode::Session(code) | ssh2::ErrorCode::SFTP(code) => code,
    }
}

/// A connection that dies during authentication makes the method "fail";
/// reporting that as refused keys would send the user after the wrong
/// problem. A socket the server has closed tells. A failure that is the
/// user's own answer (a wrong password, a cancelled question, BatchMode)
/// stays what it is: retrying it would only ask again. (A server that hangs
/// up after MaxAuthTries also closes it: what was offered is in the detail.)
fn lost_during(probe: &OwnedFd, config: &HostConfig, error: ConnectError) -> ConnectError {
    let ConnectError::Authentication { failure, .. } = &error else { return error };
    let detail = match failure {
        AuthFailure::NoMethodLeft { tried, .. } if !tried.is_empty() => {
            format!("the connection ended during authentication, after offering {}", tried.join(", "))
        }
        AuthFailure::NoMethodLeft { .. } => "the connection ended during authentication".to_owned(),
        AuthFailure::Other(detail) => detail.clone(),
        _ => return error,
    };
    if !socket_closed(probe.as_fd()) {
        return error;
    }
    ConnectError::ClosedBeforeLogin { host: config.label(), step: Step::Authentication, detail, attempts: 1 }
}
