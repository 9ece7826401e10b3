//! Accounts for "become root" tests: one whose sudo needs no password, one
//! whose sudo asks its (known) password, one sudo refuses. Created once per
//! machine (idempotently, under a lock) with a sudoers drop-in checked by
//! `visudo -c` before it is put in place, named so that it cannot collide
//! with an administrator's own files.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use super::Sshd;

/// How sudo treats an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SudoKind {
    /// `NOPASSWD: ALL`.
    NoPassword,
    /// `ALL`: sudo asks the account's password.
    Password,
    /// Not in sudoers: sudo refuses (after asking the password).
    Refused,
}

impl SudoKind {
    pub const ALL: [SudoKind; 3] = [SudoKind::NoPassword, SudoKind::Password, SudoKind::Refused];

    /// The account's name (and the ssh_config alias that logs in as it).
    pub fn user(self) -> &'static str {
        match self {
            SudoKind::NoPassword => "scpdeck-sudo-nopw",
            SudoKind::Password => "scpdeck-sudo-pw",
            SudoKind::Refused => "scpdeck-sudo-no",
        }
    }
}

pub(super) const DIR: &str = "/var/lib/scpdeck-test";
const SUDOERS: &str = "/etc/sudoers.d/scpdeck-test-sudo-accounts";

/// The password of every sudo test account (sudo asks it of the
/// `Password` and `Refused` ones).
pub fn sudo_password() -> String {
    let file = Path::new(DIR).join("sudo-password");
    match std::fs::read_to_string(&file) {
        Ok(p) if !p.trim().is_empty() => p.trim().to_owned(),
        _ => panic!("sudo_accounts() writes {} first", file.display()),
    }
}

/// Creates the three accounts and the sudoers drop-in (once per machine;
/// later calls check and repair), returns the password they share.
pub fn sudo_accounts() -> String {
    assert!(nix::unistd::geteuid().is_root(), "sudo tests create accounts: run scripts/test as root");
    assert!(super::which("sudo").exists() && Path::new("/usr/sbin/visudo").exists(), "install sudo");
    std::fs::create_dir_all(DIR).expect("create /var/lib/scpdeck-test");
    let lock = std::fs::File::create(Path::new(DIR).join("sudo-lock")).expect("lock file");
    let _lock = nix::fcntl::Flock::lock(lock, nix::fcntl::FlockArg::LockExclusive).expect("flock");
    let file = Path::new(DIR).join("sudo-password");
    let password = match std::fs::read_to_string(&file) {
        Ok(p) if !p.trim().is_empty() => p.trim().to_owned(),
        _ => {
            let p = format!("sudo-{:016x}", rand::random::<u64>());
            std::fs::write(&file, &p).expect("write the sudo password file");
            p
        }
    };
    for kind in SudoKind::ALL {
        account(kind.user(), &password);
    }
    install_sudoers();
    password
}

/// Creates the account `name` (login shell /bin/sh) if it is missing and
/// sets its password.
pub(super) fn account(name: &str, password: &str) {
    let exists = Command::new("id").arg("-u").arg(name).stdout(Stdio::null()).stderr(Stdio::null()).status();
    if !exists.is_ok_and(|s| s.success()) {
        let status = Command::new("useradd").args(["-m", "-s", "/bin/sh", name]).status().expect("useradd");
        assert!(status.success(), "useradd {name} failed");
    }
    let mut chpasswd = Command::new("chpasswd").stdin(Stdio::piped()).spawn().expect("chpasswd");
    writeln!(chpasswd.stdin.as_mut().expect("stdin"), "{name}:{password}").expect("write chpasswd");
    assert!(chpasswd.wait().expect("chpasswd").success(), "chpasswd failed");
}

fn install_sudoers() {
    let text = format!(
        "# scpdeck's test harness (tests/support/sudo_accounts.rs)\n\
         Defaults:{pw} lecture=never\n\
         Defaults:{no} lecture=never\n\
         {nopw} ALL=(ALL:ALL) NOPASSWD: ALL\n\
         {pw} ALL=(ALL:ALL) ALL\n",
        nopw = SudoKind::NoPassword.user(),
        pw = SudoKind::Password.user(),
        no = SudoKind::Refused.user(),
    );
    install_drop_in(SUDOERS, &text);
}

/// Puts `text` at `path` in /etc/sudoers.d (unless it is there already),
/// checked by `visudo -c` first.
pub(super) fn install_drop_in(path: &str, text: &str) {
    if std::fs::read_to_string(path).is_ok_and(|t| t == text) {
        return;
    }
    let staged = format!("{path}.scpdeck-new");
    std::fs::write(&staged, text).expect("write the sudoers drop-in");
    std::fs::set_permissions(&staged, std::os::unix::fs::PermissionsExt::from_mode(0o440))
        .expect("chmod 440");
    let check = Command::new("/usr/sbin/visudo").args(["-c", "-q", "-f", &staged]).status().expect("visudo");
    if !check.success() {
        let _ = std::fs::remove_file(&staged);
        panic!("visudo -c refused the drop-in:\n{text}");
    }
    // A name with a dot is ignored by sudo's includedir until renamed.
    std::fs::rename(&staged, path).expect("put the sudoers drop-in in place");
}

/// An sshd where the three sudo accounts log in with the harness key, and
/// an ssh_config whose aliases are the account names; the directory
/// holding both is returned too (keep it as long as the sshd).
pub fn sudo_sshd() -> (Sshd, std::path::PathBuf, tempfile::TempDir) {
    sudo_accounts();
    let users: Vec<&str> = SudoKind::ALL.iter().map(|k| k.user()).collect();
    sshd_for_accounts(&users)
}

/// An sshd where `users` log in with the harness key, and an ssh_config
/// whose aliases are their names; the directory holding both.
pub(super) fn sshd_for_accounts(users: &[&str]) -> (Sshd, std::path::PathBuf, tempfile::TempDir) {
    use std::os::unix::fs::PermissionsExt;
    let shared = tempfile::Builder::new().prefix("scpdeck-sudo-").tempdir_in("/tmp").unwrap();
    std::fs::set_permissions(shared.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let keys = shared.path().join("authorized_keys");
    let sshd = Sshd::builder()
        .config(format!("Match User {}\n  AuthorizedKeysFile {}", users.join(","), keys.display()))
        .start();
    std::fs::copy(sshd.path("authorized_keys"), &keys).unwrap();
    std::fs::set_permissions(&keys, std::fs::Permissions::from_mode(0o644)).unwrap();
    let mut config = String::new();
    for user in users {
        let block =
            sshd.config_block(user).replace(&format!("User {}\n", sshd.user), &format!("User {user}\n"));
        config.push_str(&block);
    }
    let path = shared.path().join("config");
    std::fs::write(&path, config).unwrap();
    (sshd, path, shared)
}
