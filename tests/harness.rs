//! The test harness works: a real sshd, each auth method it offers, login
//! shells, talkative profiles and a jump host.

mod support;

use std::io::Read;

use support::{Banner, Shell, Sshd, password_user};

fn run(session: &ssh2::Session, command: &str) -> (String, String, i32) {
    let mut channel = session.channel_session().unwrap();
    channel.exec(command).unwrap();
    let mut out = String::new();
    channel.read_to_string(&mut out).unwrap();
    let mut err = String::new();
    channel.stderr().read_to_string(&mut err).unwrap();
    channel.wait_close().unwrap();
    (out, err, channel.exit_status().unwrap())
}

#[test]
fn key_authentication_and_a_command() {
    let sshd = Sshd::start();
    let session = sshd.session();
    let (out, _, status) = run(&session, "echo hello; id -un");
    assert_eq!(status, 0);
    assert_eq!(out, format!("hello\n{}\n", sshd.user));
    assert_eq!(sshd.accepted_logins(), 1);
}

#[test]
fn openssh_client_uses_the_generated_config() {
    let sshd = Sshd::start();
    let out = sshd.ssh().arg("echo ok").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.stdout, b"ok\n");
}

#[test]
fn talkative_profile_prints_before_every_command() {
    let sshd = Sshd::builder().banner(Banner::talkative()).start();
    let (out, err, status) = run(&sshd.session(), "echo payload");
    assert_eq!(status, 0);
    assert_eq!(out, "Welcome to the test host!\n\nLast login: yesterday\npayload\n");
    assert_eq!(err, "profile: could not set locale\n");
}

#[test]
fn each_installed_login_shell_runs_commands() {
    for shell in Shell::available() {
        let sshd = Sshd::builder().shell(shell.clone()).start();
        let (out, err, status) = run(&sshd.session(), "echo hi");
        assert_eq!((out.as_str(), status), ("hi\n", 0), "{shell:?}: {err}");
    }
}

#[test]
fn busybox_shell_has_only_busybox_on_its_path() {
    let sshd = Sshd::builder().shell(Shell::BusyBox).start();
    let (out, _, _) =
        run(&sshd.session(), "echo \"$PATH\"; find --help 2>&1 | head -n 1; command -v scp || echo no-scp");
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some(sshd.path("busybox-bin").to_str().unwrap()), "{out}");
    assert!(lines.next().is_some_and(|l| l.contains("BusyBox")), "{out}");
    assert_eq!(lines.next(), Some("no-scp"), "{out}");
    assert!(sshd.path("busybox-bin/busybox").exists(), "busybox itself is an applet on the PATH");
    let (shell, _, _) = run(&sshd.session(), "echo \"$SHELL\"");
    assert_eq!(shell.trim_end(), sshd.path("busybox-bin/sh").to_str().unwrap(), "$SHELL is BusyBox's sh");

    // (BusyBox-static's own `sh` finds applets without any file, so the
    // directory is what is checked.)
    let applets_only = Sshd::builder().shell(Shell::BusyBox).without_busybox_binary().start();
    let (out, _, status) = run(&applets_only.session(), "stat -c %F \"${PATH%%:*}/ls\"");
    assert_eq!((out.as_str(), status), ("symbolic link\n", 0));
    assert!(!applets_only.path("busybox-bin/busybox").exists());
}

#[test]
fn password_authentication() {
    let user = password_user();
    let sshd = Sshd::builder().password_auth().start();
    let tcp = std::net::TcpStream::connect(("127.0.0.1", sshd.port)).unwrap();
    let mut session = ssh2::Session::new().unwrap();
    session.set_tcp_stream(tcp);
    session.handshake().unwrap();
    assert!(session.userauth_password(&user.name, "wrong").is_err());
    session.userauth_password(&user.name, &user.password).unwrap();
    let (out, _, _) = run(&session, "id -un");
    assert_eq!(out.trim(), user.name);
}

struct Answer(String);

impl ssh2::KeyboardInteractivePrompt for Answer {
    fn prompt(&mut self, _: &str, _: &str, prompts: &[ssh2::Prompt]) -> Vec<String> {
        prompts.iter().map(|_| self.0.clone()).collect()
    }
}

#[test]
fn keyboard_interactive_authentication() {
    let user = password_user();
    let sshd = Sshd::builder().kbd_interactive_auth().start();
    let tcp = std::net::TcpStream::connect(("127.0.0.1", sshd.port)).unwrap();
    let mut session = ssh2::Session::new().unwrap();
    session.set_tcp_stream(tcp);
    session.handshake().unwrap();
    let methods = session.auth_methods(&user.name).unwrap();
    assert!(methods.contains("keyboard-interactive"), "{methods}");
    session.userauth_keyboard_interactive(&user.name, &mut Answer(user.password.clone())).unwrap();
    assert!(session.authenticated());
    let (out, _, _) = run(&session, "id -un");
    assert_eq!(out.trim(), user.name);
}

#[test]
fn second_sshd_acts_as_a_jump_host() {
    let jump = Sshd::start();
    let target = Sshd::start();
    // OpenSSH itself reaches the target through the jump host.
    let config = jump.dir().join("jump_config");
    let text =
        format!("{}{}  ProxyJump jump\n{}", target.config_block("target"), "", jump.config_block("jump"));
    std::fs::write(&config, text).unwrap();
    let known = format!("{}\n{}\n", jump.known_hosts_line(), target.known_hosts_line());
    std::fs::write(jump.path("known_hosts"), &known).unwrap();
    std::fs::write(target.path("known_hosts"), &known).unwrap();
    let out = std::process::Command::new("ssh")
        .arg("-F")
        .arg(&config)
        .args(["target", "echo via-jump"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.stdout, b"via-jump\n");
    assert!(jump.log().contains("direct-tcpip") || jump.log().contains("Connection from"), "{}", jump.log());
    assert_eq!(target.accepted_logins(), 1);
}

#[test]
fn connections_can_be_killed_like_a_network_drop() {
    let sshd = Sshd::start();
    let session = sshd.session();
    assert!(!sshd.connection_pids().is_empty());
    sshd.kill_connections();
    let mut channel_failed = false;
    for _ in 0..50 {
        if session.channel_session().and_then(|mut c| c.exec("true")).is_err() {
            channel_failed = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(channel_failed);
}

/// Every scpdeck a test starts has its own state, config and cache
/// directories (tests/support/own_dirs.rs): a run with the environment of
/// a developer (HOME, no XDG_* set, or the developer's XDG_* inherited)
/// leaves that HOME untouched, two runs do not share a state directory,
/// and a state directory a test names is kept.
#[test]
fn each_run_of_scpdeck_has_its_own_state_and_config_directories() {
    use std::process::Command;
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    std::fs::create_dir(&home).unwrap();
    std::fs::write(tmp.path().join("f"), b"state").unwrap();
    let copy = |to: &str| {
        let mut cmd = Command::new(support::tmux::scpdeck_bin());
        cmd.args(["cp", "-v"]).arg(tmp.path().join("f")).arg(tmp.path().join(to)).env("HOME", &home);
        cmd
    };
    let before = support::own_dirs::runs();
    let mut bare = copy("one");
    for name in ["XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "SCPDECK_CONFIG_DIR"]
    {
        bare.env_remove(name);
    }
    for mut cmd in [bare, copy("two")] {
        let out = support::deadline::output_within(&mut cmd, std::time::Duration::from_secs(60));
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    assert!(std::fs::read_dir(&home).unwrap().next().is_none(), "nothing written under HOME");
    let new: Vec<_> = support::own_dirs::runs().into_iter().filter(|r| !before.contains(r)).collect();
    assert_eq!(new.len(), 2, "{new:?}");
    for run in &new {
        // Each run is the first its state directory saw.
        let state = run.join("state/scpdeck");
        assert_eq!(std::fs::read_to_string(state.join("runs")).unwrap().trim(), "1", "{}", state.display());
        assert!(state.join("scpdeck.log").exists(), "{}", state.display());
    }
    // A state directory the test names is the one used.
    let named = tmp.path().join("named");
    let mut cmd = copy("three");
    cmd.env("XDG_STATE_HOME", &named);
    let out = support::deadline::output_within(&mut cmd, std::time::Duration::from_secs(60));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(named.join("scpdeck/scpdeck.log").exists());
    assert!(std::fs::read_dir(&home).unwrap().next().is_none(), "nothing written under HOME");
}
