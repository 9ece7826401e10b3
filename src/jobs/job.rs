//! One job: its items and everything the reducer knows about them. The
//! per-job logic is split by concern: `plan.rs` (what to do next),
//! `resolve.rs` (destinations and overwrite decisions), `apply.rs` (worker
//! updates), `control.rs` (user commands), `view.rs` (what panes show).

use std::collections::{HashMap, HashSet};
use std::ffi::OsString;

use super::item::{DestInfo, Item, ItemId, ItemState};
use super::rate::RateMeter;
use super::spec::{JobId, JobSpec, Mode, OverwritePolicy};
use super::task::{Partial, TaskId};
use crate::fs::Location;

/// How the job's target turned out to be meant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Target {
    Unknown,
    Probing,
    /// Sources go into the target directory.
    Into,
    /// The single source is copied under the target's name; what exists
    /// there now.
    As(Option<DestInfo>),
}

/// A destination directory's entries, as far as the job knows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Listing {
    Probing,
    /// The entries `found`, of the names `looked` up (`None`: of all
    /// names; a directory listed whole, or made by the job).
    Known {
        found: HashMap<OsString, DestInfo>,
        looked: Option<HashSet<OsString>>,
    },
    Failed(String),
}

impl Listing {
    /// Every name known: nothing in it (a directory the job made or
    /// found missing), or a whole listing.
    pub(super) fn whole(found: HashMap<OsString, DestInfo>) -> Self {
        Listing::Known { found, looked: None }
    }
}

/// The visible state of a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    Queued,
    Connecting,
    Running,
    Paused,
    /// Nothing else to do until the user answers a question.
    Waiting,
    Done,
    Failed,
    Cancelled,
}

impl JobState {
    pub fn label(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Connecting => "connecting",
            JobState::Running => "running",
            JobState::Paused => "paused",
            JobState::Waiting => "waiting for answer",
            JobState::Done => "done",
            JobState::Failed => "failed",
            JobState::Cancelled => "cancelled",
        }
    }

    /// At most ten characters, for the jobs panel.
    pub fn short_label(self) -> &'static str {
        match self {
            JobState::Waiting => "waiting",
            other => other.label(),
        }
    }

    pub fn is_finished(self) -> bool {
        matches!(self, JobState::Done | JobState::Failed | JobState::Cancelled)
    }
}

/// What an earlier, interrupted run of the same copy left for a file
/// (`cp --resume` reads it from the journal), by source and destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Adopted {
    /// A partial copy, and how many bytes it held.
    Partial(Partial, u64),
    /// The file was copied and placed; the source was this size and time.
    Placed { size: u64, mtime: Option<i64> },
}

/// Adopted partial copies and placements, by (source, destination).
pub type AdoptedMap = HashMap<(Location, Location), Adopted>;

/// A task of this job that a worker is carrying out.
#[derive(Debug, Clone, Default)]
pub(super) struct Running {
    pub connected: bool,
    pub items: Vec<ItemId>,
    pub dirs: Vec<Location>,
    /// It sets the directories' times (see `dir_times.rs`).
    pub dir_times: bool,
}

#[derive(Debug, Clone)]
pub struct Job {
    pub id: JobId,
    pub spec: JobSpec,
    pub items: Vec<Item>,
    /// The overwrite policy; "apply to all" answers change it.
    pub policy: OverwritePolicy,
    pub paused: bool,
    pub cancelled: bool,
    /// Cleared from the list once its partial copies are removed.
    pub(super) clearing: bool,
    /// A job that only removes leftover temporary files (see `leftovers.rs`).
    pub(super) cleanup: bool,
    /// Temporary names seen in destination listings, for the queue to
    /// weigh as leftovers.
    pub(super) found: Vec<(Location, DestInfo)>,
    /// A failure of the job as a whole (the target), shown above its items.
    pub error: Option<String>,
    pub(super) target: Target,
    pub(super) listings: HashMap<Location, Listing>,
    /// File destinations and the item bound for each, so that two items of
    /// the job never race for one name.
    pub(super) claims: HashMap<Location, ItemId>,
    /// Listing tasks stopped by a dropped connection.
    pub(super) dropped_probes: u32,
    pub(super) running: HashMap<TaskId, Running>,
    /// Some task got its connection since the job (re)started.
    pub(super) connected: bool,
    pub(super) current: Option<ItemId>,
    pub(super) meter: RateMeter,
    /// What an interrupted run of this copy left (see [`Adopted`]); what
    /// no item claims stays here, shown as left behind.
    pub(super) adopted: AdoptedMap,
    /// The copied directories' times were set (or are being set): with
    /// "preserve", the last step of a job (see `Job::dir_times`).
    pub(super) dir_times_set: bool,
    /// Items whose last failure was a permission denied (typed, from
    /// `FsError::PermissionDenied` or scp's `Cause::Denied`): they may be
    /// retried as root.
    pub(super) denied: std::collections::BTreeSet<ItemId>,
}

impl Job {
    pub fn new(id: JobId, spec: JobSpec) -> Self {
        let items = spec.sources.iter().cloned().map(Item::source).collect();
        Self {
            id,
            policy: spec.options.overwrite,
            spec,
            items,
            paused: false,
            cancelled: false,
            clearing: false,
            cleanup: false,
            found: Vec::new(),
            error: None,
            target: Target::Unknown,
            listings: HashMap::new(),
            claims: HashMap::new(),
            dropped_probes: 0,
            running: HashMap::new(),
            connected: false,
            current: None,
            meter: RateMeter::default(),
            adopted: HashMap::new(),
            dir_times_set: false,
            denied: std::collections::BTreeSet::new(),
        }
    }

    pub fn item(&self, id: ItemId) -> Option<&Item> {
        self.items.get(id.index())
    }

    pub(super) fn item_mut(&mut self, id: ItemId) -> Option<&mut Item> {
        self.items.get_mut(id.index())
    }

    pub fn active_tasks(&self) -> usize {
        self.running.len()
    }

    pub fn source_host(&self) -> Option<&str> {
        self.spec.sources.first().and_then(Location::host)
    }

    pub fn dest_host(&self) -> Option<&str> {
        self.spec.target.host()
    }

    /// The state after a copy is confirmed (or a directory exists): a move
    /// still has to delete its source.
    pub(super) fn after_copy(&self) -> ItemState {
        match self.spec.mode {
            Mode::Copy => ItemState::Done,
            Mode::Move => ItemState::Confirmed,
        }
    }

    pub fn all_terminal(&self) -> bool {
        self.items.iter().all(|i| i.state.is_terminal())
    }

    pub fn state(&self, queue_paused: bool) -> JobState {
        // Partial copies still to be removed keep a job from ending.
        let idle = self.running.is_empty() && !self.has_discards() && !self.dir_times_pending();
        if idle && self.all_terminal() {
            if self.cleanup {
                return JobState::Done;
            }
            let items = &self.items;
            let cancelled = |i: &&Item| matches!(i.state, ItemState::Cancelled(_));
            return if self.cancelled && items.iter().any(|i| cancelled(&i)) {
                JobState::Cancelled
            } else if self.error.is_some()
                || items.iter().any(|i| matches!(i.state, ItemState::Failed { .. }))
            {
                JobState::Failed
            } else if items.iter().any(|i| cancelled(&i)) {
                JobState::Cancelled
            } else {
                JobState::Done
            };
        }
        if self.cancelled && idle {
            return JobState::Cancelled;
        }
        if !self.cancelled && (self.paused || queue_paused) {
            return JobState::Paused;
        }
        if !self.running.is_empty() {
            let connected = self.connected || self.running.values().any(|r| r.connected);
            return if connected { JobState::Running } else { JobState::Connecting };
        }
        if self.items.iter().any(|i| i.state == ItemState::Asking) {
            return JobState::Waiting;
        }
        JobState::Queued
    }

    /// What the jobs panel calls the job.
    pub fn title(&self) -> String {
        match self.cleanup {
            true => format!("remove {} leftover temporary file(s)", self.items.len()),
            false => self.spec.title(),
        }
    }

    pub fn is_file(&self, id: ItemId) -> bool {
        self.item(id).is_some_and(|i| i.kind.is_leaf())
    }
}
