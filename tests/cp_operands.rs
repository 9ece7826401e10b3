//! scp's remote operand syntax in `scpdeck cp`: glob patterns expanded by
//! the remote shell (and nothing else: no command substitution), `~USER`
//! paths; the real binary against a harness sshd.

mod support;

use std::path::Path;
use std::process::{Command, Output};

use support::awkward::names;
use support::tmux::scpdeck_bin;
use support::{Sshd, password_user};

fn cp(config: &Path, args: &[&str]) -> Output {
    let mut child = Command::new(scpdeck_bin())
        .arg("cp")
        .arg("-F")
        .arg(config)
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > std::time::Duration::from_secs(60) {
            let _ = child.kill();
            panic!("scpdeck cp did not end within a minute");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn remote_patterns_copy_what_they_match_and_run_nothing() {
    let sshd = Sshd::start();
    let tmp = tempfile::tempdir().unwrap();
    let logs = tmp.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    for name in ["a.gz", "b.gz", "c.txt", "$(touch pwned).gz", "`touch pwned2`.gz", "sp ace.gz"] {
        std::fs::write(logs.join(name), name).unwrap();
    }
    let local = tmp.path().join("local");
    std::fs::create_dir(&local).unwrap();
    let config = sshd.ssh_config();
    let pattern = format!("{}:{}/*.gz", sshd.alias(), logs.display());
    let out = cp(&config, &[&pattern, local.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(names(&local), ["$(touch pwned).gz", "`touch pwned2`.gz", "a.gz", "b.gz", "sp ace.gz"]);
    assert_eq!(std::fs::read(local.join("sp ace.gz")).unwrap(), b"sp ace.gz");

    // A pattern holding command substitutions and backticks only matches.
    let sneaky = local.join("sneaky");
    std::fs::create_dir(&sneaky).unwrap();
    let pattern = format!(
        "{}:{}/$(touch {}/ran)*`touch {}/ran2`*",
        sshd.alias(),
        logs.display(),
        logs.display(),
        logs.display()
    );
    let out = cp(&config, &[&pattern, sneaky.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("nothing matches"), "{}", stderr(&out));
    assert!(!logs.join("ran").exists() && !logs.join("ran2").exists(), "nothing ran on the host");
    let pattern = format!("{}:{}/$(*", sshd.alias(), logs.display());
    let out = cp(&config, &[&pattern, sneaky.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(names(&sneaky), ["$(touch pwned).gz"]);
    assert!(!logs.join("pwned").exists() && !logs.join("pwned2").exists());

    // Nothing matches: an error, and the other sources still go.
    let none = format!("{}:{}/*.zip", sshd.alias(), logs.display());
    let one = format!("{}:{}/c.txt", sshd.alias(), logs.display());
    let other = tmp.path().join("other");
    std::fs::create_dir(&other).unwrap();
    let out = cp(&config, &[&none, &one, other.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("nothing matches the pattern"), "{}", stderr(&out));
    assert_eq!(names(&other), ["c.txt"]);
}

#[test]
fn home_directories_of_other_users() {
    let user = password_user();
    let sshd = Sshd::start();
    let home = Path::new("/home").join(&user.name);
    let name = format!("scpdeck-operand-{:08x}", rand::random::<u32>());
    std::fs::write(home.join(&name), b"in their home").unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let config = sshd.ssh_config();
    let source = format!("{}:~{}/{name}", sshd.alias(), user.name);
    let out = cp(&config, &[&source, tmp.path().to_str().unwrap()]);
    std::fs::remove_file(home.join(&name)).unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read(tmp.path().join(&name)).unwrap(), b"in their home");

    let back = format!("{}:~{}/", sshd.alias(), user.name);
    let out = cp(&config, &[tmp.path().join(&name).to_str().unwrap(), &back]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read(home.join(&name)).unwrap(), b"in their home");
    std::fs::remove_file(home.join(&name)).unwrap();

    let nobody = format!("{}:~no-such-user-here/x", sshd.alias());
    let out = cp(&config, &[&nobody, tmp.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no such user"), "{}", stderr(&out));
}
