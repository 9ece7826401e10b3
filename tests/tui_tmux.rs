//! End to end: the real binary in tmux. It draws two panes, browses, and
//! leaves the terminal as it found it however it exits.

mod support;

use support::tmux::{Tmux, scpdeck_bin, wait_for_file};

struct Run {
    tmux: Tmux,
    dir: tempfile::TempDir,
}

/// Starts scpdeck on two directories; after it exits the shell records its
/// exit code and the terminal's mode.
fn start() -> Run {
    start_with("")
}

/// `env` is put before the command (e.g. `EDITOR=...`); the config dir is
/// always a fresh one so the user's own configuration never leaks in.
fn start_with(env: &str) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let left = dir.path().join("left");
    let right = dir.path().join("right");
    std::fs::create_dir_all(left.join("inner-dir")).unwrap();
    std::fs::write(left.join("inner-dir/deep-file.txt"), "x").unwrap();
    std::fs::write(left.join("hello.txt"), "hello").unwrap();
    std::fs::create_dir_all(&right).unwrap();
    std::fs::write(right.join("right-side.bin"), vec![0u8; 2048]).unwrap();
    let out = dir.path().join("after");
    let command = format!(
        "SCPDECK_CONFIG_DIR='{}/config' {env} '{}' '{}' '{}'; echo \"exit=$?\" > '{}.code'; stty -a > '{}'; sleep 60",
        dir.path().display(),
        scpdeck_bin().display(),
        left.display(),
        right.display(),
        out.display(),
        out.display()
    );
    let tmux = Tmux::start(&command, 100, 30);
    Run { tmux, dir }
}

impl Run {
    /// The exit line and `stty -a` output once scpdeck has exited.
    fn after(&self) -> (String, String) {
        let stty = wait_for_file(&self.dir.path().join("after"));
        let code = std::fs::read_to_string(self.dir.path().join("after.code")).unwrap();
        (code.trim().to_owned(), stty)
    }
}

fn assert_cooked(stty: &str) {
    let flags: Vec<&str> = stty.split_whitespace().collect();
    assert!(flags.contains(&"icanon") && flags.contains(&"echo"), "terminal left in raw mode:\n{stty}");
}

#[test]
fn shows_two_panes_browses_and_quits_with_q() {
    let run = start();
    let screen = run.tmux.wait_for("right-side.bin");
    assert!(screen.contains("inner-dir/") && screen.contains("hello.txt"), "{screen}");
    assert!(screen.contains("2 KiB"), "{screen}");
    run.tmux.keys(&["Enter"]);
    let screen = run.tmux.wait_for("deep-file.txt");
    assert!(screen.contains("/left/inner-dir"), "{screen}");
    run.tmux.keys(&["BSpace"]);
    run.tmux.wait_for("hello.txt");
    run.tmux.keys(&["q"]);
    let (code, stty) = run.after();
    assert_eq!(code, "exit=0");
    assert_cooked(&stty);
}

#[test]
fn f10_quits_and_restores_the_terminal() {
    let run = start();
    run.tmux.wait_for("right-side.bin");
    run.tmux.keys(&["F10"]);
    let (code, stty) = run.after();
    assert_eq!(code, "exit=0");
    assert_cooked(&stty);
    // Back on the normal screen: the panes are gone.
    assert!(!run.tmux.screen().contains("right-side.bin"));
}

#[test]
fn sigterm_restores_the_terminal() {
    let run = start();
    run.tmux.wait_for("right-side.bin");
    let pid = scpdeck_pid(&run.dir.path().join("left").display().to_string());
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), nix::sys::signal::Signal::SIGTERM).unwrap();
    let (code, stty) = run.after();
    assert_eq!(code, "exit=0");
    assert_cooked(&stty);
}

#[test]
fn mkdir_and_live_refresh_of_changes_made_elsewhere() {
    let run = start();
    run.tmux.wait_for("right-side.bin");
    run.tmux.keys(&["F7"]);
    run.tmux.wait_for("Create directory");
    run.tmux.keys(&["-l", "made-here"]);
    run.tmux.keys(&["Enter"]);
    run.tmux.wait_for("made-here/");
    assert!(run.dir.path().join("left/made-here").is_dir());
    // Nobody presses a key: the watcher notices the new file.
    std::fs::write(run.dir.path().join("left/outside.txt"), "x").unwrap();
    run.tmux.wait_for("outside.txt");
    run.tmux.keys(&["F10"]);
    assert_eq!(run.after().0, "exit=0");
}

#[test]
fn f4_hands_the_terminal_to_the_editor_and_takes_it_back() {
    let dir = tempfile::tempdir().unwrap();
    let editor = dir.path().join("editor.sh");
    // The "editor" proves it owns the terminal (reads a line typed there), then edits.
    std::fs::write(
        &editor,
        "#!/bin/sh\nprintf 'EDITOR READY> '\nread line\nprintf '%s\\n' \"$line\" >> \"$1\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&editor, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let run = start_with(&format!("EDITOR='{}'", editor.display()));
    run.tmux.wait_for("hello.txt");
    run.tmux.keys(&["Down", "F4"]);
    run.tmux.wait_for("EDITOR READY>");
    run.tmux.keys(&["-l", "typed in the editor"]);
    run.tmux.keys(&["Enter"]);
    let screen = run.tmux.wait_for("right-side.bin");
    assert!(screen.contains("edited"), "{screen}");
    let text = std::fs::read_to_string(run.dir.path().join("left/hello.txt")).unwrap();
    assert_eq!(text, "hellotyped in the editor\n");
    run.tmux.keys(&["q"]);
    let (code, stty) = run.after();
    assert_eq!(code, "exit=0");
    assert_cooked(&stty);
}

#[test]
fn a_broken_config_file_is_reported_and_the_defaults_are_used() {
    let run = start_with("");
    run.tmux.wait_for("right-side.bin");
    run.tmux.keys(&["q"]);
    run.after();
    let config = run.dir.path().join("config");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(config.join("config.toml"), "theme = \"light\"\nmouse = maybe\n").unwrap();
    let command = format!(
        "SCPDECK_CONFIG_DIR='{}' '{}' '{}'",
        config.display(),
        scpdeck_bin().display(),
        run.dir.path().join("left").display()
    );
    let tmux = Tmux::start(&command, 120, 20);
    let screen = tmux.wait_for("config.toml:2:");
    assert!(screen.contains("using the defaults"), "{screen}");
    assert!(screen.contains("hello.txt"), "{screen}");
    tmux.keys(&["q"]);
}

#[test]
fn a_bad_directory_is_an_error_before_the_screen_changes() {
    let out = std::process::Command::new(scpdeck_bin()).arg("/no/such/dir").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot open /no/such/dir"));
}

#[test]
fn help_and_version() {
    let out = std::process::Command::new(scpdeck_bin()).arg("--version").output().unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), format!("scpdeck {}", env!("CARGO_PKG_VERSION")));
    let out = std::process::Command::new(scpdeck_bin()).arg("--help").output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("terminal file commander"));
}

/// The pid of the scpdeck process (not the shell around it) whose command
/// line mentions `needle`.
fn scpdeck_pid(needle: &str) -> i32 {
    let bin = scpdeck_bin().canonicalize().unwrap();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else { continue };
        let exe = std::fs::read_link(entry.path().join("exe")).ok();
        let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
        if exe.as_deref() == Some(bin.as_path()) && String::from_utf8_lossy(&cmdline).contains(needle) {
            return pid;
        }
    }
    panic!("no scpdeck process for {needle}");
}
