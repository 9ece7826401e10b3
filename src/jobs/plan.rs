//! Choosing a job's next task (pure). Bookkeeping, then follow-up steps of
//! files already copied, then directories, then a transfer batch sized so
//! that what is left spreads over the parallel sessions.

use std::ffi::OsString;

use super::item::{ItemId, ItemKind, ItemState};
use super::job::{Job, Listing, Running, Target};
use super::spec::Mode;
use super::task::{Batch, BatchItem, Work};
use crate::fs::Location;

/// Upper bounds on a batch: a session goes back to the pool between batches,
/// so a job queued later gets its share soon, and a dropped connection
/// concerns a bounded number of files.
const MAX_BATCH_FILES: usize = 256;
const MAX_BATCH_BYTES: u64 = 64 * 1024 * 1024;
/// Lower bound on a batch of small files: each batch costs a channel and a
/// remote scp process, so the tail of a job is not cut into single files.
const MIN_BATCH_FILES: usize = 32;
/// Bytes a batch may hold whatever the share: a few small files are not
/// worth another session.
const MIN_BATCH_BYTES: u64 = 16 * 1024 * 1024;

/// Which connections a task needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Source,
    Dest,
    Both,
}

impl Work {
    pub fn side(&self) -> Side {
        match self {
            Work::Scan { .. } | Work::Delete { .. } | Work::RemoveDirs { .. } => Side::Source,
            Work::Probe { .. }
            | Work::MakeDirs { .. }
            | Work::Discard { .. }
            | Work::MakeLinks { .. }
            | Work::DirTimes { .. } => Side::Dest,
            Work::Transfer(batch) if batch.direct || batch.within_one_host() => Side::Source,
            Work::Transfer(_) => Side::Both,
        }
    }
}

impl Job {
    /// Whether the job may start tasks at all.
    pub fn can_start(&self) -> bool {
        !self.paused && !self.cancelled && self.error.is_none()
    }

    /// Partial copies to remove (of a cancelled job, or of a finished one
    /// being cleared) that no task is removing yet.
    pub(super) fn discards(&self) -> Vec<(ItemId, Location)> {
        if !self.cancelled && !self.clearing {
            return Vec::new();
        }
        let busy: std::collections::HashSet<ItemId> =
            self.running.values().flat_map(|r| r.items.iter().copied()).collect();
        self.items
            .iter()
            .enumerate()
            .map(|(n, i)| (ItemId(n as u32), i))
            .filter(|(id, i)| i.state.is_terminal() && !busy.contains(id))
            .filter_map(|(id, i)| {
                let temp = &i.partial.as_ref()?.temp;
                Some((id, i.dest.as_ref()?.with_path(temp.clone())))
            })
            .collect()
    }

    /// Whether partial copies are still to be removed.
    pub(super) fn has_discards(&self) -> bool {
        (self.cancelled || self.clearing)
            && self.items.iter().any(|i| i.state.is_terminal() && i.partial.is_some() && i.dest.is_some())
    }

    /// The next task, given which sides have a free connection and how many
    /// sessions may work in parallel (`lanes`). Marks what the task takes.
    pub(super) fn next_work(&mut self, lanes: usize, can: &dyn Fn(Side) -> bool) -> Option<(Work, Running)> {
        let work = self.plan(lanes, can)?;
        let mut running = Running::default();
        match &work {
            Work::Probe { dirs, .. } => {
                for dir in dirs {
                    if *dir == self.spec.target && self.target == Target::Unknown {
                        self.target = Target::Probing;
                    } else {
                        self.listings.insert(dir.clone(), Listing::Probing);
                    }
                }
                running.dirs = dirs.clone();
            }
            Work::Scan { roots, .. } => {
                running.items = self.mark(roots.iter().map(|r| r.0), ItemState::Scanning)
            }
            Work::MakeLinks { links } => {
                running.items = self.mark(links.iter().map(|l| l.item), ItemState::Transferring)
            }
            Work::DirTimes { .. } => {
                self.dir_times_set = true;
                running.dir_times = true;
            }
            Work::MakeDirs { dirs } => {
                running.items = self.mark(dirs.iter().map(|d| d.0), ItemState::Creating)
            }
            Work::Transfer(batch) => {
                running.items = self.mark(batch.items.iter().map(|i| i.item), ItemState::Transferring);
            }
            Work::Delete { files } => {
                running.items = self.mark(files.iter().map(|f| f.0), ItemState::Deleting)
            }
            Work::RemoveDirs { dirs } => {
                running.items = self.mark(dirs.iter().map(|d| d.0), ItemState::Deleting)
            }
            // The items stay as they are (cancelled, failed...).
            Work::Discard { files } => running.items = files.iter().map(|f| f.0).collect(),
        }
        Some((work, running))
    }

    /// Called when no task of any job runs and this one started none: fails
    /// the items that wait on something that cannot come. A job waiting for
    /// an answer, paused or cancelled is left alone. Returns whether any
    /// item changed.
    pub(super) fn unstick(&mut self, log: &mut Vec<crate::eventlog::Event>) -> bool {
        if !self.can_start()
            || !self.running.is_empty()
            || self.items.iter().any(|i| i.state == ItemState::Asking)
        {
            return false;
        }
        let stuck: Vec<(ItemId, super::item::Stage, String)> = self
            .items
            .iter()
            .enumerate()
            .filter(|(_, i)| !i.state.is_terminal())
            .map(|(n, i)| {
                let stage = match (&i.state, i.kind) {
                    (ItemState::Unscanned | ItemState::Scanning, _) => super::item::Stage::Scan,
                    (ItemState::Ready | ItemState::Creating, ItemKind::Dir) => super::item::Stage::Create,
                    (ItemState::Ready | ItemState::Transferring, ItemKind::File) => {
                        super::item::Stage::Transfer
                    }
                    (ItemState::Confirmed | ItemState::Deleting, _) => super::item::Stage::Delete,
                    _ => super::item::Stage::Resolve,
                };
                (ItemId(n as u32), stage, format!("{:?}", i.state))
            })
            .collect();
        for (id, stage, state) in &stuck {
            let reason = format!("nothing was left that could finish this item (it waited in state {state})");
            self.fail(*id, *stage, reason, log);
        }
        if !stuck.is_empty() {
            // Nothing schedules after this: a last step still to come
            // would keep the job from ever ending.
            self.dir_times_set = true;
        }
        !stuck.is_empty()
    }

    fn mark(&mut self, ids: impl Iterator<Item = ItemId>, state: ItemState) -> Vec<ItemId> {
        ids.inspect(|&id| {
            if let Some(item) = self.item_mut(id) {
                item.state = state.clone();
                if item.partial.is_none() {
                    item.bytes = 0;
                }
            }
        })
        .collect()
    }

    fn plan(&self, lanes: usize, can: &dyn Fn(Side) -> bool) -> Option<Work> {
        if self.has_discards() && can(Side::Dest) {
            let files = self.discards();
            if !files.is_empty() {
                return Some(Work::Discard { files });
            }
        }
        if !self.can_start() {
            return None;
        }
        if self.target == Target::Unknown && can(Side::Dest) {
            // Into the target, the sources keep their names: those are
            // looked up in it.
            let names = self.spec.sources.iter().filter_map(|s| s.path().file_name()).map(OsString::from);
            let (dirs, whole) = (vec![self.spec.target.clone()], self.spec.options.resume);
            return Some(Work::Probe { dirs, names: vec![names.collect()], whole });
        }
        let roots: Vec<(ItemId, Location)> =
            self.ids_in(ItemState::Unscanned).map(|(id, i)| (id, i.source.clone())).collect();
        if !roots.is_empty() && can(Side::Source) {
            return Some(Work::Scan { roots, follow: self.spec.options.follow_links });
        }
        let dirs = self.dirs_to_probe();
        if !dirs.is_empty() && can(Side::Dest) {
            let (dirs, names) = dirs.into_iter().unzip();
            return Some(Work::Probe { dirs, names, whole: self.spec.options.resume });
        }
        if self.spec.mode == Mode::Move && can(Side::Source) {
            let files: Vec<(ItemId, Location)> = self
                .ids_in(ItemState::Confirmed)
                .filter(|(_, i)| i.kind.is_leaf())
                .map(|(id, i)| (id, i.source.clone()))
                .collect();
            if !files.is_empty() {
                return Some(Work::Delete { files });
            }
            if let Some(dirs) = self.dirs_to_remove() {
                return Some(Work::RemoveDirs { dirs });
            }
        }
        let dirs = self.dirs_to_make();
        if !dirs.is_empty() && can(Side::Dest) {
            return Some(Work::MakeDirs { dirs });
        }
        let links = self.links_to_make();
        if !links.is_empty() && can(Side::Dest) {
            return Some(Work::MakeLinks { links });
        }
        if self.dir_times_pending() && self.running.is_empty() && self.dest_written() && can(Side::Dest) {
            return Some(Work::DirTimes { dirs: self.dir_times() });
        }
        let direct = self.spec.options.direct && self.source_host().is_some() && self.dest_host().is_some();
        // Within one host the host copies by itself, over one session.
        let one_host = self.source_host().is_some() && self.source_host() == self.dest_host();
        let side = if direct || one_host { Side::Source } else { Side::Both };
        if !can(side) {
            return None;
        }
        let items = self.next_batch(lanes);
        (!items.is_empty()).then_some(Work::Transfer(Batch {
            items,
            preserve: self.spec.options.preserve,
            direct,
            verify: self.spec.options.verify,
        }))
    }

    fn ids_in(&self, state: ItemState) -> impl Iterator<Item = (ItemId, &super::item::Item)> + '_ {
        self.items
            .iter()
            .enumerate()
            .filter(move |(_, i)| i.state == state)
            .map(|(n, i)| (ItemId(n as u32), i))
    }

    /// Whether an item's parent directory exists at the destination.
    pub(super) fn parent_made(&self, parent: Option<ItemId>) -> bool {
        parent
            .and_then(|p| self.item(p))
            .is_none_or(|p| matches!(p.state, ItemState::Confirmed | ItemState::Done))
    }

    /// Whether the item bound for the same destination before this one has
    /// had its turn (placed, or ended in any way).
    pub(super) fn turn_come(&self, after: Option<ItemId>) -> bool {
        after
            .and_then(|a| self.item(a))
            .is_none_or(|a| a.state.is_terminal() || a.state == ItemState::Confirmed)
    }

    fn dirs_to_make(&self) -> Vec<(ItemId, Location, u32)> {
        let mut dirs: Vec<(ItemId, Location, u32)> = Vec::new();
        let mut taken = std::collections::HashSet::new();
        for (id, item) in self.ids_in(ItemState::Ready).filter(|(_, i)| i.kind == ItemKind::Dir) {
            // A parent in the same task is created first (parents come first).
            let parent_in_task = item.parent.is_some_and(|p| taken.contains(&p));
            if let (true, Some(dest)) = (parent_in_task || self.parent_made(item.parent), &item.dest) {
                let mode = if self.spec.options.preserve { item.mode & 0o7777 } else { 0o755 };
                dirs.push((id, dest.clone(), mode));
                taken.insert(id);
            }
        }
        dirs
    }

    /// Guided batch: an even share of the files and bytes left for each
    /// lane, so that the parallel sessions finish at about the same time
    /// while the last batches get smaller.
    fn next_batch(&self, lanes: usize) -> Vec<BatchItem> {
        let ready: Vec<(ItemId, &super::item::Item)> = self
            .ids_in(ItemState::Ready)
            .filter(|(_, i)| {
                i.kind == ItemKind::File && self.parent_made(i.parent) && self.turn_come(i.after)
            })
            .collect();
        let lanes = lanes.max(1) as u64;
        let files = ((ready.len() as u64).div_ceil(lanes) as usize).clamp(MIN_BATCH_FILES, MAX_BATCH_FILES);
        let bytes = ready
            .iter()
            .map(|(_, i)| i.size)
            .sum::<u64>()
            .div_ceil(lanes)
            .clamp(MIN_BATCH_BYTES, MAX_BATCH_BYTES);
        let mut batch = Vec::new();
        let mut taken = 0u64;
        let mut dests = std::collections::HashSet::new();
        for (id, item) in ready {
            if batch.len() >= files || (!batch.is_empty() && taken + item.size > bytes) {
                break;
            }
            let Some(dest) = item.dest.clone() else { continue };
            // Two files for one name never travel together: the later one
            // waits for its turn (`after`), and this keeps it so even for a
            // name claimed twice by "keep both" candidates.
            if !dests.insert(dest.clone()) {
                continue;
            }
            taken += item.size;
            batch.push(BatchItem {
                item: id,
                source: item.source.clone(),
                dest,
                size: item.size,
                mode: item.mode,
                mtime: item.mtime,
                place: item.place,
                replaces: item.existing.is_some_and(|e| e.kind == crate::fs::Kind::File),
                resume: item.partial.clone(),
                skip_if_equal: self.spec.options.resume
                    && self.spec.options.verify
                    && item.existing.is_some_and(|e| e.kind == crate::fs::Kind::File && e.size == item.size),
            });
        }
        batch
    }

    /// For a move whose files are all settled: the moved directories whose
    /// whole contents were moved, deepest first.
    fn dirs_to_remove(&self) -> Option<Vec<(ItemId, Location)>> {
        let clean = self.dirs_clean()?;
        let dirs: Vec<(ItemId, Location)> = self
            .items
            .iter()
            .enumerate()
            .rev()
            .filter(|(n, i)| i.state == ItemState::Confirmed && i.kind == ItemKind::Dir && clean[*n])
            .map(|(n, i)| (ItemId(n as u32), i.source.clone()))
            .collect();
        (!dirs.is_empty()).then_some(dirs)
    }

    /// Once every file is settled: for each item, whether it and everything
    /// below it was moved (so a directory may be removed).
    pub(super) fn dirs_clean(&self) -> Option<Vec<bool>> {
        let settled = self
            .items
            .iter()
            .all(|i| i.state.is_terminal() || (i.kind == ItemKind::Dir && i.state == ItemState::Confirmed));
        if !settled {
            return None;
        }
        let mut clean = vec![true; self.items.len()];
        for (index, item) in self.items.iter().enumerate().rev() {
            let ok = clean[index] && matches!(item.state, ItemState::Done | ItemState::Confirmed);
            clean[index] = ok;
            if let Some(parent) = item.parent
                && !ok
                && let Some(slot) = clean.get_mut(parent.index())
            {
                *slot = false;
            }
        }
        Some(clean)
    }
}
