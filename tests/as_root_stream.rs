//! The cat/dd rung under sudo: a host whose login PATH has `scp` but whose
//! sudo runs commands with a secure_path without it
//! (`support::sudo_no_scp`). `scpdeck cp --sudo` both ways: a root-only
//! file comes down and a file goes up into a directory only root may write
//! into (owned by root), each compared by sha256, `-v` naming the rung and
//! why; the same account without `--sudo` copies by scp.

mod support;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use sha2::{Digest, Sha256};
use support::sudo_no_scp::{USER, sshd};
use support::tmux::scpdeck_bin;
use support::{deadline, random_file};

const LIMIT: Duration = Duration::from_secs(120);
const RUNG: &str = "transfers use cat/dd (the host has no scp, and SFTP would not run as root)";

fn cp(config: &Path, args: &[&str]) -> Output {
    // setsid: no controlling terminal, so nothing can be asked.
    let mut cmd = Command::new("setsid");
    cmd.arg("-w").arg(scpdeck_bin()).arg("cp").arg("-F").arg(config).args(args);
    deadline::output_within(&mut cmd, LIMIT)
}

fn sha256(path: &Path) -> Vec<u8> {
    Sha256::digest(std::fs::read(path).unwrap()).to_vec()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn cp_sudo_copies_by_cat_and_dd_both_ways_where_sudo_finds_no_scp() {
    let (sshd, config, _shared) = sshd();
    let places = tempfile::Builder::new().prefix("scpdeck-root-").tempdir_in("/tmp").unwrap();
    std::fs::set_permissions(places.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    // A root-only file in a root-only directory, and a directory only root
    // may write into.
    let secret = places.path().join("secret");
    std::fs::create_dir(&secret).unwrap();
    random_file(&secret.join("key.bin"), 1024 * 1024 + 123, 7);
    std::fs::set_permissions(secret.join("key.bin"), std::fs::Permissions::from_mode(0o600)).unwrap();
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o700)).unwrap();
    let drop = places.path().join("drop");
    std::fs::create_dir(&drop).unwrap();
    std::fs::set_permissions(&drop, std::fs::Permissions::from_mode(0o755)).unwrap();
    let local = tempfile::tempdir().unwrap();
    std::fs::set_permissions(local.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let remote = |path: &Path| format!("{USER}:{}", path.display());

    let down = cp(
        &config,
        &["--sudo", "-v", "-q", &remote(&secret.join("key.bin")), local.path().to_str().unwrap()],
    );
    assert!(down.status.success(), "{}\n{}", stderr(&down), sshd.log());
    assert!(stderr(&down).contains(RUNG), "-v names the rung: {}", stderr(&down));
    assert_eq!(sha256(&local.path().join("key.bin")), sha256(&secret.join("key.bin")));

    random_file(&local.path().join("up.bin"), 700_001, 8);
    let up = cp(
        &config,
        &[
            "--sudo",
            "-v",
            "-q",
            local.path().join("up.bin").to_str().unwrap(),
            &format!("{}/", remote(&drop)),
        ],
    );
    assert!(up.status.success(), "{}\n{}", stderr(&up), sshd.log());
    assert!(stderr(&up).contains(RUNG), "-v names the rung: {}", stderr(&up));
    let landed = drop.join("up.bin");
    assert_eq!(sha256(&landed), sha256(&local.path().join("up.bin")));
    assert_eq!(std::fs::metadata(&landed).unwrap().uid(), 0, "written as root");
    let names: Vec<_> = std::fs::read_dir(&drop).unwrap().flatten().map(|e| e.file_name()).collect();
    assert_eq!(names, ["up.bin"], "no temporary file left");

    // The same account without --sudo has scp, and root's places refuse it.
    let plain = cp(
        &config,
        &["-v", "-q", local.path().join("up.bin").to_str().unwrap(), &format!("{}/", remote(&drop))],
    );
    assert_eq!(plain.status.code(), Some(1), "{}", stderr(&plain));
    assert!(stderr(&plain).contains("transfers use scp"), "{}", stderr(&plain));
}
