//! Batches bound for a remote host (from this machine, relayed from another
//! host, or sent directly by that host's scp), on the thread that owns the
//! destination session. Per destination directory:
//!
//! 1. the files go into a private directory beside their destination
//!    (`.sd-XXXXXXXX`, mode 700, named here), under short numbered names;
//!    from this machine over SCP the `scp -t` command makes it first
//!    (`mkdir -m 700 ... && exec scp -t`: no command of its own), else
//!    a command of its own does;
//! 2. with verification on, each copy's sha256 is compared with its
//!    source's while it is still there: a bad copy never replaces anything;
//! 3. each good copy is put in place the way its item asks (replace, only if
//!    still free, keep both) by one command for the whole directory;
//! 4. the private directory is removed.
//!
//! A destination that is a device or a pipe is written into directly, as
//! scp does; so is an existing file when no private directory can be made
//! beside it or no temporary copy fits (said in the log). If the connection
//! drops, the private directory is remembered and removed over the next
//! connection to the host.

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::ssh::Link;

use super::arrivals::{Arrivals, stopped};
use super::banners::Seen;
use super::direct::{self, Ends, Peer};
use super::ladder;
use super::resume;
use crate::eventlog::Event;
use crate::fs::place::{Placed, Rename};
use crate::fs::remote::{FoldedPlacing, Protocol};
use crate::fs::{FileSystem, FsError, LocalFs, Placement, RemoteFs};
use crate::jobs::backend::Reporter;
use crate::jobs::fs_tasks::task_error;
use crate::jobs::landing::in_place_note;
use crate::jobs::task::{Batch, BatchItem, Digest, Outcome, Place, TaskError, verdict};
use crate::scp::rung::{self, End};
use crate::scp::{self, CancellationToken, Cause};
use crate::text::escape_bytes;

/// How files reach the remote directory.
pub(super) enum Sender<'s> {
    /// From this machine.
    Local,
    /// From another host, through scpdeck.
    Relay { from: Link<'s>, from_host: &'s str },
    /// scp runs on the source host towards the destination.
    Direct { from: Link<'s>, from_host: &'s str, peer: Peer<'s> },
    /// From the destination host itself: it copies with `cp`, over the one
    /// session (a relay would need two sessions to one host, which a host
    /// that allows only one would never give).
    SameHost,
}

/// A private directory a dropped connection left behind on a host: removed
/// over the next connection, but for the partial copies in it (`keep`),
/// which their items resume.
pub(super) struct Leftover {
    host: String,
    dir: PathBuf,
    private: OsString,
    keep: Vec<OsString>,
}

/// Private directories dropped connections left behind, per host.
pub(super) type Leftovers = Arc<Mutex<Vec<Leftover>>>;

impl Leftover {
    /// The private directory `private` in `dir` on `host`, left by a lost
    /// connection with nothing in it to keep.
    pub(super) fn unkept(host: &str, dir: &Path, private: &OsStr) -> Self {
        Leftover {
            host: host.to_owned(),
            dir: dir.to_path_buf(),
            private: private.to_owned(),
            keep: Vec::new(),
        }
    }
}

/// Remembers `leftover` for the next connection to its host.
pub(super) fn remember(leftovers: &Leftovers, leftover: Leftover) {
    leftovers.lock().unwrap_or_else(|e| e.into_inner()).push(leftover);
}

fn shown(path: &Path) -> String {
    escape_bytes(path.as_os_str().as_bytes())
}

/// Sends `batch` to `host` (behind `to`) with `sender`.
pub(super) fn to_remote(
    to: Link<'_>,
    host: &str,
    sender: &Sender,
    batch: &Batch,
    r: &Reporter,
    leftovers: &Leftovers,
) -> Result<(), TaskError> {
    let mut by_dir: BTreeMap<PathBuf, Vec<&BatchItem>> = BTreeMap::new();
    for item in &batch.items {
        match item.dest.parent() {
            Some(dir) => by_dir.entry(dir.path().to_path_buf()).or_default().push(item),
            None => r.item_done(item.item, Err("the destination has no directory".into())),
        }
    }
    // What earlier dropped connections left here goes first, and again at
    // the end (another task may have remembered some meanwhile).
    clean_leftovers(to, host, leftovers, r);
    let ctx = Ctx { to, host, sender, batch, r, cancel: &r.cancel, leftovers };
    let rest = ctx.resume_and_skip(by_dir.values().flatten().copied().collect())?;
    let mut by_dir: BTreeMap<PathBuf, Vec<&BatchItem>> = BTreeMap::new();
    for item in rest {
        if let Some(dir) = item.dest.parent() {
            by_dir.entry(dir.path().to_path_buf()).or_default().push(item);
        }
    }
    let result = by_dir.iter().try_for_each(|(dir, items)| ctx.to_dir(dir, items));
    if result.is_ok() {
        clean_leftovers(to, host, leftovers, r);
    }
    result
}

struct Ctx<'a> {
    to: Link<'a>,
    host: &'a str,
    sender: &'a Sender<'a>,
    batch: &'a Batch,
    r: &'a Reporter,
    cancel: &'a CancellationToken,
    leftovers: &'a Leftovers,
}

/// What one send did per file.
struct Delivery {
    arrived: Vec<bool>,
    /// A partial copy is there (reported to the scheduler), should the
    /// send have stopped before the file was complete.
    partial: Vec<bool>,
    failed: Vec<Option<(String, Cause)>>,
    /// What stopped the send early: a reason for the files it did not
    /// report on, or a stop for the task.
    stop: Option<Result<String, TaskError>>,
    /// The directory the send was to make first could not be made: why
    /// (nothing was sent).
    not_made: Option<FsError>,
    /// What the placing folded into the send printed, when it ran (the
    /// remote scp exited 0).
    placed: Option<Vec<u8>>,
}

impl Ctx<'_> {
    /// The destination host's file system.
    fn fs(&self) -> Result<RemoteFs<'_>, TaskError> {
        RemoteFs::open(self.to).map_err(task_error)
    }

    /// Continues the files with partial copies (from this machine; other
    /// senders start them over), skips those complete already (`cp
    /// --resume --verify`); returns what is left to send.
    fn resume_and_skip<'b>(&self, items: Vec<&'b BatchItem>) -> Result<Vec<&'b BatchItem>, TaskError> {
        let (partial, mut rest): (Vec<&BatchItem>, Vec<&BatchItem>) =
            items.into_iter().partition(|i| i.resume.is_some());
        if !partial.is_empty() {
            match self.sender {
                Sender::Local => {
                    rest.extend(resume::uploads(self.to, self.host, &partial, self.batch, self.r)?)
                }
                _ => {
                    resume::discard_all(self.to, self.host, &partial, self.r)?;
                    rest.extend(partial);
                }
            }
        }
        let (compare, mut rest): (Vec<&BatchItem>, Vec<&BatchItem>) =
            rest.into_iter().partition(|i| i.skip_if_equal);
        if compare.is_empty() {
            return Ok(rest);
        }
        let dest = self.fs()?;
        let equal = match self.sender {
            Sender::Local => {
                resume::equal_content(&LocalFs::with_cancel(self.r.cancel.clone()), &dest, &compare)?
            }
            Sender::Relay { from, .. } | Sender::Direct { from, .. } => {
                resume::equal_content(&RemoteFs::open(*from).map_err(task_error)?, &dest, &compare)?
            }
            Sender::SameHost => resume::equal_content(&dest, &dest, &compare)?,
        };
        for (item, equal) in compare.into_iter().zip(equal) {
            if equal {
                self.r.finished_item(item.item, Ok(Outcome::Skipped(super::download::COMPLETE.into())));
            } else {
                rest.push(item);
            }
        }
        Ok(rest)
    }

    fn to_dir(&self, dir: &Path, items: &[&BatchItem]) -> Result<(), TaskError> {
        let mut results: Vec<Option<Result<Outcome, String>>> = vec![None; items.len()];
        let done = self.to_dir_results(dir, items, &mut results);
        // Even when the task stops here, what was placed is reported: it must
        // not be sent again (a "keep both" copy would be made twice).
        for (item, result) in items.iter().zip(results) {
            match (result, &done) {
                (Some(result), _) => self.r.finished_item(item.item, result),
                (None, Ok(())) => self.r.finished_item(item.item, Err("the file did not arrive".into())),
                (None, Err(_)) => {}
            }
        }
        done
    }

    fn to_dir_results(
        &self,
        dir: &Path,
        items: &[&BatchItem],
        results: &mut [Option<Result<Outcome, String>>],
    ) -> Result<(), TaskError> {
        // Files to write straight into their destination, and why.
        let mut direct: Vec<(usize, Option<&'static str>)> = Vec::new();
        let (into, through): (Vec<usize>, Vec<usize>) =
            (0..items.len()).partition(|&n| items[n].place == Place::Into);
        direct.extend(into.into_iter().map(|n| (n, None)));
        for through in self.runs(items, through) {
            let private = OsString::from(format!(".sd-{}", random_name()));
            let temp_dir = dir.join(&private);
            // From this machine over SCP the scp command makes the private
            // directory itself; otherwise a command of its own does.
            let refused = match self.makes_private() {
                true => None,
                false => {
                    let made = self
                        .fs()?
                        .make_dirs(&[(temp_dir.as_path(), Some(PRIVATE_MODE))])
                        .map_err(task_error)?;
                    made.into_iter().next().unwrap_or(Ok(())).err()
                }
            };
            let refused = match refused {
                Some(refused) => refused,
                None => {
                    let mut kept = Kept::default();
                    let result =
                        self.through_private(dir, &private, items, &through, results, &mut direct, &mut kept);
                    match result {
                        Ok(Some(refused)) => refused,
                        result => {
                            self.remove_private(dir, &private, result.as_ref().err(), &kept);
                            result?;
                            continue;
                        }
                    }
                }
            };
            self.no_private(dir, &temp_dir, &refused, items, &through, results, &mut direct);
        }
        if !direct.is_empty() {
            self.straight_into(dir, items, &direct, results)?;
        }
        Ok(())
    }

    /// Whether the private directory is made by the command that sends
    /// the files into it (from this machine, over SCP).
    fn makes_private(&self) -> bool {
        matches!(self.sender, Sender::Local) && self.protocol() == Protocol::Scp
    }

    /// No private directory could be made in `dir` (`refused` says why):
    /// the files `through` that may be written in place go to `direct`,
    /// the others fail.
    #[allow(clippy::too_many_arguments)]
    fn no_private(
        &self,
        dir: &Path,
        temp_dir: &Path,
        refused: &FsError,
        items: &[&BatchItem],
        through: &[usize],
        results: &mut [Option<Result<Outcome, String>>],
        direct: &mut Vec<(usize, Option<&'static str>)>,
    ) {
        // Said about the directory, never the private one's name.
        let cause = match refused.failure().map(|f| tail(&f.said)) {
            Some(said) if !said.is_empty() => said.to_owned(),
            _ => refused.to_string().replace(&shown(temp_dir), &shown(dir)),
        };
        for &n in through {
            match cure(refused) {
                Some(why) if replaceable(items[n]) => direct.push((n, Some(why))),
                _ => {
                    if matches!(refused, FsError::PermissionDenied(_)) {
                        self.r.denied(items[n].item);
                    }
                    results[n] = Some(Err(format!("cannot create a file in {}: {cause}", shown(dir))))
                }
            }
        }
    }

    /// The files that go through a private directory, cut into runs: one,
    /// but for a direct copy, whose files arrive under their sources' base
    /// names, as many as it takes for these to differ within each run.
    fn runs(&self, items: &[&BatchItem], through: Vec<usize>) -> Vec<Vec<usize>> {
        if through.is_empty() {
            return Vec::new();
        }
        if !matches!(self.sender, Sender::Direct { .. }) {
            return vec![through];
        }
        let mut runs: Vec<(std::collections::HashSet<&OsStr>, Vec<usize>)> = Vec::new();
        for n in through {
            match runs.iter_mut().find(|(names, _)| !names.contains(base(items[n]))) {
                Some((names, run)) => {
                    names.insert(base(items[n]));
                    run.push(n);
                }
                None => runs.push(([base(items[n])].into(), vec![n])),
            }
        }
        runs.into_iter().map(|(_, run)| run).collect()
    }

    /// Steps 1 to 3 for the files `which` of `items`. Which names in the
    /// private directory are partial copies to keep, should the task stop,
    /// goes to `kept`. The private directory is made here when
    /// [`Ctx::makes_private`]; if it cannot be, why (nothing was sent).
    #[allow(clippy::too_many_arguments)]
    fn through_private(
        &self,
        dir: &Path,
        private: &OsStr,
        items: &[&BatchItem],
        which: &[usize],
        results: &mut [Option<Result<Outcome, String>>],
        direct: &mut Vec<(usize, Option<&'static str>)>,
        kept: &mut Kept,
    ) -> Result<Option<FsError>, TaskError> {
        let temp_dir = dir.join(private);
        let group: Vec<&BatchItem> = which.iter().map(|&n| items[n]).collect();
        // Short numbered names: unique whatever the sources are called,
        // and short, so that a destination path near the limit still fits.
        let names: Vec<OsString> = match self.sender {
            Sender::Direct { .. } => group.iter().map(|i| base(i).to_os_string()).collect(),
            _ => (0..group.len()).map(|k| OsString::from(k.to_string())).collect(),
        };
        let make = self.makes_private().then_some(PRIVATE_MODE);
        let temps: Vec<PathBuf> = names.iter().map(|n| temp_dir.join(n)).collect();
        // Nothing to check between the data and the placing: the command
        // that sends the files places them too.
        let fold = make.is_some() && !self.batch.verify && group.iter().all(|i| i.place == Place::Replace);
        let placements: Vec<Placement> = match fold {
            true => group
                .iter()
                .zip(&temps)
                .map(|(i, temp)| Placement { temp, dest: i.dest.path(), how: Rename::Replace })
                .collect(),
            false => Vec::new(),
        };
        // A path the placing cannot quote is refused by the separate placing.
        let folded = fold.then(|| FoldedPlacing::new(&placements, &temp_dir).ok()).flatten();
        let mut sent = self.send(&temp_dir, &group, &names, true, make, folded.as_ref())?;
        if let Some(refused) = sent.not_made.take() {
            return Ok(Some(refused));
        }
        let folded = folded.as_ref().zip(sent.placed.take());
        let result =
            self.settle_private(dir, &temp_dir, &group, which, &temps, &sent, folded, results, direct, kept);
        for (k, name) in names.iter().enumerate() {
            // Stopped: what arrived from this machine, whole or in part, was
            // reported as a partial copy and stays for a resume.
            let resumable = result.is_err() && sent.partial[k] && sent.failed[k].is_none();
            match resumable && results[which[k]].is_none() {
                true => kept.keep.push(name.clone()),
                false => kept.others.push(name.clone()),
            }
        }
        result.map(|()| None)
    }

    /// Steps 2 and 3 once the files were sent.
    #[allow(clippy::too_many_arguments)]
    fn settle_private(
        &self,
        dir: &Path,
        temp_dir: &Path,
        group: &[&BatchItem],
        which: &[usize],
        temps: &[PathBuf],
        sent: &Delivery,
        folded: Option<(&FoldedPlacing, Vec<u8>)>,
        results: &mut [Option<Result<Outcome, String>>],
        direct: &mut Vec<(usize, Option<&'static str>)>,
        kept: &mut Kept,
    ) -> Result<(), TaskError> {
        let unmask = |reason: &str, k: usize| {
            reason
                .replace(&shown(&temps[k]), &shown(group[k].dest.path()))
                .replace(&shown(temp_dir), &shown(dir))
        };
        let stopped_for = match &sent.stop {
            Some(Ok(reason)) => reason.clone(),
            _ => "the file did not arrive".into(),
        };
        let mut arrived = Vec::new();
        for (k, &n) in which.iter().enumerate() {
            match (&sent.failed[k], sent.arrived[k]) {
                (_, true) => arrived.push(k),
                (Some((_, Cause::NoSpace)), _) if replaceable(group[k]) => {
                    direct.push((n, Some("there is no room for a temporary copy beside it")))
                }
                (Some((reason, cause)), _) => {
                    if *cause == Cause::Denied {
                        self.r.denied(group[k].item);
                    }
                    results[n] = Some(Err(unmask(reason, k)))
                }
                // A run stopped as a whole leaves these to the task's end.
                (None, false) if matches!(sent.stop, Some(Err(_))) => {}
                (None, false) => results[n] = Some(Err(unmask(&stopped_for, k))),
            }
        }
        // Complete copies still go into place after a cancel (nothing is
        // lost by keeping them), unless they had to be checked first or the
        // connection is gone.
        let stop = match &sent.stop {
            Some(Err(stop)) if self.batch.verify || !matches!(stop, TaskError::Interrupted) => {
                return Err(stop.clone());
            }
            Some(Err(stop)) => Some(stop.clone()),
            _ => None,
        };
        let checked = self.verify(group, temps, &arrived)?;
        let mut placements = Vec::new();
        let mut placed = Vec::new();
        for (&k, verdict) in arrived.iter().zip(checked) {
            if let Err(reason) = verdict {
                // The bad copy goes with the private directory.
                self.r.partial(group[k].item, None);
                results[which[k]] = Some(Err(reason));
                continue;
            }
            let item = group[k];
            let how = match item.place {
                Place::KeepBoth { from } => Rename::KeepBoth { from },
                Place::NoReplace => Rename::NoReplace,
                _ => Rename::Replace,
            };
            placements.push(Placement { temp: &temps[k], dest: item.dest.path(), how });
            placed.push(k);
        }
        if placements.is_empty() {
            return stop.map_or(Ok(()), Err);
        }
        // Not stopped: nothing in the private directory is kept, so the
        // command that places the files removes it too (one round trip
        // less than a command of its own).
        let outcome = match (stop.as_ref(), folded) {
            // Placed already, by the command that sent the files (every
            // file of the group in order: these are the ones that arrived).
            (None, Some((folded, after))) => {
                let said = format!("placed by the scp command: {} file(s) in {}", placed.len(), shown(dir));
                self.r.log(Event::debug(&said).host(self.host));
                let (outcome, removed) = folded.results(&after);
                kept.removed = removed.map(|r| r.map_err(|e| e.to_string()));
                let mut outcome: Vec<Option<Result<Placed, FsError>>> =
                    outcome.into_iter().map(Some).collect();
                placed
                    .iter()
                    .map(|&k| {
                        let result = outcome.get_mut(k).and_then(Option::take);
                        result.unwrap_or_else(|| Err(FsError::said("put a file in place", b"no result")))
                    })
                    .collect()
            }
            (Some(_), _) => self.fs()?.place(&placements).map_err(task_error)?,
            (None, None) => {
                let (outcome, removed) =
                    self.fs()?.place_then_remove(&placements, temp_dir).map_err(task_error)?;
                kept.removed = removed.map(|r| r.map_err(|e| e.to_string()));
                outcome
            }
        };
        for (&k, result) in placed.iter().zip(outcome) {
            let item = group[k];
            results[which[k]] = Some(match result {
                Ok(Placed::At(path)) if path == item.dest.path() => Ok(Outcome::Done),
                Ok(Placed::At(path)) => Ok(Outcome::PlacedAs(item.dest.with_path(path))),
                Ok(Placed::Taken) => Ok(Outcome::Skipped(
                    "exists at the destination (it appeared while this copy was made)".into(),
                )),
                Err(e) => {
                    self.r.partial(item.item, None);
                    Err(unmask(&e.to_string(), k))
                }
            });
        }
        stop.map_or(Ok(()), Err)
    }

    /// Writes files straight into their destinations (devices, pipes, and
    /// existing files that no temporary copy could be made for).
    fn straight_into(
        &self,
        dir: &Path,
        items: &[&BatchItem],
        which: &[(usize, Option<&'static str>)],
        results: &mut [Option<Result<Outcome, String>>],
    ) -> Result<(), TaskError> {
        let group: Vec<&BatchItem> = which.iter().map(|&(n, _)| items[n]).collect();
        if let Sender::Direct { .. } = self.sender {
            // The source host's scp names files after their sources.
            if let Some(k) = group.iter().position(|i| Some(base(i)) != i.dest.path().file_name()) {
                for &(n, _) in which {
                    results[n] = Some(Err(format!(
                        "{}: a direct copy cannot write into a destination of another name",
                        shown(group[k].dest.path())
                    )));
                }
                return Ok(());
            }
        }
        let names: Vec<OsString> =
            group.iter().map(|i| i.dest.path().file_name().unwrap_or_default().to_os_string()).collect();
        for (item, &(_, why)) in group.iter().zip(which) {
            if let Some(why) = why {
                self.r.log(Event::warn(&in_place_note(&shown(item.dest.path()), why)).host(self.host));
            }
        }
        let sent = self.send(dir, &group, &names, false, None, None)?;
        let dests: Vec<PathBuf> = group.iter().map(|i| i.dest.path().to_path_buf()).collect();
        let arrived: Vec<usize> = (0..group.len()).filter(|&k| sent.arrived[k]).collect();
        let rewritten: Vec<usize> = arrived.iter().copied().filter(|&k| which[k].1.is_some()).collect();
        let checked = self.verify(&group, &dests, &rewritten)?;
        let mut verdicts = rewritten.iter().zip(checked).collect::<BTreeMap<_, _>>();
        let stopped_for = match &sent.stop {
            Some(Ok(reason)) => reason.clone(),
            _ => "the file did not arrive".into(),
        };
        for (k, &(n, why)) in which.iter().enumerate() {
            let spoilt = |reason: String| match why {
                Some(why) => {
                    format!("{reason} (it was written in place because {why}; it is now incomplete)")
                }
                None => reason,
            };
            if !sent.arrived[k] && sent.failed[k].is_none() && matches!(sent.stop, Some(Err(_))) {
                continue;
            }
            results[n] = Some(match (sent.arrived[k], &sent.failed[k]) {
                (true, _) => match verdicts.remove(&k) {
                    Some(Err(reason)) => {
                        Err(format!("{reason} (written in place: the destination holds this copy)"))
                    }
                    _ => Ok(Outcome::Done),
                },
                (false, Some((reason, cause))) => {
                    if *cause == Cause::Denied {
                        self.r.denied(group[k].item);
                    }
                    Err(spoilt(reason.clone()))
                }
                (false, None) => Err(spoilt(stopped_for.clone())),
            });
        }
        match sent.stop {
            Some(Err(stop)) => Err(stop),
            _ => Ok(()),
        }
    }

    /// One engine run (or one direct scp) into `target`, each file under
    /// `names[k]`; with `resumable`, a file from this machine that stops
    /// half way is a partial copy to resume. With `make` (from this machine
    /// over SCP only), `target` is made first with that mode, and with
    /// `folded` too, the files are placed by the same command once they all
    /// arrived ([`Delivery::placed`]).
    fn send(
        &self,
        target: &Path,
        items: &[&BatchItem],
        names: &[OsString],
        resumable: bool,
        make: Option<u32>,
        folded: Option<&FoldedPlacing>,
    ) -> Result<Delivery, TaskError> {
        let r = self.r;
        let mut target_arg = target.as_os_str().to_owned();
        target_arg.push("/");
        let options =
            scp::Options { recursive: false, preserve: self.batch.preserve, limit: r.throttle.clone() };
        let mut arrivals = Arrivals::new(r, items);
        if resumable && matches!(self.sender, Sender::Local) {
            arrivals = arrivals.writing_to(names.iter().map(|n| target.join(n)).collect());
        }
        let lower = self.lower_rung();
        let by_lower = lower.is_some();
        let mut placed = None;
        let result = match self.sender {
            _ if by_lower => {
                let (from, from_host, to) = lower.unwrap_or((End::Local, "", End::Local));
                let ends = rung::Ends { from: &from, from_host, to: &to, to_host: self.host };
                let what = format!("{} file(s) to {}", items.len(), shown(target));
                ladder::say(r, self.host, self.protocol(), &what);
                let sources: Vec<OsString> =
                    items.iter().map(|i| i.source.path().as_os_str().to_owned()).collect();
                let expected = ladder::expected(items);
                let limit = r.throttle.clone();
                let on = &mut |e| arrivals.on(e);
                rung::send_by(&ends, &sources, &expected, target, names, limit, on, self.cancel).map(drop)
            }
            Sender::Local => {
                let request = scp::UploadRequest {
                    host: self.host.to_owned(),
                    sources: items.iter().map(|i| i.source.path().to_path_buf()).collect(),
                    target: target_arg,
                    options,
                    names: names.to_vec(),
                };
                r.log(
                    Event::debug(&format!("scp -t: {} file(s) to {}", items.len(), shown(target)))
                        .host(self.host),
                );
                let on = &mut |e| arrivals.on(e);
                let made = match (make, folded) {
                    (Some(mode), Some(folded)) => {
                        let then = folded.command();
                        Some(scp::upload_into_new_dir_then(self.to, &request, mode, then, on, self.cancel))
                    }
                    (Some(mode), None) => Some(
                        scp::upload_into_new_dir(self.to, &request, mode, on, self.cancel).map(|s| (s, None)),
                    ),
                    (None, _) => None,
                };
                match made {
                    Some(made) => match made {
                        Err(scp::ScpError::NotMade { said, .. }) => {
                            let mut sent = Delivery::none(items.len());
                            let action = format!("create a directory in {}", shown(target));
                            sent.not_made = Some(FsError::said(&action, &said));
                            return Ok(sent);
                        }
                        result => result.map(|(_, after)| placed = after),
                    },
                    None => scp::upload(self.to, &request, on, self.cancel).map(drop),
                }
            }
            Sender::Relay { from, from_host } => {
                let request = scp::RelayRequest {
                    from_host: (*from_host).to_owned(),
                    sources: items.iter().map(|i| i.source.path().as_os_str().to_owned()).collect(),
                    to_host: self.host.to_owned(),
                    target: target_arg,
                    options,
                    names: names.to_vec(),
                };
                r.log(
                    Event::debug(&format!("scp -f | scp -t: {} file(s) from {from_host}", items.len()))
                        .host(self.host),
                );
                scp::relay(*from, self.to, &request, &mut |e| arrivals.on(e), self.cancel).map(drop)
            }
            Sender::SameHost => return self.copy_on_host(target, items, names),
            Sender::Direct { from, from_host, peer } => {
                let ends = Ends { from: *from, from_host, to: self.to, to_host: self.host, peer };
                let delivered = direct::send(&ends, target, items, self.batch.preserve, r)?;
                let failed = vec![None; items.len()];
                let partial = vec![false; items.len()];
                return Ok(Delivery {
                    arrived: delivered.arrived,
                    partial,
                    failed,
                    stop: delivered.reason.map(Ok),
                    not_made: None,
                    placed: None,
                });
            }
        };
        arrivals.distrust(result.as_ref().err());
        for seen in &arrivals.banners {
            self.banner_seen(seen);
        }
        let mut sent = Delivery::none(items.len());
        sent.placed = placed;
        sent.stop = result.err().map(stopped);
        if !matches!(sent.stop, Some(Err(_))) {
            arrivals.failures_lose_partials();
        }
        for k in arrivals.partials() {
            if let Some(slot) = sent.partial.get_mut(k) {
                *slot = true;
            }
        }
        for (k, _) in arrivals.arrived {
            if let Some(slot) = sent.arrived.get_mut(k) {
                *slot = true;
            }
        }
        if by_lower && self.batch.preserve {
            self.preserve_lower(target, items, names, &mut sent)?;
        }
        if by_lower && (sent.stop.is_some() || !arrivals.failed.is_empty()) {
            ladder::failed(self.to, self.host, r);
        }
        // When the whole run stopped (cancel, lost connection), the engine's
        // "stopped before it was confirmed" is not the files' fault: the
        // task's end speaks for them.
        if !matches!(sent.stop, Some(Err(_))) {
            for (k, failure) in arrivals.failed {
                if let Some(slot) = sent.failed.get_mut(k) {
                    *slot = Some(failure);
                }
            }
        }
        Ok(sent)
    }

    /// The destination's rung.
    fn protocol(&self) -> Protocol {
        ladder::protocol(self.to)
    }

    /// The two ends when this send goes by a lower rung (either host is
    /// not on the SCP rung): from this machine or another host to this one.
    fn lower_rung(&self) -> Option<(End<'_>, &str, End<'_>)> {
        let to = self.protocol();
        match self.sender {
            Sender::Local if to != Protocol::Scp => Some((End::Local, "", ladder::end(self.to, to))),
            Sender::Relay { from, from_host } => {
                let source = ladder::protocol(*from);
                if source == Protocol::Scp && to == Protocol::Scp {
                    return None;
                }
                Some((ladder::end(*from, source), *from_host, ladder::end(self.to, to)))
            }
            _ => None,
        }
    }

    /// "Preserve" on a lower rung: modes and times set once the files are
    /// there; a file whose attributes cannot be set fails.
    fn preserve_lower(
        &self,
        target: &Path,
        items: &[&BatchItem],
        names: &[OsString],
        sent: &mut Delivery,
    ) -> Result<(), TaskError> {
        let which: Vec<usize> = (0..items.len()).filter(|&k| sent.arrived[k]).collect();
        let copies: Vec<(PathBuf, &BatchItem)> =
            which.iter().map(|&k| (target.join(&names[k]), items[k])).collect();
        let failed = ladder::preserve(self.to, &copies).map_err(task_error)?;
        for (&k, failure) in which.iter().zip(failed) {
            if let Some(reason) = failure {
                sent.arrived[k] = false;
                sent.failed[k] = Some((reason, Cause::Other));
            }
        }
        Ok(())
    }

    /// Reports a banner an engine run saw, on whichever end it was.
    fn banner_seen(&self, seen: &Seen) {
        let link = match self.sender {
            Sender::Relay { from, from_host } | Sender::Direct { from, from_host, .. }
                if *from_host == seen.host =>
            {
                *from
            }
            _ => self.to,
        };
        super::banners::seen(link, seen, self.r);
    }

    /// The host copies `items` into `target` itself (`cp`, `cp -p`).
    fn copy_on_host(
        &self,
        target: &Path,
        items: &[&BatchItem],
        names: &[OsString],
    ) -> Result<Delivery, TaskError> {
        let copies: Vec<PathBuf> = names.iter().map(|n| target.join(n)).collect();
        let pairs: Vec<(&Path, &Path)> =
            items.iter().zip(&copies).map(|(i, c)| (i.source.path(), c.as_path())).collect();
        self.r.log(
            Event::debug(&format!("cp on the host: {} file(s) to {}", items.len(), shown(target)))
                .host(self.host),
        );
        for item in items {
            self.r.started(item.item);
        }
        let results = self.fs()?.copy_files(&pairs, self.batch.preserve).map_err(task_error)?;
        let mut sent = Delivery::none(items.len());
        for (k, (item, result)) in items.iter().zip(results).enumerate() {
            match result {
                Ok(()) => {
                    self.r.progress(item.item, item.size);
                    sent.arrived[k] = true;
                }
                Err(e) => {
                    let cause = match e {
                        FsError::NoSpace(_) => Cause::NoSpace,
                        FsError::PermissionDenied(_) => Cause::Denied,
                        _ => Cause::Other,
                    };
                    sent.failed[k] = Some((e.to_string(), cause));
                }
            }
        }
        Ok(sent)
    }

    /// With verification on: for each file `which[k]` of `items`, whether
    /// its copy at `copies[k]` has its source's sha256.
    fn verify(
        &self,
        items: &[&BatchItem],
        copies: &[PathBuf],
        which: &[usize],
    ) -> Result<Vec<Result<(), String>>, TaskError> {
        if !self.batch.verify || which.is_empty() {
            return Ok(vec![Ok(()); which.len()]);
        }
        let sources: Vec<&Path> = which.iter().map(|&k| items[k].source.path()).collect();
        let source_digests = match self.sender {
            Sender::Local => {
                let cancelled = || self.r.is_cancelled();
                sources
                    .iter()
                    .map(|p| crate::fs::local::sha256(p, &cancelled).map_err(|e| e.to_string()))
                    .collect()
            }
            Sender::Relay { from, .. } | Sender::Direct { from, .. } => remote_digests(*from, &sources)?,
            Sender::SameHost => remote_digests(self.to, &sources)?,
        };
        let copy_paths: Vec<&Path> = which.iter().map(|&k| copies[k].as_path()).collect();
        self.r.log(Event::debug(&format!("sha256 of {} copied file(s)", copy_paths.len())).host(self.host));
        let copy_digests = remote_digests(self.to, &copy_paths)?;
        if self.r.is_cancelled() {
            return Err(TaskError::Interrupted);
        }
        Ok(source_digests.into_iter().zip(copy_digests).map(|(source, copy)| verdict(source, copy)).collect())
    }

    /// Step 4: the private directory is removed, but for the partial
    /// copies to resume (`kept.keep`): then only the others in it are.
    /// After a dropped connection, all that is remembered for the next
    /// connection.
    fn remove_private(&self, dir: &Path, private: &OsStr, stop: Option<&TaskError>, kept: &Kept) {
        match &kept.removed {
            Some(Ok(())) => return,
            Some(Err(e)) => return self.unremoved(dir, e),
            None => {}
        }
        if let Some(TaskError::Dropped(_)) = stop {
            self.remember(dir, private, &kept.keep);
            return;
        }
        let temp_dir = dir.join(private);
        let removed = RemoteFs::open(self.to).and_then(|fs| {
            if kept.keep.is_empty() {
                return fs.delete(std::slice::from_ref(&temp_dir));
            }
            let paths: Vec<PathBuf> = kept.others.iter().map(|n| temp_dir.join(n)).collect();
            let paths: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
            fs.remove_files(&paths).map(drop)
        });
        match removed {
            Ok(()) => {}
            Err(e) if e.is_connection_lost() => self.remember(dir, private, &kept.keep),
            Err(e) => self.unremoved(dir, &e),
        }
    }

    fn unremoved(&self, dir: &Path, e: &dyn std::fmt::Display) {
        let said = format!("cannot remove a temporary directory in {}: {e}", shown(dir));
        self.r.log(Event::warn(&said).host(self.host));
    }

    fn remember(&self, dir: &Path, private: &OsStr, keep: &[OsString]) {
        let leftover = Leftover {
            host: self.host.to_owned(),
            dir: dir.to_path_buf(),
            private: private.to_os_string(),
            keep: keep.to_vec(),
        };
        remember(self.leftovers, leftover);
    }
}

/// The names in a private directory: partial copies to keep, and the rest.
#[derive(Default)]
struct Kept {
    keep: Vec<OsString>,
    others: Vec<OsString>,
    /// The private directory was removed already, by the command that put
    /// its files in place (or that removal failed, saying why).
    removed: Option<Result<(), String>>,
}

impl Delivery {
    fn none(files: usize) -> Self {
        Delivery {
            arrived: vec![false; files],
            partial: vec![false; files],
            failed: vec![None; files],
            stop: None,
            not_made: None,
            placed: None,
        }
    }
}

fn remote_digests(link: Link<'_>, paths: &[&Path]) -> Result<Vec<Result<Digest, String>>, TaskError> {
    let fs = RemoteFs::open(link).map_err(task_error)?;
    crate::jobs::fs_tasks::digests(&fs, paths)
}

/// Removes what dropped connections left on `host`, but for the partial
/// copies their items will resume (those are removed, with their private
/// directory, when they are placed or discarded); what cannot be removed
/// now (the connection is gone too) stays remembered.
pub(super) fn clean_leftovers(session: Link<'_>, host: &str, leftovers: &Leftovers, r: &Reporter) {
    let mine: Vec<Leftover> = {
        let mut left = leftovers.lock().unwrap_or_else(|e| e.into_inner());
        let (mine, others) = std::mem::take(&mut *left).into_iter().partition(|l| l.host == host);
        *left = others;
        mine
    };
    if mine.is_empty() {
        return;
    }
    let fs = RemoteFs::open(session);
    for leftover in mine {
        // Only names of our own private directories were remembered.
        if !leftover.private.as_encoded_bytes().starts_with(b".sd-") {
            continue;
        }
        let dir = leftover.dir.clone();
        let removed = fs.as_ref().map_err(Clone::clone).and_then(|fs| clean_one(fs, &leftover));
        match removed {
            Ok(()) => r.log(
                Event::debug(&format!("removed a temporary directory left in {}", shown(&dir))).host(host),
            ),
            Err(e) if e.is_connection_lost() => remember(leftovers, leftover),
            Err(e) => r.log(
                Event::warn(&format!("cannot remove a temporary directory in {}: {e}", shown(&dir)))
                    .host(host),
            ),
        }
    }
}

/// A leftover private directory, but for its partial copies to keep.
fn clean_one(fs: &RemoteFs, leftover: &Leftover) -> Result<(), FsError> {
    let temp_dir = leftover.dir.join(&leftover.private);
    if leftover.keep.is_empty() {
        return match fs.delete(&[temp_dir]) {
            // Never made (the connection dropped before mkdir ran).
            Err(FsError::NotFound(_)) => Ok(()),
            deleted => deleted,
        };
    }
    let listing = match fs.list(&temp_dir) {
        Ok(listing) => listing,
        // Resumed and placed (or discarded) already.
        Err(FsError::NotFound(_)) => return Ok(()),
        Err(e) => return Err(e),
    };
    let others: Vec<PathBuf> = listing
        .entries
        .iter()
        .filter(|e| !leftover.keep.contains(&e.name))
        .map(|e| temp_dir.join(&e.name))
        .collect();
    if !others.is_empty() {
        fs.delete(&others)?;
    }
    Ok(())
}

/// The source's base name (what a direct scp names the copy).
fn base(item: &BatchItem) -> &OsStr {
    item.source.path().file_name().unwrap_or_default()
}

/// A file that may be rewritten in place: replaced anyway by the policy,
/// and an existing regular file when listed.
fn replaceable(item: &BatchItem) -> bool {
    item.place == Place::Replace && item.replaces
}

/// The end of a host's error line: `mkdir: cannot create directory 'x':
/// Permission denied` gives `Permission denied`.
fn tail(said: &str) -> &str {
    said.rsplit(": ").next().unwrap_or(said).trim()
}

/// Why no private directory could be made, when writing in place avoids
/// the cause.
fn cure(refused: &FsError) -> Option<&'static str> {
    match refused {
        FsError::PermissionDenied(_) => Some("no temporary file can be created in its directory"),
        FsError::NameTooLong(_) => Some("a temporary name beside it would be too long"),
        FsError::NoSpace(_) => Some("there is no room for a temporary copy beside it"),
        _ => None,
    }
}

/// The private directory's mode: only the user may see into it.
const PRIVATE_MODE: u32 = 0o700;

/// Eight random lowercase letters and digits.
fn random_name() -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    rand::random::<[u8; 8]>().iter().map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char).collect()
}
