//! The ceiling libssh2 allows: a minimal client on the ssh2 crate that
//! runs `cat FILE` and reads its output into one reused buffer (the cipher
//! scpdeck uses, libssh2's default receive window), discarding it. Run as a
//! child process of the benchmark so that its time and peak memory are
//! measured like the real clients'.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::fd::AsRawFd;

use ssh2::{MethodType, Session};

pub const ARG: &str = "--ssh2-loop";

/// `--ssh2-loop PORT USER KEY FILE SIZE [OUTPUT]`: with OUTPUT, what is
/// read is also written there (the same loop plus the cost of the file).
pub fn main(args: &[String]) {
    let (port, user, key, file, size, output) = match args {
        [port, user, key, file, size] => (port, user, key, file, size, None),
        [port, user, key, file, size, output] => (port, user, key, file, size, Some(output)),
        _ => panic!("usage: {ARG} PORT USER KEY FILE SIZE [OUTPUT]"),
    };
    let mut output = output.map(|o| std::fs::File::create(o).expect("output"));
    let tcp = TcpStream::connect(("127.0.0.1", port.parse::<u16>().expect("port"))).expect("connect");
    let mut session = Session::new().expect("session");
    session.set_tcp_stream(tcp);
    for direction in [MethodType::CryptCs, MethodType::CryptSc] {
        session.method_pref(direction, crate::CIPHER).expect("cipher");
    }
    session.handshake().expect("handshake");
    session.userauth_pubkey_file(user, None, std::path::Path::new(key), None).expect("auth");
    let window = std::env::var("SSH2_LOOP_WINDOW").ok().and_then(|w| w.parse().ok());
    // libssh2's default window is its fastest on loopback (docs/benchmarks.md).
    let window = window.unwrap_or(scpdeck::shell::exec::DEFAULT_WINDOW);
    let mut channel = session.channel_open("session", window, 32768, None).expect("channel");
    let quoted = scpdeck::shell::quote(file.as_bytes()).expect("quotable path");
    channel.exec(&format!("cat {}", String::from_utf8_lossy(&quoted))).expect("exec");
    let mut buf = vec![0u8; 256 * 1024];
    let mut total = 0u64;
    // SSH2_LOOP_POLL=1: non-blocking reads and poll(2), as scpdeck's engine reads.
    let polling = std::env::var_os("SSH2_LOOP_POLL").is_some();
    session.set_blocking(!polling);
    loop {
        let n = match channel.read(&mut buf) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                let mut fds = [libc::pollfd { fd: session.as_raw_fd(), events: libc::POLLIN, revents: 0 }];
                // SAFETY: one valid pollfd for the session's socket.
                unsafe { libc::poll(fds.as_mut_ptr(), 1, 1000) };
                continue;
            }
            Err(e) => panic!("read: {e}"),
        };
        if n == 0 {
            break;
        }
        total += n as u64;
        if let Some(out) = output.as_mut() {
            out.write_all(&buf[..n]).expect("write");
        }
    }
    session.set_blocking(true);
    channel.wait_close().expect("close");
    assert_eq!(total, size.parse::<u64>().expect("size"), "bytes read");
}
