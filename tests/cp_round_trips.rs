//! What a one-file `scpdeck cp` costs before its first byte: the logins and
//! the commands (exec requests) the server sees, each command a channel
//! open, an exec and an end of input, so a few round trips each. Counted
//! from the harness sshd's log ("Starting session: command"). A download
//! is the probe (which looks at the source too) and the scp run, which
//! rides on the probe's parked channel (src/shell/park.rs): one exec
//! request. An upload is the probe (which looks at the destination and the
//! name the file takes in it too), the scp run on its channel (whose
//! command makes the private directory first), and the placing (which
//! removes the private directory too): two exec requests, and no listing
//! of the destination directory. docs/benchmarks.md has the times.

mod support;

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use support::Sshd;
use support::deadline::output_within;
use support::tmux::scpdeck_bin;

fn cp(sshd: &Sshd, from: &str, to: &str) -> Output {
    let mut command = Command::new(scpdeck_bin());
    command.args(["cp", "-vv", "-F"]).arg(sshd.ssh_config()).args([from, to]);
    output_within(&mut command, Duration::from_secs(60))
}

/// The host's ssh_config is read once (`ssh -G` with it, and once with
/// `-F none` for OpenSSH's defaults): connecting first and the jobs after
/// share the result.
#[test]
fn a_copy_resolves_its_host_once() {
    let (sshd, tmp, source) = five_bytes();
    let bin = tmp.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let calls = tmp.path().join("ssh-calls");
    let ssh = format!(
        "#!/bin/sh\nprintf '%s\\n' \"$*\" >> '{}'\nexec {} \"$@\"\n",
        calls.display(),
        support::which("ssh").display()
    );
    std::fs::write(bin.join("ssh"), ssh).unwrap();
    std::fs::set_permissions(bin.join("ssh"), std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let mut command = Command::new(scpdeck_bin());
    command.env("PATH", path).args(["cp", "-F"]).arg(sshd.ssh_config());
    let dir = tmp.path().join("to");
    std::fs::create_dir(&dir).unwrap();
    command.arg(source.to_str().unwrap()).arg(format!("{}/", on(&sshd, &dir)));
    let out = output_within(&mut command, Duration::from_secs(60));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read(dir.join("file5b")).unwrap(), b"hello");
    let calls = std::fs::read_to_string(&calls).unwrap();
    assert_eq!(calls.lines().filter(|l| l.starts_with("-G")).count(), 2, "{calls}");
}

/// The commands the server has started so far, as its log names them.
fn commands(sshd: &Sshd) -> Vec<String> {
    sshd.log().lines().filter(|l| l.contains("Starting session: ")).map(str::to_owned).collect()
}

fn on(sshd: &Sshd, path: &Path) -> String {
    format!("{}:{}", sshd.alias(), path.display())
}

/// One login, and no more commands than `most`, for a 5-byte file.
fn assert_costs(sshd: &Sshd, out: &Output, most: usize) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let seen = commands(sshd);
    eprintln!("{err}\n{}", seen.join("\n"));
    assert_eq!(sshd.accepted_logins(), 1, "{err}");
    assert!(seen.len() <= most, "{} commands, at most {most} expected:\n{}", seen.len(), seen.join("\n"));
}

/// A server, and a scratch directory holding `file5b` (5 bytes).
fn five_bytes() -> (Sshd, tempfile::TempDir, std::path::PathBuf) {
    let sshd = Sshd::start();
    let tmp = tempfile::tempdir().unwrap();
    let source = tmp.path().join("file5b");
    std::fs::write(&source, b"hello").unwrap();
    (sshd, tmp, source)
}

#[test]
fn a_five_byte_download_costs_one_login_and_one_exec() {
    let (sshd, tmp, source) = five_bytes();
    let target = tmp.path().join("x");
    let out = cp(&sshd, &on(&sshd, &source), target.to_str().unwrap());
    assert_costs(&sshd, &out, 1);
    assert_eq!(std::fs::read(&target).unwrap(), b"hello");
}

#[test]
fn a_five_byte_upload_costs_one_login_and_one_exec() {
    let (sshd, tmp, source) = five_bytes();
    let dir = tmp.path().join("to");
    std::fs::create_dir(&dir).unwrap();
    let out = cp(&sshd, source.to_str().unwrap(), &format!("{}/", on(&sshd, &dir)));
    assert_costs(&sshd, &out, 1);
    let scp = scp_command(&out);
    assert!(scp.contains("/' || exit; LC_ALL=C;"), "the placing follows scp in its command: {scp}");
    assert_eq!(std::fs::read(dir.join("file5b")).unwrap(), b"hello");
    // The private directory went with the placing.
    let names: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, ["file5b"]);
}

#[test]
fn a_five_byte_upload_over_an_existing_file_costs_the_same_one_exec() {
    let (sshd, tmp, source) = five_bytes();
    let dir = tmp.path().join("to");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("file5b"), b"older and longer").unwrap();
    let out = cp(&sshd, source.to_str().unwrap(), &format!("{}/", on(&sshd, &dir)));
    assert_costs(&sshd, &out, 1);
    assert_eq!(std::fs::read(dir.join("file5b")).unwrap(), b"hello");
    assert_eq!(support::awkward::names(&dir), ["file5b"]);
}

/// The scp run's command as `-vv` shows it (its start: the log cuts long
/// commands).
fn scp_command(out: &Output) -> String {
    let err = String::from_utf8_lossy(&out.stderr);
    err.lines().find(|l| l.contains("scp -t")).unwrap_or_default().to_owned()
}

/// `-p` with the placing folded in: scp -t sets the mode and the times on
/// the private copy, the rename keeps them.
#[test]
fn a_preserved_upload_keeps_its_mode_and_time_with_one_exec() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let (sshd, tmp, source) = five_bytes();
    std::fs::set_permissions(&source, std::fs::Permissions::from_mode(0o640)).unwrap();
    let when = std::time::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
    std::fs::File::options().write(true).open(&source).unwrap().set_modified(when).unwrap();
    let dir = tmp.path().join("to");
    std::fs::create_dir(&dir).unwrap();
    let mut command = Command::new(scpdeck_bin());
    command.args(["cp", "-vv", "-p", "-F"]).arg(sshd.ssh_config());
    command.arg(&source).arg(format!("{}/", on(&sshd, &dir)));
    let out = output_within(&mut command, Duration::from_secs(60));
    assert_costs(&sshd, &out, 1);
    let meta = std::fs::metadata(dir.join("file5b")).unwrap();
    assert_eq!(meta.mode() & 0o7777, 0o640);
    assert_eq!(meta.mtime(), 1_000_000_000);
    assert_eq!(support::awkward::names(&dir), ["file5b"]);
}

/// The destination name goes to the folded placing quoted: spaces,
/// quotes, `$(...)` and a newline arrive as they are.
#[test]
fn an_awkward_destination_name_is_placed_by_the_one_exec() {
    let (sshd, tmp, source) = five_bytes();
    let dir = tmp.path().join("to");
    std::fs::create_dir(&dir).unwrap();
    let name = "a 'b' \"c\" $(touch x)\nd";
    let out = cp(&sshd, source.to_str().unwrap(), &on(&sshd, &dir.join(name)));
    assert_costs(&sshd, &out, 1);
    assert_eq!(std::fs::read(dir.join(name)).unwrap(), b"hello");
    assert_eq!(support::awkward::names(&dir), [name]);
}

/// With verification on, the copy is compared before it replaces
/// anything: the placing is not folded into the scp command but follows
/// the comparison (the probe, the sha256 of the copy, the placing).
#[test]
fn a_verified_upload_places_after_the_comparison() {
    let (sshd, tmp, source) = five_bytes();
    let dir = tmp.path().join("to");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("file5b"), b"older and longer").unwrap();
    let mut command = Command::new(scpdeck_bin());
    command.args(["cp", "-vv", "--verify", "-F"]).arg(sshd.ssh_config());
    command.arg(&source).arg(format!("{}/", on(&sshd, &dir)));
    let out = output_within(&mut command, Duration::from_secs(60));
    assert_costs(&sshd, &out, 3);
    assert_eq!(commands(&sshd).len(), 3, "the placing has a command of its own");
    let scp = scp_command(&out);
    assert!(scp.contains("exec scp -t -d -- '") && !scp.contains("|| exit;"), "{scp}");
    assert_eq!(std::fs::read(dir.join("file5b")).unwrap(), b"hello");
    assert_eq!(support::awkward::names(&dir), ["file5b"]);
}
