//! Applying a worker's report to the job (pure).

use std::collections::HashMap;
use std::path::PathBuf;

use super::item::{Item, ItemId, ItemKind, ItemState, Scan, Stage};
use super::job::{Job, Listing, Target};
use super::spec::TargetKind;
use super::task::{DirProbe, TaskError, TaskId, Update};
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
            Update::Started { item, .. } => {
                self.current = Some(item);
                if let Some(item) = self.item_mut(item) {
                    item.bytes = 0;
                }
            }
            Update::Progress { item, bytes, .. } => {
                if let Some(item) = self.item_mut(item).filter(|i| i.state == ItemState::Transferring) {
                    item.bytes = bytes.min(item.size);
                }
            }
            Update::ItemDone { task, item, result } => {
                self.release(task, item);
                self.item_done(item, result, log);
            }
            Update::Hashed { task, item, source, dest } => {
                self.release(task, item);
                self.hashed(item, source, dest, log);
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
                parent: Some(parent),
                state: ItemState::Unresolved,
                bytes: 0,
                existing: None,
            });
            ids.insert(entry.rel, new);
        }
        for error in scan.errors {
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
            self.fail(target, Stage::Scan, error.reason, log);
        }
        if self.items[id.index()].state == ItemState::Scanning {
            self.fail(id, Stage::Scan, "the walk did not report this source".into(), log);
        }
    }

    fn probed(&mut self, dir: Location, probe: DirProbe, log: &mut Vec<Event>) {
        if dir == self.spec.target && self.target == Target::Probing {
            return self.target_probed(probe, log);
        }
        if self.listings.get(&dir) != Some(&Listing::Probing) {
            return;
        }
        let listing = match probe {
            DirProbe::Listing(entries) => Listing::Known(entries.into_iter().collect()),
            DirProbe::Missing => Listing::Known(HashMap::new()),
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
                self.listings.insert(target, Listing::Known(entries.into_iter().collect()));
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

    fn item_done(&mut self, id: ItemId, result: Result<(), String>, log: &mut Vec<Event>) {
        let Some(item) = self.item(id) else { return };
        let (stage, next) = match (&item.state, item.kind) {
            (ItemState::Creating, _) => (Stage::Create, self.after_copy()),
            (ItemState::Transferring, _) if self.spec.options.verify => (Stage::Transfer, ItemState::Copied),
            (ItemState::Transferring, _) => (Stage::Transfer, self.after_copy()),
            (ItemState::Deleting, _) => (Stage::Delete, ItemState::Done),
            _ => return,
        };
        match result {
            Ok(()) => {
                let item = &mut self.items[id.index()];
                if item.kind == ItemKind::File {
                    item.bytes = item.size;
                }
                item.state = next;
            }
            Err(reason) => self.fail(id, stage, reason, log),
        }
    }

    fn hashed(
        &mut self,
        id: ItemId,
        source: Result<[u8; 32], String>,
        dest: Result<[u8; 32], String>,
        log: &mut Vec<Event>,
    ) {
        if self.item(id).is_none_or(|i| i.state != ItemState::Verifying) {
            return;
        }
        match (source, dest) {
            (Ok(a), Ok(b)) if a == b => {
                let next = self.after_copy();
                self.set(id, next);
            }
            (Ok(a), Ok(b)) => {
                let reason = format!("checksum mismatch: source sha256 {}, copy {}", hex(&a), hex(&b));
                // The copy is bad: a retry transfers again.
                self.fail(id, Stage::Transfer, reason, log);
            }
            (Err(e), _) => self.fail(id, Stage::Verify, format!("cannot checksum the source: {e}"), log),
            (_, Err(e)) => self.fail(id, Stage::Verify, format!("cannot checksum the copy: {e}"), log),
        }
    }

    fn finished(&mut self, task: TaskId, result: Result<(), TaskError>, log: &mut Vec<Event>) {
        let Some(running) = self.running.remove(&task) else { return };
        for dir in running.dirs {
            if dir == self.spec.target && self.target == Target::Probing {
                match &result {
                    Err(TaskError::Interrupted) => self.target = Target::Unknown,
                    Err(TaskError::Connection(r) | TaskError::Failed(r)) => {
                        self.fail_job(format!("cannot open the target {dir}: {r}"), log)
                    }
                    Ok(()) => self.fail_job(format!("the target {dir} was not examined"), log),
                }
            } else if self.listings.get(&dir) == Some(&Listing::Probing) {
                match &result {
                    Err(TaskError::Interrupted) => {
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
        for id in running.items {
            let Some(item) = self.item(id) else { continue };
            let (stage, resume) = match item.state {
                ItemState::Scanning => (Stage::Scan, ItemState::Unscanned),
                ItemState::Creating => (Stage::Create, ItemState::Ready),
                ItemState::Transferring => (Stage::Transfer, ItemState::Ready),
                ItemState::Verifying => (Stage::Verify, ItemState::Copied),
                ItemState::Deleting => (Stage::Delete, ItemState::Confirmed),
                _ => continue,
            };
            match &result {
                Err(TaskError::Interrupted) if self.cancelled => self.set(id, ItemState::Cancelled(stage)),
                Err(TaskError::Interrupted) => self.set(id, resume),
                Err(TaskError::Connection(reason) | TaskError::Failed(reason)) => {
                    self.fail(id, stage, reason.clone(), log)
                }
                Ok(()) => self.fail(id, stage, "the task ended without a result for this item".into(), log),
            }
            if let Some(item) = self.item_mut(id) {
                item.bytes = 0;
            }
        }
        if self.current.is_some_and(|c| self.item(c).is_none_or(|i| i.state != ItemState::Transferring)) {
            self.current = None;
        }
    }
}

fn hex(digest: &[u8; 32]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}
