//! Running every command of a connection as root through `sudo`: the one
//! place where a command is wrapped for sudo and where sudo's password is
//! fed (blocking; called by [`super::launch`] on the session's thread).
//!
//! On a connection whose facts hold [`RootWanted`] (the host was opened as
//! root), the first command finds out once what sudo needs and keeps it in
//! the facts ([`Root`]):
//! - `sudo -n -k true` succeeds: no password (NOPASSWD, or no
//!   authentication); every command runs as `sudo -n -k -- sh -c '...'`.
//! - otherwise the password is asked (the prompter's
//!   `Question::SudoPassword`, or the one remembered for the host; one
//!   connection of a host at a time) and checked once with
//!   `sudo -S -k -p '' true`, the password written on its
//!   standard input; every command then runs as `sudo -S -k -p '' -- sh -c
//!   '...'` and gets the password as the first line of its standard input,
//!   written after the frame's marker (the shell has read its script: the
//!   line reaches sudo, which reads exactly one line) and before any data.
//!   `-k` makes sudo read it every time, so a cached sudo ticket never
//!   leaves the line to the command.
//! - a refusal (cancelled question, wrong password, a user sudo does not
//!   allow, `requiretty`) is [`ExecError::SudoRefused`] with sudo's words.
//!
//! The password never appears in a command line, the log or any file; it
//! is kept in [`Zeroizing`] memory. Inside sudo, the script first prints a
//! random marker on stderr (as two words, like the frame's). Whatever sudo
//! prints before it is sudo's (a lecture, a refusal); the command's own
//! stderr comes after, so a refusal is never taken for the command's error,
//! and nothing is matched on sudo's text.

use std::io::{ErrorKind, Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::time::{Duration, Instant};

use zeroize::Zeroizing;

use crate::ssh::{Link, RootWanted};
use crate::text::escape_bytes;

use super::command::Command;
use super::error::ExecError;
use super::exec::{ExecOptions, Started};
use super::launch::launch_one;
use super::marker::{MarkerScanner, Scan};
use super::status::ExitStatus;

/// How long sudo may take to start the command (or refuse) once its
/// password was written.
const SUDO_LIMIT: Duration = Duration::from_secs(30);

/// What sudo needs on this connection, found out by its first command.
pub(super) enum Root {
    NoPassword,
    Password(Zeroizing<String>),
}

/// A command wrapped for sudo, with the marker its script prints first.
pub(super) struct Wrapped {
    pub(super) command: Command,
    marker: String,
}

/// What sudo needs on `link`, when the connection is used as root (found
/// out, and the password asked, the first time). `None`: commands run as
/// the login user.
pub(super) fn root_of(link: Link<'_>) -> Result<Option<std::sync::Arc<Root>>, ExecError> {
    let Some(wanted) = link.facts().get::<RootWanted>() else { return Ok(None) };
    link.facts().get_or_try_init(|| establish(link, &wanted)).map(Some)
}

/// `command` run by `sh` under sudo, printing the marker on stderr first.
pub(super) fn wrap(command: &Command, root: &Root) -> Result<Wrapped, ExecError> {
    let token = format!("{:016x}{:016x}", rand::random::<u64>(), rand::random::<u64>());
    let mut script = format!("printf '%s%s\\n' SCPDECK-ROOT- {token} >&2; ").into_bytes();
    script.extend_from_slice(command.as_bytes());
    // `exec`: the shell that read the script ends with sudo, so the
    // channel closes when the command ends.
    let sudo = Command::new("exec sudo").lit(flags(root)).lit("--").lit("sh -c");
    let command = sudo.arg(std::ffi::OsStr::from_bytes(&script))?;
    Ok(Wrapped { command, marker: format!("SCPDECK-ROOT-{token}") })
}

fn flags(root: &Root) -> &'static str {
    match root {
        Root::NoPassword => "-n -k",
        Root::Password(_) => "-S -k -p ''",
    }
}

/// Whether the command's standard input must stay open until the password
/// has been written.
pub(super) fn feeds_stdin(root: &Root) -> bool {
    matches!(root, Root::Password(_))
}

/// After the frame's marker: writes the password (and then, with
/// `close_stdin`, the end of input), and waits until sudo has started the
/// command, or refused.
pub(super) fn enter(
    link: Link<'_>,
    started: &mut Started,
    root: &Root,
    wrapped: &Wrapped,
    close_stdin: bool,
) -> Result<(), ExecError> {
    if let Root::Password(password) = root {
        write_password(&mut started.channel, password)?;
        if close_stdin {
            started.channel.send_eof().map_err(|e| ExecError::Io(e.into()))?;
        }
    }
    let mut scanner = MarkerScanner::new(&wrapped.marker);
    let begun = Instant::now();
    let previous = link.session().timeout();
    link.session().set_timeout(250);
    let result = await_marker(started, &mut scanner, begun);
    link.session().set_timeout(previous);
    match result? {
        Awaited::Started => {
            if !scanner.preamble().is_empty() {
                log::debug!(
                    "sudo said before the command: {}",
                    escape_bytes(scanner.preamble().trim_ascii())
                );
            }
            Ok(())
        }
        Awaited::Closed => {
            let _ = started.channel.wait_close();
            let status = ExitStatus::of(&started.channel).unwrap_or_default();
            Err(ExecError::SudoRefused { said: said(scanner.preamble()), status })
        }
        Awaited::Late => {
            let _ = started.channel.close();
            Err(ExecError::SudoSilent { said: said(scanner.preamble()), waited: begun.elapsed() })
        }
    }
}

enum Awaited {
    Started,
    Closed,
    Late,
}

fn await_marker(
    started: &mut Started,
    scanner: &mut MarkerScanner,
    begun: Instant,
) -> Result<Awaited, ExecError> {
    let mut buf = [0u8; 4096];
    loop {
        let before = started.stderr.take_command();
        if let Scan::Found(after) = scanner.feed(&before) {
            started.stderr.restore_command(after.to_vec());
            return Ok(Awaited::Started);
        }
        match started.channel.stderr().read(&mut buf) {
            Ok(0) => return Ok(Awaited::Closed),
            Ok(n) => started.stderr.push(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::TimedOut => {}
            Err(e) => return Err(e.into()),
        }
        if begun.elapsed() >= SUDO_LIMIT {
            return Ok(Awaited::Late);
        }
    }
}

fn write_password(channel: &mut ssh2::Channel, password: &Zeroizing<String>) -> Result<(), ExecError> {
    let mut line = Zeroizing::new(Vec::with_capacity(password.len() + 1));
    line.extend_from_slice(password.as_bytes());
    line.push(b'\n');
    channel.write_all(&line)?;
    Ok(())
}

/// sudo's words as shown: escaped, lines joined.
fn said(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes.trim_ascii());
    let lines: Vec<String> =
        text.lines().map(str::trim).filter(|l| !l.is_empty()).map(|l| escape_bytes(l.as_bytes())).collect();
    lines.join("; ")
}

/// Finds out what sudo needs: nothing, or a password (asked, and checked
/// once here so that a wrong one is never fed to a real command).
fn establish(link: Link<'_>, wanted: &RootWanted) -> Result<Root, ExecError> {
    let probe = run_plain(link, &Command::new("sudo -n -k true"), None)?;
    if probe.status.success() {
        log::info!("{}: commands run as root through sudo (no password needed)", wanted.host());
        return Ok(Root::NoPassword);
    }
    // sudo missing (127) or killed: nothing a password changes.
    if probe.status.code.is_none() || probe.status.code == Some(127) {
        return Err(ExecError::SudoRefused { said: said(&probe.stderr), status: probe.status });
    }
    // One connection at a time asks: the others find the password taken.
    let _turn = wanted.turn();
    let Some(password) = wanted.password() else {
        return Err(ExecError::SudoRefused { said: said(&probe.stderr), status: probe.status });
    };
    // Once only: sudo's refusals (a wrong password, a user it does not
    // allow) are told apart by nothing but their text. The next command
    // asks again.
    let check = run_plain(link, &Command::new("sudo -S -k -p '' true"), Some(&password))?;
    if !check.status.success() {
        wanted.forget();
        return Err(ExecError::SudoRefused { said: said(&check.stderr), status: check.status });
    }
    wanted.remember(&password);
    log::info!("{}: commands run as root through sudo (with the password given)", wanted.host());
    Ok(Root::Password(password))
}

struct Plain {
    status: ExitStatus,
    stderr: Vec<u8>,
}

/// Runs a short command as the login user, its standard input the
/// password's line (if any) and then its end.
fn run_plain(
    link: Link<'_>,
    command: &Command,
    password: Option<&Zeroizing<String>>,
) -> Result<Plain, ExecError> {
    let (mut started, _) = launch_one(link, command, ExecOptions::default(), password.is_none(), &[])?;
    if let Some(password) = password {
        write_password(&mut started.channel, password)?;
        started.channel.send_eof().map_err(|e| ExecError::Io(e.into()))?;
    }
    let mut sink = Vec::new();
    started.channel.read_to_end(&mut sink)?;
    let status = started.finish()?;
    Ok(Plain { status, stderr: started.stderr.take_command() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wrapped_command_runs_sh_under_sudo_and_never_holds_the_password() {
        let secret = Root::Password(Zeroizing::new("hunter2".into()));
        let command = Command::new("ls").arg("/root/it's").unwrap();
        let wrapped = wrap(&command, &secret).unwrap();
        let text = String::from_utf8(wrapped.command.as_bytes().to_vec()).unwrap();
        assert!(text.starts_with("exec sudo -S -k -p '' -- sh -c 'printf "), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
        assert!(!text.contains(&wrapped.marker), "the marker is printed as two words: {text}");
        let plain = wrap(&command, &Root::NoPassword).unwrap();
        assert!(String::from_utf8_lossy(plain.command.as_bytes()).starts_with("exec sudo -n -k -- sh -c '"));
    }

    #[test]
    fn the_wrapped_script_prints_the_marker_then_runs_the_command() {
        // `sudo` replaced by a program that runs its command as is.
        use std::os::unix::fs::PermissionsExt;
        let bin = tempfile::tempdir().unwrap();
        let fake = bin.path().join("sudo");
        std::fs::write(&fake, "#!/bin/sh\nwhile [ \"$1\" != -- ]; do shift; done; shift; exec \"$@\"\n")
            .unwrap();
        std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
        let wrapped = wrap(&Command::new("echo out; echo err >&2"), &Root::NoPassword).unwrap();
        let path = format!("{}:{}", bin.path().display(), std::env::var("PATH").unwrap_or_default());
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(std::ffi::OsStr::from_bytes(wrapped.command.as_bytes()))
            .env("PATH", path)
            .output()
            .unwrap();
        assert_eq!(out.stdout, b"out\n");
        assert_eq!(out.stderr, format!("{}\nerr\n", wrapped.marker).as_bytes());
    }

    #[test]
    fn sudos_words_are_escaped_and_joined() {
        assert_eq!(
            said(b"Sorry, try again.\nsudo: 1 incorrect password attempt\n"),
            "Sorry, try again.; sudo: 1 incorrect password attempt"
        );
        assert_eq!(said(b"\x1b[31mx\n"), "\\e[31mx");
    }
}
