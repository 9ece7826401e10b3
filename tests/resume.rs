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
use support::{Sshd, partial_bytes, random_file as write_random, temp_names};

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

    /// `src/big` and `dst` as operands: to the host, or from it.
    fn operands(&self, upload: bool) -> (String, String) {
        match upload {
            true => (self.path("src/big").display().to_string(), self.remote("dst")),
            false => (self.remote("src/big"), self.path("dst").display().to_string()),
        }
    }

    /// Runs `cp -c from to`, which must copy `src/big` whole, from its
    /// start, and log `why`; returns its output.
    fn starts_over(&self, from: &str, to: &str, why: &str) -> Output {
        let before = self.proxy.up() + self.proxy.down();
        let out = self.run(&["-c", from, to]);
        assert!(out.status.success(), "{}", stderr(&out));
        let moved = self.proxy.up() + self.proxy.down() - before;
        assert_eq!(sha256(&self.path("dst/big")), sha256(&self.path("src/big")));
        assert!(moved >= SIZE, "{from} -> {to}: copied from the start: {moved} bytes");
        assert!(self.log().contains(why), "{}", self.log());
        assert!(temp_names(&self.path("dst")).is_empty());
        out
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
    let out = setup.run(&["-c", "--verify", &from, to]);
    assert!(out.status.success(), "{}", stderr(&out));
    let moved = setup.proxy.down() - before;
    assert_eq!(sha256(&setup.path("dst/big")), sha256(&setup.path("src/big")));
    assert!(moved <= SIZE * 6 / 10, "the second run moved {moved} bytes of {SIZE} ({had} were there)");
    assert!(temp_names(&setup.path("dst")).is_empty(), "no partial copy left");
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
    let (from, to) = setup.operands(upload);
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
    assert!(temp_names(&setup.path("dst")).is_empty());
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
    for upload in [false, true] {
        let setup = Setup::new(Sshd::start());
        write_random(&setup.path("src/big"), SIZE, 4);
        let (from, to) = setup.operands(upload);
        kill_half_way(&setup, &[&from, &to], &setup.path("dst"));
        // Same size, other content and time.
        write_random(&setup.path("src/big"), SIZE, 5);
        let later = std::time::SystemTime::now() + Duration::from_secs(10);
        std::fs::File::options()
            .write(true)
            .open(setup.path("src/big"))
            .unwrap()
            .set_modified(later)
            .unwrap();
        let out = setup.starts_over(&from, &to, "cannot be resumed (the source changed");
        assert!(stderr(&out).contains("copied from the start"), "upload {upload}: {}", stderr(&out));
    }
}

/// A host whose PATH has what a transfer needs (scp, sh, cat, sha256sum,
/// BusyBox's file tools) but neither `dd` nor `tail`.
fn host_without_dd_and_tail() -> Sshd {
    Sshd::builder().plain_tools_except(&["dd", "tail"]).start()
}

#[test]
fn a_host_without_dd_and_tail_starts_the_file_over() {
    for upload in [false, true] {
        let setup = Setup::new(host_without_dd_and_tail());
        write_random(&setup.path("src/big"), SIZE, 6);
        let (from, to) = setup.operands(upload);
        kill_half_way(&setup, &[&from, &to], &setup.path("dst"));
        setup.starts_over(&from, &to, "has neither dd nor tail -c");
    }
}

#[test]
fn ctrl_c_during_cp_resume_keeps_the_partial_copy_for_the_next_run() {
    let setup = Setup::new(Sshd::start());
    write_random(&setup.path("src/big"), SIZE, 8);
    let (from, to) = (setup.remote("src/big"), setup.path("dst"));
    let to = to.to_str().unwrap();
    let mut child = setup.cp(&["-c", &from, to]).stdin(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    wait_for_partial(&mut child, &setup.path("dst"), SIZE / 2);
    let pid = nix::unistd::Pid::from_raw(child.id() as i32);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGINT).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "still running after SIGINT");
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("partial copies are kept; run the same command again"), "{}", stderr(&out));
    let kept = partial_bytes(&setup.path("dst"));
    assert!(kept >= SIZE / 2, "{kept}");
    let before = setup.proxy.down();
    let out = setup.run(&["-c", &from, to]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(setup.proxy.down() - before <= SIZE * 6 / 10);
    assert_eq!(sha256(&setup.path("dst/big")), sha256(&setup.path("src/big")));
    assert!(setup.journal().is_empty());
}

#[test]
fn cp_resume_skips_complete_files_by_size_and_time_or_by_checksum() {
    let setup = Setup::new(Sshd::start());
    for name in ["a", "b", "c"] {
        write_random(&setup.path(&format!("src/{name}")), 1 << 20, name.as_bytes()[0] as u64);
    }
    let (from, to) = (setup.path("src").display().to_string(), setup.remote("dst"));
    // An earlier `scp -p` copied a; b is there with the same content but
    // another time; c is missing.
    std::fs::create_dir(setup.path("dst/src")).unwrap();
    std::fs::copy(setup.path("src/a"), setup.path("dst/src/a")).unwrap();
    let time = std::fs::metadata(setup.path("src/a")).unwrap().modified().unwrap();
    std::fs::File::options().write(true).open(setup.path("dst/src/a")).unwrap().set_modified(time).unwrap();
    std::fs::copy(setup.path("src/b"), setup.path("dst/src/b")).unwrap();
    let older = time - Duration::from_secs(3600);
    std::fs::File::options().write(true).open(setup.path("dst/src/b")).unwrap().set_modified(older).unwrap();
    // And a temporary file no journal names, left an hour ago.
    let stray = setup.path("dst/src/.d.Ab12Cd.scpdeck");
    std::fs::write(&stray, b"half of d").unwrap();
    std::fs::File::options().write(true).open(&stray).unwrap().set_modified(older).unwrap();
    let before = setup.proxy.up();
    let out = setup.run(&["-r", "-c", "--verify", &from, &to]);
    assert!(out.status.success(), "{}", stderr(&out));
    let moved = setup.proxy.up() - before;
    // Only c travelled: a by size and time, b by checksum.
    assert!(moved < (1 << 20) + (1 << 19), "{moved} bytes moved");
    for name in ["a", "b", "c"] {
        assert_eq!(
            sha256(&setup.path(&format!("dst/src/{name}"))),
            sha256(&setup.path(&format!("src/{name}")))
        );
    }
    assert!(setup.log().contains("already complete (same size and modification time)"), "{}", setup.log());
    assert!(setup.log().contains("already complete (the same sha256)"), "{}", setup.log());
    // Named, not removed.
    assert!(stderr(&out).contains("a temporary file no job owns"), "{}", stderr(&out));
    assert!(stderr(&out).contains(".d.Ab12Cd.scpdeck"), "{}", stderr(&out));
    assert!(stray.exists());
}

#[test]
fn cp_resume_skips_what_the_killed_run_placed_and_continues_the_rest() {
    let setup = Setup::new(Sshd::start());
    std::fs::create_dir(setup.path("src/tree")).unwrap();
    write_random(&setup.path("src/tree/small"), 4 << 20, 9);
    write_random(&setup.path("src/tree/big"), SIZE, 10);
    let (from, to) = (setup.remote("src/tree"), setup.path("dst"));
    let to = to.to_str().unwrap();
    // Two sessions: the small file goes alone, and is placed while the
    // big one is still on its way. No -p: the copy's time is not the
    // source's, so only the journal knows it is complete.
    let mut child =
        setup.cp(&["-r", "-j", "2", &from, to]).stdin(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !setup.path("dst/tree/small").exists() {
        assert!(Instant::now() < deadline, "the small file was never placed");
        std::thread::sleep(Duration::from_millis(10));
    }
    let placed = Instant::now();
    // Only the big file's partial copy is left to count.
    wait_for_partial(&mut child, &setup.path("dst/tree"), SIZE / 2);
    // The journal records a placed file within a few hundred milliseconds
    // (a crash sooner than that costs its copy, not its correctness).
    std::thread::sleep(Duration::from_millis(500).saturating_sub(placed.elapsed()));
    child.kill().unwrap();
    child.wait().unwrap();
    let before = setup.proxy.down();
    let out = setup.run(&["-r", "-c", &from, to]);
    assert!(out.status.success(), "{}", stderr(&out));
    let moved = setup.proxy.down() - before;
    assert!(moved <= SIZE * 6 / 10, "{moved} bytes moved; log:\n{}", setup.log());
    for name in ["small", "big"] {
        assert_eq!(
            sha256(&setup.path(&format!("dst/tree/{name}"))),
            sha256(&setup.path(&format!("src/tree/{name}")))
        );
    }
    assert!(
        setup.log().contains("small: skipped: already complete (copied by the interrupted run)"),
        "{}",
        setup.log()
    );
    assert!(temp_names(&setup.path("dst/tree")).is_empty());
}

#[test]
fn a_resumed_file_is_still_verified_whole() {
    let setup = Setup::new(Sshd::start());
    write_random(&setup.path("src/big"), SIZE, 11);
    let (from, to) = (setup.remote("src/big"), setup.path("dst"));
    let to = to.to_str().unwrap();
    kill_half_way(&setup, &[&from, to], &setup.path("dst"));
    // Damage the partial copy near its start: its last MiB, which the
    // resume compares, still matches.
    let name = temp_names(&setup.path("dst")).pop().unwrap();
    let partial = setup.path("dst").join(name);
    let mut file = std::fs::File::options().write(true).open(&partial).unwrap();
    std::io::Seek::seek(&mut file, std::io::SeekFrom::Start(1000)).unwrap();
    std::io::Write::write_all(&mut file, b"damaged").unwrap();
    drop(file);
    let out = setup.run(&["-c", "--verify", &from, to]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("checksum mismatch"), "{}", stderr(&out));
    assert!(setup.log().contains("resumed at"), "{}", setup.log());
    assert!(!setup.path("dst/big").exists(), "a bad copy never takes the name");
    assert!(temp_names(&setup.path("dst")).is_empty(), "the bad copy is gone");
    // Nothing left to resume: the next run copies it whole, and right.
    let out = setup.run(&["-c", "--verify", &from, to]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(sha256(&setup.path("dst/big")), sha256(&setup.path("src/big")));
}

#[test]
fn a_link_lost_for_good_keeps_the_partial_copy_with_resume_and_removes_it_without() {
    let setup = Setup::new(Sshd::start());
    write_random(&setup.path("src/big"), SIZE, 12);
    let (from, to) = setup.operands(false);
    // Runs until half the file is there, then the link goes down and
    // stays down while scpdeck reconnects: the file fails.
    let fail_half_way = |args: &[&str]| {
        let mut child = setup.cp(args).stdin(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
        wait_for_partial(&mut child, &setup.path("dst"), SIZE / 2);
        setup.proxy.cut();
        let deadline = Instant::now() + Duration::from_secs(120);
        while child.try_wait().unwrap().is_none() {
            assert!(Instant::now() < deadline, "still running two minutes after the link went down");
            std::thread::sleep(Duration::from_millis(20));
        }
        setup.proxy.mend();
        child.wait_with_output().unwrap()
    };
    // Without -c, as scp: the failed file leaves nothing.
    let out = fail_half_way(&[&from, &to]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(temp_names(&setup.path("dst")).is_empty(), "{:?}", temp_names(&setup.path("dst")));
    assert!(setup.journal().is_empty(), "{:?}", setup.journal());
    // With -c, the partial copy stays for the next run, which continues it.
    let out = fail_half_way(&["-c", &from, &to]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("1 partial copy of what failed kept"), "{}", stderr(&out));
    assert!(partial_bytes(&setup.path("dst")) >= SIZE / 2);
    let before = setup.proxy.down();
    let out = setup.run(&["-c", &from, &to]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(setup.proxy.down() - before <= SIZE * 6 / 10);
    assert_eq!(sha256(&setup.path("dst/big")), sha256(&setup.path("src/big")));
    assert!(setup.journal().is_empty());
}
