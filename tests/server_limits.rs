//! Servers that limit connections and channels: sshd's MaxStartups (drops
//! connections that have not logged in yet), MaxSessions (channels per
//! connection), a connection reset during authentication, a host that takes
//! only so many connections, and one that takes none. The real binary and
//! the pool against harness sshds; every run has a deadline that fails the
//! test instead of hanging it.

mod support;

use std::io::Read;
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use scpdeck::ssh::{
    self, Actor, ConnectError, ConnectionEvent, Credentials, HostConfig, NoPrompter, Overrides, Pool,
    PoolLimits, Resolver, Step,
};
use support::Sshd;
use support::tmux::scpdeck_bin;

/// Longest a `scpdeck` run may take before the test fails.
const DEADLINE: Duration = Duration::from_secs(120);

/// Runs scpdeck with `args`, killing it (and failing) past [`DEADLINE`].
fn scpdeck(args: &[&str]) -> Output {
    let child = Command::new(scpdeck_bin())
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(DEADLINE) {
        Ok(output) => output.unwrap(),
        Err(_) => {
            let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid as i32), nix::sys::signal::SIGKILL);
            panic!("scpdeck {args:?} did not finish within {DEADLINE:?}");
        }
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// 40 files of a little over 2 MiB each: enough for four batches, so
/// `-j 4` really runs four sessions at once.
fn forty_files(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    for i in 0..40u32 {
        let mut data = vec![0u8; (2 << 20) + i as usize * 1000];
        let mut x = i.wrapping_mul(2_654_435_761).wrapping_add(1);
        for b in data.iter_mut() {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            *b = x as u8;
        }
        std::fs::write(dir.join(format!("f{i:02}")), data).unwrap();
    }
}

fn assert_same_tree(a: &Path, b: &Path) {
    let mut names: Vec<_> = std::fs::read_dir(a).unwrap().map(|e| e.unwrap().file_name()).collect();
    names.sort();
    let mut copied: Vec<_> = std::fs::read_dir(b).unwrap().map(|e| e.unwrap().file_name()).collect();
    copied.sort();
    assert_eq!(names, copied, "{} and {}", a.display(), b.display());
    for name in names {
        let (x, y) = (std::fs::read(a.join(&name)).unwrap(), std::fs::read(b.join(&name)).unwrap());
        assert!(x == y, "{name:?} differs");
    }
}

/// `scpdeck cp -j 4` up and back down; both must succeed with every file
/// intact. Returns both runs' stderr.
fn copy_both_ways(sshd: &Sshd) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let (source, up, down) = (tmp.path().join("src"), sshd.dir().join("up"), tmp.path().join("down"));
    forty_files(&source);
    std::fs::create_dir(&up).unwrap();
    std::fs::create_dir(&down).unwrap();
    let config = sshd.ssh_config();
    let remote_up = format!("{}:{}", sshd.alias(), up.display());
    let out = scpdeck(&["cp", "-F", s(&config), "-r", "-j", "4", s(&source), &remote_up]);
    assert!(out.status.success(), "upload failed: {}", stderr(&out));
    assert_same_tree(&source, &up.join("src"));
    let remote_src = format!("{}:{}", sshd.alias(), up.join("src").display());
    let back = scpdeck(&["cp", "-F", s(&config), "-r", "-j", "4", &remote_src, s(&down)]);
    assert!(back.status.success(), "download failed: {}", stderr(&back));
    assert_same_tree(&source, &down.join("src"));
    format!("{}{}", stderr(&out), stderr(&back))
}

#[test]
fn cp_with_four_sessions_works_against_max_startups_2() {
    let sshd = Sshd::builder().max_startups("2").start();
    let err = copy_both_ways(&sshd);
    // Without a dropped connection this test would prove nothing.
    let drops = sshd.log().lines().filter(|l| l.contains("past MaxStartups")).count();
    assert!(drops >= 1, "the server dropped no connection:\n{}", sshd.log());
    assert!(err.contains("closed by the server before login (attempt 1 of 4"), "{err}");
    assert!(err.contains("MaxStartups"), "{err}");
}

#[test]
fn cp_with_four_sessions_works_against_max_sessions_1() {
    let sshd = Sshd::builder().max_sessions(1).start();
    copy_both_ways(&sshd);
}

#[test]
fn ls_works_against_max_sessions_1() {
    let sshd = Sshd::builder().max_sessions(1).start();
    let dir = sshd.dir().join("listed");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("one file"), "x").unwrap();
    std::fs::write(dir.join("two"), "y").unwrap();
    let target = format!("{}:{}", sshd.alias(), dir.display());
    let out = scpdeck(&["ls", "-F", s(&sshd.ssh_config()), &target]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "one file\ntwo\n");
}

#[test]
fn a_server_that_opens_no_channel_fails_naming_max_sessions() {
    let sshd = Sshd::builder().max_sessions(0).start();
    let target = format!("{}:/", sshd.alias());
    let started = Instant::now();
    let out = scpdeck(&["ls", "-F", s(&sshd.ssh_config()), &target]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("MaxSessions"), "{}", stderr(&out));
    assert!(started.elapsed() < Duration::from_secs(20), "took {:?}", started.elapsed());
}

/// A port that accepts connections and resets each at once (as sshd does
/// past MaxStartups, or a host refusing everything); counts them.
struct ResettingPort {
    port: u16,
    accepted: Arc<AtomicUsize>,
}

impl ResettingPort {
    fn start() -> ResettingPort {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let accepted = Arc::new(AtomicUsize::new(0));
        let count = Arc::clone(&accepted);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                count.fetch_add(1, Ordering::SeqCst);
                // SO_LINGER 0: close sends a reset, not an orderly end.
                let linger = nix::libc::linger { l_onoff: 1, l_linger: 0 };
                let _ = nix::sys::socket::setsockopt(&stream, nix::sys::socket::sockopt::Linger, &linger);
                drop(stream);
            }
        });
        ResettingPort { port, accepted }
    }

    fn config(&self, dir: &Path) -> PathBuf {
        let path = dir.join("resetting_config");
        std::fs::write(
            &path,
            format!(
                "Host resetting\n  HostName 127.0.0.1\n  Port {}\n  User nobody\n  IdentityAgent none\n  \
                 UserKnownHostsFile /dev/null\n  GlobalKnownHostsFile /dev/null\n  BatchMode yes\n",
                self.port
            ),
        )
        .unwrap();
        path
    }
}

fn resolve(config_file: &Path, alias: &str, options: &[String]) -> HostConfig {
    let overrides = Overrides {
        config_file: Some(config_file.to_path_buf()),
        options: options.to_vec(),
        ..Overrides::default()
    };
    Resolver::system().resolve_str(alias, &overrides).unwrap()
}

fn retries(events: &Mutex<Vec<ConnectionEvent>>) -> Vec<(u32, Step)> {
    events
        .lock()
        .unwrap()
        .iter()
        .filter_map(|e| match e {
            ConnectionEvent::Retrying { attempt, error, .. } => Some((*attempt, error.step())),
            _ => None,
        })
        .collect()
}

#[test]
fn a_reset_before_login_is_reported_as_such_and_retried() {
    let port = ResettingPort::start();
    let tmp = tempfile::tempdir().unwrap();
    let config = resolve(&port.config(tmp.path()), "resetting", &[]);
    let (sink, events) = ssh::collect_events();
    let pool = Pool::new(Arc::new(NoPrompter), PoolLimits::default()).with_events(sink);
    let started = Instant::now();
    let error = pool.transfer(&config).err().expect("no connection can be made");
    let elapsed = started.elapsed();
    // Reset as the TCP connection completes or when the handshake starts,
    // depending on timing: either way before login.
    assert!(matches!(error, ConnectError::ClosedBeforeLogin { attempts: 4, .. }), "{error:?}");
    assert!(matches!(error.step(), Step::TcpConnect | Step::Handshake), "{error:?}");
    assert!(error.is_transient());
    let text = error.to_string();
    assert!(text.contains("before login") && text.contains("MaxStartups") && text.contains("-j"), "{text}");
    assert_eq!(port.accepted.load(Ordering::SeqCst), 4);
    let attempts: Vec<u32> = retries(&events).into_iter().map(|(attempt, _)| attempt).collect();
    assert_eq!(attempts, [1, 2, 3]);
    // Backoff: 0.5 + 1 + 2 s, bounded.
    assert!(elapsed >= Duration::from_millis(3400) && elapsed < Duration::from_secs(10), "{elapsed:?}");
}

#[test]
fn cp_to_a_host_that_takes_no_connection_fails_in_bounded_time_naming_max_startups() {
    let port = ResettingPort::start();
    let tmp = tempfile::tempdir().unwrap();
    let config = port.config(tmp.path());
    let source = tmp.path().join("src");
    forty_files(&source);
    let started = Instant::now();
    let out = scpdeck(&["cp", "-F", s(&config), "-r", "-j", "4", s(&source), "resetting:/tmp/x"]);
    let elapsed = started.elapsed();
    // No connection before any file moved: ssh's status.
    assert_eq!(out.status.code(), Some(255), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("closed the connection before login"), "{err}");
    assert!(err.contains("MaxStartups") && err.contains("-j 1"), "{err}");
    assert!(!err.contains("accepted none"), "{err}");
    assert!(elapsed < Duration::from_secs(30), "took {elapsed:?}");
}

/// sshd's AuthorizedKeysCommand runs in the connection's privileged
/// process: killing that process (once) resets the connection in the
/// middle of public key authentication. sshd runs the command only when it
/// is owned by root, so this needs root.
#[test]
fn a_reset_during_authentication_is_retried_and_never_a_refused_key() {
    if !nix::unistd::geteuid().is_root() {
        eprintln!("skipped: AuthorizedKeysCommand needs root");
        return;
    }
    // sshd runs the command only from a path whose every directory is
    // root's and writable by no one else: not under /tmp.
    let dir =
        tempfile::Builder::new().prefix("scpdeck-akc-").tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    if let Some(unsafe_dir) = dir.path().ancestors().skip(1).find(|d| !root_only(d)) {
        eprintln!("skipped: {} is not root's alone, so sshd would refuse the command", unsafe_dir.display());
        return;
    }
    let script = dir.path().join("keys");
    let marker = dir.path().join("reset-done");
    let keys_file = dir.path().join("keys.txt");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nif [ ! -e '{m}' ]; then : > '{m}'; kill -9 $PPID; fi\ncat '{k}'\n",
            m = marker.display(),
            k = keys_file.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let sshd = Sshd::builder()
        .config(format!("AuthorizedKeysCommand {}", script.display()))
        .config("AuthorizedKeysCommandUser root")
        .start();
    std::fs::write(&keys_file, std::fs::read(sshd.path("authorized_keys")).unwrap()).unwrap();
    // Only the command's keys count: the reset comes before any key is accepted.
    std::fs::write(sshd.path("authorized_keys"), "").unwrap();
    let config = resolve(&sshd.ssh_config(), sshd.alias(), &[]);
    let (sink, events) = ssh::collect_events();
    let actor = Actor::spawn(config, Arc::new(NoPrompter), Arc::new(Credentials::new()), Some(sink)).unwrap();
    actor.connect().unwrap_or_else(|e| panic!("{e}\n{}", sshd.log()));
    assert!(marker.exists(), "the connection was never reset:\n{}", sshd.log());
    assert_eq!(retries(&events), [(1, Step::Authentication)]);
    let text = events
        .lock()
        .unwrap()
        .iter()
        .find(|e| matches!(e, ConnectionEvent::Retrying { .. }))
        .unwrap()
        .to_string();
    assert!(text.contains("before login") && !text.contains("accepted none"), "{text}");
    assert_eq!(sshd.accepted_logins(), 1);
}

fn root_only(dir: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(dir).is_ok_and(|m| m.uid() == 0 && m.mode() & 0o022 == 0)
}

/// Forwards the first `allowed` connections to `to`; closes later ones at
/// once, as a host with a connection limit does before login.
struct LimitedProxy {
    port: u16,
    accepted: Arc<AtomicUsize>,
}

impl LimitedProxy {
    fn start(to: u16, allowed: usize) -> LimitedProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let accepted = Arc::new(AtomicUsize::new(0));
        let count = Arc::clone(&accepted);
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                if count.fetch_add(1, Ordering::SeqCst) >= allowed {
                    drop(client);
                    continue;
                }
                let Ok(server) = TcpStream::connect(("127.0.0.1", to)) else { continue };
                for (mut from, mut into) in
                    [(client.try_clone().unwrap(), server.try_clone().unwrap()), (server, client)]
                {
                    std::thread::spawn(move || {
                        let _ = std::io::copy(&mut from, &mut into);
                        let _ = into.shutdown(Shutdown::Write);
                    });
                }
            }
        });
        LimitedProxy { port, accepted }
    }
}

#[test]
fn a_host_taking_two_connections_gets_two_sessions_and_every_lease_works() {
    let sshd = Sshd::start();
    let proxy = LimitedProxy::start(sshd.port, 2);
    let known_hosts = sshd.path("proxy_known_hosts");
    std::fs::write(&known_hosts, format!("[127.0.0.1]:{} {}\n", proxy.port, sshd.host_public_key())).unwrap();
    let options = [format!("Port={}", proxy.port), format!("UserKnownHostsFile={}", known_hosts.display())];
    let config = resolve(&sshd.ssh_config(), sshd.alias(), &options);
    let (sink, events) = ssh::collect_events();
    let pool = Pool::new(Arc::new(NoPrompter), PoolLimits { per_host: 4, global: 4 }).with_events(sink);
    let started = Instant::now();
    let outputs: Vec<String> = std::thread::scope(|scope| {
        let tasks: Vec<_> = (0..4)
            .map(|i| {
                let (pool, config) = (&pool, &config);
                scope.spawn(move || {
                    let lease = pool.transfer(config).unwrap_or_else(|e| panic!("task {i}: {e}"));
                    lease
                        .run(move |s| {
                            let mut channel = s.channel_session().unwrap();
                            channel.exec(&format!("sleep 0.5; echo {i}")).unwrap();
                            let mut out = String::new();
                            channel.read_to_string(&mut out).unwrap();
                            channel.wait_close().unwrap();
                            out
                        })
                        .unwrap()
                })
            })
            .collect();
        tasks.into_iter().map(|t| t.join().unwrap()).collect()
    });
    assert_eq!(outputs, ["0\n", "1\n", "2\n", "3\n"]);
    assert!(started.elapsed() < Duration::from_secs(30), "took {:?}", started.elapsed());
    assert_eq!(sshd.accepted_logins(), 2);
    assert!(proxy.accepted.load(Ordering::SeqCst) > 2);
    let lowered: Vec<usize> = events
        .lock()
        .unwrap()
        .iter()
        .filter_map(|e| match e {
            ConnectionEvent::SessionsLowered { sessions, .. } => Some(*sessions),
            _ => None,
        })
        .collect();
    assert_eq!(lowered, [3, 2]);
    // Later leases use the two working sessions without trying a third.
    let before = proxy.accepted.load(Ordering::SeqCst);
    let again = pool.transfer(&config).unwrap();
    again.connect().unwrap();
    assert_eq!(proxy.accepted.load(Ordering::SeqCst), before);
}
