//! A TCP proxy in front of a harness sshd that counts the bytes going
//! through it each way, so a test can tell how much a transfer moved (the
//! SSH stream: file data plus a few percent of framing), and can hold
//! each connection to a rate, so a test can interrupt a transfer half way.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use super::Sshd;

pub struct CountingProxy {
    pub port: u16,
    /// Client to server (an upload's data).
    up: Arc<AtomicU64>,
    /// Server to client (a download's data).
    down: Arc<AtomicU64>,
}

impl CountingProxy {
    /// Listens on 127.0.0.1 and forwards each connection to `sshd`.
    pub fn start(sshd: &Sshd) -> CountingProxy {
        Self::limited(sshd, None)
    }

    /// Like [`CountingProxy::start`], each connection carrying at most
    /// `rate` bytes per second each way.
    pub fn limited(sshd: &Sshd, rate: Option<u64>) -> CountingProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("proxy listen");
        let port = listener.local_addr().expect("proxy address").port();
        let (up, down) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
        let target = sshd.port;
        let (up2, down2) = (up.clone(), down.clone());
        thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                let Ok(server) = TcpStream::connect(("127.0.0.1", target)) else { continue };
                for s in [&client, &server] {
                    let _ = s.set_nodelay(true);
                }
                let (Ok(c2), Ok(s2)) = (client.try_clone(), server.try_clone()) else { continue };
                pump(client, server, up2.clone(), rate);
                pump(s2, c2, down2.clone(), rate);
            }
        });
        CountingProxy { port, up, down }
    }

    /// Bytes from clients to the server so far.
    pub fn up(&self) -> u64 {
        self.up.load(Ordering::SeqCst)
    }

    /// Bytes from the server to clients so far.
    pub fn down(&self) -> u64 {
        self.down.load(Ordering::SeqCst)
    }

    /// An ssh_config whose `scpdeck-test` goes through this proxy (with
    /// the server's host key known under the proxy's port).
    pub fn ssh_config(&self, sshd: &Sshd) -> PathBuf {
        let known = sshd.path(&format!("known_hosts-{}", self.port));
        let key = sshd.host_public_key();
        std::fs::write(&known, format!("[127.0.0.1]:{} {key}\n", self.port)).expect("known_hosts");
        let block = sshd
            .config_block(sshd.alias())
            .replace(&format!("Port {}", sshd.port), &format!("Port {}", self.port))
            .replace(&sshd.path("known_hosts").display().to_string(), &known.display().to_string());
        let config = sshd.path(&format!("ssh_config-{}", self.port));
        std::fs::write(&config, block).expect("ssh_config");
        config
    }
}

fn pump(mut from: TcpStream, mut to: TcpStream, count: Arc<AtomicU64>, rate: Option<u64>) {
    thread::spawn(move || {
        let mut buf = vec![0u8; 32 * 1024];
        let start = Instant::now();
        let mut moved = 0u64;
        loop {
            match from.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    count.fetch_add(n as u64, Ordering::SeqCst);
                    moved += n as u64;
                    if let Some(rate) = rate {
                        let due = Duration::from_secs_f64(moved as f64 / rate as f64);
                        if let Some(wait) = due.checked_sub(start.elapsed()) {
                            thread::sleep(wait);
                        }
                    }
                    if to.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            }
        }
        let _ = to.shutdown(Shutdown::Write);
        let _ = from.shutdown(Shutdown::Read);
    });
}
