//! The note about a login banner is true: against harness sshds under every
//! login shell with a talkative profile, `scpdeck cp` says it once per host,
//! whole, naming the file that shell reads and BusyBox only on a BusyBox
//! host; what it claims about OpenSSH's scp holds (text on stdout breaks
//! it, text on stderr alone does not); and its fixes work in the real
//! shells (each reads the file named for a command, and the line to add
//! silences it).

mod support;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use scpdeck::fs::remote::{Capabilities, Guard, LoginShell, SSH_RC_FIX};
use support::deadline::output_within;
use support::tmux::scpdeck_bin;
use support::{Banner, Shell, Sshd};

const LIMIT: Duration = Duration::from_secs(60);

/// `scpdeck cp [ARGS] HOST:SOURCE TARGET`: its exit code and stderr.
fn cp_from(sshd: &Sshd, args: &[&str], source: &Path, target: &Path) -> (Option<i32>, String) {
    let mut cmd = Command::new(scpdeck_bin());
    cmd.arg("cp").arg("-F").arg(sshd.ssh_config()).args(args);
    cmd.arg(format!("{}:{}", sshd.alias(), source.display())).arg(target);
    let out = output_within(&mut cmd, LIMIT);
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// The login shell scpdeck should see for a harness shell.
fn login_shell(shell: &Shell) -> LoginShell {
    match shell {
        Shell::Bash => LoginShell::Bash,
        Shell::Zsh => LoginShell::Zsh,
        Shell::Fish => LoginShell::Fish,
        Shell::Tcsh => LoginShell::Tcsh,
        // /bin/sh is dash on the test machines (Debian).
        Shell::Sh | Shell::Dash => LoginShell::Sh { name: "dash".into(), busybox: false },
        Shell::BusyBox => LoginShell::Sh { name: "BusyBox sh".into(), busybox: true },
    }
}

#[test]
fn cp_notes_the_banner_once_naming_the_login_shells_file() {
    for shell in Shell::available() {
        let sshd = Sshd::builder().shell(shell.clone()).banner(Banner::talkative()).start();
        let tmp = tempfile::tempdir().unwrap();
        let source = tmp.path().join("remote");
        std::fs::create_dir(&source).unwrap();
        for i in 0..3 {
            std::fs::write(source.join(format!("f{i}")), b"data").unwrap();
        }
        let target = tmp.path().join("local");
        let (code, err) = cp_from(&sshd, &[], &source.join("f0"), &target);
        let notes: Vec<&str> = err.lines().filter(|l| l.contains("Welcome to the test host")).collect();
        assert_eq!(notes.len(), 1, "{shell:?}: {err}");
        let note = notes[0];
        assert!(note.contains("on stderr \"profile: could not set locale\""), "{shell:?}: {note}");
        assert!(note.contains("breaks OpenSSH's scp"), "{shell:?}: {note}");
        let expected = login_shell(&shell);
        assert!(note.contains(&format!("Login shell: {}", expected.name())), "{shell:?}: {note}");
        match expected.profile_fix() {
            Some(fix) => assert!(note.contains(&fix.advice()), "{shell:?}: {note}"),
            None => assert!(note.contains("reads no startup file for a command"), "{shell:?}: {note}"),
        }
        assert_eq!(note.contains("BusyBox"), shell == Shell::BusyBox, "{shell:?}: {note}");
        // No scp on BusyBox, and its banner breaks SFTP: the file comes
        // down the `cat` rung, the banner kept apart as with scp.
        assert_eq!(code, Some(0), "{shell:?}: {err}");
        assert_eq!(std::fs::read(&target).unwrap(), b"data", "{shell:?}");
        // A recursive copy: several listings and an scp run per directory,
        // one note still.
        std::fs::create_dir(source.join("sub")).unwrap();
        std::fs::write(source.join("sub/g"), b"more").unwrap();
        let (_, err) = cp_from(&sshd, &["-r"], &source, &tmp.path().join("again"));
        let count = err.lines().filter(|l| l.contains("Welcome to the test host")).count();
        assert_eq!(count, 1, "{shell:?}: {err}");
    }
}

/// The claims: text on stdout makes OpenSSH's scp fail; a motd on stderr
/// alone does not, and scpdeck calls it harmless (a notice, not printed as
/// a warning by `cp`).
#[test]
fn stdout_text_breaks_openssh_scp_and_stderr_text_is_harmless() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("file");
    std::fs::write(&file, b"content").unwrap();
    let remote = |sshd: &Sshd| format!("{}:{}", sshd.alias(), file.display());

    let noisy =
        Sshd::builder().banner(Banner { stdout: b"Welcome!\n".to_vec(), ..Banner::default() }).start();
    let out = output_within(noisy.scp().arg("-O").arg(remote(&noisy)).arg(tmp.path().join("o1")), LIMIT);
    assert!(!out.status.success(), "OpenSSH's scp -O worked through a stdout banner");
    let out = output_within(noisy.scp().arg(remote(&noisy)).arg(tmp.path().join("o2")), LIMIT);
    assert!(!out.status.success(), "OpenSSH's scp (SFTP) worked through a stdout banner");

    let motd = Sshd::builder()
        .banner(Banner { stderr: b"Message of the day\n".to_vec(), ..Banner::default() })
        .start();
    for legacy in [true, false] {
        let copy = tmp.path().join(format!("motd-{legacy}"));
        let mut scp = motd.scp();
        if legacy {
            scp.arg("-O");
        }
        let out = output_within(scp.arg(remote(&motd)).arg(&copy), LIMIT);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(std::fs::read(&copy).unwrap(), b"content");
    }
    let (code, err) = cp_from(&motd, &[], &file, &tmp.path().join("scpdeck"));
    assert_eq!(code, Some(0), "{err}");
    assert!(!err.contains("Message of the day"), "a harmless notice is not a warning: {err}");
    // The note itself, as the log gets it.
    let session = motd.session();
    let caps = Capabilities::probe(session.link()).unwrap();
    let note = scpdeck::fs::remote::BannerNote::of(&caps.banner, &caps).unwrap();
    assert!(!note.harmful());
    let text = note.text();
    assert!(text.contains("on stderr \"Message of the day\""), "{text}");
    assert!(text.contains("standard error only, which is harmless"), "{text}");
    assert!(!text.contains("breaks") && !text.contains("fails"), "{text}");
}

/// Runs `shell -c 'echo command'` the way sshd does (not a login shell,
/// not interactive, SSH_CLIENT set so that bash reads ~/.bashrc) in a home
/// of its own; what it printed.
fn run_as_sshd(shell: &Path, home: &Path, env: &[(&str, &str)]) -> String {
    let mut cmd = Command::new(shell);
    cmd.env_clear()
        .env("HOME", home)
        .env("PATH", "/usr/bin:/bin")
        .env("SSH_CLIENT", "127.0.0.1 50000 22")
        .env("SSH_CONNECTION", "127.0.0.1 50000 127.0.0.1 22")
        .envs(env.iter().copied())
        .args(["-c", "echo command"]);
    let out = output_within(&mut cmd, LIMIT);
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// Each fix the note gives, tried on the real shell: the file named is the
/// one the shell reads for a command, and the guard silences it.
#[test]
fn the_fixes_work_in_the_real_shells() {
    for shell in Shell::available() {
        let login = login_shell(&shell);
        let path = shell.path().unwrap();
        let home = tempfile::tempdir().unwrap();
        let printing = "echo from-the-profile";
        match login.profile_fix() {
            Some(fix) => {
                let file = home.path().join(fix.file.trim_start_matches("~/"));
                std::fs::create_dir_all(file.parent().unwrap()).unwrap();
                std::fs::write(&file, format!("{printing}\n")).unwrap();
                let before = run_as_sshd(&path, home.path(), &[]);
                assert_eq!(before, "from-the-profile\ncommand\n", "{shell:?} does not read {}", fix.file);
                let fixed = match fix.guard {
                    Guard::Before(line) => format!("{line}\n{printing}\n"),
                    Guard::Around(open, close) => format!("{open}\n{printing}\n{close}\n"),
                };
                std::fs::write(&file, fixed).unwrap();
                assert_eq!(run_as_sshd(&path, home.path(), &[]), "command\n", "{shell:?}: {}", fix.advice());
            }
            None => {
                // The sh family reads no file for a command, not even
                // ~/.profile (or $ENV): naming one would send the user
                // looking in the wrong place.
                std::fs::write(home.path().join(".profile"), format!("{printing}\n")).unwrap();
                std::fs::write(home.path().join(".shrc"), format!("{printing}\n")).unwrap();
                let env = home.path().join(".shrc");
                let out = if shell == Shell::BusyBox {
                    // BusyBox runs as `busybox sh -c`.
                    let mut cmd = Command::new(&path);
                    cmd.env_clear().env("HOME", home.path()).env("ENV", &env).args([
                        "sh",
                        "-c",
                        "echo command",
                    ]);
                    let out = output_within(&mut cmd, LIMIT);
                    format!(
                        "{}{}",
                        String::from_utf8_lossy(&out.stdout),
                        String::from_utf8_lossy(&out.stderr)
                    )
                } else {
                    run_as_sshd(&path, home.path(), &[("ENV", env.to_str().unwrap())])
                };
                assert_eq!(out, "command\n", "{shell:?} read a startup file");
            }
        }
    }
    // What sshd runs first, `sh ~/.ssh/rc`, with the line added: silent
    // for a command (no terminal), still printing for a terminal session.
    let home = tempfile::tempdir().unwrap();
    let rc = home.path().join("rc");
    std::fs::write(&rc, format!("{SSH_RC_FIX}\necho from-rc\n")).unwrap();
    let sh = |tty: Option<&str>| {
        let mut cmd = Command::new("/bin/sh");
        cmd.env_clear().arg(&rc);
        if let Some(tty) = tty {
            cmd.env("SSH_TTY", tty);
        }
        String::from_utf8_lossy(&output_within(&mut cmd, LIMIT).stdout).into_owned()
    };
    assert_eq!(sh(None), "");
    assert_eq!(sh(Some("/dev/pts/3")), "from-rc\n");
}

/// Waits until the screen no longer shows `text`.
fn gone(tmux: &support::tmux::Tmux, text: &str) {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while tmux.screen().contains(text) {
        assert!(std::time::Instant::now() < deadline, "{text:?} stays:\n{}", tmux.screen());
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The commander with a quiet host ("one") in the left pane and a talkative
/// one ("two") in the right: the copy dialog offers no direct copy to two
/// (its banner would break the far scp) but does from two to one; a copy to
/// two then goes through scpdeck, and the log file has the note about two's
/// banner once (when its pane opened, not again for the transfer's scp
/// runs), whole on one line, and none about one.
#[test]
fn the_commander_notes_a_talkative_host_once_and_offers_no_direct_copy_to_it() {
    use support::tmux::Tmux;
    let one = Sshd::start();
    let two = Sshd::builder().banner(Banner::talkative()).start();
    let work = tempfile::tempdir().unwrap();
    let config = work.path().join("ssh_config");
    std::fs::write(&config, format!("{}{}", one.config_block("one"), two.config_block("two"))).unwrap();
    let (left, right, state) =
        (work.path().join("left"), work.path().join("right"), work.path().join("state"));
    std::fs::create_dir_all(&left).unwrap();
    std::fs::create_dir_all(&right).unwrap();
    std::fs::write(left.join("from-one.txt"), "one").unwrap();
    std::fs::write(right.join("on-two.txt"), "two").unwrap();
    let command = format!(
        "SCPDECK_CONFIG_DIR='{0}/config' XDG_STATE_HOME='{1}' '{2}' -F '{3}' 'one:{4}' '{0}'; sleep 60",
        work.path().display(),
        state.display(),
        scpdeck_bin().display(),
        config.display(),
        left.display(),
    );
    let tmux = Tmux::start(&command, 120, 32);
    support::deadline::bounded(
        Duration::from_secs(120),
        || tmux.kill(),
        || {
            tmux.wait_for("from-one.txt");
            // (One host opens at a time: the right pane opens two after.)
            tmux.keys(&["Tab", "F2"]);
            tmux.wait_for("Open in the right pane");
            tmux.keys(&["-l", &format!("two:{}", right.display())]);
            tmux.keys(&["Enter"]);
            tmux.wait_for("on-two.txt");
            tmux.keys(&["Tab"]);
            // Left pane, one → two: no Direct.
            tmux.keys(&["Down", "F5"]);
            let screen = tmux.wait_for("Verify by checksum");
            assert!(!screen.contains("Direct"), "{screen}");
            tmux.keys(&["Escape"]);
            gone(&tmux, "Verify by checksum");
            // Right pane, two → one (one is quiet): Direct is offered.
            tmux.keys(&["Tab", "Down", "F5"]);
            let screen = tmux.wait_for("Verify by checksum");
            assert!(screen.contains("Direct: scp runs on two towards one"), "{screen}");
            // (Esc alone: Esc and Tab together would read as alt-Tab.)
            tmux.keys(&["Escape"]);
            gone(&tmux, "Verify by checksum");
            tmux.keys(&["Tab", "F5"]);
            tmux.wait_for("Verify by checksum");
            tmux.keys(&["Enter"]);
            let copied = right.join("from-one.txt");
            let deadline = std::time::Instant::now() + Duration::from_secs(30);
            while std::fs::read(&copied).ok().as_deref() != Some(&b"one"[..]) {
                assert!(std::time::Instant::now() < deadline, "not copied:\n{}", tmux.screen());
                std::thread::sleep(Duration::from_millis(50));
            }
        },
    );
    tmux.kill();
    let log = std::fs::read_to_string(state.join("scpdeck/scpdeck.log")).unwrap();
    let notes: Vec<&str> = log.lines().filter(|l| l.contains("Welcome to the test host")).collect();
    assert_eq!(notes.len(), 1, "{log}");
    let note = notes[0];
    assert!(note.contains(" warn  host=two"), "{note}");
    for part in [
        "on stdout \"Welcome to the test host!\" / \"\" / \"Last login: yesterday\"",
        "on stderr \"profile: could not set locale\"",
        "breaks OpenSSH's scp",
        "Login shell: dash. dash reads no startup file for a command",
    ] {
        assert!(note.contains(part), "{part}: {note}");
    }
    assert!(!log.lines().any(|l| l.contains("host=one") && l.contains("the login shell printed")), "{log}");
}
