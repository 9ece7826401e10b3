//! Idle is idle, as the README promises: the real binary in tmux, with a
//! big directory in both panes, uses no CPU and sets no timer once nothing
//! happens: after the directory was changed and read from outside, and
//! after a copy job has finished. Measured from /proc, because this
//! regresses silently.

mod support;

use std::path::Path;
use std::time::Duration;

use support::deadline::bounded;
use support::tmux::{Tmux, Usage, scpdeck_bin, scpdeck_pid, usage_over};

const ENTRIES: usize = 20_000;
/// Time for the last refresh (a debounce and a listing) to end, at least;
/// on a loaded machine, until a second passes quietly (`settle`).
const SETTLE: Duration = Duration::from_secs(2);
const WINDOW: Duration = Duration::from_secs(5);
/// At most 1% of one core.
const MAX_PERCENT: f64 = 1.0;
/// A timer ticking every 200 ms would wake the process 25 times in the
/// window; an idle one sleeps through (a few wake-ups of slack).
const MAX_WAKEUPS: u64 = 10;
const LIMIT: Duration = Duration::from_secs(120);

/// `ENTRIES` empty files (the first, `f00000`, holds `first` bytes).
fn big_dir(dir: &Path, first: usize) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("f00000"), vec![b'x'; first]).unwrap();
    for i in 1..ENTRIES {
        std::fs::File::create(dir.join(format!("f{i:05}"))).unwrap();
    }
}

/// scpdeck on `left` and `right`, with its own configuration and state.
fn start(home: &Path, left: &Path, right: &Path) -> Tmux {
    let command = format!(
        "SCPDECK_CONFIG_DIR='{0}/config' XDG_STATE_HOME='{0}/state' '{1}' '{2}' '{3}'; sleep 60",
        home.display(),
        scpdeck_bin().display(),
        left.display(),
        right.display()
    );
    Tmux::start(&command, 120, 30)
}

/// Waits `SETTLE`, then until one second passes idle (for at most 20 s):
/// a loaded machine may take longer over the last refresh. Something that
/// never settles fails the measurement after it.
fn settle(pid: i32) {
    std::thread::sleep(SETTLE);
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while usage_over(pid, Duration::from_secs(1)).percent_of_a_core() > MAX_PERCENT
        && std::time::Instant::now() < deadline
    {}
}

fn assert_idle(usage: Usage, after: &str) {
    let percent = usage.percent_of_a_core();
    eprintln!("{after}: {percent:.2}% of a core, {} wake-ups in {:?}", usage.wakeups, usage.window);
    assert!(
        percent <= MAX_PERCENT,
        "{after}: used {percent:.2}% of a core ({:?} of CPU in {:?}), more than {MAX_PERCENT}%",
        usage.cpu,
        usage.window
    );
    assert!(
        usage.wakeups <= MAX_WAKEUPS,
        "{after}: woke up {} times in {:?}: something polls or ticks ({usage:?})",
        usage.wakeups,
        usage.window
    );
}

fn run(program: &str, args: &[&Path]) {
    let status = std::process::Command::new(program)
        .args(args)
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(status.success(), "{program} {args:?}: {status}");
}

#[test]
fn both_panes_on_a_big_directory_changed_and_read_from_outside() {
    let home = tempfile::tempdir().unwrap();
    let big = home.path().join("big");
    big_dir(&big, 0);
    let tmux = start(home.path(), &big, &big);
    bounded(
        LIMIT,
        || tmux.kill(),
        || {
            tmux.wait_for_times(&format!("{ENTRIES} entries"), 2);
            let pid = scpdeck_pid(&big.display().to_string());
            // Changed from outside: a file touched, one created; both panes
            // show the new one. Then read from outside, which changes nothing.
            run("touch", &[&big.join("f00001"), &big.join("touched-from-outside")]);
            tmux.wait_for_times(&format!("{} entries", ENTRIES + 1), 2);
            run("ls", &[Path::new("-la"), &big]);
            settle(pid);
            assert_idle(usage_over(pid, WINDOW), "after the directory was touched and read");
            // Still alive and showing it (a dead process would use no CPU either).
            tmux.wait_for_times(&format!("{} entries", ENTRIES + 1), 2);
            tmux.keys(&["q"]);
        },
    );
}

#[test]
fn after_a_local_copy_has_finished() {
    let home = tempfile::tempdir().unwrap();
    let (big, target) = (home.path().join("big"), home.path().join("target"));
    big_dir(&big, 1 << 20);
    std::fs::create_dir_all(&target).unwrap();
    let tmux = start(home.path(), &big, &target);
    bounded(
        LIMIT,
        || tmux.kill(),
        || {
            tmux.wait_for_times(&format!("{ENTRIES} entries"), 1);
            let pid = scpdeck_pid(&big.display().to_string());
            // Off `..` onto f00000: F5 copies it into the other pane's directory.
            tmux.keys(&["Down", "F5"]);
            tmux.wait_for("Copy");
            tmux.keys(&["Enter"]);
            // The jobs panel opens on alt-j (jobs_panel = "manual").
            tmux.keys(&["M-j"]);
            tmux.wait_for(" done ");
            tmux.wait_for("1 entry ·");
            assert_eq!(std::fs::read(target.join("f00000")).unwrap().len(), 1 << 20);
            settle(pid);
            // The jobs panel stays open: the scheduler must have stopped ticking.
            assert_idle(usage_over(pid, WINDOW), "after the copy finished");
            tmux.wait_for(" done ");
            tmux.keys(&["F10"]);
        },
    );
}

#[test]
fn with_a_remote_pane_connected() {
    let sshd = support::Sshd::start();
    let home = tempfile::tempdir().unwrap();
    let remote = home.path().join("remote");
    std::fs::create_dir_all(&remote).unwrap();
    std::fs::write(remote.join("on-the-host.txt"), b"x").unwrap();
    let command = format!(
        "SCPDECK_CONFIG_DIR='{0}/config' XDG_STATE_HOME='{0}/state' '{1}' -F '{2}' '{0}' '{3}:{4}'; sleep 60",
        home.path().display(),
        scpdeck_bin().display(),
        sshd.ssh_config().display(),
        sshd.alias(),
        remote.display()
    );
    let tmux = Tmux::start(&command, 120, 30);
    bounded(
        LIMIT,
        || tmux.kill(),
        || {
            tmux.wait_for("on-the-host.txt");
            let pid = scpdeck_pid(&sshd.ssh_config().display().to_string());
            settle(pid);
            // The connection thread sleeps until something happens: no
            // keepalive timer without ServerAliveInterval, no polling (a
            // once-a-second look at the socket would be 5 wake-ups).
            let usage = usage_over(pid, WINDOW);
            assert_idle(usage, "with a remote pane connected");
            assert!(usage.wakeups <= 2, "the connection thread woke {} times in {WINDOW:?}", usage.wakeups);
            tmux.wait_for("on-the-host.txt");
            tmux.keys(&["q"]);
        },
    );
}
