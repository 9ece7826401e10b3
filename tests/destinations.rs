//! Destinations everywhere, end to end against harness sshds on their
//! random ports: `scp://` and `ssh://[user@]host:port/path` (percent-decoded
//! as OpenSSH's scp does) and IPv6 literals in brackets, in `scpdeck cp`,
//! `scpdeck ls`, and in the commander (its command line, go-to and the host
//! picker) run in tmux.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use support::Sshd;
use support::deadline::output_within;
use support::tmux::{Tmux, scpdeck_bin};

/// An ssh_config that knows the server's key and the client key for its
/// address, but not its port or user: the destination must give those.
fn bare_config(sshd: &Sshd) -> PathBuf {
    let path = sshd.path("bare_config");
    let text = format!(
        "Host {}\n  IdentityFile {}\n  IdentitiesOnly yes\n  UserKnownHostsFile {}\n  \
         GlobalKnownHostsFile /dev/null\n  StrictHostKeyChecking yes\n  BatchMode yes\n",
        sshd.address,
        sshd.client_key().display(),
        sshd.path("known_hosts").display()
    );
    std::fs::write(&path, text).unwrap();
    path
}

/// Runs `scpdeck COMMAND -F CONFIG ARGS...`, failing after a minute.
fn scpdeck(command: &str, config: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(scpdeck_bin());
    cmd.arg(command).arg("-F").arg(config).args(args);
    output_within(&mut cmd, Duration::from_secs(60))
}

fn ok(out: &Output) -> String {
    assert!(out.status.success(), "exit {:?}: {}", out.status, String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// `scheme://user@host:port/` + `path` (absolute paths thus after `//`).
fn uri(scheme: &str, sshd: &Sshd, path: &str) -> String {
    let host = match sshd.address {
        std::net::IpAddr::V6(v6) => format!("[{v6}]"),
        v4 => v4.to_string(),
    };
    format!("{scheme}://{}@{host}:{}/{path}", sshd.user, sshd.port)
}

/// A remote directory with `a b+c.txt` in it, and an empty local one.
fn files() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let (remote, local) = (tmp.path().join("remote"), tmp.path().join("local"));
    std::fs::create_dir(&remote).unwrap();
    std::fs::create_dir(&local).unwrap();
    std::fs::write(remote.join("a b+c.txt"), "plus and space").unwrap();
    std::fs::write(remote.join("plain.txt"), "plain").unwrap();
    (tmp, remote, local)
}

#[test]
fn cp_and_ls_take_scp_and_ssh_uris_with_the_port() {
    let sshd = Sshd::start();
    let config = bare_config(&sshd);
    let (_tmp, remote, local) = files();
    let remote_dir = s(&remote).trim_start_matches('/');

    // Download: scp:// with a percent-encoded name, ssh:// with `+` for a space.
    let source = uri("scp", &sshd, &format!("/{remote_dir}/a%20b%2Bc.txt"));
    ok(&scpdeck("cp", &config, &[&source, &format!("{}/", s(&local))]));
    assert_eq!(std::fs::read_to_string(local.join("a b+c.txt")).unwrap(), "plus and space");
    let source = uri("ssh", &sshd, &format!("/{remote_dir}/a+b%2bc.txt"));
    ok(&scpdeck("cp", &config, &[&source, s(&local.join("again.txt"))]));
    assert_eq!(std::fs::read_to_string(local.join("again.txt")).unwrap(), "plus and space");

    // Upload into a directory named by ssh://.
    std::fs::write(local.join("up.txt"), "uploaded").unwrap();
    let target = uri("ssh", &sshd, &format!("/{remote_dir}/"));
    ok(&scpdeck("cp", &config, &[s(&local.join("up.txt")), &target]));
    assert_eq!(std::fs::read_to_string(remote.join("up.txt")).unwrap(), "uploaded");

    // ls: a directory by either scheme, and the home directory (no path)
    // the same as through the harness alias.
    for scheme in ["scp", "ssh"] {
        let listing = ok(&scpdeck("ls", &config, &[&uri(scheme, &sshd, &format!("/{remote_dir}"))]));
        let names: Vec<&str> = listing.lines().collect();
        assert_eq!(names, ["a b+c.txt", "plain.txt", "up.txt"], "{scheme}");
    }
    let home = ok(&scpdeck("ls", &config, &[&uri("ssh", &sshd, "")]));
    let through_alias = ok(&scpdeck("ls", &sshd.ssh_config(), &[&format!("{}:", sshd.alias())]));
    assert_eq!(home, through_alias);
}

#[test]
fn invalid_uris_are_refused_before_connecting() {
    let sshd = Sshd::start();
    let config = bare_config(&sshd);
    let local = tempfile::tempdir().unwrap();
    for bad in ["scp://host:0/x", "ssh://host/%zz", "ssh://-oProxyCommand=x/y"] {
        for command in ["cp", "ls"] {
            let args: Vec<&str> = if command == "cp" { vec![bad, s(local.path())] } else { vec![bad] };
            let out = scpdeck(command, &config, &args);
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(!out.status.success(), "{command} {bad}");
            assert!(err.contains("is not a valid destination"), "{command} {bad}: {err}");
            assert!(!err.contains("cannot resolve the host name"), "{err}");
        }
    }
    assert_eq!(sshd.log().matches("Accepted").count(), 0);
}

#[test]
fn ipv6_literals_in_brackets_reach_a_server_on_loopback_six() {
    // ::1 is checked to exist: the harness fails, saying so, where it does not.
    let sshd = Sshd::builder().listen_on("::1".parse().unwrap()).start();
    let config = bare_config(&sshd);
    let (_tmp, remote, local) = files();
    let remote_dir = s(&remote).trim_start_matches('/');
    let port = sshd.port.to_string();

    let source = uri("scp", &sshd, &format!("/{remote_dir}/plain.txt"));
    assert!(source.contains("@[::1]:"), "{source}");
    ok(&scpdeck("cp", &config, &[&source, s(&local.join("from-uri.txt"))]));
    assert_eq!(std::fs::read_to_string(local.join("from-uri.txt")).unwrap(), "plain");
    // scp's own form, the port by -P.
    let scp_form = format!("{}@[::1]:{}/plain.txt", sshd.user, s(&remote));
    ok(&scpdeck("cp", &config, &["-P", &port, &scp_form, s(&local.join("from-scp-form.txt"))]));
    assert_eq!(std::fs::read_to_string(local.join("from-scp-form.txt")).unwrap(), "plain");
    let listing = ok(&scpdeck("ls", &config, &[&uri("ssh", &sshd, &format!("/{remote_dir}"))]));
    assert_eq!(listing.lines().collect::<Vec<_>>(), ["a b+c.txt", "plain.txt"]);
    let listing = ok(&scpdeck("ls", &config, &["-P", &port, &format!("[::1]:{}", s(&remote))]));
    assert_eq!(listing.lines().collect::<Vec<_>>(), ["a b+c.txt", "plain.txt"]);
}

#[test]
fn the_commander_opens_uris_on_its_command_line_in_go_to_and_in_the_picker() {
    let sshd = Sshd::start();
    let config = bare_config(&sshd);
    let (tmp, remote, _local) = files();
    let other = tmp.path().join("other dir");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("in-other-dir.txt"), "x").unwrap();
    let remote_dir = s(&remote).trim_start_matches('/');
    let command = format!(
        "SCPDECK_CONFIG_DIR='{0}/config' XDG_STATE_HOME='{0}/state' '{1}' -F '{2}' '{3}' '{0}'; sleep 60",
        tmp.path().display(),
        scpdeck_bin().display(),
        config.display(),
        uri("ssh", &sshd, &format!("/{remote_dir}")),
    );
    let tmux = Tmux::start(&command, 140, 30);
    // The command line: the left pane shows the remote directory.
    let title = format!("{}@127.0.0.1:{}:{}", sshd.user, sshd.port, s(&remote));
    let screen = tmux.wait_for("a b+c.txt");
    assert!(screen.contains(&title), "{screen}");

    // Go-to: a scp:// URI with a percent-encoded space.
    tmux.keys(&["C-g"]);
    tmux.keys(&["C-u"]);
    let other_uri = uri("scp", &sshd, &format!("/{}", s(&other).trim_start_matches('/').replace(' ', "%20")));
    tmux.keys(&["-l", &other_uri]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("in-other-dir.txt");

    // The host picker: user@host:port typed, the home directory opens in the
    // right pane and the host is remembered with its port.
    tmux.keys(&["Tab"]);
    tmux.keys(&["F2"]);
    tmux.wait_for("Open in the right pane");
    let typed = format!("{}@127.0.0.1:{}", sshd.user, sshd.port);
    tmux.keys(&["-l", &typed]);
    let screen = tmux.wait_for(&format!("Enter connects to {typed}"));
    assert!(screen.contains("[user@]host[:port]"), "{screen}");
    tmux.keys(&["Enter"]);
    tmux.wait_for(&format!("{typed}:/"));
    let deadline = Instant::now() + Duration::from_secs(10);
    let recent = loop {
        let recent = std::fs::read_to_string(tmp.path().join("config/recent.toml")).unwrap_or_default();
        if recent.contains(&typed) || Instant::now() > deadline {
            break recent;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(recent.contains(&typed), "{recent}");
    // Listed again in the picker, with where it goes.
    tmux.keys(&["F2"]);
    let screen = tmux.wait_for("typed");
    assert!(screen.matches(&typed).count() >= 2, "label and user@host:port: {screen}");
    tmux.keys(&["Escape"]);
    tmux.keys(&["q"]);
}
