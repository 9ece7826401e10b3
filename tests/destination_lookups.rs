//! A copy onto a host looks up, in each destination directory, only the
//! names it writes there (one command per directory, through the host's
//! listing method, or SFTP's lstat), never a listing of the whole
//! directory: uploading one file into a 100,000-entry directory no longer
//! reads its 100,000 entries. Through the scheduler (the commander's path;
//! `cp` names those paths in its probe instead, tests/cp_round_trips.rs).

mod support;

use std::path::Path;
use std::sync::Arc;

use scpdeck::eventlog::LogSink;
use scpdeck::fs::Location;
use scpdeck::jobs::{
    Control, JobSpec, JobState, Limits, Mode, Options, OverwriteAnswer, OverwritePolicy, Scheduler,
    SshRemote, SystemBackend, TargetKind,
};
use scpdeck::ssh::{NoPrompter, Overrides, Pool, PoolLimits, Resolver};
use support::scheduler::until;
use support::{Shell, Sshd};

fn scheduler(sshd: &Sshd) -> (Scheduler, tokio::sync::mpsc::UnboundedReceiver<scpdeck::eventlog::Event>) {
    let (sink, log) = LogSink::new(None);
    let limits = Limits::default();
    let pool =
        Pool::new(Arc::new(NoPrompter), PoolLimits { per_host: limits.per_host, global: limits.global });
    let overrides = Overrides { config_file: Some(sshd.ssh_config()), ..Overrides::default() };
    let remote = SshRemote::new(pool, Resolver::system(), overrides);
    (Scheduler::spawn(Arc::new(SystemBackend::new(Arc::new(remote))), limits, sink), log)
}

/// Uploads `a.txt` (there already, 3 bytes) and `b.txt` (new) from `from`
/// into `dir` on `sshd`'s host, asking before replacing: the question
/// about `a.txt`, with its size, shows the lookup found it; `b.txt`
/// arrives without one; the answer (skip) leaves `a.txt` as it was.
async fn upload_asking(sshd: &Sshd, from: &Path, dir: &Path) {
    let (s, mut log) = scheduler(sshd);
    let host = sshd.alias().to_owned();
    let sources = ["a.txt", "b.txt"].iter().map(|n| Location::Local(from.join(n))).collect();
    let options = Options { overwrite: OverwritePolicy::Ask, ..Options::default() };
    let target = Location::Remote { host, path: dir.to_path_buf() };
    let job = s.submit(JobSpec { mode: Mode::Copy, sources, target, target_kind: TargetKind::Dir, options });
    let asking =
        until(&s, job, "the question about a.txt", |v| v.question.is_some() || v.state.is_finished()).await;
    while let Ok(event) = log.try_recv() {
        eprintln!("{event:?}");
    }
    assert!(asking.question.is_some(), "no question about a.txt: {asking:#?}");
    let question = asking.question.unwrap();
    assert!(question.name.contains("a.txt"), "{question:?}");
    assert_eq!(question.dest_size, 3, "{question:?}");
    let answer = OverwriteAnswer { policy: OverwritePolicy::Skip, all: true };
    s.control(Control::Answer(job, question.item, answer));
    let view = until(&s, job, "the end", |v| v.state.is_finished()).await;
    assert_eq!(view.state, JobState::Done, "{view:#?}");
    assert_eq!(std::fs::read(dir.join("a.txt")).unwrap(), b"old");
    assert_eq!(std::fs::read(dir.join("b.txt")).unwrap(), b"new b");
}

fn sources() -> tempfile::TempDir {
    let from = tempfile::tempdir().unwrap();
    std::fs::write(from.path().join("a.txt"), b"new a, longer").unwrap();
    std::fs::write(from.path().join("b.txt"), b"new b").unwrap();
    from
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_upload_into_a_big_directory_reads_only_the_names_it_writes() {
    let work = tempfile::tempdir().unwrap();
    let calls = work.path().join("find-calls");
    // The host's find, recording how it was called (one line a call).
    let find = format!(
        "#!/bin/sh\nprintf '%s\\n' \"$*\" >> '{}'\nexec {} \"$@\"\n",
        calls.display(),
        support::which("find").display()
    );
    let sshd = Sshd::builder().program("find", &find).start();
    let dir = work.path().join("big");
    std::fs::create_dir(&dir).unwrap();
    for n in 0..3000 {
        std::fs::write(dir.join(format!("entry-{n:05}")), b"").unwrap();
    }
    std::fs::write(dir.join("a.txt"), b"old").unwrap();
    let from = sources();
    upload_asking(&sshd, from.path(), &dir).await;
    let calls = std::fs::read_to_string(&calls).unwrap_or_default();
    // A whole listing is `find . -mindepth 1 -maxdepth 1`; a lookup names
    // its entries (`find ./a.txt ./b.txt -maxdepth 0`).
    assert!(!calls.contains("-mindepth"), "the directory was listed:\n{calls}");
    let lookup =
        calls.lines().find(|l| l.contains("./a.txt")).unwrap_or_else(|| panic!("no lookup:\n{calls}"));
    assert!(lookup.contains("./b.txt") && lookup.contains("-maxdepth 0"), "{lookup}");
}

/// The same lookups through every other way of looking at a host: BusyBox
/// (find + stat), a host with perl but no find, and SFTP.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn lookups_work_on_every_listing_method() {
    let mut hosts = vec![
        (
            "perl, no find",
            Sshd::builder().only_programs(&["scp", "perl", "mv", "rm", "mkdir", "ls", "cat"]).start(),
        ),
        ("sftp only", Sshd::builder().sftp_only().start()),
    ];
    if Shell::available().contains(&Shell::BusyBox) {
        let sshd = Sshd::builder().shell(Shell::BusyBox).start();
        std::os::unix::fs::symlink(support::which("scp"), sshd.path("busybox-bin/scp")).unwrap();
        hosts.push(("busybox", sshd));
    } else {
        panic!("busybox is missing: run scripts/test, which installs it");
    }
    for (what, sshd) in &hosts {
        eprintln!("{what}");
        let work = tempfile::tempdir().unwrap();
        let dir = work.path().join("dest");
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("a.txt"), b"old").unwrap();
        std::fs::write(dir.join("other"), b"x").unwrap();
        let from = sources();
        upload_asking(sshd, from.path(), &dir).await;
    }
}

/// The commander's copies: the host is probed once per connection, and a
/// copy of one file into a directory costs three commands after that: the
/// directory's type, the lookup of the name, and the scp run (which makes
/// the private directory first and places the file after).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn copies_on_one_connection_probe_once_and_cost_three_commands_each() {
    let sshd = Sshd::start();
    let (s, _log) = scheduler(&sshd);
    let work = tempfile::tempdir().unwrap();
    let dir = work.path().join("dest");
    std::fs::create_dir(&dir).unwrap();
    let commands = || sshd.log().lines().filter(|l| l.contains("Starting session: ")).count();
    let mut seen = Vec::new();
    for name in ["one", "two", "three"] {
        let source = work.path().join(name);
        std::fs::write(&source, name.as_bytes()).unwrap();
        let options = Options { overwrite: OverwritePolicy::Overwrite, ..Options::default() };
        let target = Location::Remote { host: sshd.alias().to_owned(), path: dir.clone() };
        let spec = JobSpec {
            mode: Mode::Copy,
            sources: vec![Location::Local(source)],
            target,
            target_kind: TargetKind::Dir,
            options,
        };
        let job = s.submit(spec);
        let view = until(&s, job, "the end", |v| v.state.is_finished()).await;
        assert_eq!(view.state, JobState::Done, "{view:#?}");
        assert_eq!(std::fs::read(dir.join(name)).unwrap(), name.as_bytes());
        seen.push(commands());
    }
    assert_eq!(sshd.accepted_logins(), 1, "{}", sshd.log());
    // The first copy probes the host too; the others do not.
    assert!(seen[0] <= 5, "{seen:?}\n{}", sshd.log());
    assert_eq!([seen[1] - seen[0], seen[2] - seen[1]], [3, 3], "{seen:?}\n{}", sshd.log());
}
