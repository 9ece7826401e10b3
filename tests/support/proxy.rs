//! A TCP proxy in front of a harness sshd that counts the bytes going
//! through it each way, so a test can tell how much a transfer moved (the
//! SSH stream: file data plus a few percent of framing), and can hold
//! each connection to a rate, so a test can interrupt a transfer half way.
//! It can also cut the link: every connection through it closed, and new
//! ones closed as soon as they are accepted, until it is mended.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use super::Sshd;

pub struct CountingProxy {
    pub port: u16,
    /// Client to server (an upload's data).
    up: Arc<AtomicU64>,
    /// Server to client (a download's data).
    down: Arc<AtomicU64>,
    /// The link is cut.
    cut: Arc<AtomicBool>,
    /// The client ends of the connections so far, to close when cut.
    clients: Arc<Mutex<Vec<TcpStream>>>,
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
        let (cut, clients) = (Arc::new(AtomicBool::new(false)), Arc::new(Mutex::new(Vec::new())));
        let target = sshd.port;
        let (up2, down2, cut2, clients2) = (up.clone(), down.clone(), cut.clone(), clients.clone());
        thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                if cut2.load(Ordering::SeqCst) {
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                }
                if let Ok(handle) = client.try_clone() {
                    clients2.lock().unwrap_or_else(|e| e.into_inner()).push(handle);
                }
                let Ok(server) = TcpStream::connect(("127.0.0.1", target)) else { continue };
                for s in [&client, &server] {
                    let _ = s.set_nodelay(true);
                }
                let (Ok(c2), Ok(s2)) = (client.try_clone(), server.try_clone()) else { continue };
                pump(client, server, up2.clone(), rate);
                pump(s2, c2, down2.clone(), rate);
            }
        });
        CountingProxy { port, up, down, cut, clients }
    }

    /// Cuts the link: closes every connection through the proxy, and each
    /// new one as soon as it comes, until [`CountingProxy::mend`].
    pub fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
        for client in self.clients.lock().unwrap_or_else(|e| e.into_inner()).drain(..) {
            let _ = client.shutdown(Shutdown::Both);
        }
    }

    /// Lets connections through again.
    pub fn mend(&self) {
        self.cut.store(false, Ordering::SeqCst);
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
        // When the next chunk may go: a connection that was idle earns no
        // credit, so it never bursts faster than `rate`.
        let mut next = Instant::now();
        loop {
            match from.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    count.fetch_add(n as u64, Ordering::SeqCst);
                    if let Some(rate) = rate {
                        next = next.max(Instant::now()) + Duration::from_secs_f64(n as f64 / rate as f64);
                        thread::sleep(next.saturating_duration_since(Instant::now()));
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
