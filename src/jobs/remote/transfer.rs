//! Transfer batches over SSH with the SCP engine, on the thread that owns
//! the session. Downloads write through the engine's local temporary files.
//! Remote destinations (upload, relay, direct) receive into a private
//! directory beside the destination, and each file is renamed over its
//! destination only once it arrived complete: a cancel or a dropped
//! connection never leaves a truncated file under a destination name.

use std::collections::{BTreeMap, HashSet};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use ssh2::Session;

use super::shell_ops;
use crate::eventlog::Event;
use crate::jobs::backend::Reporter;
use crate::jobs::item::ItemId;
use crate::jobs::task::{BatchItem, TaskError};
use crate::scp::{self, CancelToken, Diagnostic, ScpError};
use crate::shell::{self, Command};
use crate::text::escape_bytes;

/// Files of a batch that go into one destination directory under their own
/// names (one scp run), or a single file under a new name.
struct Group<'a> {
    target: PathBuf,
    items: Vec<&'a BatchItem>,
}

fn groups(items: &[BatchItem]) -> Vec<Group<'_>> {
    let mut by_dir: BTreeMap<PathBuf, Vec<&BatchItem>> = BTreeMap::new();
    let mut out = Vec::new();
    for item in items {
        let (source, dest) = (item.source.path(), item.dest.path());
        match dest.parent() {
            Some(dir) if source.file_name() == dest.file_name() => {
                by_dir.entry(dir.to_path_buf()).or_default().push(item)
            }
            _ => out.push(Group { target: dest.to_path_buf(), items: vec![item] }),
        }
    }
    out.extend(by_dir.into_iter().map(|(target, items)| Group { target, items }));
    out
}

fn shown(path: &Path) -> String {
    escape_bytes(path.as_os_str().as_encoded_bytes())
}

/// Feeds engine events to the reporter and the log (the engine itself
/// paces the data when the job has a bandwidth limit).
struct Events<'a> {
    r: &'a Reporter,
    items: Vec<ItemId>,
    /// Files that arrived complete (by index in the request).
    arrived: HashSet<usize>,
    /// Files the engine reported on (arrived or failed).
    reported: HashSet<usize>,
    /// Failures, reported once the run is over: when the run was cancelled
    /// or lost its connection, that is the reason instead.
    failed: BTreeMap<usize, String>,
    /// Report arrivals as done (downloads); remote targets wait for the rename.
    final_on_arrival: bool,
}

impl<'a> Events<'a> {
    fn new(r: &'a Reporter, items: Vec<ItemId>, final_on_arrival: bool) -> Self {
        Events {
            r,
            items,
            arrived: HashSet::new(),
            reported: HashSet::new(),
            failed: BTreeMap::new(),
            final_on_arrival,
        }
    }

    /// Reports the failures, unless the whole run stopped (cancel, lost
    /// connection): the task's end reports those items.
    fn report_failures(&mut self, stop: Option<&Result<String, TaskError>>) {
        if matches!(stop, Some(Err(_))) {
            self.reported.retain(|n| self.arrived.contains(n));
            return;
        }
        for (index, reason) in std::mem::take(&mut self.failed) {
            if let Some(&item) = self.items.get(index) {
                self.r.item_done(item, Err(reason));
            }
        }
    }

    fn on(&mut self, event: scp::Event) {
        let r = self.r;
        match event {
            scp::Event::Started { file, .. } => {
                if let Some(&item) = self.items.get(file.source) {
                    r.started(item);
                }
            }
            scp::Event::Progress { file, bytes, .. } => {
                let Some(&item) = self.items.get(file.source) else { return };
                r.progress(item, bytes);
            }
            scp::Event::Finished { file, dir: false, .. } => {
                self.reported.insert(file.source);
                self.arrived.insert(file.source);
                if let (true, Some(&item)) = (self.final_on_arrival, self.items.get(file.source)) {
                    r.item_done(item, Ok(()));
                }
            }
            scp::Event::Finished { .. } => {}
            scp::Event::Failed { file, reason } => {
                self.reported.insert(file.source);
                self.failed.insert(file.source, reason);
            }
            scp::Event::Diagnostic(diagnostic) => log_diagnostic(r, &diagnostic),
        }
    }
}

pub fn log_diagnostic(r: &Reporter, diagnostic: &Diagnostic) {
    let (host, level) = match diagnostic {
        Diagnostic::Banner { host, .. } => (host, crate::eventlog::Level::Warn),
        Diagnostic::Stderr { host, .. } => (host, crate::eventlog::Level::Error),
        Diagnostic::Exit { host, .. } => (host, crate::eventlog::Level::Warn),
    };
    r.log(Event::new(level, &diagnostic.lines().join(" / ")).host(host));
}

/// What stopped a whole run, for the items it did not report on.
fn stopped(error: ScpError) -> Result<String, TaskError> {
    match error {
        ScpError::Cancelled => Err(TaskError::Interrupted),
        ScpError::Connection { .. } => Err(TaskError::Connection(error.to_string())),
        other => Ok(other.to_string()),
    }
}

/// Bridges the scheduler's cancel token to the engine's.
fn engine_token(r: &Reporter) -> CancelToken {
    let token = CancelToken::new();
    let (theirs, ours) = (token.clone(), r.cancel.clone());
    // Ends with the token's last waiter: a cancel after the transfer is harmless.
    std::thread::spawn(move || {
        while !ours.is_cancelled() {
            if theirs.flag().load(std::sync::atomic::Ordering::Relaxed) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        theirs.cancel();
    });
    token
}

/// Runs `work` with an engine token that follows the scheduler's cancel,
/// then lets the bridging thread end.
fn with_engine_token<T>(r: &Reporter, work: impl FnOnce(&CancelToken) -> T) -> T {
    let cancel = engine_token(r);
    let result = work(&cancel);
    cancel.cancel();
    result
}

pub fn download(
    session: &Session,
    host: &str,
    batch: &[BatchItem],
    preserve: bool,
    r: &Reporter,
) -> Result<(), TaskError> {
    with_engine_token(r, |cancel| download_groups(session, host, batch, preserve, r, cancel))
}

fn download_groups(
    session: &Session,
    host: &str,
    batch: &[BatchItem],
    preserve: bool,
    r: &Reporter,
    cancel: &CancelToken,
) -> Result<(), TaskError> {
    for group in groups(batch) {
        let request = scp::DownloadRequest {
            host: host.to_owned(),
            sources: group.items.iter().map(|i| i.source.path().as_os_str().to_owned()).collect(),
            target: group.target.clone(),
            options: scp::Options { recursive: false, preserve, limit: r.throttle.clone() },
        };
        r.log(
            Event::debug(&format!("scp -f: {} file(s) into {}", group.items.len(), shown(&group.target)))
                .host(host),
        );
        let mut events = Events::new(r, group.items.iter().map(|i| i.item).collect(), true);
        let result = scp::download(session, &request, &mut |e| events.on(e), cancel);
        let stop = result.err().map(stopped);
        events.report_failures(stop.as_ref());
        if let Some(stop) = stop {
            let reason = stop?;
            for (index, item) in group.items.iter().enumerate() {
                if !events.reported.contains(&index) {
                    r.item_done(item.item, Err(reason.clone()));
                }
            }
        }
    }
    Ok(())
}

/// How files reach a remote directory.
pub enum Sender<'s> {
    /// From this machine.
    Local,
    /// From another host, through scpdeck.
    Relay { from: &'s Session, from_host: &'s str },
    /// scp runs on the source host towards `to` (`user@host`, port).
    Direct { from: &'s Session, from_host: &'s str, to: (String, u16) },
}

/// Sends `batch` to `host` (behind `to`) with `sender`, through a private
/// directory per destination directory.
pub fn to_remote(
    to: &Session,
    host: &str,
    sender: &Sender,
    batch: &[BatchItem],
    preserve: bool,
    r: &Reporter,
) -> Result<(), TaskError> {
    with_engine_token(r, |cancel| to_remote_groups(to, host, sender, batch, preserve, r, cancel))
}

fn to_remote_groups(
    to: &Session,
    host: &str,
    sender: &Sender,
    batch: &[BatchItem],
    preserve: bool,
    r: &Reporter,
    cancel: &CancelToken,
) -> Result<(), TaskError> {
    let mut by_dir: BTreeMap<PathBuf, Vec<&BatchItem>> = BTreeMap::new();
    for item in batch {
        if let Some(dir) = item.dest.path().parent() {
            by_dir.entry(dir.to_path_buf()).or_default().push(item);
        } else {
            r.item_done(item.item, Err("the destination has no directory".into()));
        }
    }
    for (dir, items) in by_dir {
        if r.is_cancelled() {
            return Err(TaskError::Interrupted);
        }
        let temp = match shell_ops::make_temp_dir(to, &dir) {
            Ok((temp, _)) => temp,
            Err(reason) if shell_ops::is_lost(&reason) => return Err(TaskError::Connection(reason)),
            Err(reason) => {
                for item in &items {
                    r.item_done(item.item, Err(reason.clone()));
                }
                continue;
            }
        };
        let sent = send_into(to, host, sender, &temp, &items, preserve, r, cancel);
        // Complete files go into place even when the run stopped later.
        let pairs: Vec<(PathBuf, &BatchItem)> = items
            .iter()
            .enumerate()
            .filter(|(n, _)| sent.arrived.contains(n))
            .filter_map(|(_, item)| Some((temp.join(item.source.path().file_name()?), *item)))
            .collect();
        let mut placed = HashSet::new();
        if !pairs.is_empty() {
            let moves: Vec<(&Path, &Path)> =
                pairs.iter().map(|(t, i)| (t.as_path(), i.dest.path())).collect();
            match shell_ops::rename_over(to, &moves) {
                Ok(results) => {
                    for ((_, item), result) in pairs.iter().zip(results.items) {
                        if result.is_ok() {
                            placed.insert(item.item);
                        }
                        r.item_done(
                            item.item,
                            result.map(drop).map_err(|e| format!("cannot put the file in place: {e}")),
                        );
                    }
                }
                Err(e) if shell_ops::is_lost(&e) => return Err(TaskError::Connection(e)),
                Err(e) => {
                    for (_, item) in &pairs {
                        r.item_done(item.item, Err(format!("cannot put the file in place: {e}")));
                    }
                }
            }
        }
        if let Err(e) = shell_ops::remove_temp_dir(to, &temp) {
            r.log(
                Event::warn(&format!("cannot remove the temporary directory {}: {e}", shown(&temp)))
                    .host(host),
            );
        }
        let reason = match sent.stop {
            Some(Err(stop)) => return Err(stop),
            Some(Ok(reason)) => reason,
            None => "the file did not arrive".to_owned(),
        };
        for (n, item) in items.iter().enumerate() {
            if !sent.arrived.contains(&n) && !sent.reported.contains(&n) {
                r.item_done(item.item, Err(reason.clone()));
            }
        }
    }
    Ok(())
}

/// What a run into a temporary directory did: the files (by index) that
/// arrived complete, those the engine reported a failure for, and what
/// stopped it: a reason for the others (`Ok`) or a stop for the task.
struct Sent {
    arrived: HashSet<usize>,
    reported: HashSet<usize>,
    stop: Option<Result<String, TaskError>>,
}

/// Runs the sender into `temp`.
#[allow(clippy::too_many_arguments)]
fn send_into(
    to: &Session,
    host: &str,
    sender: &Sender,
    temp: &Path,
    items: &[&BatchItem],
    preserve: bool,
    r: &Reporter,
    cancel: &CancelToken,
) -> Sent {
    let mut events = Events::new(r, items.iter().map(|i| i.item).collect(), false);
    let options = scp::Options { recursive: false, preserve, limit: r.throttle.clone() };
    let target = temp.as_os_str().to_owned();
    let result = match sender {
        Sender::Local => {
            let request = scp::UploadRequest {
                host: host.to_owned(),
                sources: items.iter().map(|i| i.source.path().to_path_buf()).collect(),
                target,
                options,
            };
            r.log(Event::debug(&format!("scp -t: {} file(s) to {}", items.len(), shown(temp))).host(host));
            scp::upload(to, &request, &mut |e| events.on(e), cancel).map(drop)
        }
        Sender::Relay { from, from_host } => {
            let request = scp::RelayRequest {
                from_host: (*from_host).to_owned(),
                sources: items.iter().map(|i| i.source.path().as_os_str().to_owned()).collect(),
                to_host: host.to_owned(),
                target,
                options,
            };
            r.log(
                Event::debug(&format!("scp -f | scp -t: {} file(s) from {from_host}", items.len()))
                    .host(host),
            );
            scp::relay(from, to, &request, &mut |e| events.on(e), cancel).map(drop)
        }
        Sender::Direct { from, from_host, to: (dest, port) } => {
            return direct(from, from_host, to, dest, *port, temp, items, preserve, r);
        }
    };
    let stop = result.err().map(stopped);
    events.report_failures(stop.as_ref());
    Sent { arrived: events.arrived, reported: events.reported, stop }
}

/// Direct remote to remote: the source host's scp sends to the destination.
/// Progress is per run; what arrived complete is checked by size.
#[allow(clippy::too_many_arguments)]
fn direct(
    from: &Session,
    from_host: &str,
    to: &Session,
    dest: &str,
    port: u16,
    temp: &Path,
    items: &[&BatchItem],
    preserve: bool,
    r: &Reporter,
) -> Sent {
    let fail = |e: String| Sent { arrived: HashSet::new(), reported: HashSet::new(), stop: Some(Ok(e)) };
    let mut target = OsString::from(format!("{dest}:"));
    target.push(temp.as_os_str());
    target.push("/");
    let mut cmd = Command::new("scp -q -o BatchMode=yes").lit(&format!("-P {port}"));
    if preserve {
        cmd = cmd.lit("-p");
    }
    if let Some(limit) = &r.throttle {
        // The data never passes through here: the remote scp keeps the limit.
        cmd = cmd.lit(&format!("-l {}", limit.kbit().max(1)));
    }
    let cmd = cmd
        .paths(items.iter().map(|i| i.source.path().as_os_str()))
        .and_then(|c| c.arg(&target))
        .map_err(|e| fail(e.to_string()));
    let cmd = match cmd {
        Ok(cmd) => cmd,
        Err(sent) => return sent,
    };
    r.log(
        Event::debug(&format!("direct: scp on {from_host} sends {} file(s) to {dest}", items.len()))
            .host(from_host),
    );
    for item in items {
        r.started(item.item);
    }
    let output = match shell::exec::run(from, &cmd) {
        Ok(output) => output,
        Err(e) => return fail(e.to_string()),
    };
    for line in output.stderr.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        r.log(Event::error(&format!("remote scp: {}", escape_bytes(line))).host(from_host));
    }
    let files: Vec<PathBuf> =
        items.iter().filter_map(|i| Some(temp.join(i.source.path().file_name()?))).collect();
    let paths: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let sizes = match shell_ops::sizes(to, &paths) {
        Ok(sizes) => sizes,
        Err(e) => return fail(e),
    };
    let arrived: HashSet<usize> = items
        .iter()
        .zip(sizes.items)
        .enumerate()
        .filter(|(_, (item, size))| size.as_ref().is_ok_and(|s| *s == item.size))
        .map(|(n, _)| n)
        .collect();
    if output.status.success() && arrived.len() == items.len() {
        return Sent { arrived, reported: HashSet::new(), stop: None };
    }
    let said = escape_bytes(output.stderr.trim_ascii());
    let reason = format!(
        "scp on {from_host} failed ({}){}",
        output.status,
        if said.is_empty() { String::new() } else { format!(": {said}") }
    );
    Sent { arrived, reported: HashSet::new(), stop: Some(Ok(reason)) }
}
