//! The framing layer against a real sshd: quoting survives every login shell,
//! banners are separated from output, never mixed in, and login profiles
//! that misbehave (no final newline, binary noise, reading standard input)
//! are survived.

mod support;

use std::ffi::OsStr;
use std::io::{Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::time::Duration;

use scpdeck::shell::delivery::{self, Delivery};
use scpdeck::shell::{self, Command, ExecError};
use support::deadline::within;
use support::{Banner, Shell, Sshd};

const AWKWARD: &[&[u8]] = &[
    b"plain",
    b"with space",
    b"quote ' and \" both",
    b"$(touch /tmp/scpdeck-pwned) `id` ${HOME} !!",
    b"-leading-dash",
    b"new\nline",
    b"back\\slash\\",
    b"tab\tand\x1bescape",
    b"\xff\xfe not utf8",
    "日本語 🚀".as_bytes(),
];

fn printf_each() -> Command {
    let words = AWKWARD.iter().map(|w| OsStr::from_bytes(w));
    words.fold(Command::new("printf '%s\\0'"), |cmd, w| cmd.arg(w).unwrap())
}

fn expected() -> Vec<u8> {
    AWKWARD.iter().flat_map(|w| w.iter().copied().chain([0])).collect()
}

#[test]
fn quoted_words_arrive_exactly_under_every_login_shell() {
    for login in Shell::available() {
        let sshd = Sshd::builder().shell(login.clone()).start();
        let session = sshd.session();
        let out = shell::exec::run(session.link(), &printf_each()).unwrap();
        assert!(out.status.success(), "{login:?}: {out:?}");
        assert_eq!(out.stdout, expected(), "{login:?}");
        assert!(out.banner.is_empty(), "{login:?}: {:?}", out.banner);
        assert!(!std::path::Path::new("/tmp/scpdeck-pwned").exists());
    }
}

#[test]
fn banner_is_separated_from_output_and_reported() {
    let sshd = Sshd::builder().banner(Banner::talkative()).start();
    let out = shell::exec::run(sshd.session().link(), &printf_each()).unwrap();
    assert_eq!(out.stdout, expected());
    assert_eq!(out.stderr, b"");
    assert_eq!(out.banner.stdout, b"Welcome to the test host!\n\nLast login: yesterday\n");
    assert_eq!(out.banner.stderr, b"profile: could not set locale\n");
    assert_eq!(
        out.banner.escaped_lines(),
        ["Welcome to the test host!", "", "Last login: yesterday", "profile: could not set locale"]
    );
}

#[test]
fn command_stderr_and_exit_status_are_kept_apart_from_the_banner() {
    let sshd = Sshd::builder().banner(Banner::talkative()).start();
    let cmd = Command::new("ls").paths([OsStr::new("/no/such/dir")]).unwrap();
    let out = shell::exec::run(sshd.session().link(), &cmd).unwrap();
    assert_eq!(out.status.code, Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("No such file"), "{out:?}");
    assert_eq!(out.banner.stderr, b"profile: could not set locale\n");
}

#[test]
fn a_missing_program_reports_exit_127() {
    let sshd = Sshd::start();
    let out = shell::exec::run(sshd.session().link(), &Command::new("exec scpdeck-no-such-program")).unwrap();
    assert_eq!(out.status.code, Some(127));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not found"), "{out:?}");
}

#[test]
fn output_after_the_marker_may_be_binary_and_large() {
    let sshd = Sshd::start();
    let cmd = Command::new("head -c 3000000 /dev/zero | tr '\\0' '\\377'");
    let out = shell::exec::run(sshd.session().link(), &cmd).unwrap();
    assert_eq!(out.stdout.len(), 3_000_000);
    assert!(out.stdout.iter().all(|&b| b == 0xff));
}

#[test]
/// Regression: a banner that arrived before the script was written used to
/// be discarded (an ssh2 channel's `flush` drops unread input). Seen under
/// load, so many rounds.
fn banners_are_complete_on_every_command_of_a_busy_session() {
    let sshd = Sshd::builder().banner(Banner::talkative()).start();
    let session = sshd.session();
    let expected = Banner::talkative();
    for round in 0..150 {
        let out = shell::exec::run(session.link(), &Command::new("echo payload")).unwrap();
        assert_eq!(out.banner.stdout, expected.stdout, "round {round}: {out:?}");
        assert_eq!(out.banner.stderr, expected.stderr, "round {round}: {out:?}");
        assert_eq!(out.stdout, b"payload\n", "round {round}");
    }
}

const LIMIT: Duration = Duration::from_secs(60);

/// What scpdeck should learn about a connection with this profile.
fn expected_delivery(banner: &Banner) -> Delivery {
    match banner.reads_lines {
        0 => Delivery::Pipelined,
        n => Delivery::Careful { lines: n as u32 },
    }
}

/// Runs `exec tee FILE` through [`shell::exec::start`], the way the SCP
/// driver streams: the input written after the start must reach the
/// command whole. The file's name holds a newline, so the command is
/// several lines, sent as one.
fn echo_through_start(session: &scpdeck::ssh::OwnedLink, banner: &Banner, context: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("copy\nof 'input'");
    let cmd = Command::new("exec tee").paths([&file]).unwrap();
    let mut started = shell::exec::start(session.link(), &cmd, shell::ExecOptions::default()).unwrap();
    assert_eq!(started.banner_stdout, banner.stdout, "{context}");
    let data: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    started.channel.write_all(&data).unwrap();
    started.channel.send_eof().unwrap();
    let mut echoed = std::mem::take(&mut started.pending);
    started.channel.read_to_end(&mut echoed).unwrap();
    assert!(started.finish().unwrap().success(), "{context}");
    assert_eq!(echoed, data, "{context}");
    assert_eq!(std::fs::read(&file).unwrap(), data, "{context}");
    assert_eq!(started.banner().stderr, banner.stderr, "{context}");
}

#[test]
fn misbehaving_profiles_are_survived_and_what_they_print_is_kept_exactly() {
    for (name, banner) in Banner::misbehaving() {
        let sshd = Sshd::builder().banner(banner.clone()).start();
        within(&sshd, LIMIT, || {
            // Short commands first: the first one finds out how to deliver.
            let session = sshd.session();
            for round in 0..3 {
                let out = shell::exec::run(session.link(), &printf_each()).unwrap();
                assert_eq!(out.stdout, expected(), "{name}, round {round}");
                assert_eq!(
                    (out.banner.stdout, out.banner.stderr),
                    (banner.stdout.clone(), banner.stderr.clone()),
                    "{name}"
                );
                assert_eq!(out.stderr, b"", "{name}");
                assert_eq!(delivery::recall(session.link()), expected_delivery(&banner), "{name}");
            }
            echo_through_start(&session, &banner, name);
            // A streaming command on a new connection, where nothing is known.
            let fresh = sshd.session();
            echo_through_start(&fresh, &banner, &format!("{name}, fresh session"));
            assert_eq!(delivery::recall(fresh.link()), expected_delivery(&banner), "{name}");
        });
    }
}

#[test]
fn a_path_with_a_newline_runs_nothing_under_a_line_reading_profile() {
    let tmp = tempfile::tempdir().unwrap();
    let sentinel = tmp.path().join("sentinel");
    // Were the script several lines, the profile would eat the first and
    // the shell would run `touch` on the second.
    let path = format!("x\ntouch {}\n", sentinel.display());
    for lines in [1, 2] {
        let sshd = Sshd::builder().banner(Banner::reading(lines)).start();
        within(&sshd, LIMIT, || {
            let cmd = Command::new("ls").paths([OsStr::new(&path)]).unwrap();
            let out = shell::exec::run(sshd.session().link(), &cmd).unwrap();
            assert_eq!(out.status.code, Some(2), "{out:?}");
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(stderr.contains("touch /") && stderr.contains("No such file"), "{stderr}");
        });
        assert!(!sentinel.exists(), "reading {lines} line(s): part of the script ran");
    }
}

#[test]
fn every_login_shell_runs_the_careful_bootstrap() {
    for login in Shell::available() {
        let sshd = Sshd::builder().shell(login.clone()).banner(Banner::reading(1)).start();
        within(&sshd, LIMIT, || {
            let session = sshd.session();
            echo_through_start(&session, &Banner::reading(1), &format!("{login:?}"));
            let out = shell::exec::run(session.link(), &printf_each()).unwrap();
            assert!(out.status.success(), "{login:?}: {out:?}");
            assert_eq!(out.stdout, expected(), "{login:?}");
            assert!(out.banner.is_empty(), "{login:?}: {:?}", out.banner);
            assert_eq!(delivery::recall(session.link()), Delivery::Careful { lines: 1 }, "{login:?}");
        });
    }
}

#[test]
fn a_profile_that_never_stops_reading_fails_clearly() {
    let sshd =
        Sshd::builder().banner(Banner { stdout: b"hello".to_vec(), ..Banner::reading(10_000) }).start();
    within(&sshd, LIMIT, || {
        let session = sshd.session();
        let e = shell::exec::run(session.link(), &Command::new("echo never")).unwrap_err();
        assert!(matches!(e, ExecError::ProfileNeverDone { fed, .. } if fed > 10), "{e:?}");
        let text = e.to_string();
        assert!(
            text.contains("login profile did not finish") && text.contains("interactive shells"),
            "{text}"
        );
        if let ExecError::ProfileNeverDone { banner, .. } = e {
            assert_eq!(banner.stdout, b"hello");
        }
        // The connection is still usable for something that needs no shell.
        assert!(session.channel_session().is_ok());
    });
}

#[test]
fn a_forced_command_that_ignores_the_script_is_an_error_not_a_loop() {
    let sshd = Sshd::builder().config("ForceCommand /bin/true").start();
    within(&sshd, LIMIT, || {
        let e = shell::exec::run(sshd.session().link(), &Command::new("echo hi")).unwrap_err();
        assert!(matches!(&e, ExecError::NotStarted { status, .. } if status.success()), "{e:?}");
    });
}
