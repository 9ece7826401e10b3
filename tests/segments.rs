//! Large files sent as byte ranges at once, on channels of one session
//! (one login), or over several sessions where the server takes one
//! channel per connection (`MaxSessions 1`), end to end: `scpdeck cp` against a harness sshd with a 1 MiB threshold and 4 ranges (set in
//! config.toml), both ways; sizes around the threshold and ranges that end
//! off block boundaries; a range whose `dd` fails once is retried alone;
//! a cancel leaves nothing under the destination name, and ends the copy
//! at once however many channels had packets queued, or once a stalled
//! server answers again; `--segments 0`
//! sends one stream; `-v` names the ranges. Every result is compared by
//! sha256.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use support::deadline::output_within;
use support::proxy::CountingProxy;
use support::tmux::scpdeck_bin;
use support::{Sshd, random_file, temp_names, which};

const MIB: u64 = 1 << 20;
/// `dd`'s block: ranges start on multiples of it.
const BLOCK: u64 = 64 * 1024;

fn sha256(path: &Path) -> Vec<u8> {
    Sha256::digest(std::fs::read(path).unwrap()).to_vec()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A server, a scratch directory with `src`, `dst`, a state directory
/// (log, journal) and a config directory whose config.toml sets 4 ranges
/// and a 1 MiB threshold.
struct Setup {
    sshd: Sshd,
    config: PathBuf,
    work: tempfile::TempDir,
    /// Set when the connections go through a proxy.
    proxy: Option<CountingProxy>,
}

impl Setup {
    fn new(sshd: Sshd, rate: Option<u64>) -> Setup {
        let work = tempfile::tempdir().unwrap();
        for dir in ["src", "dst", "state", "config/scpdeck"] {
            std::fs::create_dir_all(work.path().join(dir)).unwrap();
        }
        std::fs::write(
            work.path().join("config/scpdeck/config.toml"),
            // 4 ranges (not the default 8): the cases below are cut for 4.
            format!("segment_threshold = {MIB}\nsegments = 4\n"),
        )
        .unwrap();
        let proxy = rate.map(|rate| CountingProxy::limited(&sshd, Some(rate)));
        let config = match &proxy {
            Some(proxy) => proxy.ssh_config(&sshd),
            None => sshd.ssh_config(),
        };
        Setup { sshd, config, work, proxy }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.work.path().join(rel)
    }

    fn remote(&self, rel: &str) -> String {
        format!("{}:{}", self.sshd.alias(), self.path(rel).display())
    }

    fn cp(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(scpdeck_bin());
        cmd.arg("cp").arg("-q").arg("-F").arg(&self.config).args(args);
        cmd.env("XDG_STATE_HOME", self.path("state")).env("XDG_CONFIG_HOME", self.path("config"));
        cmd
    }

    fn run(&self, args: &[&str]) -> Output {
        output_within(&mut self.cp(args), Duration::from_secs(120))
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.path("state/scpdeck/scpdeck.log")).unwrap_or_default()
    }

    /// Copies `src/NAME` (of `size` bytes) to `dst/` one way with `extra`
    /// options; checks the copy and that nothing temporary is left.
    fn copy(&self, name: &str, size: u64, upload: bool, extra: &[&str]) -> Output {
        random_file(&self.path(&format!("src/{name}")), size, size ^ 7);
        let from = match upload {
            true => self.path(&format!("src/{name}")).display().to_string(),
            false => self.remote(&format!("src/{name}")),
        };
        let to = match upload {
            true => self.remote("dst"),
            false => self.path("dst").display().to_string(),
        };
        let mut args: Vec<&str> = extra.to_vec();
        args.extend([from.as_str(), to.as_str()]);
        let out = self.run(&args);
        assert!(out.status.success(), "{name} ({size} bytes, upload {upload}): {}", stderr(&out));
        let (copy, source) = (self.path(&format!("dst/{name}")), self.path(&format!("src/{name}")));
        assert_eq!(sha256(&copy), sha256(&source), "{name} ({size} bytes, upload {upload})");
        assert!(temp_names(&self.path("dst")).is_empty(), "{:?}", temp_names(&self.path("dst")));
        out
    }

    /// The log's lines that name `name`'s ranges.
    fn ranges_logged(&self, name: &str) -> Vec<String> {
        self.log()
            .lines()
            .filter(|l| l.contains(&format!("/{name}: ")) && l.contains(" ranges over "))
            .map(String::from)
            .collect()
    }
}

fn both_ways(test: impl Fn(bool)) {
    for upload in [false, true] {
        test(upload);
    }
}

#[test]
fn files_around_the_threshold_are_split_from_it_on_both_ways() {
    let setup = Setup::new(Sshd::start(), None);
    both_ways(|upload| {
        let way = if upload { "up" } else { "down" };
        for (name, size, split) in [("below", MIB - 1, false), ("at", MIB, true), ("above", MIB + 1, true)] {
            let name = format!("{name}-{way}");
            setup.copy(&name, size, upload, &["-p"]);
            let logged = setup.ranges_logged(&name);
            assert_eq!(logged.len(), usize::from(split), "{name}: {logged:?}\n{}", setup.log());
            if split {
                assert!(logged[0].contains("in 4 ranges over 4 channels of one session"), "{logged:?}");
            }
        }
        // -p: times and modes as with one stream.
        let meta = std::fs::metadata(setup.path(&format!("dst/above-{way}"))).unwrap();
        let source = std::fs::metadata(setup.path(&format!("src/above-{way}"))).unwrap();
        use std::os::unix::fs::MetadataExt;
        assert_eq!((meta.mtime(), meta.mode()), (source.mtime(), source.mode()), "{way}");
    });
}

#[test]
fn ranges_that_end_off_block_boundaries_and_counts_that_do_not_divide_the_size() {
    let setup = Setup::new(Sshd::start(), None);
    both_ways(|upload| {
        let way = if upload { "up" } else { "down" };
        // 3 MiB + 12,345 bytes: 49 blocks, the last one short, in 3 ranges
        // (17, 16, 16 blocks), then in 7 with verification on.
        let size = 3 * MIB + 12_345;
        setup.copy(&format!("odd3-{way}"), size, upload, &["--segments", "3"]);
        let logged = setup.ranges_logged(&format!("odd3-{way}"));
        assert!(
            logged.len() == 1 && logged[0].contains("in 3 ranges over 3 channels of one session"),
            "{logged:?}"
        );
        setup.copy(&format!("odd7-{way}"), size, upload, &["--segments", "7", "-j", "8", "--verify"]);
        let logged = setup.ranges_logged(&format!("odd7-{way}"));
        assert!(
            logged.len() == 1 && logged[0].contains("in 7 ranges over 7 channels of one session"),
            "{logged:?}"
        );
        // Without -p a new file has the source's mode less the umask (022
        // on both ends here), as with one stream.
        let exec = setup.path(&format!("src/exec-{way}"));
        std::fs::write(&exec, b"").unwrap();
        std::fs::set_permissions(&exec, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        setup.copy(&format!("exec-{way}"), 2 * MIB, upload, &[]);
        let mode = std::os::unix::fs::PermissionsExt::mode(
            &std::fs::metadata(setup.path(&format!("dst/exec-{way}"))).unwrap().permissions(),
        );
        assert_eq!(mode & 0o777, 0o755, "{way}");
        assert_eq!(setup.ranges_logged(&format!("exec-{way}")).len(), 1);
        // Two blocks and a byte: as many ranges as there are blocks.
        setup.copy(&format!("tiny-{way}"), 2 * BLOCK + 1, upload, &["--segments", "4"]);
        let _ = setup.copy(&format!("small-{way}"), 2 * BLOCK + 1, upload, &[]);
    });
    assert!(setup.log().contains("ranges over 3 channels of one session"));
}

#[test]
fn segments_0_or_1_send_one_stream_and_v_names_the_ranges() {
    let setup = Setup::new(Sshd::start(), None);
    both_ways(|upload| {
        let way = if upload { "up" } else { "down" };
        for n in ["0", "1"] {
            let name = format!("one{n}-{way}");
            setup.copy(&name, 2 * MIB, upload, &["--segments", n]);
            assert!(setup.ranges_logged(&name).is_empty(), "{name}: {}", setup.log());
        }
        let name = format!("verbose-{way}");
        let out = setup.copy(&name, 2 * MIB, upload, &["-v"]);
        let said = stderr(&out);
        assert!(
            said.contains(&format!("/{name}: 2 MiB in 4 ranges over 4 channels of one session: 0 B-512 KiB")),
            "{said}"
        );
    });
}

/// A `dd` that fails the first time it is asked for block 24 (the third
/// range of a 3 MiB file in 4), then works like the real one.
fn flaky_dd(marker: &Path) -> String {
    let dd = which("dd");
    format!(
        "#!/bin/sh\nfor a in \"$@\"; do case \"$a\" in skip=24|seek=24) if mkdir '{}' 2>/dev/null; then echo 'dd: injected failure' >&2; exit 1; fi;; esac; done\nexec '{}' \"$@\"\n",
        marker.display(),
        dd.display()
    )
}

#[test]
fn a_range_that_fails_is_retried_alone_and_the_file_is_intact() {
    let markers = tempfile::tempdir().unwrap();
    both_ways(|upload| {
        let marker = markers.path().join(if upload { "up" } else { "down" });
        let sshd = Sshd::builder().program("dd", &flaky_dd(&marker)).start();
        let setup = Setup::new(sshd, None);
        let name = if upload { "flaky-up" } else { "flaky-down" };
        setup.copy(name, 3 * MIB, upload, &["--verify"]);
        assert!(marker.exists(), "the failure was injected");
        // The other ranges went on on their channels of the one session.
        assert_eq!(setup.sshd.accepted_logins(), 1, "{}", setup.sshd.log());
        assert!(setup.ranges_logged(name)[0].contains("over 4 channels of one session"));
        let log = setup.log();
        let retried: Vec<&str> = log.lines().filter(|l| l.contains("retried alone")).collect();
        assert_eq!(retried.len(), 1, "{log}");
        assert!(retried[0].contains("range 3 of 4") && retried[0].contains("injected failure"), "{log}");
        assert!(retried[0].contains("(attempt 2 of 3)"), "{log}");
    });
}

#[test]
fn a_cancel_during_a_ranged_copy_leaves_nothing_under_the_destination_name() {
    // 12 MiB at 1 MiB/s per connection: 12 s over the one session's channels.
    let setup = Setup::new(Sshd::start(), Some(MIB));
    let proxy = setup.proxy.as_ref().unwrap();
    both_ways(|upload| {
        let name = if upload { "cancel-up" } else { "cancel-down" };
        random_file(&setup.path(&format!("src/{name}")), 12 * MIB, 11);
        let (from, to) = match upload {
            true => (setup.path(&format!("src/{name}")).display().to_string(), setup.remote("dst")),
            false => (setup.remote(&format!("src/{name}")), setup.path("dst").display().to_string()),
        };
        let moved = || if upload { proxy.up() } else { proxy.down() };
        let before = moved();
        let mut child = setup.cp(&[&from, &to]).stdin(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        while moved() < before + 2 * MIB {
            assert!(child.try_wait().unwrap().is_none(), "ended before 2 MiB moved");
            assert!(Instant::now() < deadline, "2 MiB did not move in a minute");
            std::thread::sleep(Duration::from_millis(10));
        }
        let stopped = Instant::now();
        nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(child.id() as i32),
            nix::sys::signal::Signal::SIGINT,
        )
        .unwrap();
        let out =
            support::deadline::bounded(Duration::from_secs(30), || {}, || child.wait_with_output().unwrap());
        assert!(!out.status.success(), "{}", stderr(&out));
        assert!(stopped.elapsed() < Duration::from_secs(10), "took {:?}", stopped.elapsed());
        assert!(!setup.path(&format!("dst/{name}")).exists(), "nothing under the destination name");
        assert!(temp_names(&setup.path("dst")).is_empty(), "{:?}", temp_names(&setup.path("dst")));
        let logged = setup.ranges_logged(name);
        assert_eq!(logged.len(), 1, "{}", setup.log());
        assert!(logged[0].contains("over 4 channels of one session"), "{logged:?}");
    });
}

/// Starts `cp ARGS... from to` for `src/NAME` (12 MiB through the 1 MiB/s
/// proxy) and waits until `moved` bytes went through the proxy that way.
fn start_slow(setup: &Setup, name: &str, upload: bool, args: &[&str], moved: u64) -> std::process::Child {
    let proxy = setup.proxy.as_ref().unwrap();
    random_file(&setup.path(&format!("src/{name}")), 12 * MIB, 13);
    let (from, to) = match upload {
        true => (setup.path(&format!("src/{name}")).display().to_string(), setup.remote("dst")),
        false => (setup.remote(&format!("src/{name}")), setup.path("dst").display().to_string()),
    };
    let count = || if upload { proxy.up() } else { proxy.down() };
    let before = count();
    let mut all: Vec<&str> = args.to_vec();
    all.extend([from.as_str(), to.as_str()]);
    let mut child = setup.cp(&all).stdin(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while count() < before + moved {
        assert!(child.try_wait().unwrap().is_none(), "ended before {moved} bytes moved");
        assert!(Instant::now() < deadline, "{moved} bytes did not move in a minute");
        std::thread::sleep(Duration::from_millis(10));
    }
    child
}

fn wait(child: std::process::Child) -> Output {
    support::deadline::bounded(Duration::from_secs(90), || {}, || child.wait_with_output().unwrap())
}

/// The ranges' one session is killed mid-way: the range that saw it says
/// so ("retried alone"), and the copy goes on over a new connection (a
/// download from its first complete part, an upload from the start).
#[test]
fn a_ranged_copy_whose_session_is_killed_goes_on_over_a_new_one() {
    let setup = Setup::new(Sshd::start(), Some(MIB));
    both_ways(|upload| {
        let name = if upload { "killed-up" } else { "killed-down" };
        let logins = setup.sshd.accepted_logins();
        let child = start_slow(&setup, name, upload, &[], 2 * MIB);
        // The newest connection is the one carrying the ranges.
        let newest = setup.sshd.connection_pids().into_iter().max().unwrap();
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(newest), nix::sys::signal::Signal::SIGKILL)
            .unwrap();
        let out = wait(child);
        assert!(out.status.success(), "{}\n{}", stderr(&out), setup.log());
        let copy = setup.path(&format!("dst/{name}"));
        assert_eq!(sha256(&copy), sha256(&setup.path(&format!("src/{name}"))));
        assert!(temp_names(&setup.path("dst")).is_empty(), "{:?}", temp_names(&setup.path("dst")));
        let log = setup.log();
        let retried: Vec<&str> =
            log.lines().filter(|l| l.contains(name) && l.contains("retried alone")).collect();
        assert_eq!(retried.len(), 1, "{log}");
        assert!(retried[0].contains("lost the connection"), "{log}");
        assert!(setup.ranges_logged(name)[0].contains("channels of one session"), "{log}");
        assert!(setup.sshd.accepted_logins() >= logins + 2, "{}", setup.sshd.log());
    });
}

#[test]
fn an_interrupted_ranged_download_keeps_its_whole_first_part_for_cp_resume() {
    let setup = Setup::new(Sshd::start(), Some(MIB));
    let proxy = setup.proxy.as_ref().unwrap();
    let name = "paused";
    let child = start_slow(&setup, name, false, &["-c"], 6 * MIB);
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(child.id() as i32), nix::sys::signal::Signal::SIGINT)
        .unwrap();
    let out = wait(child);
    assert!(!out.status.success(), "{}", stderr(&out));
    assert!(!setup.path(&format!("dst/{name}")).exists());
    let kept = temp_names(&setup.path("dst"));
    assert_eq!(kept.len(), 1, "the first range's part is kept: {kept:?}");
    let have = std::fs::metadata(setup.path("dst").join(&kept[0])).unwrap().len();
    assert!(have > 0 && have.is_multiple_of(BLOCK) && have < 12 * MIB, "{have}");
    let before = proxy.down();
    let (from, to) = (setup.remote(&format!("src/{name}")), setup.path("dst").display().to_string());
    let out = setup.run(&["-c", "--verify", &from, &to]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(sha256(&setup.path(&format!("dst/{name}"))), sha256(&setup.path(&format!("src/{name}"))));
    assert!(setup.log().contains("resumed at"), "{}", setup.log());
    assert!(proxy.down() - before < 12 * MIB + MIB - have / 2, "the kept part was not sent again");
    assert!(temp_names(&setup.path("dst")).is_empty());
}

#[test]
fn an_interrupted_ranged_upload_removes_its_temporary_file() {
    let setup = Setup::new(Sshd::start(), Some(MIB));
    let name = "paused-up";
    let child = start_slow(&setup, name, true, &["-c"], 4 * MIB);
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(child.id() as i32), nix::sys::signal::Signal::SIGINT)
        .unwrap();
    let out = wait(child);
    assert!(!out.status.success(), "{}", stderr(&out));
    assert!(!setup.path(&format!("dst/{name}")).exists());
    assert!(temp_names(&setup.path("dst")).is_empty(), "{:?}", temp_names(&setup.path("dst")));
    let (from, to) = (setup.path(&format!("src/{name}")).display().to_string(), setup.remote("dst"));
    let out = setup.run(&["-c", &from, &to]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(sha256(&setup.path(&format!("dst/{name}"))), sha256(&setup.path(&format!("src/{name}"))));
}

/// An upload over 8 channels at full speed, interrupted a little later
/// each round once its ranges have started: some channel's packet is then
/// often only half sent, and libssh2 sends no other packet of the session
/// until that one has gone (no close, no cleanup, no keepalive: blocking
/// calls spun on it, and the process never ended). It goes before the
/// lanes close, and the process ends at once, every time.
#[test]
fn an_interrupted_upload_over_eight_channels_ends_at_once() {
    let setup = Setup::new(Sshd::start(), None);
    random_file(&setup.path("src/eight-up"), 160 * MIB, 17);
    for round in 0..6 {
        let took = interrupt_upload(&setup, "eight-up", Duration::from_millis(50 * (round + 1)), None);
        assert!(took < Duration::from_secs(10), "round {round} took {took:?}");
    }
    assert!(setup.ranges_logged("eight-up")[0].contains("over 8 channels of one session"), "{}", setup.log());
}

/// The same while the server stalls (its connections stopped) for 3 s
/// around the signal: a packet that cannot go within 2 s of the cancel
/// leaves its session closed, and no later call on the session (closing
/// channels, freeing it) waits or spins for ever: the process ends once
/// the server answers again.
#[test]
fn an_upload_interrupted_while_the_server_stalls_ends_when_it_answers() {
    let setup = Setup::new(Sshd::start(), None);
    random_file(&setup.path("src/stalled-up"), 160 * MIB, 19);
    for round in 0..3 {
        let delay = Duration::from_millis(50 * (round + 1));
        let took = interrupt_upload(&setup, "stalled-up", delay, Some(Duration::from_secs(3)));
        assert!(took < Duration::from_secs(10), "round {round} took {took:?} after the server answered");
    }
}

/// Kills a `scpdeck cp` still running when its test fails.
struct KillOnPanic(nix::unistd::Pid);

impl Drop for KillOnPanic {
    fn drop(&mut self) {
        let _ = nix::sys::signal::kill(self.0, nix::sys::signal::Signal::SIGKILL);
    }
}

/// Copies `src/NAME` to `dst/` over 8 channels, sends SIGINT `delay` after
/// its ranges started (with `stall`: the server's connections stopped
/// from a moment before the signal for that long), and returns how long
/// the process took to end after the signal (after the stall's end).
/// Checks that nothing is left under a temporary name, and that a file
/// under the destination name is whole (done before the signal came).
fn interrupt_upload(setup: &Setup, name: &str, delay: Duration, stall: Option<Duration>) -> Duration {
    let (from, to) = (setup.path(&format!("src/{name}")).display().to_string(), setup.remote("dst"));
    let mut child = setup
        .cp(&["--segments", "8", &from, &to])
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = nix::unistd::Pid::from_raw(child.id() as i32);
    // Whatever fails below, the process does not outlive the test.
    let guard = KillOnPanic(pid);
    let deadline = Instant::now() + Duration::from_secs(60);
    while temp_names(&setup.path("dst")).is_empty() && child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "{name} did not start in a minute");
        std::thread::sleep(Duration::from_millis(2));
    }
    std::thread::sleep(delay);
    if stall.is_some() {
        // The socket fills meanwhile: a write is left half sent.
        setup.sshd.stop_connections();
        std::thread::sleep(Duration::from_millis(300));
    }
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGINT).unwrap();
    if let Some(stall) = stall {
        std::thread::sleep(stall);
        setup.sshd.continue_connections();
    }
    let stopped = Instant::now();
    let kill = || {
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL);
    };
    let out = support::deadline::bounded(Duration::from_secs(20), kill, || child.wait_with_output().unwrap());
    let took = stopped.elapsed();
    // Reaped: its pid may be another process's now.
    std::mem::forget(guard);
    let copy = setup.path(&format!("dst/{name}"));
    if copy.exists() {
        // Done before the signal came.
        assert_eq!(sha256(&copy), sha256(&setup.path(&format!("src/{name}"))), "{}", stderr(&out));
        std::fs::remove_file(&copy).unwrap();
    } else {
        assert!(!out.status.success(), "{}", stderr(&out));
    }
    assert!(temp_names(&setup.path("dst")).is_empty(), "{:?}", temp_names(&setup.path("dst")));
    took
}

#[test]
fn the_bandwidth_limit_holds_for_all_ranges_together() {
    let setup = Setup::new(Sshd::start(), None);
    both_ways(|upload| {
        let name = if upload { "limited-up" } else { "limited-down" };
        // 4096 Kbit/s = 512 KiB/s: 2 MiB take 4 s however many ranges
        // carry them (each range alone at the limit would take 1 s).
        let start = Instant::now();
        setup.copy(name, 2 * MIB, upload, &["-l", "4096"]);
        let took = start.elapsed();
        assert!(took >= Duration::from_millis(3400), "{name}: {took:?}");
        let logged = setup.ranges_logged(name);
        assert!(logged.len() == 1 && logged[0].contains("in 4 ranges"), "{logged:?}");
    });
}

/// With `--sudo` every range's `dd` runs as root like any other command:
/// a root-only file comes down in ranges and goes up into a directory
/// only root may write into.
#[test]
fn ranges_run_as_root_with_sudo() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    use support::sudo_accounts::{SudoKind, sudo_sshd};
    let (_sshd, config, _shared) = sudo_sshd();
    let host = SudoKind::NoPassword.user();
    let root = tempfile::Builder::new().prefix("scpdeck-root-").tempdir_in("/tmp").unwrap();
    std::fs::set_permissions(root.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let (secret, drop) = (root.path().join("secret"), root.path().join("drop"));
    std::fs::create_dir(&secret).unwrap();
    std::fs::create_dir(&drop).unwrap();
    random_file(&secret.join("big"), 2 * MIB + 3, 17);
    std::fs::set_permissions(secret.join("big"), std::fs::Permissions::from_mode(0o600)).unwrap();
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o700)).unwrap();
    let work = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(work.path().join("config/scpdeck")).unwrap();
    std::fs::write(
        work.path().join("config/scpdeck/config.toml"),
        format!("segment_threshold = {MIB}\nsegments = 4\n"),
    )
    .unwrap();
    let cp = |args: &[&str]| {
        let mut cmd = Command::new(scpdeck_bin());
        cmd.arg("cp").arg("-q").arg("--sudo").arg("-F").arg(&config).args(args);
        cmd.env("XDG_STATE_HOME", work.path().join("state"))
            .env("XDG_CONFIG_HOME", work.path().join("config"));
        cmd.stdin(Stdio::null());
        output_within(&mut cmd, Duration::from_secs(120))
    };
    let here = work.path().join("here");
    std::fs::create_dir(&here).unwrap();
    let out = cp(&[&format!("{host}:{}", secret.join("big").display()), here.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(sha256(&here.join("big")), sha256(&secret.join("big")));
    let out = cp(&[here.join("big").to_str().unwrap(), &format!("{host}:{}/", drop.display())]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(sha256(&drop.join("big")), sha256(&secret.join("big")));
    assert_eq!(std::fs::metadata(drop.join("big")).unwrap().uid(), 0, "written by root");
    let log = std::fs::read_to_string(work.path().join("state/scpdeck/scpdeck.log")).unwrap_or_default();
    let split = log
        .lines()
        .filter(|l| l.contains("/big: 2.0 MiB in 4 ranges over 4 channels of one session"))
        .count();
    assert_eq!(split, 2, "{log}");
}

/// The most channels sshd had open at once on one connection: it numbers
/// each session (channel) by the first free slot ("Starting session: ...
/// id N"), so an id N means N + 1 were open together.
fn most_channels_at_once(sshd: &Sshd) -> usize {
    let log = sshd.log();
    let ids = log.lines().filter(|l| l.contains("Starting session: ")).filter_map(|l| {
        let (_, id) = l.rsplit_once(" id ")?;
        id.trim().parse::<usize>().ok()
    });
    ids.max().map_or(0, |id| id + 1)
}

#[test]
fn ranges_go_on_channels_of_one_session_with_one_login() {
    both_ways(|upload| {
        let setup = Setup::new(Sshd::start(), None);
        let name = if upload { "lanes-up" } else { "lanes-down" };
        // 8 MiB ranges: each lane needs several turns (at most 1 MiB each),
        // so all four are open together.
        setup.copy(name, 32 * MIB + 12_345, upload, &["--verify"]);
        let logged = setup.ranges_logged(name);
        assert!(
            logged.len() == 1 && logged[0].contains("in 4 ranges over 4 channels of one session"),
            "{logged:?}"
        );
        assert_eq!(setup.sshd.accepted_logins(), 1, "{}", setup.sshd.log());
        let together = most_channels_at_once(&setup.sshd);
        assert!(together >= 4, "{together} channels at once\n{}", setup.sshd.log());
    });
}

#[test]
fn a_server_that_takes_one_channel_per_connection_gets_the_ranges_over_sessions() {
    both_ways(|upload| {
        let setup = Setup::new(Sshd::builder().max_sessions(1).start(), None);
        let name = if upload { "one-channel-up" } else { "one-channel-down" };
        setup.copy(name, 3 * MIB + 5, upload, &["--verify"]);
        let log = setup.log();
        // Known from the probe's channels already (one refused while the
        // one before was closing), or learned when the second range's was.
        assert!(
            log.contains("takes one channel per connection: the other ranges go over more sessions")
                || setup.ranges_logged(name)[0].contains("in 4 ranges over 4 sessions"),
            "{log}"
        );
        assert!(setup.sshd.accepted_logins() > 1, "{}", setup.sshd.log());
        assert_eq!(most_channels_at_once(&setup.sshd), 1, "{}", setup.sshd.log());
    });
}

/// sshd's MaxSessions above one (its default is 10) but below the ranges:
/// they share the channels it takes, on the one session.
#[test]
fn a_server_that_takes_fewer_channels_than_ranges_gets_them_in_turn() {
    both_ways(|upload| {
        let setup = Setup::new(Sshd::builder().max_sessions(2).start(), None);
        let name = if upload { "two-channels-up" } else { "two-channels-down" };
        setup.copy(name, 32 * MIB + 7, upload, &["--verify"]);
        let logged = setup.ranges_logged(name);
        assert!(logged.len() == 1 && logged[0].contains("over 4 channels of one session"), "{logged:?}");
        assert_eq!(setup.sshd.accepted_logins(), 1, "{}", setup.sshd.log());
        assert_eq!(most_channels_at_once(&setup.sshd), 2, "{}", setup.sshd.log());
        assert!(!setup.log().contains("takes one channel per connection"), "{}", setup.log());
    });
}

/// A new file's mode comes from the umask the probe told: a 0644 file
/// under 022 needs no command after its ranges but the placing (the
/// created file was once looked up for its mode). The server sees the
/// probe, one `dd` per range and the placing (the private directory's
/// mkdir rides on the probe's parked channel).
#[test]
fn a_ranged_upload_that_keeps_the_created_mode_asks_nothing_about_it() {
    let setup = Setup::new(Sshd::start(), None);
    let commands = || setup.sshd.log().lines().filter(|l| l.contains("Starting session: command")).count();
    let before = commands();
    setup.copy("plain", 2 * MIB, true, &[]);
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(setup.path("dst/plain")).unwrap().permissions(),
    );
    assert_eq!(mode & 0o777, 0o644);
    assert_eq!(setup.ranges_logged("plain").len(), 1, "{}", setup.log());
    assert_eq!(commands() - before, 1 + 4 + 1, "{}", setup.sshd.log());
}
