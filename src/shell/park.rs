//! The first command rides on the probe's channel (blocking; called on the
//! thread that owns the session).
//!
//! Each command over a channel of its own costs a channel open, an exec
//! request and the wait for its marker. The probe ([`run_parking`]) does
//! not end: after the command, its shell prints an end marker on both
//! streams and parks, `IFS= read -r l` waiting for one line (`read` takes
//! one byte at a time from a pipe, so it consumes exactly that line and
//! leaves everything after it to the command). The channel is kept in the
//! connection's facts ([`crate::ssh::parked`]). The next pipelined command
//! ([`ride`], from [`super::launch`]) writes its framed script as that line
//! and the shell `eval`s it and exits with its status: its exit status,
//! stderr and markers are those it would have over a fresh channel, without
//! the open and the exec. The guard lines that follow the probe's script
//! ([`super::launch::GUARDS`], `exit`) are skipped by the parked shell.
//!
//! The parked command runs in a subshell with its input from `/dev/null`:
//! nothing of it (variables, functions, `LC_ALL`, a reader of standard
//! input) reaches the command that rides. A parked channel is closed by
//! the next channel open on the connection, or when unused for
//! [`crate::ssh::parked::PARKED_LIMIT`]; its shell then reads the end of
//! input and exits.

use std::io::{Read, Write};

use crate::ssh::Link;

use super::command::Command;
use super::error::ExecError;
use super::exec::{ExecOptions, Output, Started};
use super::frame::Frame;
use super::launch::{CHUNK, launch_parking, not_started, read_to_marker, started};
use super::marker::{MarkerScanner, Scan};
use super::status::ExitStatus;

/// Runs `command` to completion like [`super::exec::run`], then parks its
/// shell for the next command where the connection allows (see the module
/// docs).
pub fn run_parking(link: Link<'_>, command: &Command) -> Result<Output, ExecError> {
    parking(link, command).map_err(|e| e.with_cause(&link))
}

fn parking(link: Link<'_>, command: &Command) -> Result<Output, ExecError> {
    let token = format!("{:016x}{:016x}", rand::random::<u64>(), rand::random::<u64>());
    let end = format!("SCPDECK-PARK-{token}");
    let print = format!("printf '%s%s\\n' SCPDECK-PARK- {token}");
    let parked = Command::new("(").append(command).lit(&format!(
        ") </dev/null && {print} >&2 && {print} && while IFS= read -r scpdeck_l; do case $scpdeck_l in \
             exit) ;; *) eval \"unset scpdeck_l; $scpdeck_l\"; exit ;; esac; done"
    ));
    let options = ExecOptions::default();
    let (mut started, input_open) = launch_parking(link, &parked, options)?;
    let mut stdout = Vec::new();
    let mut scanner = MarkerScanner::new(&end);
    if !take_until(&mut started, &mut scanner, &mut stdout)? {
        // It ended without the end marker: it failed, and says how.
        let status = started.finish()?;
        return Ok(output(&mut started, stdout, status));
    }
    // Printed before the stdout one: it is on its way.
    let mut stderr_end = MarkerScanner::new(&end);
    let mut found = matches!(stderr_end.feed(&started.stderr.take_command()), Scan::Found(_));
    let mut buf = [0u8; 4096];
    while !found {
        let n = started.channel.stderr().read(&mut buf)?;
        if n == 0 {
            break;
        }
        started.stderr.push(&buf[..n]);
        found = matches!(stderr_end.feed(&started.stderr.take_command()), Scan::Found(_));
    }
    let mut stderr = stderr_end.into_preamble();
    let banner = started.banner();
    let status = if input_open && found {
        let status = ExitStatus { code: Some(0), signal: None };
        started.ended(&status);
        crate::ssh::parked::park(link, started.channel, options.window, started.round_trip);
        status
    } else {
        // Its input ended: the shell exits after the marker.
        let status = started.finish()?;
        stderr.extend(started.stderr.take_command());
        status
    };
    Ok(Output { banner, stdout, stderr, status })
}

/// Reads stdout into `out` until `scanner`'s marker (true) or the end.
fn take_until(
    started: &mut Started,
    scanner: &mut MarkerScanner,
    out: &mut Vec<u8>,
) -> Result<bool, ExecError> {
    let pending = std::mem::take(&mut started.pending);
    let mut buf = vec![0u8; CHUNK];
    let mut next: &[u8] = &pending;
    loop {
        if let Scan::Found(_) = scanner.feed(next) {
            out.extend_from_slice(scanner.preamble());
            return Ok(true);
        }
        let n = started.channel.read(&mut buf)?;
        if n == 0 {
            out.extend_from_slice(scanner.preamble());
            return Ok(false);
        }
        next = &buf[..n];
    }
}

fn output(started: &mut Started, stdout: Vec<u8>, status: ExitStatus) -> Output {
    Output { banner: started.banner(), stdout, stderr: started.stderr.take_command(), status }
}

/// Starts `command` on the connection's parked channel, if there is one
/// (`None`: there is none, or its shell was gone before it read the line;
/// then nothing of the command ran), its first input `lead` right behind
/// its line. The channel's receive window grows to the one asked for.
pub(super) fn ride(
    link: Link<'_>,
    command: &Command,
    options: ExecOptions,
    close_stdin: bool,
    lead: &[u8],
) -> Result<Option<Started>, ExecError> {
    let Some(parked) = crate::ssh::parked::take(link) else { return Ok(None) };
    let frame = Frame::new(command)?;
    let mut channel = parked.channel;
    // The parked shell's `read` takes the line alone: what follows it
    // reaches the command.
    let written = channel.write_all(&[frame.script(), lead].concat()).and_then(|()| {
        if close_stdin {
            channel.send_eof().map_err(std::io::Error::from)?;
        }
        if options.window > parked.window {
            channel.adjust_receive_window(u64::from(options.window - parked.window), true)?;
        }
        Ok(())
    });
    if let Err(e) = written {
        log::debug!("the parked channel is gone ({e}): opening one");
        return Ok(None);
    }
    log::debug!("the command rides on the parked channel");
    let mut scanner = frame.scanner();
    match read_to_marker(&mut channel, &mut scanner, &[])? {
        Some(pending) => {
            let session = link.session();
            Ok(Some(started(session, channel, &frame, scanner.into_preamble(), pending, parked.round_trip)?))
        }
        None => match not_started(channel, scanner.into_preamble(), &frame) {
            (_, false) => Ok(None),
            (error, true) => Err(error),
        },
    }
}
