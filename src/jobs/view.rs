//! What the jobs pane and `scpdeck cp` show: a copy of each job's progress,
//! published by the scheduler (latest value wins). All text is escaped.

use std::time::{Duration, Instant};

use super::item::{ItemId, ItemKind, ItemState};
use super::job::{Job, JobState};
use super::rate::eta;
use super::spec::{JobId, Limits, Mode};
use crate::fs::Location;
use crate::text::escape_str;

#[derive(Debug, Clone, PartialEq)]
pub struct FailedItem {
    pub item: ItemId,
    pub name: String,
    pub reason: String,
}

/// "The destination exists: overwrite?" for one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub job: JobId,
    pub item: ItemId,
    pub name: String,
    pub dest: String,
    pub source_size: u64,
    pub source_mtime: Option<i64>,
    pub dest_size: u64,
    pub dest_mtime: Option<i64>,
    /// Other items of the job waiting for an answer too.
    pub more: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Progress {
    pub bytes_done: u64,
    pub bytes_total: u64,
    pub files_done: usize,
    pub files_total: usize,
    /// Bytes per second, smoothed.
    pub rate: f64,
    pub eta: Option<Duration>,
}

impl Progress {
    pub fn ratio(&self) -> f64 {
        if self.bytes_total == 0 {
            return if self.files_total == 0 {
                0.0
            } else {
                self.files_done as f64 / self.files_total as f64
            };
        }
        (self.bytes_done as f64 / self.bytes_total as f64).clamp(0.0, 1.0)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct JobView {
    pub id: JobId,
    pub title: String,
    pub mode: Mode,
    pub state: JobState,
    pub progress: Progress,
    pub skipped: usize,
    pub current: Option<String>,
    pub failed: Vec<FailedItem>,
    pub cancelling: bool,
    pub error: Option<String>,
    pub question: Option<Question>,
    pub connections: usize,
    pub source_host: Option<String>,
    pub dest_host: Option<String>,
    /// Where the job copies to, and the directory its sources are in (for
    /// reloading panes that show them).
    pub target: Location,
    pub source_dir: Option<Location>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct QueueView {
    pub jobs: Vec<JobView>,
    pub paused: bool,
    pub total: Progress,
    pub limits: Limits,
    /// Remote connections in use by transfers.
    pub connections: usize,
}

impl QueueView {
    pub fn job(&self, id: JobId) -> Option<&JobView> {
        self.jobs.iter().find(|j| j.id == id)
    }

    pub fn waiting_for_answer(&self) -> usize {
        self.jobs.iter().filter(|j| j.question.is_some()).count()
    }
}

impl Job {
    pub(super) fn progress(&self) -> (Progress, usize) {
        let mut p = Progress::default();
        let mut skipped = 0;
        let mut remaining = 0u64;
        for item in self.items.iter().filter(|i| i.kind == ItemKind::File) {
            p.files_total += 1;
            match &item.state {
                ItemState::Skipped(_) => skipped += 1,
                ItemState::Confirmed | ItemState::Deleting | ItemState::Done => {
                    p.files_done += 1;
                    p.bytes_total += item.size;
                    p.bytes_done += item.size;
                }
                ItemState::Failed { .. } | ItemState::Cancelled(_) => p.bytes_total += item.size,
                _ => {
                    p.bytes_total += item.size;
                    p.bytes_done += item.bytes;
                    remaining += item.size.saturating_sub(item.bytes);
                }
            }
        }
        p.files_done += skipped;
        p.rate = self.meter.rate();
        p.eta = eta(p.rate, remaining);
        (p, skipped)
    }

    pub(super) fn sample(&mut self, now: Instant) {
        let (progress, _) = self.progress();
        if self.running.is_empty() {
            self.meter.reset();
        } else {
            self.meter.sample(now, progress.bytes_done);
        }
    }

    pub(super) fn view(&self, queue_paused: bool) -> JobView {
        let (progress, skipped) = self.progress();
        let failed = self
            .items
            .iter()
            .enumerate()
            .filter_map(|(n, i)| match &i.state {
                ItemState::Failed { reason, .. } => {
                    Some(FailedItem { item: ItemId(n as u32), name: i.shown(), reason: escape_str(reason) })
                }
                _ => None,
            })
            .collect();
        let question = self.question().and_then(|id| {
            let item = self.item(id)?;
            let existing = item.existing?;
            Some(Question {
                job: self.id,
                item: id,
                name: item.shown(),
                dest: item.dest.as_ref().map(ToString::to_string).unwrap_or_default(),
                source_size: item.size,
                source_mtime: item.mtime,
                dest_size: existing.size,
                dest_mtime: existing.mtime,
                more: self.items.iter().filter(|i| i.state == ItemState::Asking).count() - 1,
            })
        });
        let current = self
            .current
            .and_then(|c| self.item(c))
            .filter(|i| i.state == ItemState::Transferring)
            .map(|i| i.shown());
        JobView {
            id: self.id,
            title: self.spec.title(),
            mode: self.spec.mode,
            state: self.state(queue_paused),
            progress,
            skipped,
            current,
            failed,
            cancelling: self.cancelled && !self.running.is_empty(),
            error: self.error.as_deref().map(escape_str),
            question,
            connections: self.running.len(),
            source_host: self.source_host().map(escape_str),
            dest_host: self.dest_host().map(escape_str),
            target: self.spec.target.clone(),
            source_dir: self.spec.sources.first().and_then(Location::parent),
        }
    }
}
