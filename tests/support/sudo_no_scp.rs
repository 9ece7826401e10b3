//! A host used as root that has no `scp` under sudo: the account
//! `scpdeck-sudo-noscp` logs in with a PATH that has scp, but its sudo
//! (NOPASSWD) runs commands with a `secure_path` of this machine's
//! programs but scp (`no_scp::bin`), so the probe run as root finds none
//! and files travel by the cat/dd rung under sudo. Set up once per machine
//! in its own sudoers drop-in, beside `sudo_accounts`' (same lock).

use std::path::{Path, PathBuf};

use super::Sshd;
use super::sudo_accounts::{DIR, account, install_drop_in, sshd_for_accounts};

/// The account (and the ssh_config alias that logs in as it).
pub const USER: &str = "scpdeck-sudo-noscp";

const SUDOERS: &str = "/etc/sudoers.d/scpdeck-test-sudo-noscp";

/// The account, its sudoers drop-in and the directory sudo's secure_path
/// names; returns that directory.
pub fn setup() -> PathBuf {
    let password = super::sudo_accounts::sudo_accounts();
    let lock = std::fs::File::create(Path::new(DIR).join("sudo-lock")).expect("lock file");
    let _lock = nix::fcntl::Flock::lock(lock, nix::fcntl::FlockArg::LockExclusive).expect("flock");
    let bin = super::no_scp::bin(&Path::new(DIR).join("noscp"));
    assert!(!bin.join("scp").exists() && bin.join("sh").exists(), "{}", bin.display());
    account(USER, &password);
    let text = format!(
        "# scpdeck's test harness (tests/support/sudo_no_scp.rs)\n\
         Defaults:{USER} secure_path=\"{bin}\"\n\
         {USER} ALL=(ALL:ALL) NOPASSWD: ALL\n",
        bin = bin.display()
    );
    install_drop_in(SUDOERS, &text);
    bin
}

/// An sshd the account logs in to, its ssh_config (alias [`USER`]) and
/// the directory holding both (keep it as long as the sshd).
pub fn sshd() -> (Sshd, PathBuf, tempfile::TempDir) {
    setup();
    sshd_for_accounts(&[USER])
}
