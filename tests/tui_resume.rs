//! The commander keeps its queue across a crash: a large copy started in
//! tmux, scpdeck SIGKILLed half way and started again: the job is there,
//! paused, with what is left; resumed, it completes, byte for byte. An
//! interrupted `scpdeck cp` comes back there too, and is discarded with
//! its partial copy; a temporary file no journal names is listed, and
//! removed only when asked.

mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use support::proxy::CountingProxy;
use support::tmux::{Tmux, scpdeck_bin, scpdeck_pid};
use support::{Sshd, partial_bytes, random_file, temp_names};

const SIZE: u64 = 24 << 20;

/// Everything in the journal's files.
fn journal_text(work: &Path) -> String {
    let Ok(entries) = std::fs::read_dir(work.join("state/scpdeck/jobs")) else { return String::new() };
    entries.flatten().filter_map(|e| std::fs::read_to_string(e.path()).ok()).collect()
}

/// Presses `key` until `shown` is on the screen: a key pressed while the
/// app is still starting can go unread.
fn press_until(tmux: &Tmux, key: &str, shown: &str) {
    press_all_until(tmux, &[key], shown);
}

/// [`press_until`] for keys pressed together, each time.
fn press_all_until(tmux: &Tmux, keys: &[&str], shown: &str) {
    let key = keys.join(" ");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        tmux.keys(keys);
        let until = Instant::now() + Duration::from_secs(2);
        while Instant::now() < until {
            if tmux.screen().contains(shown) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        assert!(Instant::now() < deadline, "{key} never showed {shown:?}; screen:\n{}", tmux.screen());
    }
}

fn eventually(tmux: &Tmux, what: &str, limit: Duration, done: impl Fn() -> bool) {
    let deadline = Instant::now() + limit;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}; screen:\n{}", tmux.screen());
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A commander uploading a 24 MiB file to a harness sshd behind a counting
/// proxy, about three seconds for the file: time to stop it half way.
struct Upload {
    sshd: Sshd,
    proxy: CountingProxy,
    work: tempfile::TempDir,
    local: PathBuf,
    remote: PathBuf,
    /// The commander's command line in tmux.
    command: String,
    config: PathBuf,
}

impl Upload {
    fn new(seed: u64) -> Upload {
        let sshd = Sshd::start();
        let proxy = CountingProxy::limited(&sshd, Some(8 << 20));
        let config = proxy.ssh_config(&sshd);
        let work = tempfile::tempdir().unwrap();
        let (local, remote) = (work.path().join("local"), work.path().join("remote"));
        std::fs::create_dir_all(&local).unwrap();
        std::fs::create_dir_all(&remote).unwrap();
        random_file(&local.join("big.bin"), SIZE, seed);
        let command = format!(
            "SCPDECK_CONFIG_DIR='{0}/config' XDG_STATE_HOME='{0}/state' '{1}' -F '{2}' '{3}' '{4}:{5}'; echo EXITED; sleep 60",
            work.path().display(),
            scpdeck_bin().display(),
            config.display(),
            local.display(),
            sshd.alias(),
            remote.display()
        );
        Upload { sshd, proxy, work, local, remote, command, config }
    }

    /// Starts the commander, copies big.bin with F5 and, once half of it
    /// is on the host and the journal has recorded progress, calls `stop`.
    fn half_way_then(&self, stop: impl FnOnce(&Tmux) + Send) {
        let tmux = Tmux::start(&self.command, 120, 32);
        support::deadline::bounded(
            Duration::from_secs(180),
            || tmux.kill(),
            || {
                tmux.wait_for("big.bin");
                // The remote pane is up (its free space comes from the host).
                tmux.wait_for_times("free", 2);
                // Off `..` onto big.bin, then F5.
                press_all_until(&tmux, &["End", "F5"], "[ Copy ]");
                tmux.keys(&["Enter"]);
                eventually(&tmux, "half the file is on the host", Duration::from_secs(60), || {
                    partial_bytes(&self.remote) >= SIZE / 2
                });
                // The journal records progress at most a second late: once
                // it has, the restarted commander can show it.
                eventually(&tmux, "the journal records the progress", Duration::from_secs(10), || {
                    journal_text(self.work.path()).contains("\"bytes\":")
                });
                stop(&tmux);
            },
        );
        let kept = partial_bytes(&self.remote);
        assert!(kept >= SIZE / 2 && !self.remote.join("big.bin").exists(), "{kept}");
    }

    /// Starts the commander again: the job is there, paused, with about
    /// half done; `p` resumes it, and it completes moving at most 60% of
    /// the file, byte for byte, leaving nothing behind.
    fn restarted_and_resumed(&self) {
        let (remote, proxy) = (&self.remote, &self.proxy);
        let tmux = Tmux::start(&self.command, 120, 32);
        support::deadline::bounded(
            Duration::from_secs(180),
            || tmux.kill(),
            || {
                let screen = tmux.wait_for("unfinished job(s) from the last session, paused");
                assert!(screen.contains("alt-j"), "{screen}");
                tmux.wait_for(&format!("{}:{}", self.sshd.alias(), remote.display()));
                press_until(&tmux, "M-j", "partial copy kept to resume");
                let screen = tmux.wait_for("paused");
                // What was done shows: about half of it.
                assert!(screen.contains(" MiB/24 MiB"), "{screen}");
                let before = proxy.up();
                tmux.keys(&["p"]);
                eventually(&tmux, "the copy is in place", Duration::from_secs(60), || {
                    remote.join("big.bin").exists()
                });
                tmux.wait_for("done");
                let moved = proxy.up() - before;
                assert!(moved <= SIZE * 6 / 10, "the resumed job moved {moved} bytes of {SIZE}");
                tmux.keys(&["Escape", "q"]);
            },
        );
        let journal = self.work.path().join("state/scpdeck/jobs");
        let records = || {
            std::fs::read_dir(&journal)
                .map(|d| d.flatten().filter(|e| e.path().extension().is_some_and(|x| x == "jsonl")).count())
                .unwrap_or(0)
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while records() > 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert_eq!(records(), 0, "the finished job left the journal");
        let digest = |p: &Path| Sha256::digest(std::fs::read(p).unwrap()).to_vec();
        assert_eq!(digest(&remote.join("big.bin")), digest(&self.local.join("big.bin")));
        assert!(temp_names(remote).is_empty());
        let left: Vec<_> = std::fs::read_dir(remote).unwrap().flatten().map(|e| e.file_name()).collect();
        assert_eq!(left, ["big.bin"], "the private directory is gone");
    }
}

#[test]
fn a_copy_killed_half_way_comes_back_paused_and_resumes() {
    let upload = Upload::new(7);
    upload.half_way_then(|_| {
        let pid = scpdeck_pid(&upload.config.display().to_string());
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), nix::sys::signal::Signal::SIGKILL).unwrap();
    });
    upload.restarted_and_resumed();
}

#[test]
fn a_copy_paused_by_quitting_comes_back_paused_and_resumes() {
    let upload = Upload::new(9);
    upload.half_way_then(|tmux| {
        tmux.keys(&["F10"]);
        tmux.wait_for("Quit scpdeck?");
        tmux.keys(&["p"]);
        tmux.wait_for("EXITED");
    });
    upload.restarted_and_resumed();
}

#[test]
fn an_interrupted_cp_comes_back_in_the_commander_and_c_discards_its_partial_copy() {
    let sshd = Sshd::start();
    let proxy = CountingProxy::limited(&sshd, Some(8 << 20));
    let config = proxy.ssh_config(&sshd);
    let work = tempfile::tempdir().unwrap();
    let (remote, local) = (work.path().join("remote"), work.path().join("local"));
    std::fs::create_dir_all(&remote).unwrap();
    std::fs::create_dir_all(&local).unwrap();
    random_file(&remote.join("big.bin"), SIZE, 8);
    // `scpdeck cp` downloading, killed half way.
    let mut cp = std::process::Command::new(scpdeck_bin())
        .args(["cp", "-q", "-F"])
        .arg(&config)
        .arg(format!("{}:{}", sshd.alias(), remote.join("big.bin").display()))
        .arg(&local)
        .env("XDG_STATE_HOME", work.path().join("state"))
        .stdin(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while partial_bytes(&local) < SIZE / 2 || !journal_text(work.path()).contains("\"partial\"") {
        assert!(Instant::now() < deadline, "the copy did not get half way");
        std::thread::sleep(Duration::from_millis(10));
    }
    cp.kill().unwrap();
    cp.wait().unwrap();
    assert_eq!(temp_names(&local).len(), 1);
    // And a temporary file that no journal names (a crash before the
    // journal recorded it), untouched for an hour.
    let stray = local.join(".other.bin.Ab12Cd.scpdeck");
    std::fs::write(&stray, b"half of something").unwrap();
    let hour_ago = std::time::SystemTime::now() - Duration::from_secs(3600);
    std::fs::File::options().write(true).open(&stray).unwrap().set_modified(hour_ago).unwrap();

    let command = format!(
        "SCPDECK_CONFIG_DIR='{0}/config' XDG_STATE_HOME='{0}/state' '{1}' -F '{2}' '{3}' '{0}'; sleep 60",
        work.path().display(),
        scpdeck_bin().display(),
        config.display(),
        local.display(),
    );
    let tmux = Tmux::start(&command, 120, 32);
    support::deadline::bounded(
        Duration::from_secs(120),
        || tmux.kill(),
        || {
            // The stray file's warning may come after the notice of the
            // restored job and take the status line: both are in the
            // message view.
            press_until(&tmux, "M-h", "unfinished job(s) from the last session, paused");
            tmux.wait_for("1 temporary file(s) no job owns");
            press_until(&tmux, "M-j", "partial copy kept to resume");
            // The stray file is listed, not removed.
            tmux.wait_for("1 leftover temporary file(s)");
            tmux.keys(&["c"]);
            tmux.wait_for("cancelled");
            eventually(&tmux, "the partial copy is removed", Duration::from_secs(20), || {
                temp_names(&local) == [".other.bin.Ab12Cd.scpdeck"]
            });
            eventually(&tmux, "the journal forgets the job", Duration::from_secs(20), || {
                !journal_text(work.path()).contains("\"job\"")
            });
            assert!(stray.exists(), "a leftover is never removed unasked");
            tmux.keys(&["D"]);
            eventually(&tmux, "the leftover is removed", Duration::from_secs(20), || !stray.exists());
            tmux.wait_for("remove 1 leftover temporary file(s)");
        },
    );
    assert!(!local.join("big.bin").exists());
    assert!(temp_names(&local).is_empty());
}
