//! ProxyJump: the target is reached through a direct-tcpip channel over
//! scpdeck's own session to the last hop, bridged to libssh2 through a
//! socket pair by a thread that owns the hop's session.
//!
//! Why not `ssh -W %h:%p hop`: the hop's password, passphrase and host key
//! questions then go through scpdeck's prompter (TUI dialogs instead of ssh
//! writing over the screen), its host key is checked the same way, and it
//! works without OpenSSH installed.

use std::io::{ErrorKind, Read, Write};
use std::os::fd::AsFd;
use std::os::unix::net::UnixStream;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use ssh2::Channel;

use super::connect::{code, connect_hop};
use super::connection::Connection;
use super::connection_event::EventSink;
use super::credentials::Credentials;
use super::error::{ConnectError, Step};
use super::host_config::HostConfig;
use super::overrides::Overrides;
use super::prompt::Prompter;
use super::resolve::Resolver;
use super::target::Target;
use crate::text::escape_str;

/// Bytes buffered in each direction before reading pauses.
const BUFFER: usize = 256 * 1024;
const ERROR_EAGAIN: i32 = -37;

/// The thread relaying between the socket pair and the hop's channel.
#[derive(Debug)]
pub(crate) struct JumpBridge {
    hop: String,
    failure: Arc<Mutex<Option<String>>>,
    thread: Option<JoinHandle<()>>,
}

impl JumpBridge {
    /// Why the bridge stopped, if it has.
    pub(crate) fn failure(&mut self) -> Option<String> {
        let deadline = Instant::now() + Duration::from_millis(300);
        while self.thread.as_ref().is_some_and(|t| !t.is_finished()) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        let failure = self.failure.lock().unwrap_or_else(|p| p.into_inner()).clone();
        failure.map(|f| format!("jump host {}: {f}", self.hop))
    }
}

/// Connects to the last hop of `config.proxy_jump` (itself through the
/// earlier hops) and opens a channel from it to the target.
pub(super) fn open(
    config: &HostConfig,
    prompter: &dyn Prompter,
    credentials: &Credentials,
    events: Option<&EventSink>,
    depth: usize,
    timeout: Duration,
) -> Result<(UnixStream, JumpBridge), ConnectError> {
    let host = config.label();
    let Some((last, earlier)) = config.proxy_jump.split_last() else {
        return Err(ConnectError::Config { host, detail: "ProxyJump is empty".to_owned() });
    };
    // As OpenSSH does: the hop is resolved with the same -F file, and the
    // earlier hops become its own ProxyJump.
    let mut overrides = Overrides { config_file: config.config_file.clone(), ..Overrides::default() };
    if !earlier.is_empty() {
        overrides.jump = Some(earlier.join(","));
    }
    let target = Target::parse(last.strip_prefix("ssh://").unwrap_or(last))?;
    let hop_config = Resolver::of(config).resolve(&target, &overrides)?;
    let hop = connect_hop(&hop_config, prompter, credentials, events, depth + 1)?;
    let hop_name = hop.host();

    // The hop's sshd connects to the target; bound that wait too.
    hop.session().set_timeout(timeout.as_millis().min(u32::MAX as u128) as u32);
    let channel = hop.session().channel_direct_tcpip(&config.hostname, config.port, None).map_err(|e| {
        if code(&e) == -9 {
            ConnectError::Timeout { host: host.clone(), step: Step::Proxy, after: timeout }
        } else {
            ConnectError::Proxy {
                host: host.clone(),
                detail: format!(
                    "jump host {hop_name} could not open a connection to {}:{}: {}",
                    config.hostname,
                    config.port,
                    escape_str(e.message())
                ),
            }
        }
    })?;
    hop.session().set_timeout(0);

    let (ours, theirs) = UnixStream::pair().map_err(|e| ConnectError::Proxy {
        host: host.clone(),
        detail: format!("cannot create a socket pair: {e}"),
    })?;
    let failure = Arc::new(Mutex::new(None));
    let recorded = Arc::clone(&failure);
    let thread = std::thread::Builder::new()
        .name(format!("jump {hop_name}"))
        .spawn(move || {
            // Why it stopped is told by the error of the connection that
            // goes through it (`JumpBridge::failure`).
            if let Err(why) = relay(&hop, channel, theirs) {
                *recorded.lock().unwrap_or_else(|p| p.into_inner()) = Some(why);
            }
        })
        .map_err(|e| ConnectError::Proxy { host, detail: format!("cannot start a thread: {e}") })?;
    Ok((ours, JumpBridge { hop: hop_name, failure, thread: Some(thread) }))
}

/// Copies bytes both ways until either side closes. Non-blocking on both
/// sides so one thread serves the hop's session, whose calls libssh2
/// serializes.
fn relay(hop: &Connection, mut channel: Channel, socket: UnixStream) -> Result<(), String> {
    let session = hop.session();
    socket.set_nonblocking(true).map_err(|e| e.to_string())?;
    session.set_blocking(false);
    let mut up: Vec<u8> = Vec::new();
    let mut down: Vec<u8> = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut channel_eof = false;
    let mut socket = socket;
    loop {
        let mut progress = false;
        if up.len() < BUFFER {
            match socket.read(&mut buf) {
                // The session using this hop is gone: so is the tunnel.
                Ok(0) => return Ok(()),
                Ok(n) => {
                    up.extend_from_slice(&buf[..n]);
                    progress = true;
                }
                Err(e) if would_block(&e) => {}
                Err(_) => return Ok(()),
            }
        }
        if !up.is_empty() {
            match channel.write(&up) {
                Ok(n) => {
                    up.drain(..n);
                    progress |= n > 0;
                }
                Err(e) if would_block(&e) => {}
                Err(e) => return Err(format!("the connection broke: {e}")),
            }
        }
        if !channel_eof && down.len() < BUFFER {
            match channel.read(&mut buf) {
                Ok(0) if channel.eof() => {
                    channel_eof = true;
                    progress = true;
                }
                Ok(0) => {}
                Ok(n) => {
                    down.extend_from_slice(&buf[..n]);
                    progress = true;
                }
                Err(e) if would_block(&e) => {}
                Err(e) => return Err(format!("the connection broke: {e}")),
            }
        }
        if !down.is_empty() {
            match socket.write(&down) {
                Ok(n) => {
                    down.drain(..n);
                    progress |= n > 0;
                }
                Err(e) if would_block(&e) => {}
                Err(_) => return Ok(()),
            }
        }
        if channel_eof && down.is_empty() {
            // The target closed: let the session above see end of file.
            let _ = socket.shutdown(std::net::Shutdown::Write);
            return if hop.is_closed() { Err("the connection was closed".to_owned()) } else { Ok(()) };
        }
        match session.keepalive_send() {
            Err(e) if code(&e) != ERROR_EAGAIN => return Err(format!("keepalive failed: {e}")),
            _ => {}
        }
        if !progress {
            if hop.is_closed() {
                return Err("the connection was closed".to_owned());
            }
            wait(&socket, hop, up.len() < BUFFER, !down.is_empty());
        }
    }
}

fn would_block(e: &std::io::Error) -> bool {
    e.kind() == ErrorKind::WouldBlock
}

/// Sleeps until either side can make progress (or a second passes, for
/// keepalives).
fn wait(socket: &UnixStream, hop: &Connection, want_read: bool, want_write: bool) {
    let mut socket_events = PollFlags::empty();
    if want_read {
        socket_events |= PollFlags::POLLIN;
    }
    if want_write {
        socket_events |= PollFlags::POLLOUT;
    }
    let mut hop_events = PollFlags::POLLIN;
    if matches!(
        hop.session().block_directions(),
        ssh2::BlockDirections::Outbound | ssh2::BlockDirections::Both
    ) {
        hop_events |= PollFlags::POLLOUT;
    }
    let mut fds = [PollFd::new(socket.as_fd(), socket_events), PollFd::new(hop.probe_fd(), hop_events)];
    let _ = poll(&mut fds, PollTimeout::from(1000u16));
}
