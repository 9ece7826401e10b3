//! End to end: the real binary in tmux. The viewer (F3) searches a file
//! (`/`, Enter, `n`) and follows a file as it grows (`F`), on this machine
//! (stopping on a key and when the file shrinks) and on a harness sshd;
//! the log file written by two runs, one after the other, tells them
//! apart. Every wait is bounded (20 s).

mod support;

use std::io::Write;
use std::path::Path;

use support::tmux::{Tmux, scpdeck_bin};

/// scpdeck with its left pane on `dir` (holding one file, so End puts
/// the cursor on it whatever comes first).
fn start(dir: &Path) -> Tmux {
    let command = format!(
        "SCPDECK_CONFIG_DIR='{}/config' '{}' '{}' '{}'; sleep 60",
        dir.display(),
        scpdeck_bin().display(),
        dir.join("left").display(),
        dir.display(),
    );
    Tmux::start(&command, 100, 30)
}

#[test]
fn the_viewer_finds_a_word_and_the_next_match_with_n() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("left")).unwrap();
    let text: String = (1..=200)
        .map(
            |i| if i == 120 || i == 170 { format!("row {i} has the Needle\n") } else { format!("row {i}\n") },
        )
        .collect();
    std::fs::write(dir.path().join("left/service.log"), text).unwrap();
    let tmux = start(dir.path());
    tmux.wait_for("service.log");
    tmux.keys(&["End", "F3"]);
    tmux.wait_for("line 1/200");
    tmux.keys(&["/", "needle", "Enter"]);
    let screen = tmux.wait_for("line 120/200");
    let first_row = screen.lines().nth(1).unwrap_or_default();
    assert!(first_row.starts_with("row 120 has the Needle"), "{screen}");
    tmux.keys(&["n"]);
    let screen = tmux.wait_for("line 170/200");
    assert!(screen.lines().nth(1).unwrap_or_default().starts_with("row 170 has the Needle"), "{screen}");
    tmux.keys(&["n"]);
    let screen = tmux.wait_for("search wrapped to the top");
    assert!(screen.contains("line 120/200"), "{screen}");
}

#[test]
fn follow_mode_shows_what_is_appended_and_stops_on_a_key_or_when_the_file_shrinks() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("left")).unwrap();
    let path = dir.path().join("left/growing.log");
    std::fs::write(&path, "first line\n").unwrap();
    let tmux = start(dir.path());
    tmux.wait_for("growing.log");
    tmux.keys(&["End", "F3"]);
    tmux.wait_for("first line");
    tmux.keys(&["F"]);
    tmux.wait_for("following (any key stops)");
    let append = |line: &str| {
        let mut file = std::fs::OpenOptions::new().append(true).open(&path).unwrap();
        writeln!(file, "{line}").unwrap();
    };
    append("appended while following");
    tmux.wait_for("appended while following");
    append("and once more");
    let screen = tmux.wait_for("and once more");
    assert!(screen.contains("first line") && screen.contains("50 B · line 1/3"), "{screen}");
    tmux.keys(&["x"]);
    let screen = tmux.wait_for("follow stopped");
    assert!(!screen.contains("following (any key stops)"), "{screen}");
    append("after it stopped");
    std::thread::sleep(std::time::Duration::from_millis(2500));
    assert!(!tmux.screen().contains("after it stopped"), "{}", tmux.screen());
    tmux.keys(&["F"]);
    tmux.wait_for("after it stopped");
    std::fs::write(&path, "short\n").unwrap();
    tmux.wait_for("follow stopped: the file shrank");
}

#[test]
fn two_runs_write_the_log_file_with_their_own_run_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let run = |left: &str| {
        std::fs::create_dir(dir.path().join(left)).unwrap();
        format!(
            "XDG_STATE_HOME='{}/state' SCPDECK_CONFIG_DIR='{}/config' '{}' '{}' '{}'",
            dir.path().display(),
            dir.path().display(),
            scpdeck_bin().display(),
            dir.path().join(left).display(),
            dir.path().display(),
        )
    };
    let command = format!("{}; {}; echo second-ended; sleep 60", run("left-one"), run("left-two"));
    let tmux = Tmux::start(&command, 100, 30);
    tmux.wait_for("left-one ─");
    tmux.keys(&["F10"]);
    tmux.wait_for("left-two ─");
    tmux.keys(&["F10"]);
    tmux.wait_for("second-ended");
    let log = std::fs::read_to_string(dir.path().join("state/scpdeck/scpdeck.log")).unwrap();
    let starts: Vec<&str> = log.lines().filter(|l| l.contains(" started: scpdeck ")).collect();
    assert_eq!(starts.len(), 2, "{log}");
    assert!(starts[0].contains(" run=1 run 1 started"), "{log}");
    assert!(starts[1].contains(" run=2 run 2 started"), "{log}");
}

#[test]
fn follow_mode_reads_a_remote_file_from_where_it_was() {
    let sshd = support::Sshd::start();
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("remote")).unwrap();
    let path = dir.path().join("remote/app's log.txt");
    std::fs::write(&path, "remote first line\n").unwrap();
    let command = format!(
        "SCPDECK_CONFIG_DIR='{0}/config' '{1}' -F '{2}' '{0}' '{3}:{0}/remote'; sleep 60",
        dir.path().display(),
        scpdeck_bin().display(),
        sshd.ssh_config().display(),
        sshd.alias(),
    );
    let tmux = Tmux::start(&command, 100, 30);
    tmux.wait_for("app's log.txt");
    tmux.keys(&["Tab", "End", "F3"]);
    tmux.wait_for("remote first line");
    tmux.keys(&["F"]);
    // The title is cut at the terminal's width.
    tmux.wait_for("following (any key");
    let mut file = std::fs::OpenOptions::new().append(true).open(&path).unwrap();
    writeln!(file, "appended on the host").unwrap();
    let screen = tmux.wait_for("appended on the host");
    assert!(screen.contains(&format!("{}:", sshd.alias())) && screen.contains("line 1/2"), "{screen}");
}
