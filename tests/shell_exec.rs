//! The framing layer against a real sshd: quoting survives every login shell,
//! and banners are separated from output, never mixed in.

mod support;

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use scpdeck::shell::{self, Command};
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
        let out = shell::exec::run(&session, &printf_each()).unwrap();
        assert!(out.status.success(), "{login:?}: {out:?}");
        assert_eq!(out.stdout, expected(), "{login:?}");
        assert!(out.banner.is_empty(), "{login:?}: {:?}", out.banner);
        assert!(!std::path::Path::new("/tmp/scpdeck-pwned").exists());
    }
}

#[test]
fn banner_is_separated_from_output_and_reported() {
    let sshd = Sshd::builder().banner(Banner::talkative()).start();
    let out = shell::exec::run(&sshd.session(), &printf_each()).unwrap();
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
    let out = shell::exec::run(&sshd.session(), &cmd).unwrap();
    assert_eq!(out.status.code, Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("No such file"), "{out:?}");
    assert_eq!(out.banner.stderr, b"profile: could not set locale\n");
}

#[test]
fn a_missing_program_reports_exit_127() {
    let sshd = Sshd::start();
    let out = shell::exec::run(&sshd.session(), &Command::new("exec scpdeck-no-such-program")).unwrap();
    assert_eq!(out.status.code, Some(127));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not found"), "{out:?}");
}

#[test]
fn output_after_the_marker_may_be_binary_and_large() {
    let sshd = Sshd::start();
    let cmd = Command::new("head -c 3000000 /dev/zero | tr '\\0' '\\377'");
    let out = shell::exec::run(&sshd.session(), &cmd).unwrap();
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
        let out = shell::exec::run(&session, &Command::new("echo payload")).unwrap();
        assert_eq!(out.banner.stdout, expected.stdout.as_bytes(), "round {round}: {out:?}");
        assert_eq!(out.banner.stderr, expected.stderr.as_bytes(), "round {round}: {out:?}");
        assert_eq!(out.stdout, b"payload\n", "round {round}");
    }
}
