//! The scheduler's driver: a tokio task that owns the [`Queue`] (the single
//! reducer), starts workers for the tasks it chooses, feeds their reports
//! back into it, and publishes what the panes show through a `watch`
//! channel (latest value wins, so a slow reader never slows transfers).
//! With no task running it has no timer and publishes nothing: every
//! published view wakes the app, which redraws.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot, watch};
use tokio::time::{Instant, Interval, MissedTickBehavior};
use tokio_util::sync::CancellationToken;

use super::backend::{Backend, Reporter};
use super::item::DestInfo;
use super::job::{AdoptedMap, Job};
use super::journal::{Journal, Keeper, Saved};
use super::queue::{Command, Control, Queue};
use super::spec::{JobId, JobSpec, Limits};
use super::task::{TaskError, TaskId, Update};
use super::view::{JobView, QueueView};
use crate::eventlog::{Event, LogSink};
use crate::fs::Location;
use crate::scp::Throttle;

/// While a task runs, rates are sampled, and progress held back by
/// `PUBLISH_EVERY` published, at this pace.
const TICK: Duration = Duration::from_millis(200);
/// Progress-only changes are published at most this often.
const PUBLISH_EVERY: Duration = Duration::from_millis(50);
/// While tasks run, the journal is written at most this often: a crash
/// loses no more than this much of the record of what was done (never a
/// byte of data: partial copies are measured on disk when they resume).
const JOURNAL_EVERY: Duration = Duration::from_secs(1);
/// A temporary file counts as left over only when nothing wrote to it for
/// this long (seconds): another scpdeck may be writing a fresh one.
const LEFTOVER_AGE: i64 = 600;
/// A change of an item is written this soon after the last write.
const JOURNAL_SOON: Duration = Duration::from_millis(100);

enum Request {
    Submit(JobId, JobSpec, Option<Throttle>, AdoptedMap),
    Control(Control),
    /// A job from the journal, with its file.
    Restore(Box<Job>, Saved),
    /// Write the journal now and say when it is on disk.
    Sync(oneshot::Sender<()>),
    /// Temporary files seen outside any job (at start-up).
    Leftovers(Vec<(Location, DestInfo)>),
}

/// A handle on the scheduler; cheap to clone. When the last handle is
/// dropped, running tasks are interrupted and the driver ends.
#[derive(Clone)]
pub struct Scheduler {
    requests: mpsc::UnboundedSender<Request>,
    view: watch::Receiver<Arc<QueueView>>,
    ids: Arc<AtomicU64>,
}

impl Scheduler {
    /// Starts the driver on the current tokio runtime.
    pub fn spawn(backend: Arc<dyn Backend>, limits: Limits, log: LogSink) -> Self {
        Self::spawn_with(backend, limits, log, None)
    }

    /// Starts the driver, keeping every job in `journal` while it runs.
    pub fn spawn_with(
        backend: Arc<dyn Backend>,
        limits: Limits,
        log: LogSink,
        journal: Option<Journal>,
    ) -> Self {
        let (requests, requests_rx) = mpsc::unbounded_channel();
        let (view_tx, view) = watch::channel(Arc::new(QueueView { limits, ..QueueView::default() }));
        let (updates_tx, updates_rx) = mpsc::unbounded_channel();
        let ids = Arc::new(AtomicU64::new(0));
        let driver = Driver {
            queue: Queue::new(limits),
            backend,
            log,
            updates_tx,
            tokens: HashMap::new(),
            throttles: HashMap::new(),
            view_tx,
            dirty: false,
            published: Instant::now(),
            keeper: journal.map(Keeper::new),
            journal_due: false,
            journal_soon: false,
            journaled: Instant::now(),
            ids: ids.clone(),
        };
        tokio::spawn(driver.run(requests_rx, updates_rx));
        Self { requests, view, ids }
    }

    /// Queues a job; it starts as soon as connections are free.
    pub fn submit(&self, spec: JobSpec) -> JobId {
        self.submit_with(spec, None)
    }

    /// Queues a job whose transfers draw on `limit` (a bandwidth limit
    /// shared with other jobs, e.g. all of one `scpdeck cp`) instead of one
    /// of its own from `spec.options.limit_kbit`.
    pub fn submit_with(&self, spec: JobSpec, limit: Option<Throttle>) -> JobId {
        self.submit_adopting(spec, limit, AdoptedMap::new())
    }

    /// Like [`Scheduler::submit_with`], continuing what an interrupted run
    /// of the same copy left (`cp --resume`).
    pub fn submit_adopting(&self, spec: JobSpec, limit: Option<Throttle>, adopted: AdoptedMap) -> JobId {
        let id = JobId(self.ids.fetch_add(1, Ordering::Relaxed) + 1);
        // Fails only when the driver is gone, i.e. the runtime is shutting down.
        let _ = self.requests.send(Request::Submit(id, spec, limit, adopted));
        id
    }

    pub fn control(&self, control: Control) {
        let _ = self.requests.send(Request::Control(control));
    }

    /// Takes back a job read from the journal: shown paused when anything
    /// was left to do, its file written by this process from now on.
    /// `None` when the records do not make a job (the file is left alone).
    pub fn restore(&self, saved: Saved) -> Option<JobId> {
        let id = JobId(self.ids.fetch_add(1, Ordering::Relaxed) + 1);
        let job = super::journal::restore(id, &saved.job, &saved.items)?;
        let _ = self.requests.send(Request::Restore(Box::new(job), saved));
        Some(id)
    }

    /// Temporary files seen in directories a job wrote to (the commander
    /// looks where the restored jobs copy to): those no job, here or in
    /// another process, owns are listed as leftovers.
    pub fn leftovers(&self, found: Vec<(Location, DestInfo)>) {
        let _ = self.requests.send(Request::Leftovers(found));
    }

    /// Writes the journal and waits until it is on disk (before exiting).
    pub async fn sync(&self) {
        let (tx, rx) = oneshot::channel();
        if self.requests.send(Request::Sync(tx)).is_ok() {
            let _ = rx.await;
        }
    }

    /// The latest published state of the queue.
    pub fn view(&self) -> Arc<QueueView> {
        self.view.borrow().clone()
    }

    /// A receiver that wakes up whenever the published state changes.
    pub fn subscribe(&self) -> watch::Receiver<Arc<QueueView>> {
        self.view.clone()
    }

    /// Waits until the job is done, failed or cancelled.
    pub async fn wait(&self, id: JobId) -> Option<JobView> {
        let mut rx = self.view.clone();
        loop {
            if let Some(job) = rx.borrow_and_update().job(id).filter(|j| j.state.is_finished()) {
                return Some(job.clone());
            }
            rx.changed().await.ok()?;
        }
    }
}

struct Driver {
    queue: Queue,
    backend: Arc<dyn Backend>,
    log: LogSink,
    updates_tx: mpsc::UnboundedSender<Update>,
    tokens: HashMap<TaskId, CancellationToken>,
    throttles: HashMap<JobId, Throttle>,
    view_tx: watch::Sender<Arc<QueueView>>,
    dirty: bool,
    published: Instant,
    keeper: Option<Keeper>,
    /// The queue changed since the journal was last written.
    journal_due: bool,
    /// ... and an item changed: written within `JOURNAL_SOON` (or the
    /// next tick).
    journal_soon: bool,
    journaled: Instant,
    /// Job ids, shared with the handles (a cleanup job takes one).
    ids: Arc<AtomicU64>,
}

impl Driver {
    async fn run(
        mut self,
        mut requests: mpsc::UnboundedReceiver<Request>,
        mut updates: mpsc::UnboundedReceiver<Update>,
    ) {
        let mut tick: Option<Interval> = None;
        let mut open = true;
        loop {
            tokio::select! {
                request = requests.recv(), if open => match request {
                    Some(request) => self.request(request),
                    None => {
                        open = false;
                        let commands = self.queue.control(Control::PauseAll);
                        self.execute(commands);
                    }
                },
                Some(update) = updates.recv() => self.update(update),
                _ = next_tick(&mut tick) => {
                    self.queue.tick(Instant::now().into_std());
                    self.dirty = true;
                    self.publish(true);
                    let wait = if self.journal_soon { JOURNAL_SOON } else { JOURNAL_EVERY };
                    if self.journaled.elapsed() >= wait {
                        self.write_journal();
                    }
                    continue;
                }
            }
            while let Ok(update) = updates.try_recv() {
                self.update(update);
            }
            self.pace(&mut tick);
            if !open && self.queue.is_idle() {
                self.write_journal();
                return;
            }
        }
    }

    /// Ticks only while tasks run: nothing else changes with time. The
    /// last task gone, one more sample zeroes the rates, and everything
    /// held back is published now, since no tick will come to do it.
    fn pace(&mut self, tick: &mut Option<Interval>) {
        // While tasks run, the journal is written at most once per
        // JOURNAL_EVERY (the tick comes back for it); at once otherwise.
        if self.queue.is_idle() || self.journaled.elapsed() >= JOURNAL_EVERY {
            self.write_journal();
        }
        if !self.queue.is_idle() {
            tick.get_or_insert_with(|| {
                let mut interval = tokio::time::interval(TICK);
                interval.set_missed_tick_behavior(MissedTickBehavior::Delay);
                interval
            });
            self.publish(false);
            return;
        }
        if tick.take().is_some() {
            self.queue.tick(Instant::now().into_std());
            self.dirty = true;
        }
        self.publish(true);
    }

    fn write_journal(&mut self) {
        if let (true, Some(keeper)) = (self.journal_due, self.keeper.as_mut()) {
            keeper.flush(&self.queue);
            self.journal_due = false;
            self.journal_soon = false;
            self.journaled = Instant::now();
        }
    }

    fn request(&mut self, request: Request) {
        let commands = match request {
            Request::Submit(id, spec, limit, adopted) => {
                if let Some(throttle) = limit.or_else(|| spec.options.limit_kbit.map(Throttle::from_kbit)) {
                    self.throttles.insert(id, throttle);
                }
                self.queue.submit_adopting(id, spec, adopted)
            }
            Request::Control(Control::RemoveLeftovers) => {
                let id = JobId(self.ids.fetch_add(1, Ordering::Relaxed) + 1);
                self.queue.remove_leftovers(id)
            }
            Request::Control(control) => self.queue.control(control),
            Request::Leftovers(found) => {
                let found = self.unowned_elsewhere(found);
                self.queue.add_leftovers(found)
            }
            Request::Restore(job, saved) => {
                if let Some(throttle) = job.spec.options.limit_kbit.map(Throttle::from_kbit) {
                    self.throttles.insert(job.id, throttle);
                }
                match self.keeper.as_mut() {
                    Some(keeper) => {
                        let key = keeper.journal().adopt(saved);
                        keeper.adopted(job.id, key);
                    }
                    None => drop(saved),
                }
                self.queue.restore(*job)
            }
            Request::Sync(done) => {
                self.journal_due = true;
                self.write_journal();
                match self.keeper.as_ref().map(|k| k.journal().clone()) {
                    Some(journal) => {
                        tokio::task::spawn_blocking(move || {
                            journal.sync();
                            let _ = done.send(());
                        });
                    }
                    None => {
                        let _ = done.send(());
                    }
                }
                return;
            }
        };
        self.journal_due = true;
        self.execute(commands);
        self.dirty = true;
        self.publish(true);
    }

    fn update(&mut self, update: Update) {
        let finished = match &update {
            Update::Finished { task, .. } => self.tokens.remove(task).is_some(),
            _ => false,
        };
        // A change of an item (a new partial copy, a file placed) is
        // recorded soon, progress within a second: a crash should neither
        // leave a temporary file no record owns nor forget a placed file.
        let urgent =
            !matches!(update, Update::Progress { .. } | Update::Started { .. } | Update::Connected { .. });
        let commands = self.queue.update(update);
        self.journal_due = true;
        self.journal_soon |= urgent;
        if self.journal_soon && self.journaled.elapsed() >= JOURNAL_SOON {
            self.write_journal();
        }
        self.execute(commands);
        self.dirty = true;
        if finished {
            self.publish(true);
        }
    }

    /// Of temporary files no job here owns, those no other process owns
    /// either (its journal names them) and that nothing wrote to lately.
    fn unowned_elsewhere(&self, found: Vec<(Location, DestInfo)>) -> Vec<(Location, DestInfo)> {
        let named = self.keeper.as_ref().map(|k| k.journal().named_temps()).unwrap_or_default();
        let now =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let settled = |info: &DestInfo| info.mtime.is_some_and(|m| m + LEFTOVER_AGE <= now as i64);
        found
            .into_iter()
            .filter(|(l, info)| {
                settled(info) && !named.contains(&(l.host().map(String::from), l.path().to_path_buf()))
            })
            .collect()
    }

    fn execute(&mut self, commands: Vec<Command>) {
        for command in commands {
            match command {
                Command::Leftovers(found) => {
                    let found = self.unowned_elsewhere(found);
                    let more = self.queue.add_leftovers(found);
                    self.execute(more);
                }
                Command::Log(event) => self.log.emit(event),
                Command::Interrupt(task) => {
                    if let Some(token) = self.tokens.get(&task) {
                        token.cancel();
                    }
                }
                Command::Start(task) => {
                    let id = task.id;
                    self.log
                        .emit(Event::debug(&format!("{id}: {} started", task.work.name())).job(task.job.0));
                    let token = CancellationToken::new();
                    self.tokens.insert(id, token.clone());
                    let throttle = self.throttles.get(&task.job).cloned();
                    let reporter = Reporter::new(
                        id,
                        task.job.0,
                        token,
                        throttle,
                        self.updates_tx.clone(),
                        self.log.clone(),
                    );
                    let work = self.backend.run(task, reporter);
                    let tx = self.updates_tx.clone();
                    tokio::spawn(async move {
                        // A panicking backend must still release its task.
                        let result = tokio::spawn(work).await.unwrap_or_else(|e| {
                            Err(TaskError::Failed(format!("internal error in the transfer: {e}")))
                        });
                        let _ = tx.send(Update::Finished { task: id, result });
                    });
                }
            }
        }
    }

    /// Sends the view unless it equals the one last sent: a reader wakes
    /// (and the app redraws) only for a real change.
    fn publish(&mut self, now: bool) {
        if !self.dirty || (!now && self.published.elapsed() < PUBLISH_EVERY) {
            return;
        }
        self.dirty = false;
        self.published = Instant::now();
        let view = self.queue.view();
        self.view_tx.send_if_modified(|published| {
            let changed = **published != view;
            if changed {
                *published = Arc::new(view);
            }
            changed
        });
    }
}

async fn next_tick(tick: &mut Option<Interval>) {
    match tick {
        Some(tick) => {
            tick.tick().await;
        }
        None => std::future::pending().await,
    }
}

/// Idle is idle: the driver publishes changes only, and nothing at all once
/// no task runs. (The rest of its behaviour: `jobs/tests.rs`.)
#[cfg(test)]
mod tests {
    use super::super::Control;
    use super::super::fake::{Config, Fake};
    use super::super::tests::{copy, finish, local, remote, start, until};
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn publishes_progress_while_a_task_runs_and_nothing_after() {
        let fake = Fake::new(Config { rate: 100_000, ..Config::default() });
        fake.file(&remote("a", "/src/f"), &[7; 500_000], 1);
        fake.dir(&local("/dst"));
        let s = start(&fake, Limits::default());
        let mut rx = s.subscribe();
        rx.borrow_and_update();
        tokio::time::sleep(Duration::from_secs(60)).await;
        assert!(!rx.has_changed().unwrap_or(true), "published with no job");

        let job = s.submit(copy(vec![remote("a", "/src/f")], local("/dst")));
        until(&s, "a rate is shown", |v| v.total.rate > 0.0).await;
        assert_eq!(finish(&s, job).await.map(|j| j.state), Some(super::super::JobState::Done));
        tokio::time::sleep(Duration::from_millis(1)).await;
        assert_eq!(rx.borrow_and_update().total.rate, 0.0, "the rate falls to zero once no task runs");
        tokio::time::sleep(Duration::from_secs(60)).await;
        assert!(!rx.has_changed().unwrap_or(true), "published after the job ended");

        // A request that changes nothing publishes nothing either.
        s.control(Control::ResumeAll);
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert!(!rx.has_changed().unwrap_or(true), "published an unchanged view");
    }
}
