//! Resumable transfers, end to end: `scpdeck cp` against a harness sshd is
//! interrupted about half way (SIGKILL of scpdeck, or the sshd process of
//! its connection killed), then resumed; the result is byte-identical and
//! the second part moves at most 60% of the file, counted by a proxy in
//! front of the server. A source changed in between, and a host without
//! `dd` and `tail`, start the file over and say why.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use support::deadline::output_within;
use support::proxy::CountingProxy;
use support::tmux::scpdeck_bin;
use support::{Sshd, random_file as write_random};

/// Files are this big: interrupted at half, resumed in a second or two.
const SIZE: u64 = 24 << 20;
/// The proxy holds each connection to this many bytes per second (each
/// way), so a run can be stopped half way; about 3 seconds per file.
const RATE: u64 = 8 << 20;

fn sha256(path: &Path) -> Vec<u8> {
    Sha256::digest(std::fs::read(path).unwrap()).to_vec()
}

/// Everything one test needs: the server, the proxy, a scratch dir with a
/// state directory (log and journal) of its own.
struct Setup {
    sshd: Sshd,
    proxy: CountingProxy,
    config: PathBuf,
    work: tempfile::TempDir,
}

impl Setup {
    fn new(sshd: Sshd) -> Setup {
        let proxy = CountingProxy::limited(&sshd, Some(RATE));
        let config = proxy.ssh_config(&sshd);
        let work = tempfile::tempdir().unwrap();
        for dir in ["src", "dst", "state"] {
            std::fs::create_dir(work.path().join(dir)).unwrap();
        }
        Setup { sshd, proxy, config, work }
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
        cmd.env("XDG_STATE_HOME", self.path("state"));
        cmd
    }

    fn run(&self, args: &[&str]) -> Output {
        output_within(&mut self.cp(args), Duration::from_secs(120))
    }

    /// The log file of the runs.
    fn log(&self) -> String {
        std::fs::read_to_string(self.path("state/scpdeck/scpdeck.log")).unwrap_or_default()
    }

    /// Job records left in the journal.
    fn journal(&self) -> Vec<PathBuf> {
        let Ok(entries) = std::fs::read_dir(self.path("state/scpdeck/jobs")) else { return Vec::new() };
        entries.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "jsonl")).collect()
    }
}

/// Sizes of scpdeck's temporary files under `dir`: `.NAME.XXXXXX.scpdeck`
/// files, and files in `.sd-XXXXXXXX` directories.
fn partial_bytes(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    entries
        .flatten()
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with(".sd-") {
                partial_bytes(&e.path()) + 1
            } else if name.ends_with(".scpdeck")
                || dir.file_name().is_some_and(|d| d.to_string_lossy().starts_with(".sd-"))
            {
                e.metadata().map(|m| m.len()).unwrap_or(0)
            } else {
                0
            }
        })
        .sum()
}

/// Waits until `at_least` bytes of partial copies are under `dir`.
fn wait_for_partial(child: &mut Child, dir: &Path, at_least: u64) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while partial_bytes(dir) < at_least {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("scpdeck ended ({status}) before {at_least} bytes were copied");
        }
        assert!(Instant::now() < deadline, "only {} bytes copied after a minute", partial_bytes(dir));
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Runs `args` until about half the file is under `watch`, then SIGKILLs
/// scpdeck; returns how much was there.
fn kill_half_way(setup: &Setup, args: &[&str], watch: &Path) -> u64 {
    let mut child = setup.cp(args).stdin(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    wait_for_partial(&mut child, watch, SIZE / 2);
    child.kill().unwrap();
    child.wait().unwrap();
    partial_bytes(watch)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_download_killed_half_way_is_resumed_by_cp_resume() {
    let setup = Setup::new(Sshd::start());
    write_random(&setup.path("src/big"), SIZE, 1);
    let (from, to) = (setup.remote("src/big"), setup.path("dst"));
    let to = to.to_str().unwrap();
    let had = kill_half_way(&setup, &[&from, to], &setup.path("dst"));
    assert!(!setup.path("dst/big").exists(), "nothing under the destination name");
    assert_eq!(setup.journal().len(), 1, "the killed run's job is in the journal");
    let before = setup.proxy.down();
    let out = setup.run(&["-c", &from, to]);
    assert!(out.status.success(), "{}", stderr(&out));
    let moved = setup.proxy.down() - before;
    assert_eq!(sha256(&setup.path("dst/big")), sha256(&setup.path("src/big")));
    assert!(moved <= SIZE * 6 / 10, "the second run moved {moved} bytes of {SIZE} ({had} were there)");
    assert_eq!(partial_bytes(&setup.path("dst")), 0, "no partial copy left");
    assert!(setup.journal().is_empty(), "{:?}", setup.journal());
    assert!(setup.log().contains("resumed at"), "{}", setup.log());
}

#[test]
fn an_upload_killed_half_way_is_resumed_by_cp_resume() {
    let setup = Setup::new(Sshd::start());
    write_random(&setup.path("src/big"), SIZE, 2);
    let (from, to) = (setup.path("src/big"), setup.remote("dst"));
    let from = from.to_str().unwrap();
    kill_half_way(&setup, &[from, &to], &setup.path("dst"));
    assert!(!setup.path("dst/big").exists());
    let before = setup.proxy.up();
    let out = setup.run(&["-c", "--verify", from, &to]);
    assert!(out.status.success(), "{}", stderr(&out));
    let moved = setup.proxy.up() - before;
    assert_eq!(sha256(&setup.path("dst/big")), sha256(&setup.path("src/big")));
    assert!(moved <= SIZE * 6 / 10, "the second run moved {moved} bytes of {SIZE}");
    let left: Vec<_> =
        std::fs::read_dir(setup.path("dst")).unwrap().flatten().map(|e| e.file_name()).collect();
    assert_eq!(left, ["big"], "the private directory is gone");
    assert!(setup.journal().is_empty());
    assert!(setup.log().contains("resumed at"), "{}", setup.log());
}

/// The connection is lost half way (its sshd process killed): the same
/// run reconnects and continues where the file stopped.
fn drop_half_way_then_continue(upload: bool) {
    let setup = Setup::new(Sshd::start());
    write_random(&setup.path("src/big"), SIZE, 3);
    let (from, to) = match upload {
        true => (setup.path("src/big").display().to_string(), setup.remote("dst")),
        false => (setup.remote("src/big"), setup.path("dst").display().to_string()),
    };
    let mut child = setup.cp(&[&from, &to]).stdin(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    wait_for_partial(&mut child, &setup.path("dst"), SIZE / 2);
    let before = if upload { setup.proxy.up() } else { setup.proxy.down() };
    setup.sshd.kill_connections();
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "still copying after two minutes");
        std::thread::sleep(Duration::from_millis(20));
    };
    let out = child.wait_with_output().unwrap();
    assert!(status.success(), "{}", stderr(&out));
    let moved = if upload { setup.proxy.up() } else { setup.proxy.down() } - before;
    assert_eq!(sha256(&setup.path("dst/big")), sha256(&setup.path("src/big")));
    assert!(moved <= SIZE * 6 / 10, "after the drop {moved} bytes of {SIZE} moved; log:\n{}", setup.log());
    assert_eq!(partial_bytes(&setup.path("dst")), 0);
    assert!(setup.log().contains("resumed at"), "{}", setup.log());
}

#[test]
fn a_download_whose_connection_is_killed_half_way_continues_where_it_stopped() {
    drop_half_way_then_continue(false);
}

#[test]
fn an_upload_whose_connection_is_killed_half_way_continues_where_it_stopped() {
    drop_half_way_then_continue(true);
}

#[test]
fn a_source_changed_between_the_runs_is_copied_from_the_start() {
    let setup = Setup::new(Sshd::start());
    write_random(&setup.path("src/big"), SIZE, 4);
    let (from, to) = (setup.remote("src/big"), setup.path("dst"));
    let to = to.to_str().unwrap();
    kill_half_way(&setup, &[&from, to], &setup.path("dst"));
    // Same size, other content and time.
    write_random(&setup.path("src/big"), SIZE, 5);
    let later = std::time::SystemTime::now() + Duration::from_secs(10);
    std::fs::File::options().write(true).open(setup.path("src/big")).unwrap().set_modified(later).unwrap();
    let before = setup.proxy.down();
    let out = setup.run(&["-c", &from, to]);
    assert!(out.status.success(), "{}", stderr(&out));
    let moved = setup.proxy.down() - before;
    assert_eq!(sha256(&setup.path("dst/big")), sha256(&setup.path("src/big")));
    assert!(moved >= SIZE, "copied from the start: {moved} bytes");
    assert!(setup.log().contains("cannot be resumed (the source changed"), "{}", setup.log());
    assert!(String::from_utf8_lossy(&out.stderr).contains("copied from the start"), "{}", stderr(&out));
}

/// A host whose PATH has what a transfer needs (scp, sh, cat, sha256sum,
/// BusyBox's file tools) but neither `dd` nor `tail`.
fn host_without_dd_and_tail() -> Sshd {
    Sshd::builder()
        .only_programs(&[
            "scp",
            "cat",
            "head",
            "sha256sum",
            "mv",
            "ln",
            "rm",
            "rmdir",
            "mkdir",
            "chmod",
            "stat",
            "find",
            "ls",
            "wc",
            "sed",
            "awk",
            "touch",
            "date",
            "id",
            "uname",
            "cp",
            "tr",
            "sort",
            "cut",
            "expr",
            "readlink",
            "realpath",
        ])
        .start()
}

#[test]
fn a_host_without_dd_and_tail_starts_the_file_over() {
    for upload in [false, true] {
        let setup = Setup::new(host_without_dd_and_tail());
        write_random(&setup.path("src/big"), SIZE, 6);
        let (from, to) = match upload {
            true => (setup.path("src/big").display().to_string(), setup.remote("dst")),
            false => (setup.remote("src/big"), setup.path("dst").display().to_string()),
        };
        kill_half_way(&setup, &[&from, &to], &setup.path("dst"));
        let before = setup.proxy.up() + setup.proxy.down();
        let out = setup.run(&["-c", &from, &to]);
        assert!(out.status.success(), "{}", stderr(&out));
        let moved = setup.proxy.up() + setup.proxy.down() - before;
        assert_eq!(sha256(&setup.path("dst/big")), sha256(&setup.path("src/big")));
        assert!(moved >= SIZE, "upload {upload}: copied from the start: {moved} bytes");
        assert!(setup.log().contains("has neither dd nor tail -c"), "upload {upload}: {}", setup.log());
        assert_eq!(partial_bytes(&setup.path("dst")), 0);
    }
}
