//! Applying a worker's report to the job (pure).

use std::collections::HashMap;
use std::path::PathBuf;

use super::item::{Item, ItemId, ItemKind, ItemState, Scan, ScanError, Stage};
use super::job::{Job, Listing, Running, Target};
use super::spec::TargetKind;
use super::task::{DirProbe, Outcome, TaskError, TaskId, Update};
use crate::eventlog::Event;
use crate::fs::Location;

impl Job {
    /// Applies a report. Only the end of a task settles the job (resolution
    /// passes over every item), so a task's many per-file reports cost O(1)
    /// each. Returns whether the job may have new work.
    pub(super) fn apply(&mut self, update: Update, log: &mut Vec<Event>) -> bool {
        match update {
            Update::Connected { task } => {
                if let Some(running) = self.running.get_mut(&task) {
                    running.connected = true;
                    self.connected = true;
                }
            }
            Update::Scanned { task, item, result } => {
                self.release(task, item);
                self.scanned(item, result, log);
            }
            Update::Probed { task, dir, probe } => {
                if let Some(running) = self.running.get_mut(&task) {
                    running.dirs.retain(|d| *d != dir);
                }
                self.probed(dir, probe, log);
            }
            Update::Denied { item, .. } => {
                self.denied.insert(item);
            }
            Update::Started { item, .. } => {
                self.denied.remove(&item);
                self.current = Some(item);
                if let Some(item) = self.item_mut(item).filter(|i| i.partial.is_none()) {
                    item.bytes = 0;
                }
            }
            Update::Partial { item, partial, .. } => {
                if let Some(item) = self.item_mut(item).filter(|i| i.state == ItemState::Transferring) {
                    if partial.is_none() {
                        // Started over (or gone): nothing of it is there.
                        item.bytes = 0;
                        item.base = 0;
                        item.resumed_at = None;
                    }
                    item.partial = partial;
                }
            }
            Update::Resumed { item, offset, .. } => {
                if let Some(item) = self.item_mut(item).filter(|i| i.state == ItemState::Transferring) {
                    item.bytes = offset.min(item.size);
                    item.base = item.bytes;
                    item.resumed_at = Some(offset);
                }
            }
            Update::Progress { item, bytes, .. } => {
                if let Some(item) = self.item_mut(item).filter(|i| i.state == ItemState::Transferring) {
                    item.bytes = bytes.min(item.size);
                    item.sent = item.sent.max(item.bytes);
                }
            }
            Update::ItemDone { task, item, result } => {
                self.release(task, item);
                self.item_done(item, result, log);
            }
            Update::Finished { task, result } => {
                self.finished(task, result, log);
                self.settle(log);
                return true;
            }
        }
        false
    }

    fn release(&mut self, task: TaskId, item: ItemId) {
        if let Some(running) = self.running.get_mut(&task) {
            running.items.retain(|i| *i != item);
        }
    }

    fn scanned(&mut self, id: ItemId, result: Result<Scan, String>, log: &mut Vec<Event>) {
        if self.item(id).is_none_or(|i| i.state != ItemState::Scanning) {
            return;
        }
        let mut scan = match result {
            Ok(scan) => scan,
            Err(reason) => return self.fail(id, Stage::Scan, reason, log),
        };
        if self.spec.options.files_only
            && scan.entries.iter().any(|e| e.rel.as_os_str().is_empty() && e.kind == ItemKind::Dir)
        {
            return self.fail(
                id,
                Stage::Scan,
                "not a regular file (copying directories needs -r)".into(),
                log,
            );
        }
        // A walk may only name things below the root: `.`, `..` or an
        // absolute path from a listing would put a copy outside its place.
        let (entries, odd): (Vec<_>, Vec<_>) = std::mem::take(&mut scan.entries)
            .into_iter()
            .partition(|e| e.rel.components().all(|c| matches!(c, std::path::Component::Normal(_))));
        scan.entries = entries;
        scan.errors.extend(odd.into_iter().map(|e| ScanError {
            reason: format!("the walk returned an invalid name {:?}", e.rel),
            rel: e.rel,
        }));
        scan.errors.retain(|e| e.rel.components().all(|c| matches!(c, std::path::Component::Normal(_))));
        scan.skipped.retain(|e| e.rel.components().all(|c| matches!(c, std::path::Component::Normal(_))));
        // Parents before children, whatever order the walk produced.
        scan.entries.sort_by(|a, b| a.rel.cmp(&b.rel));
        let mut ids: HashMap<PathBuf, ItemId> = HashMap::from([(PathBuf::new(), id)]);
        for entry in scan.entries {
            if entry.rel.as_os_str().is_empty() {
                let item = &mut self.items[id.index()];
                item.kind = entry.kind;
                item.size = entry.size;
                item.mode = entry.mode;
                item.mtime = entry.mtime;
                item.link = entry.link;
                item.state = ItemState::Unresolved;
                continue;
            }
            let Some(parent) = entry.rel.parent().and_then(|p| ids.get(p)).copied() else {
                continue;
            };
            let base = &self.items[id.index()];
            let new = ItemId(self.items.len() as u32);
            self.items.push(Item {
                rel: base.rel.join(&entry.rel),
                source: base.source.join(&entry.rel),
                dest: None,
                kind: entry.kind,
                size: entry.size,
                mode: entry.mode,
                mtime: entry.mtime,
                link: entry.link,
                parent: Some(parent),
                state: ItemState::Unresolved,
                bytes: 0,
                sent: 0,
                existing: None,
                place: Default::default(),
                after: None,
                drops: 0,
                partial: None,
                base: 0,
                resumed_at: None,
            });
            ids.insert(entry.rel, new);
        }
        let skipped = scan.skipped.into_iter().map(|s| (s, true));
        for (error, skip) in scan.errors.into_iter().map(|e| (e, false)).chain(skipped) {
            let existing = ids.get(&error.rel).copied();
            let target = match existing {
                Some(found) => found,
                None => {
                    let parent = error.rel.parent().and_then(|p| ids.get(p)).copied().unwrap_or(id);
                    let base = &self.items[id.index()];
                    let mut item = Item::source(base.source.join(&error.rel));
                    item.rel = base.rel.join(&error.rel);
                    item.parent = Some(parent);
                    self.items.push(item);
                    ItemId(self.items.len() as u32 - 1)
                }
            };
            if skip {
                // Left out on purpose (a special file, a dangling link...):
                // a notice, not a failure.
                let item = &mut self.items[target.index()];
                log.push(Event::warn(&format!("{}: skipped: {}", item.shown(), error.reason)).job(self.id.0));
                item.state = ItemState::Skipped(error.reason);
            } else {
                self.fail(target, Stage::Scan, error.reason, log);
            }
        }
        if self.items[id.index()].state == ItemState::Scanning {
            self.fail(id, Stage::Scan, "the walk did not report this source".into(), log);
        }
    }

    fn probed(&mut self, dir: Location, probe: DirProbe, log: &mut Vec<Event>) {
        if let DirProbe::Listing(entries) = &probe {
            self.found.extend(super::leftovers::candidates(&dir, entries));
        }
        if dir == self.spec.target && self.target == Target::Probing {
            return self.target_probed(probe, log);
        }
        if self.listings.get(&dir) != Some(&Listing::Probing) {
            return;
        }
        let listing = match probe {
            DirProbe::Listing(entries) => Listing::whole(entries.into_iter().collect()),
            DirProbe::Named { looked, found } => Listing::Known {
                found: found.into_iter().collect(),
                looked: Some(looked.into_iter().collect()),
            },
            DirProbe::Missing => Listing::whole(HashMap::new()),
            DirProbe::NotADir(_) => Listing::Failed(format!("{dir} is not a directory")),
            DirProbe::Error(reason) => Listing::Failed(reason),
        };
        self.listings.insert(dir, listing);
    }

    fn target_probed(&mut self, probe: DirProbe, log: &mut Vec<Event>) {
        let single = self.spec.sources.len() == 1 && self.spec.target_kind == TargetKind::Auto;
        let target = self.spec.target.clone();
        match probe {
            DirProbe::Listing(entries) => {
                self.listings.insert(target, Listing::whole(entries.into_iter().collect()));
                self.target = Target::Into;
            }
            DirProbe::Named { looked, found } => {
                let found = found.into_iter().collect();
                self.listings
                    .insert(target, Listing::Known { found, looked: Some(looked.into_iter().collect()) });
                self.target = Target::Into;
            }
            DirProbe::Missing if single => self.target = Target::As(None),
            DirProbe::NotADir(info) if single => self.target = Target::As(Some(info)),
            DirProbe::Missing => self.fail_job(format!("the target directory {target} does not exist"), log),
            DirProbe::NotADir(_) => self.fail_job(format!("the target {target} is not a directory"), log),
            DirProbe::Error(reason) => {
                self.fail_job(format!("cannot open the target {target}: {reason}"), log)
            }
        }
    }

    /// The target is unusable: nothing of the job can proceed.
    fn fail_job(&mut self, reason: String, log: &mut Vec<Event>) {
        self.target = Target::Unknown;
        log.push(Event::error(&reason).job(self.id.0));
        self.error = Some(reason);
    }

    fn item_done(&mut self, id: ItemId, result: Result<Outcome, String>, log: &mut Vec<Event>) {
        let Some(item) = self.item(id) else { return };
        let (stage, next) = match &item.state {
            ItemState::Creating => (Stage::Create, self.after_copy()),
            ItemState::Transferring => (Stage::Transfer, self.after_copy()),
            ItemState::Deleting => (Stage::Delete, ItemState::Done),
            state if state.is_terminal() && item.partial.is_some() => return self.discarded(id, result, log),
            _ => return,
        };
        match result {
            Ok(outcome) => {
                let job = self.id.0;
                let item = &mut self.items[id.index()];
                // Placed (or given up at placement): the temporary file is gone.
                item.partial = None;
                // A skipped file counts what was sent of it, no more.
                if item.kind == ItemKind::File && !matches!(outcome, Outcome::Skipped(_)) {
                    item.bytes = item.size;
                    item.sent = item.size;
                }
                item.state = match outcome {
                    Outcome::Done => next,
                    Outcome::PlacedAs(dest) => {
                        log.push(
                            Event::info(&format!("{}: kept both, copied as {dest}", item.shown())).job(job),
                        );
                        item.dest = Some(dest);
                        next
                    }
                    Outcome::Skipped(reason) => {
                        log.push(Event::info(&format!("{}: skipped: {reason}", item.shown())).job(job));
                        item.bytes = 0;
                        ItemState::Skipped(reason)
                    }
                };
            }
            Err(reason) => {
                // A directory made in the same task as its parent fails with
                // the parent: say so rather than "No such file or directory".
                let parent = self.item(id).and_then(|i| i.parent).and_then(|p| self.item(p));
                let reason = match parent {
                    Some(p) if matches!(p.state, ItemState::Failed { .. } | ItemState::Skipped(_)) => {
                        format!("not copied: {} was not", p.shown())
                    }
                    _ => reason,
                };
                self.fail(id, stage, reason, log)
            }
        }
    }

    /// A partial copy of a cancelled or cleared item was removed (or could
    /// not be: then it is left, and said so).
    fn discarded(&mut self, id: ItemId, result: Result<Outcome, String>, log: &mut Vec<Event>) {
        let job = self.id.0;
        let item = &mut self.items[id.index()];
        if let (Err(reason), Some(partial)) = (&result, &item.partial) {
            let temp = crate::text::escape_bytes(partial.temp.as_os_str().as_encoded_bytes());
            log.push(
                Event::warn(&format!("{}: cannot remove its partial copy {temp}: {reason}", item.shown()))
                    .job(job),
            );
        }
        item.partial = None;
        if !matches!(item.state, ItemState::Done | ItemState::Skipped(_)) {
            item.bytes = 0;
        }
        item.base = 0;
        item.resumed_at = None;
    }

    fn finished(&mut self, task: TaskId, result: Result<(), TaskError>, log: &mut Vec<Event>) {
        let Some(running) = self.running.remove(&task) else { return };
        if let Err(TaskError::Dropped(reason)) = &result {
            self.dropped_probes += u32::from(!running.dirs.is_empty() || running.dir_times);
            if self.dropped_probes > MAX_DROPS {
                return self.finished_with(running, &Err(TaskError::Connection(gave_up(reason))), log);
            }
        }
        self.finished_with(running, &result, log)
    }

    fn finished_with(&mut self, running: Running, result: &Result<(), TaskError>, log: &mut Vec<Event>) {
        if running.dir_times {
            self.dir_times_finished(result, log);
        }
        for dir in running.dirs {
            if dir == self.spec.target && self.target == Target::Probing {
                match result {
                    Err(TaskError::Interrupted | TaskError::Dropped(_)) => self.target = Target::Unknown,
                    Err(TaskError::Connection(r) | TaskError::Failed(r)) => {
                        self.fail_job(format!("cannot open the target {dir}: {r}"), log)
                    }
                    Ok(()) => self.fail_job(format!("the target {dir} was not examined"), log),
                }
            } else if self.listings.get(&dir) == Some(&Listing::Probing) {
                match result {
                    Err(TaskError::Interrupted | TaskError::Dropped(_)) => {
                        self.listings.remove(&dir);
                    }
                    Err(TaskError::Connection(r) | TaskError::Failed(r)) => {
                        self.listings.insert(dir, Listing::Failed(r.clone()));
                    }
                    Ok(()) => {
                        self.listings.insert(dir, Listing::Failed("the directory was not listed".into()));
                    }
                }
            }
        }
        let mut again = 0;
        for id in running.items {
            let Some(item) = self.item(id) else { continue };
            if item.state.is_terminal() && item.partial.is_some() {
                // A discard that did not get to this file: given up (and
                // said), unless it was only paused.
                match result {
                    Err(TaskError::Interrupted) => {}
                    Err(e) => self.discarded(id, Err(e.to_string()), log),
                    Ok(()) => self.discarded(id, Err("the task ended without removing it".into()), log),
                }
                continue;
            }
            let (stage, resume) = match item.state {
                ItemState::Scanning => (Stage::Scan, ItemState::Unscanned),
                ItemState::Creating => (Stage::Create, ItemState::Ready),
                ItemState::Transferring => (Stage::Transfer, ItemState::Ready),
                ItemState::Deleting => (Stage::Delete, ItemState::Confirmed),
                _ => continue,
            };
            match result {
                Err(TaskError::Interrupted) if self.cancelled => self.set(id, ItemState::Cancelled(stage)),
                Err(TaskError::Interrupted) => self.set(id, resume),
                Err(TaskError::Dropped(reason)) => {
                    let drops = item.drops + 1;
                    if drops > MAX_DROPS {
                        self.fail(id, stage, gave_up(reason), log);
                    } else {
                        again += 1;
                        if let Some(item) = self.item_mut(id) {
                            item.drops = drops;
                            item.state = resume;
                        }
                    }
                }
                Err(TaskError::Connection(reason) | TaskError::Failed(reason)) => {
                    self.fail(id, stage, reason.clone(), log)
                }
                Ok(()) => self.fail(id, stage, "the task ended without a result for this item".into(), log),
            }
            // A kept partial copy still holds what it held.
            if let Some(item) = self.item_mut(id).filter(|i| i.partial.is_none()) {
                item.bytes = 0;
            }
        }
        if let (true, Err(TaskError::Dropped(reason))) = (again > 0, result) {
            log.push(
                Event::warn(&format!(
                    "the connection dropped ({reason}); {again} item(s) go back in line for another connection"
                ))
                .job(self.id.0),
            );
        }
        if self.current.is_some_and(|c| self.item(c).is_none_or(|i| i.state != ItemState::Transferring)) {
            self.current = None;
        }
    }
}

/// How many times an item (or a job's listings) may lose its connection
/// before it fails: a server that drops every session is not retried forever.
pub(super) const MAX_DROPS: u32 = 3;

fn gave_up(reason: &str) -> String {
    format!("{reason} (the connection dropped {} times; giving up)", MAX_DROPS + 1)
}
