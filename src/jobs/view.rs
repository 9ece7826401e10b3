//! What the jobs pane and `scpdeck cp` show: a copy of each job's progress,
//! published by the scheduler (latest value wins). All text is escaped.

use std::time::{Duration, Instant};

use super::item::{ItemId, ItemKind, ItemState};
use super::job::{Job, JobState};
use super::rate::eta;
use super::spec::{JobId, JobSpec, Limits, Mode, TargetKind};
use crate::fs::Location;
use crate::text::escape_str;

#[derive(Debug, Clone, PartialEq)]
pub struct FailedItem {
    pub item: ItemId,
    pub name: String,
    pub reason: String,
    /// The item failed with permission denied on a job with a remote end
    /// not used as root: the job that copies it again with every remote
    /// end used as root through sudo (see `ssh::as_root`).
    pub retry_as_root: Option<JobSpec>,
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

/// A job's (or the queue's) numbers. Done never goes back: a file counts
/// the most any attempt sent of it, through pauses, cancels and retries.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Progress {
    pub bytes_done: u64,
    pub bytes_total: u64,
    /// Files at their destination (a move's too, before its source is deleted).
    pub files_done: usize,
    /// Files the overwrite policy left alone: neither done nor failed.
    pub files_skipped: usize,
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
                (self.files_done + self.files_skipped) as f64 / self.files_total as f64
            };
        }
        (self.bytes_done as f64 / self.bytes_total as f64).clamp(0.0, 1.0)
    }
}

/// A file that continued from its partial copy in this run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResumedItem {
    pub name: String,
    /// Where it continued.
    pub at: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct JobView {
    pub id: JobId,
    pub title: String,
    pub mode: Mode,
    pub state: JobState,
    pub progress: Progress,
    /// Every file in flight is sent and the copies are being checked
    /// (sha256 on both sides) before they are put in place.
    pub verifying: bool,
    /// The file in flight, with "(resumed at SIZE)" when it continued
    /// from a partial copy.
    pub current: Option<String>,
    pub failed: Vec<FailedItem>,
    /// Files resumed in this run (at most [`RESUMED_SHOWN`]).
    pub resumed: Vec<ResumedItem>,
    /// Partial copies kept for a resume (files of the job that will
    /// continue where they stopped).
    pub partials: usize,
    /// Once the job is over: partial copies an interrupted run left that
    /// no file of this one took (escaped `host:path`), for the user to
    /// remove; never removed silently.
    pub left_behind: Vec<String>,
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
    /// Temporary files no job owns (escaped `host:path`), for the user
    /// to remove (or not).
    pub leftovers: Vec<String>,
}

impl QueueView {
    pub fn job(&self, id: JobId) -> Option<&JobView> {
        self.jobs.iter().find(|j| j.id == id)
    }

    pub fn waiting_for_answer(&self) -> usize {
        self.jobs.iter().filter(|j| j.question.is_some()).count()
    }

    /// Whether something is being sent: a job running or connecting that
    /// is not only checking its copies (then a rate means something).
    pub fn sending(&self) -> bool {
        self.jobs.iter().any(|j| matches!(j.state, JobState::Running | JobState::Connecting) && !j.verifying)
    }

    /// Jobs are running, and every one checks its copies.
    pub fn only_verifying(&self) -> bool {
        let mut running = self.jobs.iter().filter(|j| j.state == JobState::Running).peekable();
        running.peek().is_some() && running.all(|j| j.verifying)
    }
}

/// Resumed files a view lists.
pub(super) const RESUMED_SHOWN: usize = 100;

impl Job {
    pub(super) fn progress(&self) -> Progress {
        let mut p = Progress::default();
        let mut remaining = 0u64;
        for item in self.items.iter().filter(|i| i.kind.is_leaf()) {
            p.files_total += 1;
            let sent = item.sent.max(item.bytes).min(item.size);
            match &item.state {
                // What was sent of it before it was skipped is done, and
                // the rest is not to do.
                ItemState::Skipped(_) => {
                    p.files_skipped += 1;
                    p.bytes_total += sent;
                    p.bytes_done += sent;
                }
                state if state.is_copied() => {
                    p.files_done += 1;
                    p.bytes_total += item.size;
                    p.bytes_done += item.size;
                }
                ItemState::Failed { .. } | ItemState::Cancelled(_) => {
                    p.bytes_total += item.size;
                    p.bytes_done += sent;
                }
                _ => {
                    p.bytes_total += item.size;
                    p.bytes_done += sent;
                    remaining += item.size.saturating_sub(item.bytes);
                }
            }
        }
        p.rate = self.meter.rate();
        p.eta = eta(p.rate, remaining);
        p
    }

    /// Verifying: every file in flight has been sent whole, and the job
    /// checks copies (nothing is being sent now).
    fn verifying(&self) -> bool {
        let mut busy = self.items.iter().filter(|i| i.state == ItemState::Transferring).peekable();
        self.spec.options.verify
            && busy.peek().is_some()
            && busy.all(|i| i.kind == ItemKind::File && i.bytes >= i.size)
    }

    /// Bytes moved by the current attempts and the copies made: what the
    /// rate is measured on (a restarted file starts a new baseline). What
    /// was there before this run moved any (`Item::base`: a resumed file's
    /// offset, a restored job's finished files) is done, not moved.
    fn moved(&self) -> u64 {
        let files = self.items.iter().filter(|i| i.kind == ItemKind::File);
        files.map(|i| if i.state.is_copied() { i.size } else { i.bytes }.saturating_sub(i.base)).sum()
    }

    pub(super) fn sample(&mut self, now: Instant) {
        if self.running.is_empty() {
            self.meter.reset();
        } else {
            let moved = self.moved();
            self.meter.sample(now, moved);
        }
    }

    pub(super) fn view(&self, queue_paused: bool) -> JobView {
        let progress = self.progress();
        let failed = self
            .items
            .iter()
            .enumerate()
            .filter_map(|(n, i)| match &i.state {
                ItemState::Failed { reason, .. } => Some(FailedItem {
                    item: ItemId(n as u32),
                    name: i.shown(),
                    reason: escape_str(reason),
                    retry_as_root: self.retry_as_root(ItemId(n as u32)),
                }),
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
        let current =
            self.current.and_then(|c| self.item(c)).filter(|i| i.state == ItemState::Transferring).map(|i| {
                match i.resumed_at {
                    Some(at) => format!("{} (resumed at {})", i.shown(), crate::text::human_size(at)),
                    None => i.shown(),
                }
            });
        let resumed = self
            .items
            .iter()
            .filter_map(|i| Some(ResumedItem { name: i.shown(), at: i.resumed_at? }))
            .take(RESUMED_SHOWN)
            .collect();
        let partials = self.items.iter().filter(|i| i.partial.is_some()).count();
        let state = self.state(queue_paused);
        let mut left_behind: Vec<String> = match state.is_finished() {
            true => self
                .adopted
                .iter()
                .filter_map(|((_, dest), adopted)| match adopted {
                    super::job::Adopted::Partial(p, _) => Some(dest.with_path(p.temp.clone()).to_string()),
                    super::job::Adopted::Placed { .. } => None,
                })
                .collect(),
            false => Vec::new(),
        };
        left_behind.sort();
        JobView {
            id: self.id,
            title: self.title(),
            mode: self.spec.mode,
            state,
            progress,
            verifying: self.verifying(),
            current,
            failed,
            resumed,
            partials,
            left_behind,
            cancelling: self.cancelled && (!self.running.is_empty() || self.has_discards()),
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

impl Job {
    /// The item copied again with every remote end used as root, when its
    /// failure was a permission denied and some remote end is not yet.
    fn retry_as_root(&self, id: ItemId) -> Option<JobSpec> {
        if !self.denied.contains(&id) {
            return None;
        }
        let item = self.item(id)?;
        let (target, target_kind) = match item.dest.as_ref().and_then(Location::parent) {
            Some(dir) => (dir, TargetKind::Dir),
            None => (self.spec.target.clone(), self.spec.target_kind),
        };
        let spec = JobSpec {
            mode: self.spec.mode,
            sources: vec![as_root(&item.source)],
            target: as_root(&target),
            target_kind,
            options: self.spec.options.clone(),
        };
        let changed = spec.sources[0] != item.source || spec.target != target;
        changed.then_some(spec)
    }
}

/// A remote location on its host used as root.
fn as_root(location: &Location) -> Location {
    match location {
        Location::Remote { host, path } => {
            Location::Remote { host: crate::ssh::root_host(host), path: path.clone() }
        }
        local => local.clone(),
    }
}
