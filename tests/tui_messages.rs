//! End to end, the real binary in tmux against harness sshds: every
//! failure is readable (the status line, the message view, the log file
//! whole with its host) and reports the host's own reason (F3, F4, F7,
//! shift-F6, F8, a changed host key); quitting with a transfer running
//! asks; alt-j hides a focused panel.

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use support::tmux::{Tmux, scpdeck_bin, wait_for_file};

/// Waits until the log file has a line containing every one of `parts`;
/// returns that line.
fn log_line(log: &Path, parts: &[&str]) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        if let Some(line) = text.lines().find(|l| parts.iter().all(|p| l.contains(p))) {
            return line.to_owned();
        }
        assert!(Instant::now() < deadline, "no line with {parts:?} in {}:\n{text}", log.display());
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Waits until the screen no longer shows `text`.
fn wait_gone(tmux: &Tmux, text: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while tmux.screen().contains(text) {
        assert!(Instant::now() < deadline, "{text:?} is still shown:\n{}", tmux.screen());
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// A `Host changed` block for `sshd` whose known_hosts file records
/// another key for it.
fn changed_key_block(sshd: &support::Sshd, dir: &Path) -> String {
    let key = dir.join("other_host_key");
    let status = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(&key)
        .status()
        .expect("ssh-keygen");
    assert!(status.success());
    let public = std::fs::read_to_string(key.with_extension("pub")).unwrap();
    let public: Vec<&str> = public.split_whitespace().take(2).collect();
    let known = dir.join("known_hosts_changed");
    std::fs::write(&known, format!("[127.0.0.1]:{} {}\n", sshd.port, public.join(" "))).unwrap();
    mode(&known, 0o644);
    sshd.config_block("changed").replace(
        &format!("UserKnownHostsFile {}", sshd.path("known_hosts").display()),
        &format!("UserKnownHostsFile {}", known.display()),
    )
}

/// The commander in tmux (120x32) with its config and state under
/// `local`, `-F config`, the left pane on `left` and the right one on
/// `right`; it writes `exit=STATUS` to `local/exit` when it ends. Returns
/// the session and the log file's path.
fn commander(local: &Path, config: &Path, left: &str, right: &Path) -> (Tmux, PathBuf) {
    let state = local.join("state");
    let command = format!(
        "SCPDECK_CONFIG_DIR='{0}/config' XDG_STATE_HOME='{1}' EDITOR=true '{2}' -F '{3}' '{4}' '{5}'; \
         echo \"exit=$?\" > '{0}/exit'; sleep 60",
        local.display(),
        state.display(),
        scpdeck_bin().display(),
        config.display(),
        left,
        right.display()
    );
    (Tmux::start(&command, 120, 32), state.join("scpdeck/scpdeck.log"))
}

#[test]
fn refusals_and_a_changed_host_key_are_shown_and_logged_whole() {
    let (sshd, config, shared) = support::unprivileged_sshd();
    let root_only = shared.path().join("root-only");
    std::fs::create_dir(&root_only).unwrap();
    mode(&root_only, 0o755);
    std::fs::write(root_only.join("secret.txt"), "root's").unwrap();
    mode(&root_only.join("secret.txt"), 0o600);
    std::fs::write(root_only.join("victim.txt"), "stays").unwrap();
    mode(&root_only.join("victim.txt"), 0o644);
    let block = changed_key_block(&sshd, shared.path());
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str(&block);
    std::fs::write(&config, text).unwrap();
    let local = tempfile::tempdir().unwrap();
    let left = format!("other:{}", root_only.display());
    let (tmux, log) = commander(local.path(), &config, &left, local.path());
    support::deadline::bounded(
        Duration::from_secs(240),
        || tmux.kill(),
        || {
            tmux.wait_for("victim.txt");

            // F8: the host refuses; its words, whole, with the host, in the log.
            tmux.keys(&["End", "F8"]);
            tmux.wait_for("1 file, 0 directories");
            tmux.keys(&["y"]);
            let screen = tmux.wait_for("cannot delete");
            assert!(screen.contains("[alt-h]"), "the key that shows it whole: {screen}");
            let line = log_line(&log, &["cannot delete", "host=other"]);
            assert!(line.contains(" error "), "{line}");
            assert!(
                line.contains(&format!(
                    "rm: cannot remove '{}/victim.txt': Permission denied",
                    root_only.display()
                )),
                "the host's own words, whole: {line}"
            );
            assert!(root_only.join("victim.txt").exists());
            // alt-h shows it whole, wrapped, in the message view.
            tmux.keys(&["M-h"]);
            let screen = tmux.wait_for("Messages (");
            assert!(screen.contains("victim.txt': Permission denied"), "{screen}");
            tmux.keys(&["Escape"]);
            wait_gone(&tmux, "Messages (");

            // F3 on a file the account may not read: the reason, not a shell's words.
            tmux.keys(&["Home", "Down", "F3"]);
            let screen = tmux.wait_for("Permission denied");
            assert!(!screen.contains("sh: "), "{screen}");
            tmux.keys(&["q"]);
            // The viewer closes; the status line keeps the reason.
            wait_gone(&tmux, "h/F4: text/hex");
            log_line(&log, &["cannot read", "secret.txt", "Permission denied", "host=other"]);

            // F4 on it: the host's reason, as F5 gives it.
            tmux.keys(&["F4"]);
            tmux.wait_for("cannot fetch");
            let line = log_line(&log, &["cannot fetch", "secret.txt", "host=other"]);
            assert!(
                line.contains("secret.txt: Permission denied") && !line.contains("did not complete"),
                "{line}"
            );

            // F7 and shift-F6 in a directory the account may not write.
            tmux.keys(&["F7"]);
            tmux.wait_for("Create directory");
            tmux.keys(&["-l", "made-here"]);
            tmux.keys(&["Enter"]);
            tmux.wait_for("cannot create");
            log_line(&log, &["made-here", "Permission denied", "host=other"]);
            tmux.keys(&["End", "S-F6"]);
            tmux.wait_for("Rename / move");
            tmux.keys(&["C-u"]);
            tmux.keys(&["-l", "renamed.txt"]);
            tmux.keys(&["Enter"]);
            tmux.wait_for("cannot rename");
            log_line(&log, &["renamed.txt", "Permission denied", "host=other"]);

            // F6 (move to this machine): copied, but the host refuses to
            // delete the source; the job marks itself, its end names the
            // host's reason, and the copy counts as copied.
            tmux.keys(&["End", "F6"]);
            tmux.wait_for("Move 1 file");
            tmux.keys(&["Enter"]);
            tmux.wait_for("[1 failed: alt-j]");
            let line = log_line(&log, &["failed: move", "victim.txt"]);
            assert!(line.contains("(1 of 1 files copied, 0 skipped, 1 failed)"), "{line}");
            assert!(line.contains("Permission denied"), "the host's reason: {line}");
            assert_eq!(std::fs::read_to_string(local.path().join("victim.txt")).unwrap(), "stays");
            assert!(root_only.join("victim.txt").exists(), "the source stays");

            // A changed host key: refused, and the whole warning is in the log.
            tmux.keys(&["F2"]);
            tmux.wait_for("this machine");
            tmux.keys(&["-l", "changed"]);
            tmux.keys(&["Enter"]);
            let screen = tmux.wait_for("HOST KEY HAS CHANGED");
            assert!(screen.contains("[alt-h]"), "{screen}");
            let line = log_line(&log, &["HOST KEY HAS CHANGED", "host=changed"]);
            assert!(line.contains("Someone could be intercepting the connection"), "{line}");
            assert!(line.ends_with(" and connect again"), "whole: {line}");
            assert!(line.contains("remove the old one with `ssh-keygen -f "), "the fix: {line}");

            // No job: q quits at once.
            tmux.keys(&["q"]);
            assert_eq!(wait_for_file(&local.path().join("exit")).trim(), "exit=0");
        },
    );
}

#[test]
fn quitting_with_a_transfer_running_asks_and_alt_j_hides_a_focused_panel() {
    // The host's scp never sends anything: the copy stays running. Run
    // without arguments (the probe reads its usage line) it answers.
    let scp =
        "#!/bin/sh\n[ $# -eq 0 ] && { echo 'usage: scp [-346ABCOpqRrsTv]' >&2; exit 1; }\nexec sleep 600\n";
    let sshd = support::Sshd::builder().program("scp", scp).start();
    let remote = sshd.dir().join("slow");
    std::fs::create_dir(&remote).unwrap();
    std::fs::write(remote.join("big.bin"), vec![7u8; 100_000]).unwrap();
    let local = tempfile::tempdir().unwrap();
    let target = local.path().join("target");
    std::fs::create_dir(&target).unwrap();
    let left = format!("{}:{}", sshd.alias(), remote.display());
    let (tmux, log) = commander(local.path(), &sshd.ssh_config(), &left, &target);
    support::deadline::bounded(
        Duration::from_secs(180),
        || tmux.kill(),
        || {
            tmux.wait_for("big.bin");
            tmux.keys(&["End", "F5"]);
            tmux.wait_for("Copy 1 file");
            tmux.keys(&["Enter"]);
            tmux.wait_for("queued:");
            let screen = tmux.wait_for("[jobs 1:");
            assert!(!screen.contains("Jobs:"), "the panel does not open by itself: {screen}");

            // alt-j shows and focuses the panel; alt-j again hides it, focused as it is.
            tmux.keys(&["M-j"]);
            tmux.wait_for(" running ");
            tmux.wait_for("Jobs: 1 running");
            tmux.keys(&["M-j"]);
            wait_gone(&tmux, "Jobs: 1 running");

            // F10 asks; ctrl-c closes the question and never quits.
            tmux.keys(&["F10"]);
            tmux.wait_for("Quit scpdeck?");
            // The note about what pausing does is the dialog's last text:
            // once it is there, the whole dialog is.
            let screen = tmux.wait_for("come back");
            assert!(screen.contains("1 job is not finished: 1 running."), "{screen}");
            assert!(
                screen.contains("Pause them and quit") && screen.contains("Cancel them and quit"),
                "{screen}"
            );
            tmux.keys(&["C-c"]);
            wait_gone(&tmux, "Quit scpdeck?");
            tmux.keys(&["C-c"]);
            tmux.wait_for("Quit scpdeck?");
            assert!(!local.path().join("exit").exists(), "still running");

            // Cancel and quit.
            tmux.keys(&["c"]);
            assert_eq!(wait_for_file(&local.path().join("exit")).trim(), "exit=0");
            log_line(&log, &["quit: jobs cancelled (1 running)"]);
            let left: Vec<PathBuf> = std::fs::read_dir(&target).unwrap().map(|e| e.unwrap().path()).collect();
            assert!(left.is_empty(), "nothing half-written, no partial copy kept: {left:?}");
        },
    );
}

#[test]
fn a_remote_start_path_that_does_not_exist_shows_the_home_and_says_why() {
    let sshd = support::Sshd::start();
    let missing = sshd.dir().join("no-such-dir");
    let local = tempfile::tempdir().unwrap();
    let left = format!("{}:{}", sshd.alias(), missing.display());
    let (tmux, log) = commander(local.path(), &sshd.ssh_config(), &left, local.path());
    support::deadline::bounded(
        Duration::from_secs(120),
        || tmux.kill(),
        || {
            // The status line says why (cut to the width; the log has it whole).
            let screen = tmux.wait_for("cannot list");
            assert!(screen.contains("[alt-h]"), "{screen}");
            let line =
                log_line(&log, &["cannot list", "no-such-dir", "instead", &format!("host={}", sshd.alias())]);
            assert!(line.contains(" warn "), "{line}");
            // The left pane goes to the host's home, not this machine's directory.
            tmux.wait_for(&format!("┌ {}:/", sshd.alias()));
            let screen = tmux.screen();
            let top = screen.lines().next().unwrap_or_default();
            assert!(top.starts_with(&format!("┌ {}:/", sshd.alias())), "{screen}");
            assert!(!top.contains("no-such-dir"), "{screen}");
            tmux.keys(&["q"]);
            assert_eq!(wait_for_file(&local.path().join("exit")).trim(), "exit=0");
        },
    );
}
