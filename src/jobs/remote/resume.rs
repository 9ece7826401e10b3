//! Continuing partial copies over SSH, before the rest of a batch goes
//! through the SCP engine. SCP cannot seek, so the rest of a file travels
//! through a command that can (`tail -c +N` or `dd skip=` to read a
//! download's source from an offset, `dd seek= conv=notrunc` or `cat >>` to
//! extend an upload's partial copy).
//!
//! Before anything is appended, the part already copied must still match
//! its source (see [`crate::jobs::resume_plan`]). Otherwise, or on a host
//! without the commands, the file starts over and the log says why. With
//! verification on, the finished file is still checked whole, end to end.

use std::fs::{File, OpenOptions};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use crate::eventlog::Event;
use crate::fs::local::sha256_range;
use crate::fs::place::{Placed, Rename};
use crate::fs::remote::{Append, BLOCK, Capabilities};
use crate::fs::{ByteRange, FileSystem, FsError, Kind, Placement, RemoteFs, Stat};
use crate::jobs::backend::Reporter;
use crate::jobs::fs_tasks::{private_dir, task_error};
use crate::jobs::landing::land;
use crate::jobs::resume_plan::plan;
use crate::jobs::task::{Batch, BatchItem, Outcome, Place, TaskError, verdict};
use crate::scp::{self, ScpError, Stream};
use crate::ssh::Link;
use crate::text::{escape_bytes, human_size};

/// What became of a file with a partial copy.
enum Resumed {
    /// Continued; finished as this says (placed, skipped, failed).
    Done(Result<Outcome, String>),
    /// The partial copy is removed: the file is copied from its start.
    Restart,
}

/// Reports the files that were continued; returns those that start over.
fn settle<'a>(
    items: &[&'a BatchItem],
    r: &Reporter,
    mut each: impl FnMut(&BatchItem) -> Result<Resumed, TaskError>,
) -> Result<Vec<&'a BatchItem>, TaskError> {
    let mut again = Vec::new();
    for &item in items {
        match each(item)? {
            Resumed::Done(result) => r.finished_item(item.item, result),
            Resumed::Restart => again.push(item),
        }
    }
    Ok(again)
}

/// The one result of a call made for one path.
fn one<T>(each: crate::fs::Each<T>) -> Result<T, FsError> {
    let missing = || FsError::Malformed { action: "check a file".into(), detail: "no result".into() };
    each.and_then(|mut results| results.pop().unwrap_or_else(|| Err(missing())))
}

fn shown(path: &Path) -> String {
    escape_bytes(path.as_os_str().as_encoded_bytes())
}

/// A stopped stream as the task's stop, or the file's failure.
fn stream_error(e: ScpError) -> Result<String, TaskError> {
    match e {
        ScpError::Cancelled => Err(TaskError::Interrupted),
        ScpError::Connection { .. } => Err(TaskError::Dropped(e.to_string())),
        other => Ok(other.to_string()),
    }
}

/// Says why a file starts over.
fn restarting(r: &Reporter, host: &str, item: &BatchItem, why: &str) {
    let name = shown(item.dest.path());
    r.log(
        Event::warn(&format!("{name}: its partial copy cannot be resumed ({why}): copied from the start"))
            .host(host),
    );
}

/// What the host lacks to check or continue a partial copy, if anything.
fn missing_tools(caps: &Capabilities, reads: &[(u64, Option<u64>)], host: &str) -> Option<String> {
    if caps.sha256.is_none() {
        return Some(format!("{host} has no sha256sum, shasum or openssl to check it"));
    }
    if reads.iter().any(|&(start, len)| !caps.reads_range(start, len)) {
        return Some(format!("{host} has neither dd nor tail -c to read a file from an offset"));
    }
    None
}

/// Why the range on the host and the same range here do not have the
/// same sha256 (`None`: they do): what decides that a partial copy still
/// matches its source.
fn differ(
    fs: &RemoteFs,
    there: &ByteRange,
    here: &ByteRange,
    r: &Reporter,
) -> Result<Option<String>, TaskError> {
    let remote = match one(fs.sha256_ranges(&[*there])) {
        Err(e) if e.is_connection_lost() => return Err(task_error(e)),
        other => other,
    };
    let local = sha256_range(here, &|| r.is_cancelled());
    match (remote, local) {
        (_, Err(FsError::Cancelled)) => Err(TaskError::Interrupted),
        (Ok(a), Ok(b)) if a == b => Ok(None),
        (Ok(_), Ok(_)) => {
            let len = here.len.or(there.len).unwrap_or_default();
            Ok(Some(format!("its last {} differ from the source", human_size(len))))
        }
        (Err(e), _) | (_, Err(e)) => Ok(Some(e.to_string())),
    }
}

/// Downloads: each item (all with a partial copy) is continued from the
/// host and reported, or (returned) starts over, its local partial copy
/// removed.
pub(super) fn downloads<'a>(
    link: Link<'_>,
    host: &str,
    items: &[&'a BatchItem],
    batch: &Batch,
    r: &Reporter,
) -> Result<Vec<&'a BatchItem>, TaskError> {
    let fs = RemoteFs::open(link).map_err(task_error)?;
    let sources: Vec<&Path> = items.iter().map(|i| i.source.path()).collect();
    let mut stats = fs.stat(&sources).map_err(task_error)?.into_iter();
    settle(items, r, |item| {
        let stat = stats.next().and_then(|s| s.ok().flatten());
        download_one(&fs, host, item, stat.as_ref(), batch, r)
    })
}

fn download_one(
    fs: &RemoteFs,
    host: &str,
    item: &BatchItem,
    source: Option<&Stat>,
    batch: &Batch,
    r: &Reporter,
) -> Result<Resumed, TaskError> {
    let Some(partial) = &item.resume else { return Ok(Resumed::Restart) };
    let temp = partial.temp.as_path();
    let restart = |why: &str| {
        restarting(r, host, item, why);
        let _ = std::fs::remove_file(temp);
        r.partial(item.item, None);
        Ok(Resumed::Restart)
    };
    let have = match std::fs::metadata(temp) {
        Ok(m) if m.is_file() => m.len(),
        _ => return restart("it is gone"),
    };
    let plan = match plan(partial, source, have, have / BLOCK * BLOCK) {
        Ok(plan) => plan,
        Err(why) => return restart(&why),
    };
    let (start, len) = plan.check;
    if let Some(why) = missing_tools(fs.host().caps(), &[(start, Some(len)), (plan.offset, None)], host) {
        return restart(&why);
    }
    let theirs = ByteRange { path: item.source.path(), start, len: Some(len) };
    let ours = ByteRange { path: temp, start, len: Some(len) };
    if let Some(why) = differ(fs, &theirs, &ours, r)? {
        return restart(&why);
    }
    let offset = plan.offset;
    r.resumed(item.item, offset);
    r.log(Event::info(&format!("{}: resumed at {}", shown(item.dest.path()), human_size(offset))).host(host));
    let file = match OpenOptions::new().write(true).open(temp).and_then(|f| f.set_len(offset).map(|()| f)) {
        Ok(file) => file,
        Err(e) => return Ok(Resumed::Done(Err(format!("{}: {e}", shown(temp))))),
    };
    let command = match fs.read_command(&ByteRange { path: item.source.path(), start: offset, len: None }) {
        Ok(command) => command,
        Err(e) => return restart(&e.to_string()),
    };
    let stream = Stream { host, command: &command, limit: r.throttle.clone(), shares: 1 };
    let pulled =
        scp::pull(fs.link(), &stream, (&file, temp), offset, &mut |at| r.progress(item.item, at), &r.cancel);
    let end = match pulled {
        Ok(end) => end,
        Err(ScpError::Local { path, source }) => {
            // A full disk should not stay full: this copy is given up.
            let _ = std::fs::remove_file(temp);
            r.partial(item.item, None);
            return Ok(Resumed::Done(Err(format!("{}: {source}", shown(&path)))));
        }
        Err(e) => return stream_error(e).map(|reason| Resumed::Done(Err(reason))),
    };
    let size = source.map_or(0, |s| s.size);
    if end != size {
        let _ = std::fs::remove_file(temp);
        r.partial(item.item, None);
        return Ok(Resumed::Done(Err(format!(
            "the source changed while it was copied ({} arrived, {} expected)",
            human_size(end),
            human_size(size)
        ))));
    }
    Ok(Resumed::Done(finish_download(fs, item, &file, batch, r)))
}

/// Attributes, the check end to end (with verification on), placement.
pub(super) fn finish_download(
    fs: &RemoteFs,
    item: &BatchItem,
    file: &File,
    batch: &Batch,
    r: &Reporter,
) -> Result<Outcome, String> {
    let Some(partial) = &item.resume else { return Err("internal error: no partial copy".into()) };
    let temp = partial.temp.as_path();
    let fail = |reason: String| {
        let _ = std::fs::remove_file(temp);
        r.partial(item.item, None);
        Err(reason)
    };
    if !batch.preserve
        && let Ok(existing) = std::fs::metadata(item.dest.path())
        && existing.is_file()
    {
        // As scp does: an existing file keeps its permissions.
        let kept = std::fs::Permissions::from_mode(existing.permissions().mode() & 0o7777);
        if let Err(e) = file.set_permissions(kept) {
            return fail(format!("{}: {e}", shown(temp)));
        }
    }
    if batch.preserve {
        let set =
            file.set_permissions(std::fs::Permissions::from_mode(item.mode & 0o7777)).and_then(
                |()| match item.mtime {
                    Some(secs) => crate::fs::LocalFs::new()
                        .set_times(&[(temp, secs)])
                        .map_err(|e| std::io::Error::other(e.to_string()))
                        .map(drop),
                    None => Ok(()),
                },
            );
        if let Err(e) = set {
            return fail(format!("{}: {e}", shown(temp)));
        }
    }
    if batch.verify {
        let source = one(fs.sha256(&[item.source.path()]));
        let copy = crate::fs::local::sha256(temp, &|| r.is_cancelled());
        if let Err(reason) = verdict(source, copy) {
            return fail(reason);
        }
    }
    land(temp, &item.dest, item.place)
}

/// Uploads from this machine: each item (all with a partial copy on the
/// host) is continued and reported, or (returned) starts over, its partial
/// copy removed from the host.
pub(super) fn uploads<'a>(
    to: Link<'_>,
    host: &str,
    items: &[&'a BatchItem],
    batch: &Batch,
    r: &Reporter,
) -> Result<Vec<&'a BatchItem>, TaskError> {
    let fs = RemoteFs::open(to).map_err(task_error)?;
    let temps: Vec<&Path> =
        items.iter().filter_map(|i| i.resume.as_ref()).map(|p| p.temp.as_path()).collect();
    let mut sizes = sizes_of(&fs, &temps)?.into_iter();
    settle(items, r, |item| upload_one(&fs, host, item, sizes.next().flatten(), batch, r))
}

/// The sizes of the partial copies on the host (`None`: not a file there),
/// from one listing per private directory: a dropped batch may leave many.
fn sizes_of(fs: &RemoteFs, temps: &[&Path]) -> Result<Vec<Option<u64>>, TaskError> {
    let mut listings: std::collections::HashMap<&Path, Vec<crate::fs::Entry>> = Default::default();
    for dir in temps.iter().filter_map(|t| t.parent()) {
        if listings.contains_key(dir) {
            continue;
        }
        let entries = match fs.list(dir) {
            Ok(listing) => listing.entries,
            Err(e) if e.is_connection_lost() => return Err(task_error(e)),
            Err(_) => Vec::new(),
        };
        listings.insert(dir, entries);
    }
    Ok(temps
        .iter()
        .map(|temp| {
            let (dir, name) = (temp.parent()?, temp.file_name()?);
            let entry = listings.get(dir)?.iter().find(|e| e.name == name)?;
            (entry.kind == Kind::File).then_some(entry.size)
        })
        .collect())
}

/// Copies that cannot resume (between hosts, or within one): their
/// partial copies on the destination host are removed, and they start over.
pub(super) fn discard_all(
    to: Link<'_>,
    host: &str,
    items: &[&BatchItem],
    r: &Reporter,
) -> Result<(), TaskError> {
    let fs = RemoteFs::open(to).map_err(task_error)?;
    for item in items {
        restarting(r, host, item, "a copy between hosts is not resumed");
        discard_remote(&fs, item, r)?;
    }
    Ok(())
}

/// Removes a partial copy on the host (and its private directory when it
/// was the last thing there), and tells the scheduler.
pub(super) fn discard_remote(fs: &dyn FileSystem, item: &BatchItem, r: &Reporter) -> Result<(), TaskError> {
    let Some(partial) = &item.resume else { return Ok(()) };
    let temp = partial.temp.as_path();
    match fs.remove_files(&[temp]) {
        Err(e) if e.is_connection_lost() => return Err(task_error(e)),
        _ => {}
    }
    if let Some(dir) = private_dir(temp) {
        let _ = fs.remove_dirs(&[dir]);
    }
    r.partial(item.item, None);
    Ok(())
}

fn local_stat(path: &Path) -> Option<Stat> {
    let meta = std::fs::metadata(path).ok()?;
    let kind = if meta.is_file() { Kind::File } else { Kind::Unknown };
    Some(Stat { kind, size: meta.len(), mode: meta.mode() & 0o7777, mtime: Some(meta.mtime()) })
}

fn upload_one(
    fs: &RemoteFs,
    host: &str,
    item: &BatchItem,
    have: Option<u64>,
    batch: &Batch,
    r: &Reporter,
) -> Result<Resumed, TaskError> {
    let Some(partial) = &item.resume else { return Ok(Resumed::Restart) };
    let temp = partial.temp.as_path();
    let restart = |why: &str| {
        restarting(r, host, item, why);
        discard_remote(fs, item, r).map(|()| Resumed::Restart)
    };
    let Some(have) = have else { return restart("it is gone") };
    let source = local_stat(item.source.path());
    let caps = fs.host().caps();
    let plan = match plan(partial, source.as_ref(), have, caps.append_offset(have)) {
        Ok(plan) => plan,
        Err(why) => return restart(&why),
    };
    let (start, len) = plan.check;
    // `cat >>` continues at the very end: the range read runs to it.
    let ours_len = if plan.offset == have { None } else { Some(len) };
    if let Some(why) = missing_tools(caps, &[(start, ours_len)], host) {
        return restart(&why);
    }
    let copy = ByteRange { path: temp, start, len: ours_len };
    let theirs = ByteRange { path: item.source.path(), start, len: Some(len) };
    if let Some(why) = differ(fs, &copy, &theirs, r)? {
        return restart(&why);
    }
    let offset = plan.offset;
    let command = match fs.append_command(temp, offset) {
        Ok(command) => command,
        Err(e) => return restart(&e.to_string()),
    };
    let how = match caps.append() {
        Append::Dd => "dd",
        Append::Cat => "cat",
    };
    r.resumed(item.item, offset);
    r.log(
        Event::info(&format!("{}: resumed at {} (with {how})", shown(item.dest.path()), human_size(offset)))
            .host(host),
    );
    let source_path = item.source.path();
    let file = match scp::open_regular(source_path) {
        Ok(file) => file,
        Err(e) => return Ok(Resumed::Done(Err(format!("{}: {e}", shown(source_path))))),
    };
    let size = source.map_or(0, |s| s.size);
    let stream = Stream { host, command: &command, limit: r.throttle.clone(), shares: 1 };
    let pushed = scp::push(
        fs.link(),
        &stream,
        (&file, source_path),
        (offset, size),
        &mut |at| r.progress(item.item, at),
        &r.cancel,
    );
    match pushed {
        Ok(()) => {}
        Err(ScpError::Local { path, source }) => {
            return Ok(Resumed::Done(Err(format!("{}: {source}", shown(&path)))));
        }
        Err(e) => return stream_error(e).map(|reason| Resumed::Done(Err(reason))),
    }
    finish_upload(fs, item, temp, batch, r).map(Resumed::Done)
}

/// Attributes, the check end to end (with verification on), placement, and
/// the private directory removed once empty.
pub(super) fn finish_upload(
    fs: &RemoteFs,
    item: &BatchItem,
    temp: &Path,
    batch: &Batch,
    r: &Reporter,
) -> Result<Result<Outcome, String>, TaskError> {
    let lost = |e: FsError| if e.is_connection_lost() { Err(task_error(e)) } else { Ok(e.to_string()) };
    let gone = |reason: String| -> Result<Result<Outcome, String>, TaskError> {
        discard_remote(fs, item, r)?;
        Ok(Err(reason))
    };
    if batch.preserve {
        let mut changed = fs.chmod(&[temp.to_path_buf()], item.mode & 0o7777, false).map(|()| vec![Ok(())]);
        if let (Ok(_), Some(secs)) = (&changed, item.mtime) {
            changed = fs.set_times(&[(temp, secs)]);
        }
        let failure = match changed {
            Ok(results) => results.into_iter().find_map(Result::err),
            Err(e) => Some(e),
        };
        if let Some(e) = failure {
            return lost(e).and_then(gone);
        }
    }
    if batch.verify {
        let source = crate::fs::local::sha256(item.source.path(), &|| r.is_cancelled());
        let copy = match one(fs.sha256(&[temp])) {
            Err(e) if e.is_connection_lost() => return Err(task_error(e)),
            other => other,
        };
        if r.is_cancelled() {
            return Err(TaskError::Interrupted);
        }
        if let Err(reason) = verdict(source, copy) {
            return gone(reason);
        }
    }
    let how = match item.place {
        Place::KeepBoth { from } => Rename::KeepBoth { from },
        Place::NoReplace => Rename::NoReplace,
        _ => Rename::Replace,
    };
    let placement = [Placement { temp, dest: item.dest.path(), how }];
    // The private directory goes in the same command: nothing in it is
    // kept whatever the placing did (a failed one removes the copy).
    let placed = match private_dir(temp) {
        Some(dir) => fs.place_then_remove(&placement, dir).map(|(placed, _)| placed),
        None => fs.place(&placement),
    };
    let result = match placed.map(|mut p| p.pop()) {
        Ok(Some(Ok(Placed::At(path)))) if path == item.dest.path() => Ok(Outcome::Done),
        Ok(Some(Ok(Placed::At(path)))) => Ok(Outcome::PlacedAs(item.dest.with_path(path))),
        Ok(Some(Ok(Placed::Taken))) => {
            Ok(Outcome::Skipped("exists at the destination (it appeared while this copy was made)".into()))
        }
        Ok(Some(Err(e))) => return lost(e).and_then(gone),
        Ok(None) => return gone("the file was not put in place".into()),
        Err(e) => return lost(e).and_then(gone),
    };
    Ok(result)
}

/// Files `cp --resume --verify` finds complete already: the same sha256
/// at the destination as at the source. `source` and `dest` are the two
/// sides' file systems; returns, per item, whether it is complete.
pub(super) fn equal_content(
    source: &dyn FileSystem,
    dest: &dyn FileSystem,
    items: &[&BatchItem],
) -> Result<Vec<bool>, TaskError> {
    let sources: Vec<&Path> = items.iter().map(|i| i.source.path()).collect();
    let dests: Vec<&Path> = items.iter().map(|i| i.dest.path()).collect();
    let a = source.sha256(&sources).map_err(task_error)?;
    let b = dest.sha256(&dests).map_err(task_error)?;
    Ok(a.into_iter().zip(b).map(|(a, b)| matches!((a, b), (Ok(a), Ok(b)) if a == b)).collect())
}
