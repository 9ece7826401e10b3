//! End to end: the binary in tmux with a config.toml holding one unknown
//! key and a keymap.toml that takes a key from another action. It starts,
//! applies the valid settings (dot files shown), and says what it skipped
//! and which action lost its key, naming the files and lines.

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
