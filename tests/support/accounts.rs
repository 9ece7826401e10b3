//! Users the harness logs in as.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use nix::unistd::{Uid, User};

/// The name of the user running the tests (sshd runs as this user too).
pub fn current_user() -> String {
    match User::from_uid(Uid::current()) {
        Ok(Some(user)) => user.name,
        _ => panic!("the current user has no passwd entry"),
    }
}

/// A local account with a known password, for password and
/// keyboard-interactive tests.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub name: String,
    pub password: String,
}

const NAME: &str = "scpdeck-test";
const PASSWORD_FILE: &str = "/var/lib/scpdeck-test/password";

/// Creates (once per machine) the `scpdeck-test` account with a random
/// password, and returns its credentials. sshd can only check a password when
/// it runs as root, so these tests need root (scripts/test runs them as root,
/// or under sudo).
pub fn password_user() -> TestUser {
    assert!(
        nix::unistd::geteuid().is_root(),
        "password and keyboard-interactive tests need root: sshd must read /etc/shadow. \
         Run scripts/test as root or with sudo."
    );
    let dir = Path::new(PASSWORD_FILE).parent().expect("password dir");
    std::fs::create_dir_all(dir).expect("create /var/lib/scpdeck-test");
    let lock = std::fs::File::create(dir.join("lock")).expect("lock file");
    let _lock = nix::fcntl::Flock::lock(lock, nix::fcntl::FlockArg::LockExclusive).expect("flock");

    if !Command::new("id")
        .arg("-u")
        .arg(NAME)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
    {
        let status = Command::new("useradd").args(["-m", "-s", "/bin/sh", NAME]).status().expect("useradd");
        assert!(status.success(), "useradd {NAME} failed");
    }
    let password = match std::fs::read_to_string(PASSWORD_FILE) {
        Ok(p) if !p.trim().is_empty() => p.trim().to_owned(),
        _ => {
            let p = format!("pw-{:016x}", rand::random::<u64>());
            write_private(Path::new(PASSWORD_FILE), &p);
            p
        }
    };
    let mut chpasswd = Command::new("chpasswd").stdin(Stdio::piped()).spawn().expect("chpasswd");
    writeln!(chpasswd.stdin.as_mut().expect("stdin"), "{NAME}:{password}").expect("write chpasswd");
    assert!(chpasswd.wait().expect("chpasswd").success(), "chpasswd failed");
    TestUser { name: NAME.to_owned(), password }
}

fn write_private(path: &Path, text: &str) {
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .expect("password file");
    file.write_all(text.as_bytes()).expect("write password file");
}

/// An sshd where the unprivileged `scpdeck-test` account logs in with the
/// harness key, an ssh_config whose alias `other` logs in as that account,
/// and the directory holding both (mode 755, so the account can read it;
/// keep it alive as long as the sshd).
pub fn unprivileged_sshd() -> (super::Sshd, std::path::PathBuf, tempfile::TempDir) {
    use std::os::unix::fs::PermissionsExt;
    let user = password_user();
    let shared = tempfile::Builder::new().prefix("scpdeck-keys-").tempdir_in("/tmp").unwrap();
    std::fs::set_permissions(shared.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let keys = shared.path().join("authorized_keys");
    let sshd = super::Sshd::builder()
        .config(format!("Match User {}\n  AuthorizedKeysFile {}", user.name, keys.display()))
        .start();
    std::fs::copy(sshd.path("authorized_keys"), &keys).unwrap();
    std::fs::set_permissions(&keys, std::fs::Permissions::from_mode(0o644)).unwrap();
    let config = shared.path().join("config");
    let block = sshd
        .config_block("other")
        .replace(&format!("User {}\n", sshd.user), &format!("User {}\n", user.name));
    std::fs::write(&config, block).unwrap();
    (sshd, config, shared)
}
