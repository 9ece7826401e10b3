//! End to end: the real binary in tmux. The viewer (F3) searches a file
//! (`/`, Enter, `n`) and follows a local file as it grows (`F`), stopping
//! on a key and when the file shrinks. Every wait is bounded (20 s).

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
