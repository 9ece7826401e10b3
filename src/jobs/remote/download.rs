//! Downloads of a batch, on the thread that owns the session: one scp run
//! per local destination directory, each file into a temporary file beside
//! its destination; then, per file, the check against the source (with
//! verification on) and the placement its item asked for. A destination
//! that is a device or a pipe is written into; an existing file that has no
//! room for a temporary copy beside it is written in place (said in the log).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::ssh::Link;

use super::arrivals::{Arrivals, Arrived, stopped};
use super::ladder;
use super::resume;
use crate::eventlog::Event;
use crate::fs::remote::Protocol;
use crate::fs::{FileSystem, RemoteFs};
use crate::jobs::backend::Reporter;
use crate::jobs::landing::{in_place_note, land};
use crate::jobs::task::{Batch, BatchItem, Outcome, Place, TaskError, compare_digests};
use crate::scp::{self, Cause, Landing};
use crate::text::escape_bytes;

fn shown(path: &Path) -> String {
    escape_bytes(path.as_os_str().as_encoded_bytes())
}

pub(super) fn download(session: Link<'_>, host: &str, batch: &Batch, r: &Reporter) -> Result<(), TaskError> {
    // Partial copies first (continued, or copied again with the rest),
    // then what is complete already (`cp --resume --verify`).
    let (partial, mut rest): (Vec<&BatchItem>, Vec<&BatchItem>) =
        batch.items.iter().partition(|i| i.resume.is_some());
    if !partial.is_empty() {
        rest.extend(resume::downloads(session, host, &partial, batch, r)?);
    }
    let rest = skip_complete(session, rest, r)?;
    let mut by_dir: BTreeMap<PathBuf, Vec<&BatchItem>> = BTreeMap::new();
    for item in rest {
        match item.dest.parent() {
            Some(dir) => by_dir.entry(dir.path().to_path_buf()).or_default().push(item),
            None => r.item_done(item.item, Err("the destination has no directory".into())),
        }
    }
    by_dir.iter().try_for_each(|(dir, items)| into_dir(session, host, dir, items, batch, r))
}

/// Skips the files whose destination has the source's content already
/// (`skip_if_equal`); returns the others.
fn skip_complete<'a>(
    session: Link<'_>,
    items: Vec<&'a BatchItem>,
    r: &Reporter,
) -> Result<Vec<&'a BatchItem>, TaskError> {
    let (compare, mut rest): (Vec<&BatchItem>, Vec<&BatchItem>) =
        items.into_iter().partition(|i| i.skip_if_equal);
    if compare.is_empty() {
        return Ok(rest);
    }
    let host = RemoteFs::open(session).map_err(crate::jobs::fs_tasks::task_error)?;
    let local = crate::fs::LocalFs::with_cancel(r.cancel.clone());
    let equal = resume::equal_content(&host, &local, &compare)?;
    for (item, equal) in compare.into_iter().zip(equal) {
        if equal {
            r.finished_item(item.item, Ok(Outcome::Skipped(COMPLETE.into())));
        } else {
            rest.push(item);
        }
    }
    Ok(rest)
}

/// Why `cp --resume --verify` skips a file.
pub(super) const COMPLETE: &str = "already complete (the same sha256)";

/// Per file: its source's sha256 (with verification on, for what arrived).
type Digests = Vec<Option<Result<[u8; 32], String>>>;

/// One run of the engine into `dir`; what it did per file, and what stopped
/// it early.
struct Run {
    arrived: Vec<Option<Arrived>>,
    failed: Vec<Option<(String, Cause)>>,
    stop: Option<Result<String, TaskError>>,
}

#[allow(clippy::too_many_arguments)]
fn run(
    session: Link<'_>,
    host: &str,
    dir: &Path,
    items: &[&BatchItem],
    landing: Vec<Landing>,
    batch: &Batch,
    r: &Reporter,
) -> Run {
    let request = scp::DownloadRequest {
        host: host.to_owned(),
        sources: items.iter().map(|i| i.source.path().as_os_str().to_owned()).collect(),
        target: dir.to_path_buf(),
        options: scp::Options { recursive: false, preserve: batch.preserve, limit: r.throttle.clone() },
        landing,
    };
    let mut arrivals = Arrivals::new(r, items);
    let protocol = ladder::protocol(session);
    let result = match protocol {
        Protocol::Scp => {
            r.log(Event::debug(&format!("scp -f: {} file(s) into {}", items.len(), shown(dir))).host(host));
            scp::download(session, &request, &mut |e| arrivals.on(e), &r.cancel)
        }
        lower => {
            ladder::say(r, host, lower, &format!("{} file(s) into {}", items.len(), shown(dir)));
            let end = ladder::end(session, lower);
            let expected = ladder::expected(items);
            scp::rung::download_by(&end, &request, &expected, &mut |e| arrivals.on(e), &r.cancel)
        }
    };
    arrivals.distrust(result.as_ref().err());
    if protocol != Protocol::Scp && (result.is_err() || !arrivals.failed.is_empty()) {
        ladder::failed(session, host, r);
    }
    for seen in &arrivals.banners {
        super::banners::seen(session, seen, r);
    }
    let mut arrived: Vec<Option<Arrived>> = vec![None; items.len()];
    let mut failed: Vec<Option<(String, Cause)>> = vec![None; items.len()];
    let stop = result.err().map(stopped);
    if !matches!(stop, Some(Err(_))) {
        arrivals.failures_lose_partials();
    }
    for (index, how) in arrivals.arrived {
        if let Some(slot) = arrived.get_mut(index) {
            *slot = Some(how);
        }
    }
    // A run stopped as a whole (cancel, lost connection) speaks for its files.
    if !matches!(stop, Some(Err(_))) {
        for (index, failure) in arrivals.failed {
            if let Some(slot) = failed.get_mut(index) {
                *slot = Some(failure);
            }
        }
    }
    Run { arrived, failed, stop }
}

#[allow(clippy::too_many_arguments)]
fn into_dir(
    session: Link<'_>,
    host: &str,
    dir: &Path,
    items: &[&BatchItem],
    batch: &Batch,
    r: &Reporter,
) -> Result<(), TaskError> {
    let landing = items
        .iter()
        .map(|i| match i.place {
            Place::Into => Landing::Into { dest: i.dest.path().to_path_buf() },
            place => Landing::Keep {
                dest: i.dest.path().to_path_buf(),
                in_place: place == Place::Replace && i.replaces,
            },
        })
        .collect();
    let mut first = run(session, host, dir, items, landing, batch, r);
    if let Some(Err(stop)) = first.stop.clone() {
        return abandon(first, items, batch, stop, r);
    }
    // A file whose temporary copy did not fit on the disk is written over
    // the existing one in place, as scp would have.
    let again: Vec<usize> = (0..items.len())
        .filter(|&n| {
            matches!(&first.failed[n], Some((_, Cause::NoSpace)))
                && items[n].place == Place::Replace
                && items[n].replaces
        })
        .collect();
    if !again.is_empty() {
        let retry: Vec<&BatchItem> = again.iter().map(|&n| items[n]).collect();
        let landing = retry.iter().map(|i| Landing::Into { dest: i.dest.path().to_path_buf() }).collect();
        let second = run(session, host, dir, &retry, landing, batch, r);
        if let Some(Err(stop)) = second.stop {
            return abandon(first, items, batch, stop, r);
        }
        for (k, &n) in again.iter().enumerate() {
            first.failed[n] = second.failed[k].clone();
            let why = "there was no room for a temporary copy beside it";
            first.arrived[n] = second.arrived[k].as_ref().map(|_| Arrived::InPlace(why));
        }
    }
    let digests = source_digests(session, items, &first, batch, r)?;
    let reason = match first.stop {
        Some(Ok(reason)) => reason,
        _ => "the remote scp did not send it".to_owned(),
    };
    for (n, item) in items.iter().enumerate() {
        let result = match (&first.arrived[n], &first.failed[n]) {
            (Some(how), _) => settle(item, how, digests.get(n).and_then(Option::as_ref), r),
            (None, Some((failure, cause))) => {
                if *cause == Cause::Denied {
                    r.denied(item.item);
                }
                Err(failure.clone())
            }
            (None, None) => Err(reason.clone()),
        };
        r.finished_item(item.item, result);
    }
    Ok(())
}

/// The sources' sha256, computed on the host, for the files that arrived
/// (only with verification on).
fn source_digests(
    session: Link<'_>,
    items: &[&BatchItem],
    run: &Run,
    batch: &Batch,
    r: &Reporter,
) -> Result<Digests, TaskError> {
    let mut digests: Digests = vec![None; items.len()];
    if !batch.verify {
        return Ok(digests);
    }
    let wanted: Vec<usize> = (0..items.len())
        .filter(|&n| matches!(run.arrived[n], Some(Arrived::Temp(_) | Arrived::InPlace(_))))
        .collect();
    if wanted.is_empty() {
        return Ok(digests);
    }
    let paths: Vec<&Path> = wanted.iter().map(|&n| items[n].source.path()).collect();
    r.log(Event::debug(&format!("sha256 of {} source file(s)", paths.len())));
    match RemoteFs::open(session).and_then(|fs| fs.sha256(&paths)) {
        Ok(results) => {
            for (&n, digest) in wanted.iter().zip(results) {
                digests[n] = Some(digest.map_err(|e| e.to_string()));
            }
        }
        // The complete copies stay, to be checked and placed on resuming.
        Err(e) if e.is_connection_lost() => return Err(crate::jobs::fs_tasks::task_error(e)),
        Err(e) => {
            for &n in &wanted {
                digests[n] = Some(Err(e.to_string()));
            }
        }
    }
    Ok(digests)
}

/// Checks (when asked) and places one file that arrived.
fn settle(
    item: &BatchItem,
    how: &Arrived,
    source: Option<&Result<[u8; 32], String>>,
    r: &Reporter,
) -> Result<Outcome, String> {
    let dest = item.dest.path();
    let check = |path: &Path| -> Result<(), String> {
        match source {
            None => Ok(()),
            Some(Err(e)) => Err(format!("cannot checksum the source: {e}")),
            Some(Ok(expected)) => {
                let copy = crate::fs::local::sha256(path, &|| r.is_cancelled()).map_err(|e| e.to_string())?;
                compare_digests(expected, &copy)
            }
        }
    };
    match how {
        Arrived::Temp(temp) => {
            let result = check(temp).and_then(|()| land(temp, &item.dest, item.place));
            if result.is_err() {
                let _ = std::fs::remove_file(temp);
                r.partial(item.item, None);
            }
            result
        }
        Arrived::InPlace(why) => {
            r.log(Event::warn(&in_place_note(&shown(dest), why)));
            check(dest)
                .map_err(|e| format!("{e} (it was written in place: the destination now holds this copy)"))?;
            Ok(Outcome::Done)
        }
        Arrived::Into | Arrived::Complete => Ok(Outcome::Done),
    }
}

/// The run stopped for the whole task (cancel, lost connection): complete
/// copies are still placed when nothing needs checking first; the rest is
/// kept as partial copies to resume, and the task ends with `stop`.
fn abandon(
    run: Run,
    items: &[&BatchItem],
    batch: &Batch,
    stop: TaskError,
    r: &Reporter,
) -> Result<(), TaskError> {
    for (n, item) in items.iter().enumerate() {
        match &run.arrived[n] {
            Some(Arrived::Temp(temp)) if !batch.verify && matches!(stop, TaskError::Dropped(_)) => {
                let landed = land(temp, &item.dest, item.place);
                if landed.is_err() {
                    r.partial(item.item, None);
                }
                r.finished_item(item.item, landed);
            }
            // Complete, but not checked or placed: resumed (checked and
            // placed) with nothing left to send.
            Some(Arrived::Temp(_)) => {}
            Some(Arrived::Into | Arrived::Complete) => r.finished_item(item.item, Ok(Outcome::Done)),
            Some(Arrived::InPlace(why)) => {
                r.log(Event::warn(&in_place_note(&shown(item.dest.path()), why)));
                r.finished_item(item.item, Ok(Outcome::Done));
            }
            None => {}
        }
    }
    Err(stop)
}
