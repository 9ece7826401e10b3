//! Every cipher the patched libssh2 (vendor/libssh2-sys.patch) encrypts and
//! decrypts a packet per call moves a 1 GiB file down and up through
//! `scpdeck cp` against OpenSSH, with the MAC modes it touches
//! (encrypt-then-MAC and MAC-then-encrypt); the SHA-256 of each copy, taken
//! on its own side, must be the source's. And one flipped bit in what the
//! server sends must fail a one-stream download under each of them:
//! whole-packet decryption still checks every tag and MAC (a ranged one
//! fetches the dropped connection's ranges again and must end with the
//! source's bytes). Each transfer has a deadline
//! and fails instead of hanging.

mod support;

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use support::Sshd;

const SIZE: u64 = 1 << 30;
const MIB: usize = 1 << 20;
/// A transfer normally takes seconds; this only stops a hang (or a machine
/// so loaded that the result would mean nothing).
const DEADLINE: Duration = Duration::from_secs(300);

/// (cipher, MAC): every AES mode and key size, the MACs spread so that
/// each mode meets encrypt-then-MAC and MAC-then-encrypt (a MAC is ignored
/// with AES-GCM, which authenticates by itself).
const SUITES: [(&str, &str); 8] = [
    ("aes128-gcm@openssh.com", "hmac-sha2-256-etm@openssh.com"),
    ("aes256-gcm@openssh.com", "hmac-sha2-256-etm@openssh.com"),
    ("aes128-ctr", "hmac-sha2-256-etm@openssh.com"),
    ("aes192-ctr", "hmac-sha2-512"),
    ("aes256-ctr", "hmac-sha2-256"),
    ("aes128-cbc", "hmac-sha2-512-etm@openssh.com"),
    ("aes192-cbc", "hmac-sha2-256"),
    ("aes256-cbc", "hmac-sha2-256-etm@openssh.com"),
];

#[test]
fn a_gibibyte_survives_every_aes_mode_both_ways() {
    let ciphers: Vec<&str> = SUITES.iter().map(|s| s.0).collect();
    let macs = "hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,hmac-sha2-256,hmac-sha2-512";
    let sshd = Sshd::builder()
        .config(format!("Ciphers {}", ciphers.join(",")))
        .config(format!("MACs {macs}"))
        .log_level("DEBUG1")
        .start();
    let dir = tempfile::tempdir().expect("temp dir");
    let source = dir.path().join("source");
    let want = generate(&source, SIZE);
    assert_eq!(remote_sha256(&sshd, &source), want, "the server reads the source differently");

    for (cipher, mac) in SUITES {
        let down = dir.path().join("down");
        std::fs::create_dir(&down).expect("mkdir");
        let from = format!("{}:{}", sshd.alias(), source.display());
        succeeds(cp(&sshd.ssh_config(), cipher, mac, &from, &down.display().to_string()));
        assert_eq!(local_sha256(&down.join("source")), want, "{cipher} + {mac}, download");
        std::fs::remove_dir_all(&down).expect("rm");

        let up = sshd.dir().join("up");
        std::fs::create_dir(&up).expect("mkdir");
        let to = format!("{}:{}/", sshd.alias(), up.display());
        succeeds(cp(&sshd.ssh_config(), cipher, mac, &source.display().to_string(), &to));
        assert_eq!(remote_sha256(&sshd, &up.join("source")), want, "{cipher} + {mac}, upload");
        std::fs::remove_dir_all(&up).expect("rm");

        // The server says what was negotiated: no silent fallback to
        // another cipher.
        let log = sshd.log();
        for direction in ["client->server", "server->client"] {
            let expected_mac = if cipher.contains("gcm") { "<implicit>" } else { mac };
            let line = format!("kex: {direction} cipher: {cipher} MAC: {expected_mac}");
            assert!(log.contains(&line), "{line} not in the sshd log");
        }
    }
}

#[test]
fn a_flipped_bit_from_the_server_fails_the_download_under_every_aes_mode() {
    let sshd = Sshd::builder().config("Ciphers +aes128-cbc,aes256-cbc").start();
    let dir = tempfile::tempdir().expect("temp dir");
    let source = dir.path().join("source");
    let want = generate(&source, 64 << 20);
    let (honest, tampering) = (proxy(sshd.port, None), proxy(sshd.port, Some(16 << 20)));
    let mut known =
        std::fs::OpenOptions::new().append(true).open(sshd.path("known_hosts")).expect("known_hosts");
    let mut config = String::new();
    for (alias, port) in [("honest", honest), ("tampered", tampering)] {
        writeln!(known, "[127.0.0.1]:{port} {}", sshd.host_public_key()).expect("known_hosts");
        config +=
            &sshd.config_block(alias).replace(&format!("Port {}\n", sshd.port), &format!("Port {port}\n"));
    }
    let config_file = dir.path().join("ssh_config");
    std::fs::write(&config_file, config).expect("ssh_config");
    // Through the same kind of proxy, untouched, the download works: the
    // failures below come from the flipped bit.
    let down = dir.path().join("down");
    std::fs::create_dir(&down).expect("mkdir");
    let from = format!("honest:{}", source.display());
    succeeds(cp(&config_file, "aes128-gcm@openssh.com", "hmac-sha2-256", &from, &down.display().to_string()));
    std::fs::remove_dir_all(&down).expect("rm");
    let decrypting = [
        ("aes128-gcm@openssh.com", "hmac-sha2-256-etm@openssh.com"),
        ("aes256-gcm@openssh.com", "hmac-sha2-256-etm@openssh.com"),
        ("aes128-ctr", "hmac-sha2-256-etm@openssh.com"),
        ("aes256-ctr", "hmac-sha2-256"),
        ("aes128-cbc", "hmac-sha2-512-etm@openssh.com"),
        ("aes256-cbc", "hmac-sha2-512"),
    ];
    for (cipher, mac) in decrypting {
        let down = dir.path().join("down");
        std::fs::create_dir(&down).expect("mkdir");
        let from = format!("tampered:{}", source.display());
        // One stream: a ranged copy would fetch the ranges of the dropped
        // connection again over a new one (and pass); what is checked here is
        // that the flipped bit itself is never taken as data.
        let (status, stderr) =
            cp_with(&["--segments", "0"], &config_file, cipher, mac, &from, &down.display().to_string());
        assert!(!status.success(), "{cipher} + {mac}: a tampered stream was accepted\n{stderr}");
        eprintln!("{stderr}");
        let left: Vec<_> = std::fs::read_dir(&down).expect("ls").flatten().map(|e| e.file_name()).collect();
        assert!(left.is_empty(), "{cipher} + {mac}: left {left:?}");
        std::fs::remove_dir_all(&down).expect("rm");
    }
    // In ranges, the connection the flipped bit dropped is made again and
    // its ranges fetched anew: the copy is then the source's, never the
    // tampered bytes (or, if it fails, nothing is left).
    let down = dir.path().join("down");
    std::fs::create_dir(&down).expect("mkdir");
    let from = format!("tampered:{}", source.display());
    let to = down.display().to_string();
    let (status, stderr) =
        cp_with(&["--segments", "4"], &config_file, "aes128-ctr", "hmac-sha2-256", &from, &to);
    let left: Vec<_> = std::fs::read_dir(&down).expect("ls").flatten().map(|e| e.file_name()).collect();
    match status.success() {
        true => assert_eq!(local_sha256(&down.join("source")), want, "ranged, tampered: {stderr}"),
        false => assert!(left.is_empty(), "ranged, tampered: left {left:?}\n{stderr}"),
    }
}

/// A TCP proxy to `port`; with `flip_at`, it flips one bit of each
/// connection's server stream at that offset, as an attacker on the path
/// (or a broken link) would. Returns its port.
fn proxy(port: u16, flip_at: Option<usize>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("listen");
    let local = listener.local_addr().expect("address").port();
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let Ok(server) = TcpStream::connect(("127.0.0.1", port)) else { continue };
            let (Ok(c2), Ok(s2)) = (client.try_clone(), server.try_clone()) else { continue };
            forward(client, server, None);
            forward(s2, c2, flip_at);
        }
    });
    local
}

fn forward(mut from: TcpStream, mut to: TcpStream, flip_at: Option<usize>) {
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 64 * 1024];
        let mut seen = 0;
        while let Ok(n) = from.read(&mut buf) {
            if n == 0 {
                break;
            }
            if let Some(at) = flip_at.filter(|at| (seen..seen + n).contains(at)) {
                buf[at - seen] ^= 0x10;
            }
            seen += n;
            if to.write_all(&buf[..n]).is_err() {
                break;
            }
        }
        let _ = to.shutdown(Shutdown::Write);
    });
}

/// `size` bytes: one random MiB repeated, each copy stamped with its index,
/// so a misplaced block anywhere shows in the checksum. Returns its SHA-256.
fn generate(path: &Path, size: u64) -> String {
    let mut block = vec![0u8; MIB];
    std::fs::File::open("/dev/urandom").and_then(|mut r| r.read_exact(&mut block)).expect("urandom");
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    let mut hash = Sha256::new();
    for i in 0..size / MIB as u64 {
        block[..8].copy_from_slice(&i.to_le_bytes());
        file.write_all(&block).expect("write");
        hash.update(&block);
    }
    file.flush().expect("flush");
    hex(&hash.finalize())
}

fn local_sha256(path: &Path) -> String {
    let mut file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut hash = Sha256::new();
    let mut buf = vec![0u8; MIB];
    loop {
        let n = file.read(&mut buf).expect("read");
        if n == 0 {
            return hex(&hash.finalize());
        }
        hash.update(&buf[..n]);
    }
}

/// `sha256sum` run on the server, over OpenSSH.
fn remote_sha256(sshd: &Sshd, path: &Path) -> String {
    let out = sshd.ssh().arg("sha256sum").arg(path).output().expect("ssh");
    assert!(out.status.success(), "sha256sum on the server: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).split_whitespace().next().unwrap_or("").to_owned()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `scpdeck cp -F CONFIG -o Ciphers=... -o MACs=... FROM TO`, killed at the
/// deadline; its exit status and stderr.
fn cp(config: &Path, cipher: &str, mac: &str, from: &str, to: &str) -> (ExitStatus, String) {
    cp_with(&[], config, cipher, mac, from, to)
}

/// [`cp`] with more options before the operands.
fn cp_with(
    extra: &[&str],
    config: &Path,
    cipher: &str,
    mac: &str,
    from: &str,
    to: &str,
) -> (ExitStatus, String) {
    let mut child = Command::new(support::tmux::scpdeck_bin())
        .args(["cp", "-q"])
        .args(extra)
        .arg("-F")
        .arg(config)
        .arg("-o")
        .arg(format!("Ciphers={cipher}"))
        .arg("-o")
        .arg(format!("MACs={mac}"))
        .arg(from)
        .arg(to)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("scpdeck");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{cipher} + {mac}: {from} -> {to} still running after {DEADLINE:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        let _ = pipe.read_to_string(&mut stderr);
    }
    eprintln!("{cipher} + {mac}: {from} -> {to}: {status} in {:.1} s", started.elapsed().as_secs_f64());
    (status, format!("{cipher} + {mac}: {from} -> {to}: {status}\n{stderr}"))
}

fn succeeds((status, report): (ExitStatus, String)) {
    assert!(status.success(), "{report}");
}
