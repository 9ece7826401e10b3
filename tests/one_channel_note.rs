//! The warning that a server allows one channel per connection (sshd's
//! MaxSessions 1) is given where it is true and only there: a host without
//! scp and without an sftp subsystem (whose refused subsystem libssh2
//! reports as a refused channel) copies by cat/dd without it, a
//! `MaxSessions 1` server is named once a second channel is refused.

mod support;

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use support::tmux::scpdeck_bin;
use support::{Sshd, deadline};

const NOTE: &str = "allows one channel per connection";

fn cp(sshd: &Sshd, args: &[&str]) -> Output {
    let mut cmd = Command::new(scpdeck_bin());
    cmd.arg("cp").arg("-F").arg(sshd.ssh_config()).args(args);
    deadline::output_within(&mut cmd, Duration::from_secs(120))
}

/// Copies a file up and back down; what `cp` said on stderr both times.
fn round_trip(sshd: &Sshd, dir: &Path) -> String {
    std::fs::write(dir.join("f"), b"one channel?").unwrap();
    let remote = format!("{}:{}", sshd.alias(), dir.join("up").display());
    let up = cp(sshd, &["-v", dir.join("f").to_str().unwrap(), &remote]);
    assert!(up.status.success(), "{}", String::from_utf8_lossy(&up.stderr));
    let down = cp(sshd, &["-v", &remote, dir.join("down").to_str().unwrap()]);
    assert!(down.status.success(), "{}", String::from_utf8_lossy(&down.stderr));
    assert_eq!(std::fs::read(dir.join("down")).unwrap(), b"one channel?");
    String::from_utf8_lossy(&up.stderr).into_owned() + &String::from_utf8_lossy(&down.stderr)
}

#[test]
fn a_host_without_an_sftp_subsystem_is_not_taken_for_a_one_channel_server() {
    let sshd = Sshd::builder().without_scp().without_sftp().start();
    let tmp = tempfile::tempdir().unwrap();
    let said = round_trip(&sshd, tmp.path());
    assert!(said.contains("transfers use cat/dd"), "{said}");
    assert!(!said.contains(NOTE), "{said}");
}

#[test]
fn a_one_channel_server_is_named_as_one() {
    let sshd = Sshd::builder().max_sessions(1).start();
    let tmp = tempfile::tempdir().unwrap();
    let said = round_trip(&sshd, tmp.path());
    // One file at a time may never meet the limit: the scp run rides on the
    // probe's channel, and a channel closed is waited for before the next
    // opens. Ranges want a second channel while the first is open: the
    // refusal names the server.
    let big = tmp.path().join("big");
    std::fs::File::create(&big).unwrap().set_len(64 << 20).unwrap();
    let remote = format!("{}:{}", sshd.alias(), big.display());
    let back = tmp.path().join("back");
    let ranged = cp(&sshd, &["-v", "--segments", "2", &remote, back.to_str().unwrap()]);
    let ranged_said = String::from_utf8_lossy(&ranged.stderr).into_owned();
    assert!(ranged.status.success(), "{ranged_said}");
    assert_eq!(std::fs::metadata(&back).unwrap().len(), 64 << 20);
    assert!(said.contains(NOTE) || ranged_said.contains(NOTE), "{said}\n{ranged_said}");
}
