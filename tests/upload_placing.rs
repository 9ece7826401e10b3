//! An upload's placing folded into its scp command (src/fs/remote/folded.rs):
//! the command that sends a file into its private directory also renames
//! it into place once scp exited 0. When that placing fails, or the upload
//! is cancelled half way, nothing under the destination name is truncated
//! or replaced, and what stays behind is said.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use support::Sshd;
use support::cp_child::{spawn, within};

const OLD: &[u8] = b"the old contents, which must survive";

/// Waits (at most 30 s, while `child` runs) until a private directory in
/// `dir` holds a copy with some bytes in it; returns the directory.
fn wait_for_private_copy(child: &mut Child, dir: &Path) -> PathBuf {
    let start = Instant::now();
    loop {
        assert!(child.try_wait().unwrap().is_none(), "scpdeck cp ended before its copy was seen");
        assert!(start.elapsed() < Duration::from_secs(30), "no private copy appeared in {}", dir.display());
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let private = entry.path();
            if !entry.file_name().to_string_lossy().starts_with(".sd-") {
                continue;
            }
            let started = std::fs::read_dir(&private)
                .into_iter()
                .flatten()
                .flatten()
                .any(|f| f.metadata().map(|m| m.len() > 0).unwrap_or(false));
            if started {
                return private;
            }
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// A local file of 64 KiB: about 2.6 s at `-l 200` (Kbit/s).
fn big_source(dir: &Path) -> PathBuf {
    let source = dir.join("f");
    let data: Vec<u8> = (0..64 * 1024u32).map(|n| (n * 7 + n / 251) as u8).collect();
    std::fs::write(&source, data).unwrap();
    source
}

fn chown(owner: &str, path: &Path) {
    let status = Command::new("chown").arg(owner).arg(path).status().unwrap();
    assert!(status.success());
}

/// The data arrived whole, then the destination directory stopped being
/// writable (taken over by root): the rename fails, and so does the
/// removal of the private directory (of its copy only). The file fails
/// with the host's words, the old file stays as it was, and the private
/// directory left behind is said.
#[test]
fn a_placing_that_fails_after_the_data_keeps_the_old_file_and_says_what_is_left() {
    use std::os::unix::fs::PermissionsExt;
    let (sshd, config, shared) = support::unprivileged_sshd();
    let user = support::password_user();
    let dest = shared.path().join("dest");
    std::fs::create_dir(&dest).unwrap();
    std::fs::set_permissions(&dest, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(dest.join("f"), OLD).unwrap();
    chown(&user.name, &dest);
    chown(&user.name, &dest.join("f"));
    let local = tempfile::tempdir().unwrap();
    let source = big_source(local.path());
    let target = format!("other:{}/", dest.display());
    let mut child = spawn(&config, &["-l", "200", source.to_str().unwrap(), &target]);
    let private = wait_for_private_copy(&mut child, &dest);
    chown("root", &dest);
    let out = within(child, Duration::from_secs(60));
    chown(&user.name, &dest);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("cannot put") && err.contains("in place: permission denied"), "{err}");
    // The placing (and its removal) was the scp command's: no command of
    // its own after the probe's.
    let commands = sshd.log().lines().filter(|l| l.contains("Starting session: ")).count();
    assert_eq!(commands, 1, "{}", sshd.log());
    assert_eq!(std::fs::read(dest.join("f")).unwrap(), OLD, "the old file is untouched");
    // The private directory could not be removed either (its copy could,
    // from inside it): it is there, empty, and the log says so.
    assert!(err.contains("cannot remove a temporary directory"), "{err}");
    let private_name = private.file_name().unwrap().to_string_lossy().into_owned();
    assert_eq!(support::awkward::names(&dest), [private_name, "f".to_owned()]);
    assert_eq!(std::fs::read_dir(&private).unwrap().count(), 0);
}

/// SIGINT half way through an upload whose placing rides in its scp
/// command: scp never exits 0, so the placing never runs, and the old
/// file stays whole under its name.
#[test]
fn an_upload_cancelled_half_way_never_places_its_partial_copy() {
    let sshd = Sshd::start();
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("dest");
    std::fs::create_dir(&dest).unwrap();
    std::fs::write(dest.join("f"), OLD).unwrap();
    let source = big_source(tmp.path());
    let target = format!("{}:{}/", sshd.alias(), dest.display());
    let mut child = spawn(&sshd.ssh_config(), &["-l", "200", source.to_str().unwrap(), &target]);
    wait_for_private_copy(&mut child, &dest);
    let status = Command::new("kill").arg("-INT").arg(child.id().to_string()).status().unwrap();
    assert!(status.success());
    let out = within(child, Duration::from_secs(30));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert_eq!(std::fs::read(dest.join("f")).unwrap(), OLD, "nothing replaced the old file: {err}");
    // At most the private directory (a partial copy to resume) is left.
    for name in support::awkward::names(&dest) {
        assert!(name == "f" || name.starts_with(".sd-"), "{name} left in the destination: {err}");
    }
}
