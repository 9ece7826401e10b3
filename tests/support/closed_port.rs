//! A port of 127.0.0.1 where nothing listens, for as long as the test
//! holds it.
//!
//! Binding port 0 and dropping the listener names a port that is free only
//! for a moment: another test's sshd (or a proxy, in this binary or in
//! another test run on the machine) may bind it next, and a connection to
//! it then meets a server that resets it instead of a refusal. A socket
//! bound and never listening keeps the port: a connection to it is refused
//! (the kernel answers its SYN with a reset), and nothing else can bind it
//! (no SO_REUSEADDR on ours).

use std::net::{Ipv4Addr, SocketAddr};

use socket2::{Domain, Socket, Type};

pub struct ClosedPort {
    _socket: Socket,
    pub port: u16,
}

pub fn closed_port() -> ClosedPort {
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None).expect("socket");
    socket.bind(&SocketAddr::from((Ipv4Addr::LOCALHOST, 0)).into()).expect("bind 127.0.0.1:0");
    let port =
        socket.local_addr().expect("local addr").as_socket().map(|a| a.port()).expect("an IPv4 address");
    ClosedPort { _socket: socket, port }
}
