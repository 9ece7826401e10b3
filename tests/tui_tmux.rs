//! End to end: the real binary in tmux. It draws two panes, browses, and
//! leaves the terminal as it found it however it exits.

mod support;

use support::tmux::{Tmux, scpdeck_bin, scpdeck_pid, wait_for_file};

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
    // Off `..` onto inner-dir/.
    run.tmux.keys(&["Down", "Enter"]);
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
    run.tmux.keys(&["Down", "Down", "F4"]);
    run.tmux.wait_for("EDITOR READY>");
    run.tmux.keys(&["-l", "typed in the editor"]);
    run.tmux.keys(&["Enter"]);
    // The status line says so once the editor is done and the screen is back.
    let screen = run.tmux.wait_for("edited");
    assert!(screen.contains("right-side.bin"), "{screen}");
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
    assert!(screen.contains("[alt-h]"), "cut to the width, with the key that shows it whole: {screen}");
    // The defaults are used: the pane lists its directory (the listing may
    // arrive after the first frame).
    tmux.wait_for("hello.txt");
    tmux.keys(&["M-h"]);
    let screen = tmux.wait_for("Messages (");
    assert!(screen.contains("using the defaults"), "{screen}");
    tmux.keys(&["Escape", "q"]);
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

/// A tree in the sshd's directory to browse remotely.
fn remote_tree(sshd: &support::Sshd) -> std::path::PathBuf {
    let root = sshd.dir().join("remote-tree");
    std::fs::create_dir_all(root.join("remote-sub")).unwrap();
    std::fs::write(root.join("remote-sub/inner.txt"), "inner").unwrap();
    std::fs::write(root.join("remote-file.txt"), vec![b'r'; 3000]).unwrap();
    std::fs::write(root.join("evil\x1b[31mred"), "x").unwrap();
    root
}

#[test]
fn browses_a_remote_directory_over_ssh_and_changes_it() {
    let sshd = support::Sshd::start();
    let root = remote_tree(&sshd);
    let local = tempfile::tempdir().unwrap();
    let editor = local.path().join("editor.sh");
    std::fs::write(&editor, "#!/bin/sh\nprintf 'edited-remotely\\n' >> \"$1\"\n").unwrap();
    std::fs::set_permissions(&editor, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let command = format!(
        "SCPDECK_CONFIG_DIR='{}/config' EDITOR='{}' '{}' -F '{}' '{}' '{}:{}'; sleep 60",
        local.path().display(),
        editor.display(),
        scpdeck_bin().display(),
        sshd.ssh_config().display(),
        local.path().display(),
        sshd.alias(),
        root.display()
    );
    let tmux = Tmux::start(&command, 120, 30);
    let screen = tmux.wait_for("remote-file.txt");
    assert!(screen.contains(&format!("{}:{}", sshd.alias(), root.display())), "{screen}");
    // Free space comes from `df` on the remote host.
    let screen = tmux.wait_for("3 entries · ");
    assert!(screen.lines().any(|l| l.matches("free").count() == 2), "{screen}");
    assert!(screen.contains("remote-sub/") && screen.contains("2.9 KiB"), "{screen}");
    assert!(screen.contains("evil\\e[31mred"), "control characters are escaped: {screen}");
    // Into a remote directory and back.
    tmux.keys(&["Tab", "Down", "Enter"]);
    let screen = tmux.wait_for("inner.txt");
    assert!(!screen.contains("remote-file.txt"), "{screen}");
    tmux.keys(&["BSpace"]);
    tmux.wait_for("remote-file.txt");
    // mkdir and delete on the remote host; the pane refreshes after each.
    tmux.keys(&["F7"]);
    tmux.wait_for("Create directory");
    tmux.keys(&["-l", "made-remotely"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("made-remotely/");
    assert!(root.join("made-remotely").is_dir());
    tmux.keys(&["F8"]);
    let screen = tmux.wait_for("0 files, 1 directory");
    assert!(screen.contains("made-remotely"), "{screen}");
    tmux.keys(&["y"]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while root.join("made-remotely").exists() || tmux.screen().contains("made-remotely/") {
        assert!(std::time::Instant::now() < deadline, "not deleted: {}", tmux.screen());
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    // The viewer reads the remote file.
    tmux.keys(&["End", "F3"]);
    let screen = tmux.wait_for("rrrrrrrrrr");
    assert!(screen.contains("text · 2.9 KiB"), "{screen}");
    tmux.keys(&["q"]);
    // F4: fetched, edited locally, uploaded back because it changed.
    tmux.keys(&["F4"]);
    let screen = tmux.wait_for("saved ");
    assert!(screen.contains("remote-file.txt"), "{screen}");
    let text = std::fs::read_to_string(root.join("remote-file.txt")).unwrap();
    assert!(text.ends_with("rrr\nedited-remotely\n") || text.ends_with("rrredited-remotely\n"), "{text:?}");
    tmux.keys(&["q"]);
}

#[test]
fn the_host_picker_lists_ssh_config_hosts_and_connects() {
    let sshd = support::Sshd::start();
    let local = tempfile::tempdir().unwrap();
    let command = format!(
        "SCPDECK_CONFIG_DIR='{0}/config' XDG_STATE_HOME='{0}/state' '{1}' -F '{2}' '{0}' '{0}'; sleep 60",
        local.path().display(),
        scpdeck_bin().display(),
        sshd.ssh_config().display(),
    );
    let tmux = Tmux::start(&command, 120, 30);
    tmux.wait_for("Hosts");
    tmux.keys(&["F2"]);
    // Each host says where it is written: the -F file's line.
    let screen = tmux.wait_for("ssh_config:1");
    assert!(screen.contains(sshd.alias()), "{screen}");
    tmux.keys(&["-l", "test"]);
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for(&format!("{}:/", sshd.alias()));
    assert!(screen.contains("connected to"), "{screen}");
    // The log says what the host is and how scpdeck talks to it.
    let log_file = local.path().join("state/scpdeck/scpdeck.log");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let log = loop {
        let log = std::fs::read_to_string(&log_file).unwrap_or_default();
        if log.contains("remote: listing with") || std::time::Instant::now() > deadline {
            break log;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert!(
        log.contains("remote: listing with GNU find -printf") && log.contains("sftp subsystem yes"),
        "{log}"
    );
    // The connection is remembered as a recent host.
    let recent = std::fs::read_to_string(local.path().join("config/recent.toml")).unwrap();
    assert!(recent.contains(sshd.alias()), "{recent}");
    tmux.keys(&["q"]);
}

#[test]
fn host_key_and_password_questions_are_dialogs() {
    let sshd = support::Sshd::builder().password_auth().start();
    let user = support::password_user();
    let dir = tempfile::tempdir().unwrap();
    let known_hosts = dir.path().join("known_hosts");
    let config = dir.path().join("ssh_config");
    std::fs::write(
        &config,
        format!(
            "Host pw-host\n  HostName 127.0.0.1\n  Port {}\n  User {}\n  PreferredAuthentications password\n  \
             PubkeyAuthentication no\n  IdentityAgent none\n  UserKnownHostsFile {}\n  GlobalKnownHostsFile /dev/null\n  \
             StrictHostKeyChecking ask\n",
            sshd.port,
            user.name,
            known_hosts.display()
        ),
    )
    .unwrap();
    let command = format!(
        "SCPDECK_CONFIG_DIR='{}/config' '{}' -F '{}' '{}' pw-host:/; sleep 60",
        dir.path().display(),
        scpdeck_bin().display(),
        config.display(),
        dir.path().display(),
    );
    let tmux = Tmux::start(&command, 120, 30);
    let screen = tmux.wait_for("Unknown host key");
    assert!(screen.contains("SHA256:") && screen.contains("ssh-ed25519"), "{screen}");
    tmux.keys(&["y"]);
    tmux.wait_for("Password for");
    tmux.keys(&["-l", "wrong-password"]);
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("(try 2)");
    assert!(!screen.contains("wrong-password"), "secrets are never shown: {screen}");
    tmux.keys(&["-l", &user.password]);
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("pw-host:/");
    assert!(screen.contains("connected to pw-host"), "{screen}");
    let recorded = std::fs::read_to_string(&known_hosts).unwrap();
    assert!(recorded.contains("ssh-ed25519"), "{recorded}");
    tmux.keys(&["q"]);
}

#[test]
fn finds_on_the_remote_pane_jumps_to_a_result_and_copies_results_from_two_directories() {
    let sshd = support::Sshd::start();
    let root = remote_tree(&sshd);
    let local = tempfile::tempdir().unwrap();
    let command = format!(
        "SCPDECK_CONFIG_DIR='{}/config' '{}' -F '{}' '{}' '{}:{}'; sleep 60",
        local.path().display(),
        scpdeck_bin().display(),
        sshd.ssh_config().display(),
        local.path().display(),
        sshd.alias(),
        root.display()
    );
    let tmux = Tmux::start(&command, 120, 30);
    tmux.wait_for("remote-file.txt");
    // Search the remote pane by a part of the name, any case.
    tmux.keys(&["Tab", "M-?"]);
    tmux.wait_for("Search under");
    tmux.keys(&["-l", "INNER"]);
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("1 found — done with find -printf");
    assert!(screen.contains("remote-sub/inner.txt") && screen.contains("Find under"), "{screen}");
    // Enter: the pane goes to the result's directory, the cursor on it.
    tmux.keys(&["Enter"]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let screen = tmux.screen();
        if !screen.contains("Find under")
            && !screen.contains("remote-file.txt")
            && screen.contains("inner.txt")
        {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "no jump: {screen}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    // Both .txt files (two directories), selected and copied to the local pane.
    tmux.keys(&["BSpace"]);
    tmux.wait_for("remote-file.txt");
    tmux.keys(&["M-?"]);
    tmux.wait_for("Search under");
    tmux.keys(&["-l", "*.txt"]);
    tmux.keys(&["Tab", "Space", "Enter"]);
    tmux.wait_for("2 found — done");
    tmux.keys(&["*", "F5"]);
    tmux.wait_for("Copy 2 files");
    tmux.keys(&["Enter"]);
    support::tmux::wait_for_file(&local.path().join("inner.txt"));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !local.path().join("remote-file.txt").exists() {
        assert!(std::time::Instant::now() < deadline, "not copied: {}", tmux.screen());
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(std::fs::read(local.path().join("remote-file.txt")).unwrap(), vec![b'r'; 3000]);
    tmux.keys(&["Escape", "q"]);
}
