//! The protocol ladder against real servers: an account with `ForceCommand
//! internal-sftp` (SFTP, no shell), one whose PATH has no `scp` (SFTP for
//! transfers, the shell for the rest) and one with neither scp nor an sftp
//! subsystem (`cat`/`dd`). On each: the rung the probe picks, listings with
//! awkward names, file operations, `scpdeck cp` of trees both ways (sha256
//! compared), a copy killed half way, the rung named by `-v` and by the
//! first failure, `scpdeck ls`, relays between rungs, a cancel with a
//! stalled SFTP server, and the commander in tmux.

mod support;

use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use scpdeck::fs::remote::Protocol;
use scpdeck::fs::{Entry, FileSystem, Kind, RemoteFs};
use sha2::{Digest, Sha256};
use support::awkward::{AWKWARD_NAMES, awkward_tree, lstat_entries, os};
use support::tmux::scpdeck_bin;
use support::{Sshd, deadline};

/// The three servers, each with the rung it should get and what the log
/// says about it.
fn servers() -> Vec<(Protocol, &'static str, Sshd)> {
    vec![
        (Protocol::Sftp, "runs no commands", Sshd::builder().sftp_only().start()),
        (Protocol::Sftp, "no scp on the PATH", Sshd::builder().without_scp().start()),
        (
            Protocol::Stream,
            "neither scp nor an sftp subsystem",
            Sshd::builder().without_scp().without_sftp().start(),
        ),
    ]
}

const LIMIT: Duration = Duration::from_secs(120);

fn cp(sshd: &Sshd, args: &[&str]) -> Output {
    Command::new(scpdeck_bin()).arg("cp").arg("-F").arg(sshd.ssh_config()).args(args).output().unwrap()
}

fn on(sshd: &Sshd, path: &Path) -> String {
    format!("{}:{}", sshd.alias(), path.display())
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// What a listing can tell on every rung (SFTP version 3 has whole seconds
/// and numeric owners).
fn comparable(e: &Entry) -> (Vec<u8>, Kind, u64, u32, i64, Option<scpdeck::fs::LinkTarget>) {
    (e.name.as_bytes().to_vec(), e.kind, e.size, e.mode, e.mtime.secs, e.link.clone())
}

#[test]
fn the_probe_picks_each_rung_and_lists_awkward_names_alike() {
    for (protocol, why, sshd) in servers() {
        let tmp = tempfile::tempdir().unwrap();
        awkward_tree(tmp.path());
        deadline::within(&sshd, LIMIT, || {
            let session = sshd.session();
            let fs = RemoteFs::open(session.link()).unwrap();
            assert_eq!(fs.host().protocol(), protocol, "{why}");
            assert!(fs.host().caps().protocol_line().contains(why), "{}", fs.host().caps().protocol_line());
            let mut listed = fs.list(tmp.path()).unwrap().entries;
            listed.sort_by(|a, b| a.name.cmp(&b.name));
            let expected = lstat_entries(tmp.path());
            let got: Vec<_> = listed.iter().map(comparable).collect();
            let want: Vec<_> = expected.iter().map(comparable).collect();
            assert_eq!(got, want, "{why}");
            for name in AWKWARD_NAMES {
                let shown = listed.iter().find(|e| e.name == os(name)).unwrap().display_name();
                assert!(!shown.chars().any(char::is_control), "{why}: {shown:?}");
            }
        });
    }
}

#[test]
fn file_operations_on_each_rung() {
    for (_, why, sshd) in servers() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        std::fs::write(dir.join("data"), b"0123456789").unwrap();
        deadline::within(&sshd, LIMIT, || {
            let session = sshd.session();
            let fs = RemoteFs::open(session.link()).unwrap();
            let odd = dir.join(os(b"new\ndir $(x) '"));
            fs.make_dir(&odd.join("inner")).unwrap();
            assert!(dir.join(&odd).join("inner").is_dir(), "{why}");
            assert!(fs.make_dir(&odd).is_err(), "{why}: an existing directory is an error");
            fs.rename(&odd, &dir.join("renamed")).unwrap();
            assert!(dir.join("renamed/inner").is_dir(), "{why}");
            assert!(fs.rename(&dir.join("data"), &dir.join("renamed")).is_err(), "{why}: never over a name");
            fs.touch(&dir.join("empty")).unwrap();
            assert_eq!(std::fs::metadata(dir.join("empty")).unwrap().len(), 0, "{why}");
            fs.chmod(&[dir.join("data")], 0o640, false).unwrap();
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(dir.join("data")).unwrap().permissions().mode() & 0o7777, 0o640);
            fs.symlink(std::ffi::OsStr::new("data"), &dir.join("link")).unwrap();
            assert_eq!(std::fs::read_link(dir.join("link")).unwrap(), Path::new("data"), "{why}");
            let link = fs.list(dir).unwrap().entries.into_iter().find(|e| e.name == "link").unwrap();
            assert_eq!(link.link.map(|l| (l.path, l.kind)), Some(("data".into(), Some(Kind::File))), "{why}");
            let (prefix, size) = fs.read_prefix(&dir.join("data"), 4).unwrap();
            assert_eq!((prefix.as_slice(), size), (&b"0123"[..], 10), "{why}");
            let digest = fs.sha256(&[&dir.join("data")]).unwrap().remove(0).unwrap();
            assert_eq!(digest.to_vec(), Sha256::digest(b"0123456789").to_vec(), "{why}");
            let usage = fs.usage(&[dir.to_path_buf()]).unwrap();
            assert!(usage.bytes >= 10 && usage.complete, "{why}: {usage:?}");
            assert!(fs.free_space(dir).unwrap() > 0, "{why}");
            let found = fs.expand(&dir.join("da*")).unwrap();
            assert_eq!(found, vec![dir.join("data")], "{why}");
            fs.delete(&[dir.join("renamed"), dir.join("link")]).unwrap();
            assert!(!dir.join("renamed").exists() && dir.join("data").exists(), "{why}");
            let missing = fs.delete(&[dir.join("nothing here")]).unwrap_err();
            assert!(matches!(missing, scpdeck::fs::FsError::NotFound(_)), "{why}: {missing}");
        });
    }
}

/// A tree with awkward names (regular files), a nested directory and a
/// file larger than a block.
fn source_tree(dir: &Path) {
    std::fs::create_dir_all(dir.join("sub/deeper")).unwrap();
    for (i, name) in AWKWARD_NAMES.iter().enumerate() {
        std::fs::write(dir.join(os(name)), vec![b'a' + (i % 26) as u8; i * 7]).unwrap();
    }
    support::random_file(&dir.join("sub/big"), 3 * 1024 * 1024 + 17, 7);
    std::fs::write(dir.join("sub/deeper/small"), b"small").unwrap();
    std::os::unix::fs::symlink("sub/big", dir.join("link to big")).unwrap();
}

/// Every regular file under `dir` and its sha256, by path within `dir`.
fn digests(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut all: Vec<(PathBuf, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let data = std::fs::read(e.path()).unwrap();
            (e.path().strip_prefix(dir).unwrap().to_path_buf(), Sha256::digest(data).to_vec())
        })
        .collect();
    all.sort();
    all
}

#[test]
fn cp_copies_trees_both_ways_on_each_rung_and_v_names_it() {
    for (protocol, why, sshd) in servers() {
        let tmp = tempfile::tempdir().unwrap();
        let (source, there, back) =
            (tmp.path().join("src"), tmp.path().join("there"), tmp.path().join("back"));
        source_tree(&source);
        std::fs::create_dir(&there).unwrap();
        std::fs::create_dir(&back).unwrap();
        let up = cp(&sshd, &["-v", "-r", "-p", source.to_str().unwrap(), &on(&sshd, &there)]);
        assert!(up.status.success(), "{why}: {}", stderr(&up));
        let said = format!("transfers use {protocol} (");
        assert!(stderr(&up).contains(&said), "{why}: -v names the rung: {}", stderr(&up));
        assert_eq!(digests(&there.join("src")), digests(&source), "{why}: upload");
        let link = std::fs::read_link(there.join("src/link to big"));
        assert_eq!(link.ok(), Some(PathBuf::from("sub/big")), "{why}: a link is copied as a link");
        use std::os::unix::fs::MetadataExt;
        let mtime = |p: &Path| std::fs::metadata(p).unwrap().mtime();
        assert_eq!(mtime(&there.join("src/sub/big")), mtime(&source.join("sub/big")), "{why}: -p");
        let down = cp(&sshd, &["-r", &on(&sshd, &there.join("src")), back.to_str().unwrap()]);
        assert!(down.status.success(), "{why}: {}", stderr(&down));
        assert_eq!(digests(&back.join("src")), digests(&source), "{why}: download");
        let link = std::fs::read_link(back.join("src/link to big"));
        assert_eq!(link.ok(), Some(PathBuf::from("sub/big")), "{why}: a link is copied as a link");
        assert!(support::temp_names(&there).is_empty() && support::temp_names(&back).is_empty(), "{why}");
        let ls = Command::new(scpdeck_bin())
            .args(["ls", "-F"])
            .arg(sshd.ssh_config())
            .arg(on(&sshd, &there.join("src")))
            .output()
            .unwrap();
        let listed = String::from_utf8_lossy(&ls.stdout);
        assert!(ls.status.success(), "{why}: {}", stderr(&ls));
        assert!(listed.contains("new\\nline") && !listed.contains('\x1b'), "{why}: {listed}");
        let ls = |args: &[&str]| {
            Command::new(scpdeck_bin())
                .arg("ls")
                .arg("-F")
                .arg(sshd.ssh_config())
                .args(args)
                .output()
                .unwrap()
        };
        let verbose = ls(&["-v", &on(&sshd, &there)]);
        assert!(stderr(&verbose).contains(&said), "{why}: ls -v names the rung: {}", stderr(&verbose));
        let missing = ls(&[&on(&sshd, &there.join("missing"))]);
        assert!(!missing.status.success(), "{why}");
        let note = format!("files travel by {protocol} (");
        assert!(
            stderr(&missing).contains(&note),
            "{why}: ls names the rung with its failure: {}",
            stderr(&missing)
        );
    }
}

#[test]
fn relays_between_rungs_go_through_this_machine() {
    let a = Sshd::builder().sftp_only().start();
    let b = Sshd::builder().without_scp().without_sftp().start();
    let c = Sshd::start();
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("ssh_config");
    std::fs::write(&config, a.config_block("a") + &b.config_block("b") + &c.config_block("c")).unwrap();
    let (source, mid, back) = (tmp.path().join("src"), tmp.path().join("mid"), tmp.path().join("back"));
    source_tree(&source);
    std::fs::create_dir(&mid).unwrap();
    std::fs::create_dir(&back).unwrap();
    let run = |from: String, to: String| {
        let out = Command::new(scpdeck_bin())
            .args(["cp", "-r", "-F"])
            .arg(&config)
            .args([&from, &to])
            .output()
            .unwrap();
        assert!(out.status.success(), "{from} -> {to}: {}", stderr(&out));
    };
    // SFTP to cat, then cat to scp.
    run(format!("a:{}", source.display()), format!("b:{}", mid.display()));
    assert_eq!(digests(&mid.join("src")), digests(&source));
    run(format!("b:{}", mid.join("src").display()), format!("c:{}", back.display()));
    assert_eq!(digests(&back.join("src")), digests(&source));
}

#[test]
fn the_first_failure_names_the_rung() {
    for (protocol, why, sshd) in servers() {
        let tmp = tempfile::tempdir().unwrap();
        // /proc says such a file is empty, then gives more: on the lower
        // rungs that is a source that changed while it was copied.
        let source = on(&sshd, Path::new("/proc/version"));
        let out = cp(&sshd, &[&source, tmp.path().to_str().unwrap()]);
        assert!(
            !out.status.success(),
            "{why}: {} {:?}",
            stderr(&out),
            std::fs::read(tmp.path().join("version"))
        );
        let err = stderr(&out);
        assert!(err.contains("the source changed while it was copied"), "{why}: {err}");
        assert!(err.contains(&format!("files travel by {protocol} (")), "{why}: {err}");
        assert!(!tmp.path().join("version").exists(), "{why}: nothing under the destination name");
    }
}

/// Waits until `done` or the limit.
fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < Duration::from_secs(60), "waited too long for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_copy_killed_half_way_leaves_nothing_under_the_destination_name() {
    for (_, why, sshd) in servers() {
        let tmp = tempfile::tempdir().unwrap();
        let (here, there) = (tmp.path().join("here"), tmp.path().join("there"));
        std::fs::create_dir(&here).unwrap();
        std::fs::create_dir(&there).unwrap();
        support::random_file(&here.join("big"), 24 << 20, 3);
        support::random_file(&there.join("remote big"), 24 << 20, 4);
        let cases = [
            (
                here.join("big").to_str().unwrap().to_owned(),
                on(&sshd, &there),
                there.join("big"),
                there.clone(),
            ),
            (
                on(&sshd, &there.join("remote big")),
                here.to_str().unwrap().to_owned(),
                here.join("remote big"),
                here.clone(),
            ),
        ];
        for (from, to, dest, dir) in cases {
            let mut child = Command::new(scpdeck_bin())
                .args(["cp", "-F", sshd.ssh_config().to_str().unwrap(), "-l", "16000", &from, &to])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            wait_for("bytes to arrive", || support::partial_bytes(&dir) > 0);
            child.kill().unwrap();
            child.wait().unwrap();
            assert!(!dest.exists(), "{why}: {} after the kill", dest.display());
        }
    }
}

/// An SFTP server that stops answering in the middle of a file: a cancel
/// still ends the transfer at once (libssh2's blocking calls are bounded
/// and resumed), and nothing is left under the destination name.
#[test]
fn a_cancel_ends_a_transfer_from_a_stalled_sftp_server() {
    use scpdeck::scp::rung::{End, download_by};
    use scpdeck::scp::{CancellationToken, DownloadRequest, Event, Options, Throttle};
    let sshd = Sshd::builder().sftp_only().start();
    let tmp = tempfile::tempdir().unwrap();
    let (big, out) = (tmp.path().join("big"), tmp.path().join("out"));
    support::random_file(&big, 32 << 20, 5);
    std::fs::create_dir(&out).unwrap();
    let session = sshd.session();
    let end = End::Sftp(scpdeck::ssh::sftp::sftp(session.link()).unwrap());
    let request = DownloadRequest {
        host: "stalled".into(),
        sources: vec![big.clone().into_os_string()],
        target: out.clone(),
        options: Options { limit: Some(Throttle::from_kbit(16_000)), ..Options::default() },
        landing: Vec::new(),
    };
    let cancel = CancellationToken::new();
    let (started_tx, started) = std::sync::mpsc::channel();
    let ended = std::thread::scope(|scope| {
        let worker = scope.spawn(|| {
            let mut said = false;
            download_by(
                &end,
                &request,
                &[],
                &mut |e| {
                    if matches!(e, Event::Progress { .. }) && !said {
                        said = true;
                        let _ = started_tx.send(());
                    }
                },
                &cancel,
            )
        });
        started.recv_timeout(Duration::from_secs(30)).expect("the download started");
        sshd.stop_connections();
        std::thread::sleep(Duration::from_millis(500));
        let asked = Instant::now();
        cancel.cancel();
        let result = worker.join().unwrap();
        let took = asked.elapsed();
        sshd.continue_connections();
        (result, took)
    });
    let (result, took) = ended;
    assert!(matches!(result, Err(scpdeck::scp::ScpError::Cancelled)), "{result:?}");
    assert!(took < Duration::from_secs(3), "the cancel took {took:?}");
    assert!(!out.join("big").exists());
}

/// The commander in tmux on an SFTP-only host: the pane title names the
/// rung, and a file copied from it with F5 arrives whole.
#[test]
fn the_commander_browses_and_copies_from_an_sftp_only_host() {
    use support::tmux::Tmux;
    let sshd = Sshd::builder().sftp_only().start();
    let (local, remote) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    support::random_file(&remote.path().join("payload"), 2 << 20, 9);
    let command = format!(
        "SCPDECK_CONFIG_DIR='{0}/config' XDG_STATE_HOME='{0}/state' '{1}' -F '{2}' '{0}' '{3}:{4}'; sleep 60",
        local.path().display(),
        scpdeck_bin().display(),
        sshd.ssh_config().display(),
        sshd.alias(),
        remote.path().display(),
    );
    let tmux = Tmux::start(&command, 120, 30);
    let screen = tmux.wait_for(&format!("{}:{} [sftp]", sshd.alias(), remote.path().display()));
    assert!(screen.contains("payload"), "{screen}");
    tmux.keys(&["Tab", "Down", "F5"]);
    tmux.wait_for("Copy");
    tmux.keys(&["Enter"]);
    wait_for("the copy to finish", || {
        std::fs::read(local.path().join("payload")).ok() == std::fs::read(remote.path().join("payload")).ok()
    });
    tmux.keys(&["q"]);
}

/// SFTP acts as the login user: an SFTP-only account asked to act as root
/// fails (it cannot run sudo) instead of quietly copying as itself.
#[test]
fn an_sftp_only_host_is_not_used_as_root() {
    let sshd = Sshd::builder().sftp_only().start();
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("file"), b"data").unwrap();
    let out_dir = tmp.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let out = Command::new("timeout")
        .args(["120", "setsid", "-w"])
        .arg(scpdeck_bin())
        .args(["cp", "--sudo", "-F"])
        .arg(sshd.ssh_config())
        .args([&on(&sshd, &tmp.path().join("file")), out_dir.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("the remote shell did not start the command"), "{}", stderr(&out));
    assert!(!out_dir.join("file").exists());
}
