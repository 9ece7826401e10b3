//! The transfer scheduler and the event log, as the app loop uses them: one
//! scheduler for the session, its published state and the log's events
//! turned into messages, and a clean stop on quit.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, watch};

use crate::app::{Msg, Note};
use crate::config::Settings;
use crate::eventlog::{Event, LogFile, LogSink, default_log_dir};
use crate::jobs::journal::{self, Journal};
use crate::jobs::{Control, QueueView, Scheduler, SshRemote, SystemBackend};
use crate::ssh::{Overrides, Pool, Resolver};

/// How long quitting waits for running transfers to stop and clean up.
const STOP_WAIT: Duration = Duration::from_secs(2);

pub(super) struct Transfers {
    pub scheduler: Scheduler,
    view: watch::Receiver<Arc<QueueView>>,
    events: mpsc::UnboundedReceiver<Event>,
}

impl Transfers {
    /// The log: events for the app and, when the state directory is
    /// writable, the log file (a problem message says so otherwise).
    pub(super) fn log() -> (LogSink, mpsc::UnboundedReceiver<Event>, Option<String>) {
        let (file, problem) = match default_log_dir() {
            Some(dir) => match LogFile::open(&dir) {
                Ok(file) => (Some(file), None),
                Err(e) => (None, Some(crate::text::escape_str(&e.to_string()))),
            },
            None => (None, Some("no home directory: the log is not written to a file".into())),
        };
        let (log, events) = LogSink::new(file);
        // `-v` with the screen on standard error writes here.
        crate::eventlog::verbose::attach(&log);
        (log, events, problem)
    }

    /// Starts the scheduler on the app's connection pool, with the job
    /// journal in the state directory: jobs a crash or a quit left
    /// unfinished come back paused. Returns what to tell the user about
    /// them (or about a journal that cannot be used).
    pub(super) fn start(
        settings: &Settings,
        pool: Pool,
        overrides: Overrides,
        log: LogSink,
        events: mpsc::UnboundedReceiver<Event>,
    ) -> (Self, Option<Note>) {
        let remote = SshRemote::new(pool, Resolver::system(), overrides).with_segments(settings.segments());
        let backend = Arc::new(SystemBackend::new(Arc::new(remote)));
        let (journal, mut notice) = match journal::default_dir().map(|dir| Journal::open(&dir)) {
            Some(Ok(journal)) => (Some(journal), None),
            Some(Err(e)) => (None, Some(Note::warn(&e.to_string()))),
            None => (None, None),
        };
        let saved = journal.as_ref().map(Journal::unowned).unwrap_or_default();
        let beside = journal::temps_beside(&saved);
        let scheduler = Scheduler::spawn_with(backend, settings.limits(), log, journal);
        // Jobs kept only for partial copies (failed files, a cancelled
        // job's) come back too, but are not "unfinished".
        let mut unfinished = 0;
        for saved in saved {
            let left = journal::unfinished(&saved);
            if scheduler.restore(saved).is_some() && left {
                unfinished += 1;
            }
        }
        scheduler.leftovers(beside);
        if unfinished > 0 {
            notice = Some(Note::info(&format!(
                "{unfinished} unfinished job(s) from the last session, paused: alt-j shows them (p resumes, c discards)"
            )));
        }
        let view = scheduler.subscribe();
        (Self { scheduler, view, events }, notice)
    }

    /// The next message: a new queue state or a batch of log events.
    pub(super) async fn next(&mut self) -> Msg {
        tokio::select! {
            changed = self.view.changed() => match changed {
                Ok(()) => Msg::Jobs(self.view.borrow_and_update().clone()),
                Err(_) => std::future::pending().await,
            },
            Some(first) = self.events.recv() => {
                let mut events = vec![first];
                while let Ok(more) = self.events.try_recv() {
                    events.push(more);
                }
                Msg::Log(events)
            }
        }
    }

    /// Interrupts running transfers, waits (briefly) until they have
    /// stopped, keeping their partial copies, and until the journal is on
    /// disk: the jobs come back paused at the next start.
    pub(super) async fn stop(&mut self) {
        let busy = |v: &QueueView| v.jobs.iter().any(|j| j.connections > 0);
        if busy(&self.view.borrow()) {
            self.scheduler.control(Control::PauseAll);
            let wait = async {
                while self.view.changed().await.is_ok() {
                    if !busy(&self.view.borrow()) {
                        return;
                    }
                }
            };
            let _ = tokio::time::timeout(STOP_WAIT, wait).await;
        }
        let _ = tokio::time::timeout(STOP_WAIT, self.scheduler.sync()).await;
    }
}
