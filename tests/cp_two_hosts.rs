//! `scpdeck cp` with two remote hosts on its command line (a relay through
//! this machine): both orders, two sshds and one sshd under two aliases,
//! with `-j 1` (one session in all, which a relay's two ends share) and
//! the default; either host unreachable; a file missing on the source.

mod support;

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use sha2::{Digest, Sha256};
use support::tmux::scpdeck_bin;
use support::{Sshd, deadline, random_file};

const LIMIT: Duration = Duration::from_secs(120);

fn cp(config: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(scpdeck_bin());
    cmd.arg("cp").arg("-F").arg(config).args(args);
    deadline::output_within(&mut cmd, LIMIT)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn sha256(path: &Path) -> Vec<u8> {
    Sha256::digest(std::fs::read(path).unwrap()).to_vec()
}

/// Two servers and one of them again under a second alias, with a
/// directory `src` (a file and a subdirectory's file) to copy.
struct Hosts {
    _a: Sshd,
    _b: Sshd,
    tmp: tempfile::TempDir,
}

impl Hosts {
    fn start() -> Hosts {
        let (a, b) = (Sshd::start(), Sshd::start());
        let tmp = tempfile::tempdir().unwrap();
        let dead = Sshd::start();
        let blocks = a.config_block("ha")
            + &b.config_block("hb")
            + &a.config_block("ha2")
            + &dead.config_block("gone");
        // Its port is closed from here on: a host that cannot be reached.
        drop(dead);
        std::fs::write(tmp.path().join("ssh_config"), blocks).unwrap();
        let src = tmp.path().join("src");
        std::fs::create_dir_all(src.join("sub")).unwrap();
        random_file(&src.join("one.bin"), 300_000, 1);
        random_file(&src.join("sub/two.bin"), 70_000, 2);
        Hosts { _a: a, _b: b, tmp }
    }

    fn config(&self) -> std::path::PathBuf {
        self.tmp.path().join("ssh_config")
    }

    fn path(&self, name: &str) -> std::path::PathBuf {
        self.tmp.path().join(name)
    }

    fn on(&self, host: &str, name: &str) -> String {
        format!("{host}:{}", self.path(name).display())
    }
}

#[test]
fn a_copy_between_two_hosts_works_both_ways_with_one_session_or_several() {
    let hosts = Hosts::start();
    let src = hosts.path("src");
    for (from, to) in [("ha", "hb"), ("hb", "ha"), ("ha", "ha2"), ("ha2", "ha"), ("ha", "ha")] {
        for j in ["1", "4"] {
            let why = format!("{from} -> {to} with -j {j}");
            let dest = hosts.path(&format!("to-{from}-{to}-{j}"));
            std::fs::create_dir(&dest).unwrap();
            let target = format!("{to}:{}/", dest.display());
            let out = cp(&hosts.config(), &["-j", j, &hosts.on(from, "src/one.bin"), &target]);
            assert!(out.status.success(), "{why}: {}", stderr(&out));
            assert_eq!(sha256(&dest.join("one.bin")), sha256(&src.join("one.bin")), "{why}");
            let out = cp(&hosts.config(), &["-r", "-j", j, &hosts.on(from, "src"), &target]);
            assert!(out.status.success(), "{why}, -r: {}", stderr(&out));
            for name in ["one.bin", "sub/two.bin"] {
                assert_eq!(
                    sha256(&dest.join("src").join(name)),
                    sha256(&src.join(name)),
                    "{why}, -r: {name}"
                );
            }
        }
    }
}

#[test]
fn either_host_failing_ends_the_copy_with_its_reason() {
    let hosts = Hosts::start();
    let dest = hosts.path("dest");
    std::fs::create_dir(&dest).unwrap();
    let target = |host: &str| format!("{host}:{}/", dest.display());
    for j in ["1", "4"] {
        // The source cannot be reached, then the destination: exit 255,
        // nothing copied.
        let out = cp(&hosts.config(), &["-j", j, &hosts.on("gone", "src/one.bin"), &target("hb")]);
        assert_eq!(out.status.code(), Some(255), "source unreachable, -j {j}: {}", stderr(&out));
        assert!(stderr(&out).contains("gone"), "the host is named: {}", stderr(&out));
        let out = cp(&hosts.config(), &["-j", j, &hosts.on("ha", "src/one.bin"), &target("gone")]);
        assert_eq!(out.status.code(), Some(255), "destination unreachable, -j {j}: {}", stderr(&out));
        assert!(stderr(&out).contains("gone"), "the host is named: {}", stderr(&out));
        assert!(std::fs::read_dir(&dest).unwrap().next().is_none(), "nothing arrived: -j {j}");
        // Both reachable, the file missing on the source: exit 1, the
        // other file of the same command copied.
        let out = cp(
            &hosts.config(),
            &["-j", j, &hosts.on("hb", "src/missing"), &hosts.on("hb", "src/one.bin"), &target("ha")],
        );
        assert_eq!(out.status.code(), Some(1), "a missing file, -j {j}: {}", stderr(&out));
        assert!(stderr(&out).contains("missing"), "{}", stderr(&out));
        assert_eq!(sha256(&dest.join("one.bin")), sha256(&hosts.path("src/one.bin")), "-j {j}");
        std::fs::remove_file(dest.join("one.bin")).unwrap();
    }
}
