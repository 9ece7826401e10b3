//! What the app keeps about transfers: the latest published queue, the
//! bottom panel (jobs or log) and its cursor, and the in-memory log.

use std::collections::BTreeSet;
use std::sync::Arc;

use super::dialog::Unfinished;
use crate::eventlog::{Event, Filter, LogBook};
use crate::jobs::{JobId, JobState, JobView, QueueView};

/// The panel under the file panes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Panel {
    Jobs,
    Log,
}

#[derive(Debug, Clone, Default)]
pub struct JobsUi {
    pub view: Arc<QueueView>,
    /// Index of the selected job in `view.jobs`.
    pub selected: usize,
    pub panel: Option<Panel>,
    /// Keys go to the panel instead of the file panes.
    pub panel_focus: bool,
    pub log: LogBook,
    pub filter: Filter,
    /// Log lines scrolled up from the newest (0: follow new events).
    pub scroll: usize,
    /// The log panel wraps long entries over several rows (`w`).
    pub log_wrap: bool,
    /// Jobs that failed since the jobs panel was last shown: the badge in
    /// the status line.
    pub unseen_failures: BTreeSet<JobId>,
}

impl JobsUi {
    pub fn selected_job(&self) -> Option<&JobView> {
        self.view.jobs.get(self.selected)
    }

    pub fn selected_id(&self) -> Option<JobId> {
        self.selected_job().map(|j| j.id)
    }

    pub fn push_log(&mut self, event: Event) {
        if self.scroll > 0 && self.filter.matches(&event) {
            // Keep the lines the user is reading in place.
            self.scroll += 1;
        }
        self.log.push(event);
    }

    /// Keeps the selection on the same job when the list changes, or
    /// selects the newest job when one was queued (so that `p` right after
    /// queuing acts on it).
    pub fn set_view(&mut self, view: Arc<QueueView>) {
        let id = self.selected_id();
        let before = std::mem::replace(&mut self.view, view);
        let newest = self.view.jobs.iter().filter(|j| before.job(j.id).is_none()).map(|j| j.id).max();
        self.selected = newest
            .or(id)
            .and_then(|id| self.view.jobs.iter().position(|j| j.id == id))
            .unwrap_or(self.selected)
            .min(self.view.jobs.len().saturating_sub(1));
        let view = &self.view;
        self.unseen_failures.retain(|id| view.job(*id).is_some_and(|j| j.state == JobState::Failed));
    }

    /// Jobs not finished yet.
    pub fn active(&self) -> usize {
        self.view.jobs.iter().filter(|j| !j.state.is_finished()).count()
    }

    /// The unfinished jobs by state.
    pub fn unfinished(&self) -> Unfinished {
        let mut u = Unfinished::default();
        for job in &self.view.jobs {
            match job.state {
                JobState::Running | JobState::Connecting => u.running += 1,
                JobState::Queued => u.queued += 1,
                JobState::Waiting => u.waiting += 1,
                JobState::Paused => u.paused += 1,
                JobState::Done | JobState::Failed | JobState::Cancelled => {}
            }
        }
        u
    }
}
