//! Exit statuses and `-v` of the real binary against harness sshds: the
//! same statuses for `cp` and `ls` (255 when a host cannot be reached or
//! logged in to before any file moved, even when another host of the same
//! command works), each `-v` level adding its own lines, `-vvv` never
//! showing a password, a passphrase or a key, and the commander's `-v`
//! into a redirected stderr or into its log.

mod support;

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use support::closed_port::{ClosedPort, closed_port};
use support::deadline::{bounded, output_within};
use support::tmux::{Tmux, scpdeck_bin, wait_for_file};
use support::{Sshd, keygen, password_user};

const LIMIT: Duration = Duration::from_secs(90);

fn run(command: &str, config: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(scpdeck_bin());
    cmd.arg(command).arg("-F").arg(config).args(args).env("XDG_STATE_HOME", config.with_extension("state"));
    output_within(&mut cmd, LIMIT)
}

fn on(host: &str, path: &Path) -> String {
    format!("{host}:{}", path.display())
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// One line per message, each `scpdeck: `, nothing a terminal acts on.
fn clean_lines(err: &str) {
    assert!(!err.chars().any(|c| c.is_control() && c != '\n'), "{err:?}");
    assert!(err.lines().all(|l| l.starts_with("scpdeck: ")), "{err}");
}

/// An ssh_config with the harness host, a host whose key the server does
/// not know (`stranger`) and a port where nothing listens (`nobody`).
fn configs(sshd: &Sshd, dir: &Path) -> (std::path::PathBuf, ClosedPort) {
    keygen(&dir.join("stranger"), "");
    let stranger = sshd.config_block("stranger").replace(
        &format!("IdentityFile {}", sshd.client_key().display()),
        &format!("IdentityFile {}", dir.join("stranger").display()),
    );
    let closed = closed_port();
    let nobody =
        sshd.config_block("nobody").replace(&format!("Port {}", sshd.port), &format!("Port {}", closed.port));
    let config = dir.join("ssh_config");
    std::fs::write(&config, format!("{}{stranger}{nobody}", sshd.config_block(sshd.alias()))).unwrap();
    (config, closed)
}

#[test]
fn cp_and_ls_exit_0_1_or_255() {
    let sshd = Sshd::start();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let (config, _closed) = configs(&sshd, dir);
    let alias = sshd.alias();
    std::fs::write(dir.join("a"), b"a").unwrap();

    let out = run("cp", &config, &[s(&dir.join("a")), &on(alias, &dir.join("b"))]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(run("ls", &config, &[&on(alias, dir)]).status.code(), Some(0));

    // Some file failed: 1.
    let out = run("cp", &config, &[s(&dir.join("missing")), &on(alias, &dir.join("c"))]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let out = run("ls", &config, &[&on(alias, &dir.join("missing"))]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));

    // No connection or no login, before anything moved: 255, one line.
    for host in ["stranger", "nobody", "no-such-host.invalid"] {
        let out = run("cp", &config, &[s(&dir.join("a")), &on(host, &dir.join("d"))]);
        assert_eq!(out.status.code(), Some(255), "cp to {host}: {}", stderr(&out));
        assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
        clean_lines(&stderr(&out));
        let out = run("ls", &config, &[&format!("{host}:")]);
        assert_eq!(out.status.code(), Some(255), "ls {host}: {}", stderr(&out));
        assert!(out.stdout.is_empty());
    }
    assert!(stderr(&run("cp", &config, &[s(&dir.join("a")), "stranger:x"])).to_lowercase().contains("auth"));
    assert!(!dir.join("d").exists());

    // One host works, the other does not: nothing is copied from either.
    let into = dir.join("into");
    std::fs::create_dir(&into).unwrap();
    let out = run("cp", &config, &[&on(alias, &dir.join("a")), &on("stranger", &dir.join("b")), s(&into)]);
    assert_eq!(out.status.code(), Some(255), "{}", stderr(&out));
    assert_eq!(std::fs::read_dir(&into).unwrap().count(), 0);
}

#[test]
fn each_v_adds_its_level_and_nothing_else() {
    let sshd = Sshd::start();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let config = sshd.ssh_config();
    let alias = sshd.alias();
    std::fs::write(dir.join("hello.txt"), b"hello").unwrap();
    let upload = |flags: &[&str], name: &str| {
        let mut args = flags.to_vec();
        let (source, target) = (dir.join("hello.txt"), on(alias, &dir.join(name)));
        args.extend([s(&source), target.as_str()]);
        let out = run("cp", &config, &args);
        assert!(out.status.success(), "{}", stderr(&out));
        let err = stderr(&out);
        clean_lines(&err);
        err
    };
    assert_eq!(upload(&[], "quiet"), "", "no -v, no output");

    let v = upload(&["-v"], "one");
    for needle in [
        &format!(
            "debug1: scpdeck-test (127.0.0.1:{}): connecting to 127.0.0.1 port {}",
            sshd.port, sshd.port
        ),
        "TCP connection to 127.0.0.1",
        "SSH handshake done: server SSH-2.0-OpenSSH",
        "host key for [127.0.0.1]",
        "authentication: trying key",
        &format!("authenticated as {}", sshd.user),
        "remote: Linux",
        "remote: listing with",
    ] {
        assert!(v.contains(needle), "-v lacks {needle:?}:\n{v}");
    }
    assert!(!v.contains("debug2:") && !v.contains("debug3:"), "{v}");

    let vv = upload(&["-vv"], "two");
    assert!(vv.contains("debug1: ") && vv.contains("debug2: "), "{vv}");
    assert!(vv.contains("remote command #") && vv.contains("scp -t"), "{vv}");
    assert!(vv.lines().any(|l| l.contains("remote command #") && l.ends_with(": exit status 0")), "{vv}");
    assert!(!vv.contains("debug3:"), "{vv}");

    let vvv = upload(&["-vvv"], "three");
    assert!(vvv.contains("debug3: ") && vvv.contains("scp > C0644 5 "), "{vvv}");
    assert!(vvv.contains("scp < ok") && vvv.contains("scp > ok"), "{vvv}");
    assert!(!vvv.contains("hello\n") && !vvv.contains(": hello"), "file data is never shown:\n{vvv}");

    // Downloads show the records the host sent; ls shows its commands.
    let out = run("cp", &config, &["-vvv", &on(alias, &dir.join("one")), s(&dir.join("back"))]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("scp < C0644 5 one"), "{}", stderr(&out));
    let out = run("ls", &config, &["-vv", &on(alias, dir)]);
    let err = stderr(&out);
    clean_lines(&err);
    assert!(err.contains("debug2: remote command #") && err.contains("exit status 0"), "{err}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("hello.txt"));
}

const PASSPHRASE: &str = "pp-Unusual-Passphrase-3141";

/// The lines of a private key file that carry key material.
fn key_material(key: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(key).unwrap();
    text.lines().filter(|l| !l.starts_with("-----") && l.len() >= 16).map(str::to_owned).collect()
}

#[test]
fn vvv_never_shows_a_password_a_passphrase_or_a_key() {
    let user = password_user();
    let sshd = Sshd::builder().password_auth().kbd_interactive_auth().start();
    let tmp = tempfile::Builder::new().prefix("scpdeck-secrets-").tempdir_in("/tmp").unwrap();
    let dir = tmp.path();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    let locked = dir.join("locked");
    keygen(&locked, PASSPHRASE);
    let mut authorized = std::fs::read_to_string(sshd.path("authorized_keys")).unwrap();
    authorized += &std::fs::read_to_string(dir.join("locked.pub")).unwrap();
    std::fs::write(sshd.path("authorized_keys"), authorized).unwrap();
    let block = |alias: &str, extra: &str| {
        sshd.config_block(alias).replace("  BatchMode yes\n", &format!("  BatchMode no\n{extra}"))
    };
    let key_host = block("locked", "").replace(
        &format!("IdentityFile {}", sshd.client_key().display()),
        &format!("IdentityFile {}", locked.display()),
    );
    let password_only = "  PreferredAuthentications password\n";
    let password_host =
        block("pw", password_only).replace(&format!("User {}", sshd.user), &format!("User {}", user.name));
    let kbd_only = "  PreferredAuthentications keyboard-interactive\n";
    let kbd_host =
        block("kbd", kbd_only).replace(&format!("User {}", sshd.user), &format!("User {}", user.name));
    let config = dir.join("ssh_config");
    std::fs::write(&config, format!("{key_host}{password_host}{kbd_host}")).unwrap();
    std::fs::write(dir.join("f"), b"secret-free content").unwrap();
    std::fs::set_permissions(dir.join("f"), std::fs::Permissions::from_mode(0o644)).unwrap();

    let mut command = String::new();
    for (n, host) in ["locked", "pw", "kbd"].iter().enumerate() {
        command += &format!(
            "XDG_STATE_HOME='{d}/state' '{bin}' cp -vvv -F '{cfg}' '{d}/f' '{host}:{d}/copy{n}' 2>'{d}/err{n}'; \
             echo EXIT{n}=$?; ",
            d = dir.display(),
            bin = scpdeck_bin().display(),
            cfg = config.display(),
        );
    }
    command += "sleep 60";
    let tmux = Tmux::start(&command, 150, 20);
    bounded(
        LIMIT,
        || tmux.kill(),
        || {
            tmux.wait_for("Enter passphrase for key");
            tmux.keys(&[PASSPHRASE, "Enter"]);
            tmux.wait_for("EXIT0=0");
            tmux.wait_for("password:");
            tmux.keys(&[&user.password, "Enter"]);
            tmux.wait_for("EXIT1=0");
            tmux.wait_for_times("assword", 2);
            tmux.keys(&[&user.password, "Enter"]);
            tmux.wait_for("EXIT2=0");
        },
    );
    let material = key_material(&locked);
    assert!(!material.is_empty());
    for n in 0..3 {
        let err = std::fs::read_to_string(dir.join(format!("err{n}"))).unwrap();
        assert!(err.contains("debug3: ") && err.contains("authenticated as"), "{err}");
        for secret in [PASSPHRASE, user.password.as_str()] {
            assert!(!err.contains(secret), "a secret in -vvv:\n{err}");
        }
        assert!(!err.contains("PRIVATE KEY"), "{err}");
        for line in &material {
            assert!(!err.contains(line.as_str()), "key material in -vvv:\n{err}");
        }
        assert_eq!(std::fs::read(dir.join(format!("copy{n}"))).unwrap(), b"secret-free content");
    }
}

#[test]
fn the_commander_writes_v_to_a_redirected_stderr_or_into_its_log() {
    let sshd = Sshd::start();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(dir.join("marker.txt"), b"").unwrap();
    let trace = dir.join("trace");
    let start = |flags: &str, redirect: &str| {
        let command = format!(
            "SCPDECK_CONFIG_DIR='{d}/config' XDG_STATE_HOME='{d}/state' '{bin}' {flags} -F '{cfg}' '{alias}:{d}' '{d}' {redirect}; \
             echo EXIT=$?; sleep 60",
            d = dir.display(),
            bin = scpdeck_bin().display(),
            cfg = sshd.ssh_config().display(),
            alias = sshd.alias(),
        );
        Tmux::start(&command, 120, 30)
    };
    let tmux = start("-vv", &format!("2>'{}'", trace.display()));
    bounded(
        LIMIT,
        || tmux.kill(),
        || {
            tmux.wait_for_times("marker.txt", 2);
            let text = wait_for_file(&trace);
            assert!(text.lines().all(|l| l.starts_with("scpdeck: debug")), "{text}");
            tmux.keys(&["F10"]);
            tmux.wait_for("EXIT=0");
        },
    );
    let text = std::fs::read_to_string(&trace).unwrap();
    assert!(text.contains("debug1: scpdeck-test") && text.contains("authenticated as"), "{text}");
    assert!(text.contains("debug2: scpdeck-test") && text.contains("remote command #"), "{text}");
    drop(tmux);

    // Standard error is the screen: the lines go into the log instead.
    let tmux = start("-v", "");
    bounded(
        LIMIT,
        || tmux.kill(),
        || {
            tmux.wait_for_times("marker.txt", 2);
            tmux.keys(&["M-l"]);
            tmux.wait_for("debug1: authenticated as");
        },
    );
    let log = std::fs::read_to_string(dir.join("state/scpdeck/scpdeck.log")).unwrap_or_default();
    assert!(log.contains("debug1: connecting to 127.0.0.1"), "{log}");
}
