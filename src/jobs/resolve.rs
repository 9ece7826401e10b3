//! Working out each item's destination and what to do when something is
//! already there (pure; runs after every change).

use std::collections::{HashMap, HashSet};
use std::ffi::OsString;

use super::conflict::{Decision, decide, keep_both_name};
use super::item::{DestInfo, ItemId, ItemKind, ItemState, Stage};
use super::job::{Adopted, Job, Listing, Target};
use super::spec::{Mode, OverwritePolicy};
use super::task::Place;
use crate::eventlog::Event;
use crate::fs::{Kind, Location};

/// What is known about an item's destination.
enum Lookup {
    Wait,
    Found(Option<DestInfo>),
    Failed(String),
}

impl Job {
    /// Resolves every item that can be resolved now, parents before children
    /// (items are stored in that order).
    pub(super) fn settle(&mut self, log: &mut Vec<Event>) {
        if let Some(reason) = &self.error {
            // The job as a whole failed: nothing left can proceed.
            for item in self.items.iter_mut().filter(|i| !i.state.is_terminal() && !i.state.is_busy()) {
                let stage = if item.state == ItemState::Unscanned { Stage::Scan } else { Stage::Resolve };
                item.state = ItemState::failed(stage, reason.clone());
            }
            return;
        }
        for index in 0..self.items.len() {
            let id = ItemId(index as u32);
            match self.items[index].state {
                ItemState::Unresolved => self.resolve(id, log),
                ItemState::Asking if self.policy != OverwritePolicy::Ask => {
                    let policy = self.policy;
                    self.decide_with(id, policy, log);
                }
                _ => {}
            }
        }
        self.keep_partly_moved_dirs();
        self.drop_orphans(log);
    }

    /// Items inside a directory that failed, was skipped or cancelled can
    /// never be copied: they end too, whatever state they wait in (a file
    /// ready to go into a directory that could not be created must not wait
    /// for it forever). Parents come before children, so one pass reaches
    /// every depth.
    fn drop_orphans(&mut self, log: &mut Vec<Event>) {
        for index in 0..self.items.len() {
            let item = &self.items[index];
            // Only what still needs its directory at the destination; a
            // copied item waiting for its source to be deleted does not.
            if !matches!(item.state, ItemState::Unresolved | ItemState::Ready | ItemState::Asking) {
                continue;
            }
            let Some(parent) = item.parent.and_then(|p| self.item(p)) else { continue };
            let id = ItemId(index as u32);
            match &parent.state {
                ItemState::Cancelled(_) => self.set(id, ItemState::Cancelled(Stage::Resolve)),
                ItemState::Failed { .. } | ItemState::Skipped(_) => {
                    let reason = format!("not copied: {} was not", parent.shown());
                    self.fail(id, Stage::Resolve, reason, log);
                }
                _ => {}
            }
        }
    }

    /// A move keeps a source directory when something in it was not moved.
    fn keep_partly_moved_dirs(&mut self) {
        if self.spec.mode != Mode::Move {
            return;
        }
        let Some(clean) = self.dirs_clean() else { return };
        for (item, clean) in self.items.iter_mut().zip(clean) {
            if item.kind == ItemKind::Dir && item.state == ItemState::Confirmed && !clean {
                item.state = ItemState::Skipped("source kept: not everything in it was moved".into());
            }
        }
    }

    fn resolve(&mut self, id: ItemId, log: &mut Vec<Event>) {
        let Some(item) = self.item(id) else { return };
        let dest = match item.parent.and_then(|p| self.item(p)) {
            Some(parent) => match &parent.state {
                ItemState::Failed { .. } | ItemState::Skipped(_) => {
                    let reason = format!("not copied: {} was not", parent.shown());
                    return self.fail(id, Stage::Resolve, reason, log);
                }
                ItemState::Cancelled(_) => return self.set(id, ItemState::Cancelled(Stage::Resolve)),
                ItemState::Ready | ItemState::Creating | ItemState::Confirmed | ItemState::Done => {
                    match (&parent.dest, item.rel.file_name()) {
                        (Some(dest), Some(name)) => dest.join(name),
                        _ => return,
                    }
                }
                _ => return,
            },
            None => match &self.target {
                Target::Into => match item.source.path().file_name() {
                    Some(name) => self.spec.target.join(name),
                    None => return self.fail(id, Stage::Resolve, "the source has no file name".into(), log),
                },
                Target::As(_) => self.spec.target.clone(),
                Target::Unknown | Target::Probing => return,
            },
        };
        if let Some(reason) = same_place(&self.items[id.index()].source, &dest) {
            return self.fail(id, Stage::Resolve, reason, log);
        }
        let existing = match self.lookup(id, &dest) {
            Lookup::Wait => {
                self.items[id.index()].dest = Some(dest);
                return;
            }
            Lookup::Failed(reason) => {
                return self.fail(id, Stage::Resolve, format!("cannot list the destination: {reason}"), log);
            }
            Lookup::Found(existing) => existing,
        };
        let item = &mut self.items[id.index()];
        item.dest = Some(dest.clone());
        item.existing = existing;
        let kind = item.kind;
        let claimant = self.claims.get(&dest).copied().filter(|&other| other != id);
        match (kind, existing) {
            (ItemKind::Dir, _) if claimant.is_some_and(|other| self.is_file(other)) => {
                let reason = "another file of this copy has the same name".to_string();
                self.fail(id, Stage::Resolve, reason, log);
            }
            (ItemKind::Dir, None) => {
                // Created by us: nothing can be in it yet, but another source
                // directory of the same name may be merged into it too.
                self.listings.entry(dest).or_insert_with(|| Listing::whole(HashMap::new()));
                self.set(id, ItemState::Ready);
            }
            (ItemKind::Dir, Some(info)) if info.kind == Kind::Dir => {
                let state = self.after_copy();
                self.set(id, state);
            }
            (ItemKind::Dir, Some(_)) => {
                let reason = "a file with this name exists at the destination".to_string();
                self.fail(id, Stage::Resolve, reason, log);
            }
            (ItemKind::File | ItemKind::Link, _) => {
                // Another file of this job goes to the same name (two sources
                // with one base name): it counts as what is there, and this
                // one waits for it, so that the last one wins as with scp.
                if let Some(other) = claimant {
                    let theirs = self.item(other).map(|o| DestInfo {
                        kind: Kind::File,
                        size: o.size,
                        mtime: o.mtime,
                        link: false,
                    });
                    let item = &mut self.items[id.index()];
                    item.after = Some(other);
                    item.existing = item.existing.or(theirs);
                }
                self.claims.insert(dest.clone(), id);
                let source = self.items[id.index()].source.clone();
                let adopted = self.adopted.remove(&(source.clone(), dest.clone()));
                if let Some(Adopted::Placed { size, mtime }) = &adopted
                    && self.placed_before(id, *size, *mtime)
                {
                    let reason = "already complete (copied by the interrupted run)";
                    let shown = self.items[id.index()].shown();
                    log.push(Event::info(&format!("{shown}: skipped: {reason}")).job(self.id.0));
                    return self.set(id, ItemState::Skipped(reason.into()));
                }
                let policy = self.policy;
                self.decide_with(id, policy, log);
                if let Some(Adopted::Partial(partial, bytes)) = adopted {
                    let item = &mut self.items[id.index()];
                    if item.state == ItemState::Ready {
                        item.bytes = bytes.min(item.size);
                        item.base = item.bytes;
                        item.partial = Some(partial);
                    } else {
                        // Not copied after all: the partial copy is left, and said.
                        self.adopted.insert((source, dest), Adopted::Partial(partial, bytes));
                    }
                }
            }
        }
    }

    /// Whether the destination, as listed, is the copy an interrupted run
    /// of this job placed: its size, and the source unchanged since.
    fn placed_before(&self, id: ItemId, size: u64, mtime: Option<i64>) -> bool {
        let item = &self.items[id.index()];
        let existing = item.existing.filter(|e| e.kind == Kind::File);
        existing.is_some_and(|e| e.size == item.size) && size == item.size && mtime == item.mtime
    }

    /// Applies an overwrite policy to a file, whether or not its destination
    /// exists, and says how the copy will take its name.
    pub(super) fn decide_with(&mut self, id: ItemId, policy: OverwritePolicy, log: &mut Vec<Event>) {
        let Some(item) = self.item(id) else { return };
        let Some(existing) = item.existing else {
            // Free when listed; what decides is whether it still is when the
            // copy is ready.
            let place = match policy {
                OverwritePolicy::Overwrite => Place::Replace,
                OverwritePolicy::KeepBoth => Place::KeepBoth { from: 0 },
                _ => Place::NoReplace,
            };
            return self.ready(id, place);
        };
        if self.spec.options.resume && complete(item.size, item.mtime, &existing) {
            let reason = "already complete (same size and modification time)";
            log.push(Event::info(&format!("{}: skipped: {reason}", item.shown())).job(self.id.0));
            return self.set(id, ItemState::Skipped(reason.into()));
        }
        // A link copied as a link may replace a link at its destination,
        // whatever that one points to (never a directory itself).
        let existing = match (item.kind, existing) {
            (ItemKind::Link, e) if e.link => DestInfo { kind: Kind::Symlink, ..e },
            (_, e) => e,
        };
        match decide(policy, item.size, item.mtime, &existing) {
            Decision::Copy if is_special(existing.kind) => self.ready(id, Place::Into),
            Decision::Copy => self.ready(id, Place::Replace),
            Decision::Skip(reason) => self.set(id, ItemState::Skipped(reason)),
            Decision::Clash(reason) => self.fail(id, Stage::Resolve, reason, log),
            Decision::Ask => {
                if item.state != ItemState::Asking {
                    log.push(
                        Event::info(&format!(
                            "{} exists at the destination: waiting for an answer",
                            item.shown()
                        ))
                        .job(self.id.0),
                    );
                }
                self.set(id, ItemState::Asking);
            }
            Decision::KeepBoth => {
                let Some(dest) = item.dest.clone() else { return };
                let (Some(dir), Some(name)) = (dest.parent(), dest.path().file_name()) else { return };
                let mut taken: HashSet<OsString> = match self.listings.get(&dir) {
                    // Of a directory whose names were looked up, only
                    // those are known: the placing still never replaces
                    // a name that turns out to be taken.
                    Some(Listing::Known { found, .. }) => found.keys().cloned().collect(),
                    _ => HashSet::new(),
                };
                taken.extend(
                    self.claims
                        .keys()
                        .filter(|l| l.parent().as_ref() == Some(&dir))
                        .filter_map(|l| l.path().file_name().map(OsString::from)),
                );
                let (from, new) = keep_both_name(name, &taken);
                self.claims.insert(dir.join(new), id);
                let item = &mut self.items[id.index()];
                item.after = None;
                self.ready(id, Place::KeepBoth { from });
            }
        }
    }

    fn ready(&mut self, id: ItemId, place: Place) {
        if let Some(item) = self.item_mut(id) {
            item.place = place;
            item.state = ItemState::Ready;
        }
    }

    fn lookup(&self, id: ItemId, dest: &Location) -> Lookup {
        let top = self.items[id.index()].parent.is_none();
        if let (true, Target::As(existing)) = (top, &self.target) {
            return Lookup::Found(*existing);
        }
        let (Some(dir), Some(name)) = (dest.parent(), dest.path().file_name()) else {
            return Lookup::Failed("the destination has no parent directory".into());
        };
        match self.listings.get(&dir) {
            Some(Listing::Known { looked: Some(looked), .. }) if !looked.contains(name) => Lookup::Wait,
            Some(Listing::Known { found, .. }) => Lookup::Found(found.get(name).copied()),
            Some(Listing::Failed(reason)) => Lookup::Failed(reason.clone()),
            Some(Listing::Probing) | None => Lookup::Wait,
        }
    }

    pub(super) fn set(&mut self, id: ItemId, state: ItemState) {
        if let Some(item) = self.item_mut(id) {
            item.state = state;
        }
    }

    pub(super) fn fail(&mut self, id: ItemId, stage: Stage, reason: String, log: &mut Vec<Event>) {
        let job = self.id.0;
        if let Some(item) = self.item_mut(id) {
            if item.partial.is_none() {
                item.bytes = 0;
            }
            log.push(Event::error(&format!("{}: {reason}", item.shown())).job(job));
            item.state = ItemState::failed(stage, reason);
        }
    }

    /// Destination directories some item waits for, each with the names
    /// to look up in it: those the waiting items go to, and those looked
    /// up before (the new answer replaces the old).
    pub(super) fn dirs_to_probe(&self) -> Vec<(Location, Vec<OsString>)> {
        let mut dirs: Vec<(Location, Vec<OsString>)> = Vec::new();
        for item in self.items.iter().filter(|i| i.state == ItemState::Unresolved) {
            let Some(dest) = item.dest.as_ref() else { continue };
            let (Some(dir), Some(name)) = (dest.parent(), dest.path().file_name()) else { continue };
            let before = match self.listings.get(&dir) {
                None => None,
                Some(Listing::Known { looked: Some(looked), .. }) if !looked.contains(name) => Some(looked),
                Some(_) => continue,
            };
            let at = match dirs.iter().position(|(d, _)| *d == dir) {
                Some(at) => at,
                None => {
                    dirs.push((dir, before.into_iter().flatten().cloned().collect()));
                    dirs.len() - 1
                }
            };
            if !dirs[at].1.iter().any(|n| n == name) {
                dirs[at].1.push(name.to_os_string());
            }
        }
        dirs
    }
}

/// Refuses to copy a file onto itself or a directory into itself: with a move
/// that would delete the only copy.
fn same_place(source: &Location, dest: &Location) -> Option<String> {
    if source.host() != dest.host() {
        return None;
    }
    if source.path() == dest.path() {
        return Some("the source and the destination are the same".into());
    }
    if dest.path().starts_with(source.path()) {
        return Some("cannot copy a directory into itself".into());
    }
    None
}

/// Whether an existing file is a complete copy of a source, as `cp
/// --resume` sees it: a regular file of the same size and modification time.
fn complete(size: u64, mtime: Option<i64>, existing: &DestInfo) -> bool {
    existing.kind == Kind::File && existing.size == size && mtime.is_some() && existing.mtime == mtime
}

/// Files that are not regular files nor directories: a copy is written into
/// them as scp does, never renamed over them.
fn is_special(kind: Kind) -> bool {
    matches!(kind, Kind::Fifo | Kind::CharDevice | Kind::BlockDevice | Kind::Socket)
}
