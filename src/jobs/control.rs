//! The user's commands on one job (pure).

use super::item::{ItemId, ItemKind, ItemState, Stage};
use super::job::{Job, Listing, Target};
use super::spec::OverwritePolicy;
use super::task::TaskId;
use crate::eventlog::Event;

/// An answer to "the destination exists: overwrite?".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverwriteAnswer {
    /// Any policy but `Ask`.
    pub policy: OverwritePolicy,
    /// Also for every other item of the job that exists at the destination.
    pub all: bool,
}

impl Job {
    /// Tasks to interrupt; their items go back to where they were.
    pub(super) fn pause(&mut self) -> Vec<TaskId> {
        self.paused = true;
        self.running.keys().copied().collect()
    }

    pub(super) fn resume(&mut self) {
        self.paused = false;
        self.connected = false;
    }

    /// Cancels everything not finished; returns the tasks to interrupt.
    pub(super) fn cancel(&mut self) -> Vec<TaskId> {
        self.cancelled = true;
        for item in self.items.iter_mut().filter(|i| !i.state.is_terminal() && !i.state.is_busy()) {
            let stage = match (&item.state, item.kind) {
                (ItemState::Unscanned, _) => Stage::Scan,
                (ItemState::Ready, ItemKind::Dir) => Stage::Create,
                (ItemState::Ready, ItemKind::File | ItemKind::Link) => Stage::Transfer,
                (ItemState::Confirmed, _) => Stage::Delete,
                _ => Stage::Resolve,
            };
            item.state = ItemState::Cancelled(stage);
        }
        self.running.keys().copied().collect()
    }

    /// Puts failed (and cancelled) items back in line: `item` alone, or all.
    pub(super) fn retry(&mut self, item: Option<ItemId>, log: &mut Vec<Event>) {
        let mut count = 0;
        for (index, it) in self.items.iter_mut().enumerate() {
            if item.is_some_and(|id| id.index() != index) {
                continue;
            }
            let stage = match &it.state {
                ItemState::Failed { stage, .. } | ItemState::Cancelled(stage) => *stage,
                _ => continue,
            };
            if stage == Stage::Resolve
                && let Some(dir) = it.dest.as_ref().and_then(|d| d.parent())
                && matches!(self.listings.get(&dir), Some(Listing::Failed(_)))
            {
                self.listings.remove(&dir);
            }
            it.state = stage.resume();
            if it.partial.is_none() {
                it.bytes = 0;
            }
            count += 1;
        }
        if count == 0 {
            return;
        }
        if self.error.take().is_some() {
            self.target = Target::Unknown;
        }
        self.cancelled = false;
        self.connected = false;
        self.meter.reset();
        log.push(Event::info(&format!("retrying {count} item(s)")).job(self.id.0));
        self.settle(log);
    }

    /// Answers the question about `item`.
    pub(super) fn answer(&mut self, item: ItemId, answer: OverwriteAnswer, log: &mut Vec<Event>) {
        if answer.policy == OverwritePolicy::Ask
            || self.item(item).is_none_or(|i| i.state != ItemState::Asking)
        {
            return;
        }
        if answer.all {
            self.policy = answer.policy;
        }
        self.decide_with(item, answer.policy, log);
        self.settle(log);
    }

    /// The item whose question is shown first.
    pub fn question(&self) -> Option<ItemId> {
        self.items.iter().position(|i| i.state == ItemState::Asking).map(|n| ItemId(n as u32))
    }
}
