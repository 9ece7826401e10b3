//! End to end: the binary in tmux with a config.toml holding one unknown
//! key and a keymap.toml that takes a key from another action. It starts,
//! applies the valid settings (dot files shown), and says what it skipped
//! and which action lost its key, naming the files and lines. And a
//! keymap.toml that rebinds dialog keys: the delete question's.

mod support;

use support::tmux::{Tmux, scpdeck_bin};

#[test]
fn an_unknown_setting_is_named_and_the_other_settings_apply() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    std::fs::create_dir_all(dir.path().join("left")).unwrap();
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(dir.path().join("left/.dotfile"), "x").unwrap();
    std::fs::write(config.join("config.toml"), "show_hidden = true\n\nshow_hiden = false\n").unwrap();
    std::fs::write(config.join("keymap.toml"), "[bindings]\njobs_cancel = [\"x\"]\n").unwrap();
    let command = format!(
        "SCPDECK_CONFIG_DIR='{}' '{}' '{}' '{}'; sleep 60",
        config.display(),
        scpdeck_bin().display(),
        dir.path().join("left").display(),
        dir.path().display(),
    );
    let tmux = Tmux::start(&command, 160, 30);
    // show_hidden = true applied: the dot file is listed.
    tmux.wait_for(".dotfile");
    let screen = tmux.wait_for("unknown setting \"show_hiden\"");
    assert!(screen.contains("config.toml:3:1:"), "{screen}");
    tmux.keys(&["M-h"]);
    let screen = tmux.wait_for("jobs_clear_finished has no key now");
    assert!(
        screen.contains("keymap.toml:2:16: x was the key of jobs_clear_finished, now of jobs_cancel"),
        "{screen}"
    );
}

/// A dialog's keys from keymap.toml: the delete question answers `j` and no
/// longer `y`, its hint line says so, and a picker key taken from another
/// picker action is named.
#[test]
fn a_rebound_dialog_key_works_and_a_taken_one_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    let left = dir.path().join("left");
    std::fs::create_dir_all(&left).unwrap();
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(left.join("victim.txt"), "x").unwrap();
    let keymap = "[bindings]\nconfirm_yes = [\"j\"]\nconfirm_default = []\npicker_edit = [\"delete\"]\n";
    std::fs::write(config.join("keymap.toml"), keymap).unwrap();
    let command = format!(
        "SCPDECK_CONFIG_DIR='{}' '{}' '{}' '{}'; sleep 60",
        config.display(),
        scpdeck_bin().display(),
        left.display(),
        dir.path().display(),
    );
    let tmux = Tmux::start(&command, 160, 30);
    tmux.wait_for("victim.txt");
    tmux.keys(&["M-h"]);
    let screen = tmux.wait_for("picker_remove has only f8 now");
    assert!(
        screen.contains("keymap.toml:4:16: delete was the key of picker_remove, now of picker_edit"),
        "{screen}"
    );
    // q closes the message view (Esc right before F8 would read as alt-F8).
    tmux.keys(&["q", "End", "F8"]);
    tmux.wait_for("j: delete    Esc/n: cancel");
    tmux.keys(&["y", "Enter"]);
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(left.join("victim.txt").exists(), "y and Enter no longer delete");
    tmux.keys(&["j"]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while left.join("victim.txt").exists() {
        assert!(std::time::Instant::now() < deadline, "j did not delete: {}", tmux.screen());
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}
