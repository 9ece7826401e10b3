//! A failed probe: a host whose probe works on the first connection and
//! fails on the later ones (a `uname` that kills the probe's shell), a
//! tree with many directories copied to it through the scheduler over
//! three sessions: the items of the failed connections fail with the
//! probe's reason, and each connection probes once, not once per
//! directory (the fake `uname` counts the probes, sshd's log the logins);
//! a host that runs `/bin/false` for every command: `scpdeck cp -r` both
//! ways fails, saying the probe's reason once; the commander opens a host
//! again after its first probe failed.

mod support;

use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;
use std::time::Duration;

use scpdeck::eventlog::LogSink;
use scpdeck::fs::Location;
use scpdeck::jobs::{JobSpec, Limits, Mode, Options, Scheduler, SshRemote, SystemBackend, TargetKind};
use scpdeck::ssh::{NoPrompter, Overrides, Pool, PoolLimits, Resolver};
use support::tmux::scpdeck_bin;
use support::{Sshd, deadline};

const LIMIT: Duration = Duration::from_secs(120);
const REASON: &str = "cannot probe the remote host: the remote shell did not start the command";

fn failing_host() -> Sshd {
    Sshd::builder().without_sftp().config("ForceCommand /bin/false").start()
}

/// Commands sshd started (each exec request is one).
fn commands(sshd: &Sshd) -> usize {
    sshd.log().lines().filter(|l| l.contains("Starting session: ")).count()
}

/// Connections sshd accepted a login on.
fn logins(sshd: &Sshd) -> usize {
    sshd.log().lines().filter(|l| l.contains("Accepted publickey")).count()
}

/// A tree of `dirs` nested directories, each with a file, and `dirs`
/// directories side by side, each with 40 files (batches of their own, so
/// that several sessions work at once).
fn tree(root: &Path, dirs: usize) {
    let mut dir = root.to_path_buf();
    for n in 0..dirs {
        dir = dir.join(format!("d{n}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("f"), format!("file {n}")).unwrap();
        let side = root.join(format!("side{n}"));
        std::fs::create_dir_all(&side).unwrap();
        for f in 0..40 {
            std::fs::write(side.join(format!("f{f}")), vec![b'x'; 20_000]).unwrap();
        }
    }
}

/// A host whose probe works once, on the first connection, and fails on
/// every later one (or, `first_fails`, fails on the first and works on
/// the later ones): a `uname` first on the PATH (only the probe runs it)
/// that kills the shell running the probe. It counts the probes it sees.
struct Flaky {
    sshd: Sshd,
    dir: tempfile::TempDir,
}

impl Flaky {
    fn start() -> Flaky {
        Flaky::with(false)
    }

    fn with(first_fails: bool) -> Flaky {
        let dir = tempfile::tempdir().unwrap();
        let (flag, probes) = (dir.path().join("flag"), dir.path().join("probes"));
        let (fail, mark) = ("kill -KILL $PPID; exit 1", format!(": > '{}'", flag.display()));
        let (then, otherwise) = match first_fails {
            true => (":".to_owned(), format!("{mark}; {fail}")),
            false => (fail.to_owned(), mark),
        };
        let uname = format!(
            "if [ \"$1\" = -s ]; then\n  echo probe >> '{probes}'\n  \
             if [ -e '{flag}' ]; then {then}; else {otherwise}; fi\nfi\nexec {real} \"$@\"\n",
            probes = probes.display(),
            flag = flag.display(),
            real = support::which("uname").display()
        );
        let sshd = Sshd::builder().without_sftp().program("uname", &uname).start();
        Flaky { sshd, dir }
    }

    fn probes(&self) -> usize {
        std::fs::read_to_string(self.dir.path().join("probes")).unwrap_or_default().lines().count()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failed_probe_fails_once_per_connection_not_once_per_directory() {
    let host = Flaky::start();
    let sshd = &host.sshd;
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    tree(&src, 8);
    let dest = tmp.path().join("dest");
    std::fs::create_dir(&dest).unwrap();
    let sessions = 3;
    let (sink, _log) = LogSink::new(None);
    let pool = Pool::new(Arc::new(NoPrompter), PoolLimits { per_host: sessions, global: sessions });
    let overrides = Overrides { config_file: Some(sshd.ssh_config()), ..Overrides::default() };
    let remote = SshRemote::new(pool, Resolver::system(), overrides);
    let limits = Limits { per_host: sessions, global: sessions };
    let scheduler = Scheduler::spawn(Arc::new(SystemBackend::new(Arc::new(remote))), limits, sink);
    let target = Location::Remote { host: sshd.alias().into(), path: dest.clone() };
    let spec = JobSpec {
        mode: Mode::Copy,
        sources: vec![Location::Local(src.clone())],
        target,
        target_kind: TargetKind::Dir,
        options: Options::default(),
    };
    let job = scheduler.submit(spec);
    let view = match tokio::time::timeout(LIMIT, scheduler.wait(job)).await {
        Ok(Some(view)) => view,
        other => panic!("the job did not end: {other:?}"),
    };
    // The first connection copied what it was given; the others failed
    // theirs with the probe's reason, the host's words included.
    for failed in &view.failed {
        assert!(
            failed.reason.contains("cannot probe the remote host")
                || failed.reason.starts_with("not copied: "),
            "{}: {}",
            failed.name,
            failed.reason
        );
    }
    let connections = logins(sshd);
    // Else the test proves nothing: later connections' probes failed.
    assert!((2..=sessions).contains(&connections), "{connections} connections with {sessions} sessions");
    assert!(!view.failed.is_empty() && view.progress.files_done > 0, "{view:#?}");
    assert_eq!(host.probes(), connections, "one probe per connection:\n{view:#?}\n{}", sshd.log());
    assert!(commands(sshd) >= connections);
}

fn cp(sshd: &Sshd, args: &[&str]) -> Output {
    let mut cmd = Command::new(scpdeck_bin());
    cmd.arg("cp").arg("-F").arg(sshd.ssh_config()).args(args);
    deadline::output_within(&mut cmd, LIMIT)
}

#[test]
fn scpdeck_cp_to_and_from_a_host_whose_probe_fails_says_why() {
    let sshd = failing_host();
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    tree(&src, 3);
    let remote = |path: &Path| format!("{}:{}", sshd.alias(), path.display());
    let up = cp(&sshd, &["-r", src.to_str().unwrap(), &format!("{}/", remote(&tmp.path().join("up")))]);
    let down = cp(&sshd, &["-r", &remote(&src), tmp.path().join("down").to_str().unwrap()]);
    for (way, out) in [("up", up), ("down", down)] {
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{way}: {err}");
        assert_eq!(err.matches(REASON).count(), 1, "{way}: said once: {err}");
    }
    assert!(!tmp.path().join("down").exists());
}

/// The commander keeps no connection whose probe failed: opening the host
/// again (from the host picker) connects afresh, and this time the probe
/// works (a host whose first probe fails).
#[test]
fn the_commander_opens_a_host_again_after_its_probe_failed() {
    let host = Flaky::with(true);
    let sshd = &host.sshd;
    let home = tempfile::tempdir().unwrap();
    let remote_dir = home.path().join("remote");
    std::fs::create_dir_all(&remote_dir).unwrap();
    std::fs::write(remote_dir.join("remote-marker.txt"), "x").unwrap();
    let command = format!(
        "SCPDECK_CONFIG_DIR='{0}/config' XDG_STATE_HOME='{0}/state' '{1}' -F '{2}' '{0}' '{3}:{4}'; sleep 60",
        home.path().display(),
        scpdeck_bin().display(),
        sshd.ssh_config().display(),
        sshd.alias(),
        remote_dir.display(),
    );
    let tmux = support::tmux::Tmux::start(&command, 110, 30);
    tmux.wait_for("cannot probe the remote host");
    assert!(!tmux.screen().contains("remote-marker.txt"));
    tmux.keys(&["F2"]);
    tmux.wait_for("this machine");
    tmux.keys(&["-l", sshd.alias()]);
    tmux.wait_for("root@127.0.0.1");
    tmux.keys(&["Enter"]);
    tmux.wait_for(&format!("connected to {}", sshd.alias()));
    tmux.wait_for(&format!("{}:/", sshd.alias()));
    assert_eq!(host.probes(), 2, "{}", tmux.screen());
    tmux.keys(&["q"]);
}
