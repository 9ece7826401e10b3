//! Hostile and awkward remote sides: a fake `scp` modelled on OpenSSH's
//! regress/scp.sh "bad server" cases, talkative login profiles, every login
//! shell, a host without scp, remote stderr and exit status, a stalled peer.

mod support;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use scpdeck::scp::{
    self, CancellationToken, Diagnostic, DownloadRequest, Event, Options, ScpError, Summary, UploadRequest,
};
use support::{Banner, Shell, Sshd};

fn down(
    session: &scpdeck::ssh::OwnedLink,
    source: &Path,
    target: &Path,
    options: Options,
) -> (Result<Summary, ScpError>, Vec<Event>) {
    let request = DownloadRequest {
        host: "bad-host".into(),
        sources: vec![OsString::from(source.as_os_str())],
        target: target.to_path_buf(),
        options,
        landing: Vec::new(),
    };
    let mut events = Vec::new();
    let result = scp::download(session.link(), &request, &mut |e| events.push(e), &CancellationToken::new());
    (result, events)
}

fn up(
    session: &scpdeck::ssh::OwnedLink,
    source: &Path,
    target: &Path,
) -> (Result<Summary, ScpError>, Vec<Event>) {
    let request = UploadRequest {
        host: "bad-host".into(),
        sources: vec![source.to_path_buf()],
        target: target.as_os_str().to_os_string(),
        options: Options::default(),
        names: Vec::new(),
    };
    let mut events = Vec::new();
    let result = scp::upload(session.link(), &request, &mut |e| events.push(e), &CancellationToken::new());
    (result, events)
}

/// A fake remote scp: what it sends depends on the requested path's name.
fn bad_server() -> Sshd {
    let script = format!(
        r#"#!/bin/sh
for last; do :; done
case "$last" in
*/dot) printf 'C0644 1 .\nx\0' ;;
*/empty) printf 'C0644 1 \nx\0' ;;
*/dotdot) printf 'C0644 1 ../x\nx\0' ;;
*/slash) printf 'C0644 1 a/b\nx\0' ;;
*/rootdir) printf 'D0755 0 /tmp/scpdeck-rootpathdir\nC0644 1 f\nx\0E\n' ;;
*/updir) printf 'D0755 0 updir\nD0755 0 ..\nC0644 1 f\nx\0E\nE\n' ;;
*/other) printf 'C0644 1 unrequested\nx\0' ;;
*/extra) printf 'C0644 1 extra\nx\0C0644 1 unrequested\ny\0'; sleep 2 ;;
*/trailing) printf 'C0644 1 trailing\nx\0garbage\n'; sleep 2 ;;
*/dir) printf 'D0755 0 dir\nC0644 1 f\nx\0E\n' ;;
*/short) printf 'C0644 1000 short\nonly a little' ;;
*/huge) printf 'C0644 99999999999999999999 huge\n' ;;
*/badmode) printf 'C07x4 1 badmode\nx\0' ;;
*/badtime) printf 'T12x 0 1 0\nC0644 1 badtime\nx\0' ;;
*/escape) printf 'C0644 1 \033]0;pwned\007\nx\0' ;;
*/text) echo 'No match.' ;;
*/stall) sleep 4 ;;
*/stderr) echo 'warning: something odd' >&2; exec {scp} "$@" ;;
*/exit3) {scp} "$@"; exit 3 ;;
*) exec {scp} "$@" ;;
esac
"#,
        scp = support::which("scp").display()
    );
    Sshd::builder().program("scp", &script).start()
}

fn scratch() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("target");
    std::fs::create_dir(&target).unwrap();
    (tmp, target)
}

#[test]
fn bad_server_records_are_refused_and_nothing_is_written() {
    let sshd = bad_server();
    let session = sshd.session();
    let cases: &[(&str, bool, &str)] = &[
        ("dot", false, "the file name \".\""),
        ("empty", false, "the file name \"\", which is empty"),
        ("dotdot", false, "the file name \"../x\", which holds a slash"),
        ("slash", false, "the file name \"a/b\", which holds a slash"),
        ("rootdir", true, "which holds a slash"),
        ("updir", true, "the file name \"..\""),
        ("other", false, "\"unrequested\" but \"other\" was requested"),
        ("dir", false, "a directory (\"D0755 0 dir\") where only files were requested"),
        ("huge", false, "size"),
        ("badmode", false, "bad mode in record \"C07x4 1 badmode\""),
        ("badtime", false, "bad time record"),
        ("escape", false, "\"\\e]0;pwned\\x07\""),
        ("text", false, "the remote scp said: No match."),
    ];
    for &(name, recursive, expected) in cases {
        let (tmp, target) = scratch();
        let options = Options { recursive, ..Options::default() };
        let (result, events) = down(&session, &Path::new("/nowhere").join(name), &target, options);
        let err = match result {
            Err(e @ ScpError::Hostile { .. }) => e.to_string(),
            other => panic!("{name}: {other:?} {events:?}"),
        };
        assert!(err.contains(expected), "{name}: {err}");
        assert!(err.starts_with("bad-host: "), "{err}");
        if name != "text" {
            assert!(err.starts_with("bad-host: protocol error: "), "{err}");
        }
        assert!(!err.contains('\x1b') && !err.contains('\x07'), "{name}: unescaped: {err:?}");
        // Only what was valid before the bad record: an empty directory.
        let expected: &[&str] = if name == "updir" { &["updir"] } else { &[] };
        assert_eq!(support::awkward::names(&target), expected, "{name}");
        assert_eq!(support::awkward::names(tmp.path()), ["target"], "{name}");
    }
    assert!(!Path::new("/tmp/scpdeck-rootpathdir").exists());
}

#[test]
fn an_extra_file_or_data_after_the_requested_one_is_a_protocol_error() {
    let sshd = bad_server();
    let session = sshd.session();
    for (name, offence) in [
        (
            "extra",
            "protocol error: the server sent \"unrequested\", which was not requested, after the requested files",
        ),
        ("trailing", "protocol error: the server sent more after the requested files (\"garbage\")"),
    ] {
        let (_tmp, target) = scratch();
        let (result, events) = down(&session, &Path::new("/nowhere").join(name), &target, Options::default());
        let err = result.expect_err(name);
        assert!(err.is_protocol_violation(), "{err:?}");
        assert!(err.to_string().starts_with(&format!("bad-host: {offence}")), "{err}");
        // The engine wrote the requested file before the offence came (the
        // scheduler, which keeps it aside, discards it: see below); the
        // unrequested one is never written.
        assert_eq!(support::awkward::names(&target), [name], "{events:?}");
    }
}

/// `scpdeck cp` from the same server: the transfer fails with the server's
/// offence named, exit status 1, and nothing written; OpenSSH's scp fails
/// on it too ("protocol error").
#[test]
fn cp_fails_on_a_protocol_error_and_keeps_nothing() {
    let sshd = bad_server();
    let tmp = tempfile::tempdir().unwrap();
    let source = tmp.path().join("remote");
    std::fs::create_dir(&source).unwrap();
    for (name, offence) in [
        ("extra", "protocol error: the server sent \"unrequested\", which was not requested"),
        ("trailing", "protocol error: the server sent more after the requested files"),
    ] {
        // A real file, so that the scan finds it; the fake scp sends its own.
        std::fs::write(source.join(name), b"x").unwrap();
        let target = tmp.path().join(format!("target-{name}"));
        std::fs::create_dir(&target).unwrap();
        let remote = format!("{}:{}", sshd.alias(), source.join(name).display());
        let out = support::deadline::output_within(
            Command::new(support::tmux::scpdeck_bin())
                .args(["cp", "-F"])
                .arg(sshd.ssh_config())
                .arg(&remote)
                .arg(&target),
            Duration::from_secs(60),
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{name}: {err}");
        assert!(err.contains(offence), "{name}: {err}");
        let names = support::awkward::names(&target);
        assert!(names.is_empty(), "{name}: {names:?}");

        let openssh = support::deadline::output_within(
            sshd.scp().arg("-O").arg(&remote).arg(tmp.path().join(format!("openssh-{name}"))),
            Duration::from_secs(60),
        );
        let said = String::from_utf8_lossy(&openssh.stderr);
        assert!(!openssh.status.success() && said.contains("protocol error"), "{name}: {said}");
    }
}

#[test]
fn an_oversized_size_never_replaces_the_existing_file() {
    let sshd = bad_server();
    let (_tmp, target) = scratch();
    std::fs::write(target.join("short"), b"precious").unwrap();
    let (result, events) = down(&sshd.session(), Path::new("/nowhere/short"), &target, Options::default());
    let err = result.unwrap_err().to_string();
    assert!(err.contains("the connection closed after 13 of 1000 bytes of \"short\""), "{err}");
    assert_eq!(std::fs::read(target.join("short")).unwrap(), b"precious");
    assert_eq!(support::awkward::names(&target), ["short"]);
    assert!(events.iter().any(|e| matches!(e, Event::Failed { file, .. } if file.display() == "short")));
}

#[test]
fn remote_stderr_and_exit_status_are_reported() {
    let sshd = bad_server();
    let session = sshd.session();
    let (tmp, target) = scratch();
    let src = tmp.path().join("stderr");
    std::fs::write(&src, b"data").unwrap();
    let (result, events) = down(&session, &src, &target, Options::default());
    assert!(result.unwrap().success());
    let line = events.iter().find_map(|e| match e {
        Event::Diagnostic(Diagnostic::Stderr { line, host, .. }) => Some(format!("{host}: {line}")),
        _ => None,
    });
    assert_eq!(line.as_deref(), Some("bad-host: warning: something odd"));

    let src = tmp.path().join("exit3");
    std::fs::write(&src, b"data").unwrap();
    let (result, events) = down(&session, &src, &target, Options::default());
    let summary = result.unwrap();
    assert_eq!((summary.files, summary.success()), (1, false));
    assert!(events.iter().any(|e| matches!(e,
        Event::Diagnostic(Diagnostic::Exit { status, .. }) if status.code == Some(3))));
}

#[test]
fn a_stalled_peer_cannot_block_cancel() {
    let sshd = bad_server();
    let session = sshd.session();
    let (_tmp, target) = scratch();
    let token = CancellationToken::new();
    let canceller = {
        let token = token.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            token.cancel();
            Instant::now()
        })
    };
    let request = DownloadRequest {
        host: "h".into(),
        sources: vec!["/nowhere/stall".into()],
        target: target.clone(),
        options: Options::default(),
        landing: Vec::new(),
    };
    let result = scp::download(session.link(), &request, &mut |_| {}, &token);
    let latency = canceller.join().unwrap().elapsed();
    assert!(matches!(result, Err(ScpError::Cancelled)), "{result:?}");
    assert!(latency < Duration::from_secs(1), "{latency:?}");
}

#[test]
fn a_refused_target_is_a_clear_error() {
    let sshd = Sshd::start();
    let (tmp, _) = scratch();
    let src = tmp.path().join("f");
    std::fs::write(&src, b"x").unwrap();
    let request = UploadRequest {
        host: "h".into(),
        sources: vec![src.clone(), src],
        target: "/nonexistent-scpdeck-dir".into(),
        options: Options::default(),
        names: Vec::new(),
    };
    let result = scp::upload(sshd.session().link(), &request, &mut |_| {}, &CancellationToken::new());
    let err = result.unwrap_err().to_string();
    assert!(err.contains("/nonexistent-scpdeck-dir: No such file or directory"), "{err}");
}

#[test]
fn talkative_login_profiles_are_reported_not_fatal() {
    let sshd = Sshd::builder().banner(Banner::talkative()).start();
    let session = sshd.session();
    let (tmp, target) = scratch();
    let src = tmp.path().join("file");
    std::fs::write(&src, b"through the banner").unwrap();
    for direction in ["down", "up"] {
        let (result, events) = if direction == "down" {
            down(&session, &src, &target, Options::default())
        } else {
            up(&session, &target.join("file"), &tmp.path().join("again"))
        };
        assert!(result.unwrap().success(), "{direction}: {events:?}");
        let banner: Vec<_> = events
            .iter()
            .filter_map(|e| match e {
                Event::Diagnostic(d @ Diagnostic::Banner { .. }) => Some(d.lines()),
                _ => None,
            })
            .collect();
        assert_eq!(banner.len(), 1, "{direction}: {events:?}");
        let text = banner[0].join("\n");
        for expected in [
            "bad-host:   stdout | Welcome to the test host!",
            "bad-host:   stdout | Last login: yesterday",
            "bad-host:   stderr | profile: could not set locale",
        ] {
            assert!(text.contains(expected), "{direction}: {text}");
        }
        assert!(text.starts_with("bad-host: the login shell printed 4 lines before scp started"), "{text}");
    }
    assert_eq!(std::fs::read(tmp.path().join("again")).unwrap(), b"through the banner");
}

#[test]
fn every_login_shell_works_and_a_host_without_scp_says_so() {
    for login in Shell::available() {
        let sshd = Sshd::builder().shell(login.clone()).banner(Banner::talkative()).start();
        let session = sshd.session();
        let (tmp, target) = scratch();
        let src = tmp.path().join("it's a $(file) `x`");
        std::fs::write(&src, b"shell-proof").unwrap();
        let (down_result, _) = down(&session, &src, &target, Options::default());
        let (up_result, _) = up(&session, &src, &tmp.path().join("up"));
        if login == Shell::BusyBox {
            for result in [down_result, up_result] {
                let err = result.unwrap_err();
                assert!(matches!(err, ScpError::Missing { .. }), "{err:?}");
                assert!(err.to_string().contains("has no scp program"), "{err}");
            }
            continue;
        }
        assert!(down_result.unwrap().success(), "{login:?}");
        assert!(up_result.unwrap().success(), "{login:?}");
        assert_eq!(std::fs::read(target.join("it's a $(file) `x`")).unwrap(), b"shell-proof", "{login:?}");
        assert_eq!(std::fs::read(tmp.path().join("up")).unwrap(), b"shell-proof", "{login:?}");
    }
}
