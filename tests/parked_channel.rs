//! The probe's shell parks on its channel and the next command rides on it
//! (src/shell/park.rs), against the harness sshd: the command ends exactly
//! as over a channel of its own, the parked channel gives way to any other
//! channel (under `MaxSessions 1` too), is closed when unused, and a
//! connection dropped while one is parked fails the next command without
//! hanging (it fails as lost, or runs on a new connection); a login
//! profile that reads past the probe's guard lines costs the guard wait,
//! not a hang.

mod support;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use scpdeck::fs::remote::Capabilities;
use scpdeck::shell::{self, Command};
use scpdeck::ssh::{Actor, Credentials, HostConfig, NoPrompter, Overrides, Resolver};
use support::deadline::within;
use support::{Banner, Sshd};

/// The sessions the server has started (exec requests).
fn sessions(sshd: &Sshd) -> usize {
    sshd.log().matches("Starting session: ").count()
}

/// The sessions the server has closed.
fn closed(sshd: &Sshd) -> usize {
    sshd.log().matches("Close session: ").count()
}

fn resolve(config_file: &Path, alias: &str) -> HostConfig {
    let overrides = Overrides { config_file: Some(config_file.to_path_buf()), ..Overrides::default() };
    Resolver::system().resolve_str(alias, &overrides).unwrap()
}

fn actor(sshd: &Sshd) -> Actor {
    let config = resolve(&sshd.ssh_config(), sshd.alias());
    Actor::spawn(config, Arc::new(NoPrompter), Arc::new(Credentials::new()), None).unwrap()
}

/// Output, error output and exit status, as the caller sees them.
fn run(link: scpdeck::ssh::Link<'_>, command: &str) -> (Vec<u8>, Vec<u8>, Option<i32>) {
    let out = shell::exec::run(link, &Command::new(command)).unwrap();
    (out.stdout, out.stderr, out.status.code)
}

#[test]
fn the_command_after_the_probe_rides_on_its_channel_and_ends_as_over_its_own() {
    let sshd = Sshd::builder().banner(Banner::talkative()).start();
    within(&sshd, Duration::from_secs(60), || {
        let session = sshd.session();
        Capabilities::probe_shell(session.link()).unwrap();
        assert_eq!(sessions(&sshd), 1);
        let command = "echo out; echo err >&2; [ -z \"$scpdeck_l$LC_ALL\" ] || echo leaked; exit 3";
        let ridden = run(session.link(), command);
        assert_eq!(sessions(&sshd), 1, "it opened a channel of its own:\n{}", sshd.log());
        let own = run(session.link(), command);
        assert_eq!(sessions(&sshd), 2);
        assert_eq!(ridden, (b"out\n".to_vec(), b"err\n".to_vec(), Some(3)));
        assert_eq!(ridden, own);
    });
}

/// Starts `head -c 5` with its first input sent by `start_with`, writes
/// more, and returns its output and exit status.
fn led(link: scpdeck::ssh::Link<'_>) -> (Vec<u8>, Option<i32>) {
    use std::io::{Read, Write};
    let command = Command::new("head -c 5; echo; exit 7");
    let mut started = shell::exec::start_with(link, &command, shell::ExecOptions::default(), b"hel").unwrap();
    started.channel.write_all(b"lo, and more").unwrap();
    started.channel.send_eof().unwrap();
    let mut out = started.pending.clone();
    started.channel.read_to_end(&mut out).unwrap();
    (out, started.finish().unwrap().code)
}

/// The first input goes right behind the line on a parked channel (the
/// parked shell's `read` leaves it to the command), after the marker on a
/// channel of its own: the command reads the same either way.
#[test]
fn a_command_that_reads_its_input_gets_what_follows_the_line() {
    let sshd = Sshd::start();
    within(&sshd, Duration::from_secs(60), || {
        let session = sshd.session();
        Capabilities::probe_shell(session.link()).unwrap();
        assert_eq!(led(session.link()), (b"hello\n".to_vec(), Some(7)));
        assert_eq!(sessions(&sshd), 1);
        assert_eq!(led(session.link()), (b"hello\n".to_vec(), Some(7)));
        assert_eq!(sessions(&sshd), 2);
    });
}

#[test]
fn a_parked_channel_gives_way_to_another_under_max_sessions_1() {
    let sshd = Sshd::builder().max_sessions(1).start();
    within(&sshd, Duration::from_secs(60), || {
        let session = sshd.session();
        Capabilities::probe_shell(session.link()).unwrap();
        // SFTP opens its own channel: the parked one is closed first.
        let sftp = scpdeck::ssh::sftp::open(session.link());
        assert!(sftp.is_ok(), "{}", sshd.log());
        assert_eq!(closed(&sshd), 1, "{}", sshd.log());
        drop(sftp);
        assert_eq!(run(session.link(), "echo again"), (b"again\n".to_vec(), Vec::new(), Some(0)));
    });
}

#[test]
fn a_parked_channel_left_unused_is_closed() {
    let sshd = Sshd::start();
    within(&sshd, Duration::from_secs(60), || {
        let actor = actor(&sshd);
        actor.run(|link| Capabilities::probe_shell(link).map(drop)).unwrap().unwrap();
        assert_eq!((sessions(&sshd), closed(&sshd)), (1, 0));
        let begun = Instant::now();
        while closed(&sshd) == 0 {
            assert!(begun.elapsed() < Duration::from_secs(15), "never closed:\n{}", sshd.log());
            std::thread::sleep(Duration::from_millis(100));
        }
        let waited = begun.elapsed();
        assert!(waited >= scpdeck::ssh::parked::PARKED_LIMIT / 2, "closed after {waited:?}");
        // The next command opens a channel of its own.
        let out = actor.run(|link| run(link, "echo later")).unwrap();
        assert_eq!(out, (b"later\n".to_vec(), Vec::new(), Some(0)));
        assert_eq!(sessions(&sshd), 2);
    });
}

#[test]
fn a_connection_dropped_while_parked_reconnects_without_hanging() {
    let sshd = Sshd::start();
    within(&sshd, Duration::from_secs(60), || {
        let actor = actor(&sshd);
        actor.run(|link| Capabilities::probe_shell(link).map(drop)).unwrap().unwrap();
        sshd.kill_connections();
        // Either it fails as the connection is lost, or the actor saw the
        // connection closed first and it runs on a new one.
        let first = actor.run(|link| shell::exec::run(link, &Command::new("echo x")).map(|o| o.stdout));
        match first {
            Ok(Ok(out)) => assert_eq!(out, b"x\n"),
            Ok(Err(e)) => assert!(e.is_connection_lost(), "{e}"),
            Err(e) => panic!("{e}"),
        }
        let out = actor.run(|link| run(link, "echo back")).unwrap();
        assert_eq!(out, (b"back\n".to_vec(), Vec::new(), Some(0)));
        assert_eq!(sshd.accepted_logins(), 2);
    });
}

/// A profile that reads more lines than the probe's two `exit` guards gets
/// the end of input after the guard wait: the probe then runs carefully,
/// nothing hangs, and nothing parks.
#[test]
fn a_profile_reading_past_the_guards_gets_the_end_of_input_and_the_probe_goes_careful() {
    let sshd = Sshd::builder().banner(Banner::reading(3)).start();
    within(&sshd, Duration::from_secs(60), || {
        let session = sshd.session();
        let begun = Instant::now();
        let caps = Capabilities::probe_shell(session.link()).unwrap();
        assert!(caps.profile_reads_input);
        assert!(begun.elapsed() < Duration::from_secs(20), "{:?}", begun.elapsed());
        assert!(scpdeck::ssh::parked::due(session.link()).is_none());
        assert_eq!(run(session.link(), "echo after"), (b"after\n".to_vec(), Vec::new(), Some(0)));
    });
}
