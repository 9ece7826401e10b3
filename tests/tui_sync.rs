//! End to end: the real binary in tmux, its left pane on a harness sshd and
//! its right pane local, compares the two directories (marks in both
//! panes), synchronizes left to right through the preview (the copies run
//! as jobs), and a second synchronize right after has nothing to do.

mod support;

use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use support::tmux::{Tmux, scpdeck_bin};

fn eventually(tmux: &Tmux, what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}; screen:\n{}", tmux.screen());
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn write_at(path: &Path, content: &str, secs: u64) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
    let time = SystemTime::UNIX_EPOCH + Duration::from_secs(secs);
    std::fs::File::options().write(true).open(path).unwrap().set_modified(time).unwrap();
}

#[test]
fn compare_then_synchronize_then_nothing_to_do() {
    let sshd = support::Sshd::start();
    let remote = sshd.dir().join("sync-left");
    write_at(&remote.join("img_10.jpg"), "ten", 1_600_000_000);
    write_at(&remote.join("img_2.jpg"), "two", 1_600_000_000);
    write_at(&remote.join("album/deep.txt"), "deep", 1_600_000_000);
    write_at(&remote.join("same.txt"), "same", 1_600_000_000);
    let local = tempfile::tempdir().unwrap();
    let right = local.path().join("right");
    write_at(&right.join("same.txt"), "same", 1_600_000_000);
    write_at(&right.join("img_2.jpg"), "old", 1_500_000_000);
    write_at(&right.join("extra.txt"), "extra", 1_500_000_000);
    let command = format!(
        "SCPDECK_CONFIG_DIR='{0}/config' XDG_STATE_HOME='{0}/state' '{1}' -F '{2}' '{3}:{4}' '{5}'; sleep 60",
        local.path().display(),
        scpdeck_bin().display(),
        sshd.ssh_config().display(),
        sshd.alias(),
        remote.display(),
        right.display(),
    );
    let tmux = Tmux::start(&command, 130, 32);
    support::deadline::bounded(
        Duration::from_secs(180),
        || tmux.kill(),
        || {
            tmux.wait_for("img_10.jpg");
            let screen = tmux.wait_for("extra.txt");
            // Natural order: img_2 before img_10.
            let (two, ten) = (screen.find("img_2.jpg").unwrap(), screen.find("img_10.jpg").unwrap());
            assert!(two < ten, "{screen}");

            tmux.keys(&["M-c"]);
            tmux.wait_for("Compare directories");
            tmux.keys(&["Enter"]);
            let screen = tmux.wait_for("compared: left:");
            for mark in ["only here", "newer here", "older here"] {
                assert!(screen.contains(mark), "{mark}: {screen}");
            }

            tmux.keys(&["M-y"]);
            tmux.wait_for("Show the plan");
            tmux.keys(&["Enter"]);
            let screen = tmux.wait_for("Synchronize: the plan");
            assert!(screen.contains("copy     → album/"), "{screen}");
            assert!(screen.contains("update   → img_2.jpg"), "{screen}");
            assert!(
                screen.contains("0 delete") && !screen.contains("delete   →"),
                "nothing deleted by default: {screen}"
            );
            tmux.keys(&["Enter"]);
            eventually(&tmux, "the copies arrived", || {
                std::fs::read_to_string(right.join("img_2.jpg")).is_ok_and(|s| s == "two")
                    && std::fs::read_to_string(right.join("album/deep.txt")).is_ok_and(|s| s == "deep")
                    && right.join("img_10.jpg").exists()
            });
            assert!(right.join("extra.txt").exists());

            tmux.keys(&["M-y"]);
            tmux.wait_for("Show the plan");
            tmux.keys(&["Enter"]);
            tmux.wait_for("Nothing to do: the directories are in sync.");
            tmux.keys(&["Escape"]);
        },
    );
}
