//! The I/O side of the scheduler: a [`Backend`] carries out tasks (the real
//! one over SSH and SCP, the unit tests' one in memory) and reports through
//! a [`Reporter`].

use futures::future::BoxFuture;
use tokio::sync::mpsc::UnboundedSender;
use tokio_util::sync::CancellationToken;

use super::item::{ItemId, Scan};
use super::task::{DirProbe, Outcome, Partial, Task, TaskError, TaskId, Update};
use crate::eventlog::{Event, LogSink};
use crate::fs::Location;
use crate::fs::remote::BannerNote;
use crate::scp::Throttle;

pub trait Backend: Send + Sync + 'static {
    /// Carries out `task`, reporting each item through `reporter`. Must
    /// return soon (well within a second) after `reporter.cancel` fires,
    /// leaving every destination as it was (no partial file under a final
    /// name): the result is then `Err(TaskError::Interrupted)`.
    fn run(&self, task: Task, reporter: Reporter) -> BoxFuture<'static, Result<(), TaskError>>;
}

/// A worker's line to the reducer and the log, for one task.
#[derive(Clone)]
pub struct Reporter {
    pub task: TaskId,
    pub job: u64,
    pub cancel: CancellationToken,
    /// The job's bandwidth limit, shared by all its tasks.
    pub throttle: Option<Throttle>,
    updates: UnboundedSender<Update>,
    log: LogSink,
}

impl Reporter {
    pub fn new(
        task: TaskId,
        job: u64,
        cancel: CancellationToken,
        throttle: Option<Throttle>,
        updates: UnboundedSender<Update>,
        log: LogSink,
    ) -> Self {
        Self { task, job, cancel, throttle, updates, log }
    }

    fn send(&self, update: Update) {
        // The scheduler outlives its workers; a closed channel means it is
        // shutting down and the report no longer matters.
        let _ = self.updates.send(update);
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }

    pub fn connected(&self) {
        self.send(Update::Connected { task: self.task });
    }

    pub fn scanned(&self, item: ItemId, result: Result<Scan, String>) {
        self.send(Update::Scanned { task: self.task, item, result });
    }

    pub fn probed(&self, dir: Location, probe: DirProbe) {
        self.send(Update::Probed { task: self.task, dir, probe });
    }

    pub fn started(&self, item: ItemId) {
        self.send(Update::Started { task: self.task, item });
    }

    /// A file's partial copy is kept at `partial`'s temporary file (or,
    /// `None`, was removed).
    pub fn partial(&self, item: ItemId, partial: Option<Partial>) {
        self.send(Update::Partial { task: self.task, item, partial });
    }

    /// A file continues from its partial copy at `offset`.
    pub fn resumed(&self, item: ItemId, offset: u64) {
        self.send(Update::Resumed { task: self.task, item, offset });
    }

    pub fn progress(&self, item: ItemId, bytes: u64) {
        self.send(Update::Progress { task: self.task, item, bytes });
    }

    /// A mkdir, delete or rmdir item finished.
    pub fn item_done(&self, item: ItemId, result: Result<(), String>) {
        self.finished_item(item, result.map(|()| Outcome::Done));
    }

    /// A transfer item finished: placed (perhaps under another name),
    /// skipped at placement, or failed.
    pub fn finished_item(&self, item: ItemId, result: Result<Outcome, String>) {
        self.send(Update::ItemDone { task: self.task, item, result });
    }

    /// The item's failure, reported before or after, is a permission
    /// denied.
    pub fn denied(&self, item: ItemId) {
        self.send(Update::Denied { task: self.task, item });
    }

    /// Logs an event attributed to this task's job.
    pub fn log(&self, event: Event) {
        self.log.emit(event.job(self.job));
    }

    /// Logs the note about `host`'s login banner unless the log has it
    /// already (see [`LogSink::first_banner`]).
    pub fn banner(&self, host: &str, note: &BannerNote) {
        if self.log.first_banner(host, note) {
            self.log(Event::banner(host, note));
        }
    }

    /// Whether the log has the note about `host`'s banner with these lines.
    pub fn banner_noted(&self, host: &str, stdout: &[String], stderr: &[String]) -> bool {
        self.log.banner_noted(host, stdout, stderr)
    }
}
