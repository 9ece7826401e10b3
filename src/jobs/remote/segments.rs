//! Large files as byte ranges at once: a file of at least the threshold
//! goes as N ranges (`segment_plan`), one stream each, on N channels of
//! the task's own session (`segment_worker`, `scp::lanes`): every channel
//! brings its own window, without another login. A server that takes one
//! channel per connection (sshd's `MaxSessions 1`) gets one range per
//! session instead, on the task's own lease and on extra leases taken from
//! the pool only when they are free now (fewer ranges when fewer are),
//! each on its own connection thread.
//! The ranges land at their offsets in one temporary file, which is then
//! finished as a resumed file is: attributes with -p, the whole file
//! hashed on both sides with verification on, placed under its name.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use futures::future::join_all;

use super::segment_worker::{End, Ranged, Way, work};
use super::upload::{Leftover, Leftovers, remember};
use super::{Inner, resume};
use crate::eventlog::Event;
use crate::fs::{FileSystem, FsError, RemoteFs};
use crate::jobs::backend::Reporter;
use crate::jobs::fs_tasks::task_error;
use crate::jobs::segment_plan::{Segments, contiguous, plan};
use crate::jobs::task::{Batch, BatchItem, Partial, Place, TaskError};
use crate::ssh::broken::within;
use crate::ssh::{HostConfig, Lease};
use crate::text::{escape_bytes, human_size};

fn shown(path: &Path) -> String {
    escape_bytes(path.as_os_str().as_encoded_bytes())
}

/// Whether the file goes in ranges: big enough, no partial copy to resume
/// (resume has its own path), nothing to compare first, a file to create.
fn eligible(item: &BatchItem, segments: &Segments) -> bool {
    segments.applies(item.size) && item.resume.is_none() && !item.skip_if_equal && item.place != Place::Into
}

/// Sends the batch's large files in ranges; returns the batch of what is
/// left for the one-stream path (small files, and large ones that could
/// not be split).
pub(super) async fn take(
    inner: &Arc<Inner>,
    lease: &Lease,
    host: &str,
    mut batch: Batch,
    r: &Reporter,
    way: Way,
) -> Result<Batch, TaskError> {
    let segments = inner.segments;
    if !batch.items.iter().any(|i| eligible(i, &segments)) {
        return Ok(batch);
    }
    let dd = Inner::on(lease, |link| RemoteFs::open(link).map(|fs| fs.host().caps().dd)).await?;
    match dd {
        Ok(true) => {}
        Ok(false) => {
            let text = format!("{host} has no dd: large files go as one stream");
            log::info!("{text}");
            r.log(Event::debug(&text).host(host));
            return Ok(batch);
        }
        Err(e) if e.is_connection_lost() => return Err(task_error(e)),
        // The one-stream path meets the same problem and reports it.
        Err(_) => return Ok(batch),
    }
    let config = inner.config(host).await?;
    let items = std::mem::take(&mut batch.items);
    for item in items {
        let sent = match eligible(&item, &segments) {
            true => match one_file(inner, lease, (&config, host), &item, &batch, r, way).await {
                Ok(sent) => sent,
                Err(stop) => return Err(cleaned(inner, lease, host, r, stop).await),
            },
            false => false,
        };
        if !sent {
            batch.items.push(item);
        }
    }
    Ok(batch)
}

/// The longest a blocking call of the cleanup after a stopped ranged copy
/// may take (see [`crate::ssh::broken::within`]): the ranges' session may
/// have been left unusable by the stop without showing it, and a cancel
/// must end however the cleanup went (what it could not remove is removed
/// over the next connection).
const CLEANUP_LIMIT: Duration = Duration::from_secs(5);

/// A task that stops in a ranged copy for another reason than a lost
/// connection (a cancel, a failure) has no retry whose new connection
/// removes what the copy's private directory's removal left (see
/// `discard_private`): it goes now, over the task's lease. After a drop,
/// the retried task removes it.
async fn cleaned(inner: &Inner, lease: &Lease, host: &str, r: &Reporter, stop: TaskError) -> TaskError {
    if !matches!(stop, TaskError::Dropped(_) | TaskError::Connection(_)) {
        let (left, on, rr) = (inner.leftovers.clone(), host.to_owned(), r.clone());
        let _ = Inner::on(lease, move |link| {
            within(link, CLEANUP_LIMIT, || super::upload::clean_leftovers(link, &on, &left, &rr))
        })
        .await;
    }
    stop
}

/// The temporary file of a ranged copy, once made.
struct Temp {
    /// Down: the local temporary file; up: the file in the private
    /// directory on the host.
    path: PathBuf,
    /// The local file: the temporary copy (down) or the source (up).
    file: std::fs::File,
}

/// Makes the temporary file: beside the destination here, or in a private
/// directory beside it on the host. `None`: it cannot be made, the file
/// goes the one-stream way (which knows how to write in place). A private
/// directory whose making the connection dropped in may be there: it is
/// remembered (`left`) for the next connection to the host.
async fn make_temp(
    lease: &Lease,
    item: &BatchItem,
    way: Way,
    (leftovers, host): (&Leftovers, &str),
) -> Result<Option<Temp>, TaskError> {
    let dest = item.dest.path().to_path_buf();
    let Some(dir) = dest.parent().map(Path::to_path_buf) else { return Ok(None) };
    match way {
        Way::Down => {
            let made = crate::jobs::local_copy::temp_file(&dir, &dest, item.mode)
                .and_then(|t| t.keep().map_err(|e| e.error))
                .and_then(|(file, path)| file.set_len(item.size).map(|()| Temp { path, file }));
            Ok(made.ok())
        }
        Way::Up => {
            let Ok(file) = std::fs::File::open(item.source.path()) else { return Ok(None) };
            let name = OsString::from(format!(".sd-{:08x}", rand::random::<u32>()));
            let private = dir.join(&name);
            let path = private.join("0");
            let made = Inner::on(lease, move |link| {
                let fs = RemoteFs::open(link)?;
                let mut made = fs.make_dirs(&[(private.as_path(), Some(0o700))])?;
                made.pop().unwrap_or(Ok(()))
            })
            .await?;
            match made {
                Ok(()) => Ok(Some(Temp { path, file })),
                Err(e) if e.is_connection_lost() => {
                    // mkdir may have run, its answer lost.
                    remember(leftovers, Leftover::unkept(host, &dir, &name));
                    Err(task_error(e))
                }
                Err(_) => Ok(None),
            }
        }
    }
}

/// Leases beside the task's own, as many as are free now (up to one fewer
/// than the ranges wanted), connected at the same time: each new
/// connection costs several round trips.
async fn extra_leases(inner: &Inner, config: &HostConfig, wanted: usize, r: &Reporter) -> Vec<Lease> {
    let tries = (1..wanted.max(1)).map(|_| inner.pool.try_transfer_async(config));
    // A cancel does not wait for connections still being made: the file
    // then goes (and stops) as one stream.
    tokio::select! {
        leases = join_all(tries) => leases.into_iter().flatten().collect(),
        _ = r.cancel.cancelled() => Vec::new(),
    }
}

/// Sends one file in ranges and reports it; false when it was not split
/// after all (it then goes as one stream).
async fn one_file(
    inner: &Arc<Inner>,
    lease: &Lease,
    (config, host): (&HostConfig, &str),
    item: &BatchItem,
    batch: &Batch,
    r: &Reporter,
    way: Way,
) -> Result<bool, TaskError> {
    let (host, name) = (host.to_owned(), shown(item.dest.path()));
    let count = inner.segments.count;
    // Channels of the task's own session, unless its server is known to
    // take one channel per connection: then one range per session.
    let one_channel = Inner::on(lease, crate::ssh::channel::allows_one_channel).await?;
    let mut extra = match one_channel {
        true => extra_leases(inner, config, count, r).await,
        false => Vec::new(),
    };
    let ranges = plan(item.size, if one_channel { extra.len() + 1 } else { count });
    if ranges.len() < 2 {
        let text = format!("{name}: no other session to {host} is free: one stream");
        log::info!("{text}");
        r.log(Event::debug(&text).host(&host));
        return Ok(false);
    }
    extra.truncate(ranges.len() - 1);
    let Some(temp) = make_temp(lease, item, way, (&inner.leftovers, &host)).await? else { return Ok(false) };
    r.started(item.item);
    let spans: Vec<String> =
        ranges.iter().map(|g| format!("{}-{}", human_size(g.start), human_size(g.end()))).collect();
    let over = match one_channel {
        true => format!("{} sessions", ranges.len()),
        false => format!("{} channels of one session", ranges.len()),
    };
    let text = format!(
        "{name}: {} in {} ranges over {over}: {}",
        human_size(item.size),
        ranges.len(),
        spans.join(", ")
    );
    log::info!("{text}");
    r.log(Event::info(&text).host(&host));
    let (remote, local) = match way {
        Way::Down => (item.source.path().to_path_buf(), temp.path.clone()),
        Way::Up => (temp.path.clone(), item.source.path().to_path_buf()),
    };
    let ranged = Arc::new(Ranged::new(way, &host, name, (remote, local), temp.file, ranges, item.item, r));
    let mut extra: Vec<Option<Lease>> = extra.into_iter().map(Some).collect();
    let channels = if one_channel { 1 } else { count };
    let (mut lost, mut own_live, limited) = run_all(lease, &mut extra, &ranged, channels).await;
    if limited && lost.is_none() && ranged.left() && !r.is_cancelled() && ranged.failure().is_none() {
        // The server refused a second channel: the ranges left go over
        // extra sessions, one each.
        let text = format!(
            "{}: {host} takes one channel per connection: the other ranges go over more sessions",
            ranged.name
        );
        log::info!("{text}");
        r.log(Event::info(&text).host(&host));
        let wanted = lock_len(&ranged) + 1;
        extra = extra_leases(inner, config, wanted, r).await.into_iter().map(Some).collect();
        (lost, own_live, _) = run_all(lease, &mut extra, &ranged, 1).await;
    }
    // What is left is done over a session that still works.
    let lease = match own_live {
        true => lease,
        false => extra.iter().flatten().next().unwrap_or(lease),
    };
    let owned = BatchItem {
        resume: Some(Partial { temp: temp.path.clone(), size: item.size, mtime: item.mtime }),
        ..item.clone()
    };
    if r.is_cancelled() {
        keep_or_remove(lease, &owned, &ranged, r, (&inner.leftovers, &host)).await?;
        return Err(TaskError::Interrupted);
    }
    if let Some(reason) = ranged.failure().filter(|_| lost.is_none()) {
        remove(lease, &owned, way, r, (&inner.leftovers, &host)).await?;
        r.finished_item(item.item, Err(reason));
        return Ok(true);
    }
    if let Some(detail) = lost {
        keep_or_remove(lease, &owned, &ranged, r, (&inner.leftovers, &host)).await?;
        return Err(TaskError::Dropped(detail));
    }
    let (batch, rr, finishing) = (batch.clone(), r.clone(), owned.clone());
    let finished = Inner::on(lease, move |link| {
        let fs = RemoteFs::open(link).map_err(task_error)?;
        match way {
            Way::Down => match std::fs::File::open(&temp.path) {
                Ok(file) => Ok(resume::finish_download(&fs, &finishing, &file, &batch, &rr)),
                Err(e) => Ok(Err(format!("{}: {e}", shown(&temp.path)))),
            },
            Way::Up => {
                if !batch.preserve {
                    new_file_mode(&fs, &temp.path, finishing.mode)?;
                }
                resume::finish_upload(&fs, &finishing, &temp.path, &batch, &rr)
            }
        }
    })
    .await
    .and_then(|finished| finished);
    match finished {
        Ok(finished) => {
            r.finished_item(item.item, finished);
            Ok(true)
        }
        // Stopped while it was finished (the connection dropped, a cancel
        // while hashing): the copy is whole, and goes as a stopped one does.
        Err(stop) => {
            keep_or_remove(lease, &owned, &ranged, r, (&inner.leftovers, &host)).await?;
            Err(stop)
        }
    }
}

/// Runs the ranges on every lease (up to `channels` at once on each)
/// until none is left, the file failed, the task is cancelled or the
/// task's own session turned out to take one channel at a time; a range
/// whose session was lost goes to the leases still working (the lost ones
/// are given back without their connection). Returns why the last session
/// was lost, when all were, whether the task's own session still works,
/// and whether a server took one channel at a time.
async fn run_all(
    lease: &Lease,
    live: &mut [Option<Lease>],
    ranged: &Arc<Ranged>,
    channels: usize,
) -> (Option<String>, bool, bool) {
    let mut own_live = true;
    loop {
        let mut workers: Vec<&Lease> = Vec::new();
        if own_live {
            workers.push(lease);
        }
        workers.extend(live.iter().flatten());
        let ends = join_all(workers.iter().map(|l| {
            let ranged = ranged.clone();
            l.run_async(move |link| work(link, &ranged, channels))
        }))
        .await;
        let mut ends = ends.into_iter().map(|e| e.unwrap_or_else(|e| End::Lost(e.to_string())));
        let mut last_lost = None;
        let mut limited = false;
        if own_live {
            match ends.next() {
                Some(End::Lost(why)) => {
                    own_live = false;
                    last_lost = Some(why);
                }
                Some(End::OneChannel) => limited = true,
                _ => {}
            }
        }
        for slot in live.iter_mut().filter(|l| l.is_some()) {
            match ends.next() {
                Some(End::Lost(why)) => {
                    if let Some(dead) = slot.take() {
                        dead.discard();
                    }
                    last_lost = Some(why);
                }
                Some(End::OneChannel) => limited = true,
                _ => {}
            }
        }
        let working = own_live || live.iter().any(Option::is_some);
        if ranged.r.is_cancelled() || ranged.failure().is_some() || !ranged.left() {
            return (None, own_live, false);
        }
        if !working {
            return (last_lost.or_else(|| Some("every session was lost".into())), false, false);
        }
        if limited && live.iter().all(Option::is_none) {
            return (None, own_live, true);
        }
    }
}

/// How many ranges are still to send.
fn lock_len(ranged: &Ranged) -> usize {
    ranged.queue.lock().unwrap_or_else(|e| e.into_inner()).len()
}

/// A stopped copy: down, the part from the start that is there (whole
/// blocks) stays as a partial copy to resume; up (its holes cannot be told
/// from data on the host), the temporary file goes.
async fn keep_or_remove(
    lease: &Lease,
    owned: &BatchItem,
    ranged: &Ranged,
    r: &Reporter,
    left: (&Leftovers, &str),
) -> Result<(), TaskError> {
    let Some(partial) = owned.resume.clone() else { return Ok(()) };
    if ranged.way == Way::Down {
        let have = contiguous(&ranged.ranges, &ranged.done());
        if have > 0 && ranged.file.set_len(have).is_ok() {
            r.partial(owned.item, Some(partial));
            return Ok(());
        }
    }
    remove(lease, owned, ranged.way, r, left).await
}

/// Removes the temporary file (and on the host its private directory; if
/// that fails, the host gone or not, that directory is remembered and
/// removed over the next connection, like the one-stream path's).
async fn remove(
    lease: &Lease,
    owned: &BatchItem,
    way: Way,
    r: &Reporter,
    (leftovers, host): (&Leftovers, &str),
) -> Result<(), TaskError> {
    let Some(partial) = &owned.resume else { return Ok(()) };
    match way {
        Way::Down => {
            let _ = std::fs::remove_file(&partial.temp);
            r.partial(owned.item, None);
            Ok(())
        }
        Way::Up => {
            let (kept, rr, left, on) = (owned.clone(), r.clone(), leftovers.clone(), host.to_owned());
            let removed = Inner::on(lease, move |link| {
                within(link, CLEANUP_LIMIT, || {
                    let fs = RemoteFs::open(link).map_err(task_error)?;
                    discard_private(&fs, &kept, &rr, (&left, &on))
                })
            })
            .await
            .and_then(|removed| removed);
            if removed.is_err()
                && let Some(private) = crate::jobs::fs_tasks::private_dir(&partial.temp)
                && let (Some(dir), Some(name)) = (private.parent(), private.file_name())
            {
                remember(leftovers, Leftover::unkept(host, dir, name));
            }
            removed
        }
    }
}

/// Removes a ranged upload's temporary file with its private directory,
/// which holds nothing else (`make_temp` made it for this file), in one
/// `rm -r`: a range's `dd` whose channel was still starting when the copy
/// stopped may create the file again after a plain removal of it, and the
/// directory would then stay; once the directory is gone, such a `dd`
/// fails to open its file. Should it create the file while `rm -r` goes
/// through the directory (which is then not empty), or the removal fail
/// otherwise, the directory is remembered (`left`) and removed over the
/// next connection to the host, by when that `dd` has run.
fn discard_private(
    fs: &RemoteFs,
    item: &BatchItem,
    r: &Reporter,
    (leftovers, host): (&Leftovers, &str),
) -> Result<(), TaskError> {
    let Some(private) = item.resume.as_ref().and_then(|p| crate::jobs::fs_tasks::private_dir(&p.temp)) else {
        return resume::discard_remote(fs, item, r);
    };
    match fs.delete(&[private.to_path_buf()]) {
        // Gone already: put in place, or never made.
        Ok(()) | Err(FsError::NotFound(_)) => {}
        Err(e) if e.is_connection_lost() => return Err(task_error(e)),
        Err(e) => {
            if let (Some(dir), Some(name)) = (private.parent(), private.file_name()) {
                let text = format!("{e}; tried again over the next connection to the host");
                r.log(Event::debug(&text).host(host));
                remember(leftovers, Leftover::unkept(host, dir, name));
            }
        }
    }
    r.partial(item.item, None);
    Ok(())
}

/// Without -p a new upload has the source's mode less the host's umask,
/// as `scp -t` creates it; `dd` created the file 0666 less the umask. The
/// probe told the umask (no command needed when the two agree, as for a
/// 0644 file under 022); else the created file's mode tells its read and
/// write bits, and its execute bits are taken to follow its read bits
/// (exact for 022, 002, 027, 077, 007).
fn new_file_mode(fs: &RemoteFs, temp: &Path, source: u32) -> Result<(), TaskError> {
    let (created, mode) = match fs.host().caps().umask {
        Some(umask) => (0o666 & !umask, source & 0o777 & !umask),
        None => match fs.stat(&[temp]) {
            Ok(mut stats) => match stats.pop() {
                Some(Ok(Some(stat))) => (stat.mode & 0o666, new_mode(source, stat.mode & 0o666)),
                _ => return Ok(()),
            },
            Err(e) if e.is_connection_lost() => return Err(task_error(e)),
            Err(_) => return Ok(()),
        },
    };
    if mode == created {
        return Ok(());
    }
    match fs.chmod(&[temp.to_path_buf()], mode, false) {
        Err(e) if e.is_connection_lost() => Err(task_error(e)),
        _ => Ok(()),
    }
}

/// The source's permission bits less a umask that left `created` of 0666.
fn new_mode(source: u32, created: u32) -> u32 {
    let executable = (created & 0o444) >> 2;
    source & 0o777 & (created | executable)
}

#[cfg(test)]
mod tests {
    use super::new_mode;

    #[test]
    fn new_files_take_the_source_mode_less_the_umask() {
        // umask 022, 002, 077, 027.
        assert_eq!(new_mode(0o755, 0o644), 0o755);
        assert_eq!(new_mode(0o4775, 0o664), 0o775);
        assert_eq!(new_mode(0o755, 0o600), 0o700);
        assert_eq!(new_mode(0o777, 0o640), 0o750);
        assert_eq!(new_mode(0o600, 0o644), 0o600);
    }
}
