//! Direct remote to remote copies: the source host's own `scp` sends the
//! files to the destination host, into a directory there; progress is per
//! run, and what arrived complete is checked by size afterwards.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::ssh::Link;

use crate::eventlog::Event;
use crate::fs::{FileSystem, RemoteFs};
use crate::jobs::backend::Reporter;
use crate::jobs::task::{BatchItem, TaskError};
use crate::shell::{self, Command};
use crate::text::escape_bytes;

/// Where the source host's scp connects: `user@host` and port.
pub(super) struct Peer<'a> {
    pub address: &'a str,
    pub port: u16,
}

/// What a direct run delivered: per file (in `items` order) whether it
/// arrived complete under `target/BASENAME`, and a reason for the others.
pub(super) struct Delivered {
    pub arrived: Vec<bool>,
    pub reason: Option<String>,
}

/// Runs the source host's scp for `items` into `target` on the peer. The
/// items' base names must differ (they arrive under them).
pub(super) fn send(
    from: (Link<'_>, &str),
    to: Link<'_>,
    peer: &Peer,
    target: &Path,
    items: &[&BatchItem],
    preserve: bool,
    r: &Reporter,
) -> Result<Delivered, TaskError> {
    let (from, from_host) = from;
    let nothing = |reason: String| Delivered { arrived: vec![false; items.len()], reason: Some(reason) };
    let mut remote_target = OsString::from(format!("{}:", peer.address));
    remote_target.push(target.as_os_str());
    remote_target.push("/");
    let mut cmd = Command::new("scp -q -o BatchMode=yes").lit(&format!("-P {}", peer.port));
    if preserve {
        cmd = cmd.lit("-p");
    }
    if let Some(limit) = &r.throttle {
        // The data never passes through here: the remote scp keeps the limit.
        cmd = cmd.lit(&format!("-l {}", limit.kbit().max(1)));
    }
    let cmd = match cmd
        .paths(items.iter().map(|i| i.source.path().as_os_str()))
        .and_then(|c| c.arg(&remote_target))
    {
        Ok(cmd) => cmd,
        Err(e) => return Ok(nothing(e.to_string())),
    };
    r.log(
        Event::debug(&format!(
            "direct: scp on {from_host} sends {} file(s) to {}",
            items.len(),
            peer.address
        ))
        .host(from_host),
    );
    for item in items {
        r.started(item.item);
    }
    let output = match shell::exec::run(from, &cmd) {
        Ok(output) => output,
        Err(e) if e.is_connection_lost() => return Err(TaskError::Dropped(e.to_string())),
        Err(e) => return Ok(nothing(e.to_string())),
    };
    for line in output.stderr.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        r.log(Event::error(&format!("remote scp: {}", escape_bytes(line))).host(from_host));
    }
    let files: Vec<PathBuf> =
        items.iter().filter_map(|i| Some(target.join(i.source.path().file_name()?))).collect();
    let paths: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let stats = match RemoteFs::open(to).and_then(|fs| fs.stat(&paths)) {
        Ok(stats) => stats,
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
    let said = escape_bytes(output.stderr.trim_ascii());
    let reason = format!(
        "scp on {from_host} failed ({}){}",
        output.status,
        if said.is_empty() { String::new() } else { format!(": {said}") }
    );
    Ok(Delivered { arrived, reason: Some(reason) })
}
