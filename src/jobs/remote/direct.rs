//! Direct remote to remote copies: the source host's own `scp` sends the
//! files to the destination host, into a directory there; progress is per
//! run, and what arrived complete is checked by size afterwards.
//!
//! That scp runs so that what it does can be seen: without `-q` (its own
//! and ssh's messages go to its stderr, which is logged line by line and
//! makes the failure's reason), and with `-O` where it takes it (the SCP
//! protocol: OpenSSH 9 defaults to SFTP, whose failures on a talkative
//! host are "Connection closed" or "Received message too long
//! 1466264675"; with SCP its words are the host's own).

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::ssh::Link;

use super::banners::{self, Seen};
use crate::eventlog::{Event, Level};
use crate::fs::{FileSystem, RemoteFs};
use crate::jobs::backend::Reporter;
use crate::jobs::task::{BatchItem, TaskError};
use crate::scp::ScpError;
use crate::shell::{self, Command};
use crate::text::escape_bytes;

/// Where the source host's scp connects: `user@host` and port.
pub(super) struct Peer<'a> {
    pub address: &'a str,
    pub port: u16,
}

/// The two hosts of a direct copy, each on its session.
pub(super) struct Ends<'a> {
    pub from: Link<'a>,
    pub from_host: &'a str,
    pub to: Link<'a>,
    pub to_host: &'a str,
    pub peer: &'a Peer<'a>,
}

/// What a direct run delivered: per file (in `items` order) whether it
/// arrived complete under `target/BASENAME`, and a reason for the others.
pub(super) struct Delivered {
    pub arrived: Vec<bool>,
    pub reason: Option<String>,
}

/// The source host's scp command line for `items` into `target` on the
/// peer: `-O` when that scp takes it.
fn command(
    ends: &Ends,
    legacy: bool,
    target: &Path,
    items: &[&BatchItem],
    preserve: bool,
    r: &Reporter,
) -> Result<Command, crate::shell::QuoteError> {
    let mut remote_target = OsString::from(format!("{}:", ends.peer.address));
    remote_target.push(target.as_os_str());
    remote_target.push("/");
    let mut cmd = Command::new("scp -o BatchMode=yes").lit(&format!("-P {}", ends.peer.port));
    if legacy {
        cmd = cmd.lit("-O");
    }
    if preserve {
        cmd = cmd.lit("-p");
    }
    if let Some(limit) = &r.throttle {
        // The data never passes through here: the remote scp keeps the limit.
        cmd = cmd.lit(&format!("-l {}", limit.kbit().max(1)));
    }
    cmd.paths(items.iter().map(|i| i.source.path().as_os_str()))?.arg(&remote_target)
}

/// Runs the source host's scp for `items` into `target` on the peer. The
/// items' base names must differ (they arrive under them).
pub(super) fn send(
    ends: &Ends,
    target: &Path,
    items: &[&BatchItem],
    preserve: bool,
    r: &Reporter,
) -> Result<Delivered, TaskError> {
    let (from, from_host) = (ends.from, ends.from_host);
    let nothing = |reason: String| Delivered { arrived: vec![false; items.len()], reason: Some(reason) };
    let (has_scp, legacy) = match RemoteFs::open(from) {
        Ok(fs) => (fs.host().caps().scp.is_some(), fs.host().caps().scp_legacy_option),
        Err(e) if e.is_connection_lost() => return Err(crate::jobs::fs_tasks::task_error(e)),
        Err(e) => return Ok(nothing(e.to_string())),
    };
    if !has_scp {
        return Ok(nothing(
            ScpError::Missing { host: from_host.to_owned(), said: String::new() }.to_string(),
        ));
    }
    let cmd = match command(ends, legacy, target, items, preserve, r) {
        Ok(cmd) => cmd,
        Err(e) => return Ok(nothing(e.to_string())),
    };
    let protocol = if legacy {
        "the SCP protocol (-O)"
    } else {
        "the SCP protocol (its usage lists no -O: older than OpenSSH 8.7, which speak only SCP, or \
         not OpenSSH's)"
    };
    r.log(
        Event::info(&format!(
            "direct: scp on {from_host} sends {} file(s) to {} with {protocol}",
            items.len(),
            ends.peer.address
        ))
        .host(from_host),
    );
    r.log(Event::debug(&String::from_utf8_lossy(cmd.as_bytes())).host(from_host));
    for item in items {
        r.started(item.item);
    }
    let output = match shell::exec::run(from, &cmd) {
        Ok(output) => output,
        Err(e) if e.is_connection_lost() => return Err(TaskError::Dropped(e.to_string())),
        Err(e) => return Ok(nothing(e.to_string())),
    };
    let seen = Seen {
        host: from_host.to_owned(),
        stdout: output.banner.stdout_lines(),
        stderr: output.banner.stderr_lines(),
    };
    if !output.banner.is_empty() {
        banners::seen(from, &seen, r);
    }
    let said = said_lines(&output.stderr);
    let level = if output.status.success() { Level::Info } else { Level::Error };
    for line in &said {
        r.log(
            Event::new(level, &format!("scp on {from_host} (to {}): {line}", ends.to_host)).host(from_host),
        );
    }
    let files: Vec<PathBuf> =
        items.iter().filter_map(|i| Some(target.join(i.source.path().file_name()?))).collect();
    let paths: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let (stats, to_note) =
        match RemoteFs::open(ends.to).and_then(|fs| Ok((fs.stat(&paths)?, fs.host().banner_note()))) {
            Ok(found) => found,
            Err(e) if e.is_connection_lost() => return Err(crate::jobs::fs_tasks::task_error(e)),
            Err(e) => return Ok(nothing(e.to_string())),
        };
    let arrived: Vec<bool> = items
        .iter()
        .zip(stats)
        .map(|(item, stat)| stat.is_ok_and(|s| s.is_some_and(|s| s.size == item.size)))
        .collect();
    if output.status.success() && arrived.iter().all(|a| *a) {
        return Ok(Delivered { arrived, reason: None });
    }
    let mut reason = format!("scp on {from_host} failed ({})", output.status);
    if !said.is_empty() {
        reason = format!("{reason}: {}", said.join(" / "));
    }
    if let Some(note) = to_note.filter(|n| n.harmful()) {
        // What breaks it is the destination's login shell: say so, and
        // log the note with its fix.
        reason += &format!(
            " ({}'s login shell prints text on standard output before every command, which breaks scp; \
             the log says how to stop it)",
            ends.to_host
        );
        r.banner(ends.to_host, &note);
    }
    Ok(Delivered { arrived, reason: Some(reason) })
}

/// The far scp's stderr as lines, escaped, without the carriage returns
/// ssh puts at their ends.
fn said_lines(stderr: &[u8]) -> Vec<String> {
    stderr
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .filter(|l| !l.trim_ascii().is_empty())
        .map(escape_bytes)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_far_scps_lines_lose_their_carriage_returns_and_are_escaped() {
        let lines = said_lines(b"Received message too long 1466264675\r\nEnsure the remote shell produces no output\r\n\x1b[2J\n\n");
        assert_eq!(
            lines,
            ["Received message too long 1466264675", "Ensure the remote shell produces no output", "\\e[2J"]
        );
    }
}
