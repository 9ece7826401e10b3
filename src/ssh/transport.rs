//! The byte stream under an SSH session: a TCP connection, or a socket pair
//! whose other end is a ProxyCommand or a ProxyJump hop.

use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::os::unix::net::UnixStream;
use std::time::Duration;

use super::error::ConnectError;
use super::host_config::HostConfig;
use super::jump::JumpBridge;
use super::proxy_command::ProxyChild;
use crate::text::escape_str;

/// The stream handed to libssh2.
#[derive(Debug)]
pub(super) enum Stream {
    Tcp(TcpStream),
    Pair(UnixStream),
}

impl AsRawFd for Stream {
    fn as_raw_fd(&self) -> RawFd {
        match self {
            Stream::Tcp(s) => s.as_raw_fd(),
            Stream::Pair(s) => s.as_raw_fd(),
        }
    }
}

impl Stream {
    /// A second descriptor for the same socket, to watch it for a hang-up
    /// while libssh2 owns the stream.
    pub(super) fn probe(&self) -> std::io::Result<OwnedFd> {
        Ok(match self {
            Stream::Tcp(s) => OwnedFd::from(s.try_clone()?),
            Stream::Pair(s) => OwnedFd::from(s.try_clone()?),
        })
    }
}

/// What keeps the far end of a socket pair alive: dropped after the session.
#[derive(Debug, Default)]
pub(crate) enum Transport {
    #[default]
    Direct,
    Command(ProxyChild),
    Jump(JumpBridge),
}

impl Transport {
    /// A ProxyCommand that has not ended.
    pub(crate) fn command_running(&mut self) -> bool {
        match self {
            Transport::Command(child) => child.running(),
            Transport::Direct | Transport::Jump(_) => false,
        }
    }

    /// What the proxy said or how it ended, to explain a failed handshake.
    pub(crate) fn failure(&mut self) -> Option<String> {
        match self {
            Transport::Direct => None,
            Transport::Command(child) => child.failure(),
            Transport::Jump(bridge) => bridge.failure(),
        }
    }
}

/// Connects over TCP to the configured host and port, with TCP_NODELAY and
/// keepalive probes matched to ServerAliveInterval.
pub(super) fn tcp(config: &HostConfig, timeout: Duration) -> Result<TcpStream, ConnectError> {
    let host = config.label();
    let addresses: Vec<SocketAddr> = (config.hostname.as_str(), config.port)
        .to_socket_addrs()
        .map_err(|e| ConnectError::NameResolution {
            host: host.clone(),
            hostname: config.hostname.clone(),
            detail: escape_str(&e.to_string()),
        })?
        .collect();
    let mut last = None;
    for address in &addresses {
        match TcpStream::connect_timeout(address, timeout) {
            Ok(stream) => {
                log::info!("TCP connection to {address} open");
                configure(&stream, config);
                return Ok(stream);
            }
            Err(e) => last = Some((*address, e)),
        }
    }
    let Some((address, error)) = last else {
        return Err(ConnectError::NameResolution {
            host,
            hostname: config.hostname.clone(),
            detail: "no address found".to_owned(),
        });
    };
    use std::io::ErrorKind;
    if matches!(error.kind(), ErrorKind::TimedOut | ErrorKind::WouldBlock) {
        return Err(ConnectError::Timeout { host, step: super::error::Step::TcpConnect, after: timeout });
    }
    // Reset right after the TCP handshake: the server accepted the
    // connection and dropped it (sshd past MaxStartups, a busy host).
    if matches!(error.kind(), ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted) {
        return Err(ConnectError::ClosedBeforeLogin {
            host,
            step: super::error::Step::TcpConnect,
            detail: error.to_string(),
            attempts: 1,
        });
    }
    let hint = match error.kind() {
        ErrorKind::ConnectionRefused => {
            "Nothing accepts connections on that port: check the port (-P, or Port in ssh_config) and that sshd runs"
        }
        ErrorKind::HostUnreachable | ErrorKind::NetworkUnreachable => {
            "The network cannot reach the host: check the address, your network or VPN"
        }
        ErrorKind::PermissionDenied => "A local firewall refused the connection",
        _ => "Check the host name, the port and the network",
    };
    Err(ConnectError::TcpConnect { host, address: address.to_string(), detail: error.to_string(), hint })
}

fn configure(stream: &TcpStream, config: &HostConfig) {
    let _ = stream.set_nodelay(true);
    let socket = socket2::SockRef::from(stream);
    // Like OpenSSH's TCPKeepAlive (on by default). With ServerAliveInterval
    // set, the kernel also gives up on a silent peer after the same time,
    // which catches a dead host in the middle of a long blocking call.
    let interval = config.server_alive_interval;
    if interval.is_zero() {
        let _ = socket.set_keepalive(true);
    } else {
        let keepalive = socket2::TcpKeepalive::new()
            .with_time(interval)
            .with_interval(interval)
            .with_retries(config.server_alive_count_max.max(1));
        let _ = socket.set_tcp_keepalive(&keepalive);
        let _ = socket.set_tcp_user_timeout(Some(interval * config.server_alive_count_max.max(1)));
    }
}
