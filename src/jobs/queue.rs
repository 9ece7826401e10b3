//! The reducer: owns every job, applies worker reports and user commands,
//! and decides which tasks start, within the connection limits and fairly
//! between jobs. Pure: time comes in as an argument and effects go out as
//! [`Command`]s for the scheduler's driver to carry out.

use std::collections::HashMap;
use std::time::Instant;

use super::control::OverwriteAnswer;
use super::item::{DestInfo, ItemId, ItemState};
use super::job::{AdoptedMap, Job, JobState};
use super::plan::Side;
use super::spec::{JobId, JobSpec, Limits};
use super::task::{Task, TaskId, Update};
use super::view::{Progress, QueueView};
use crate::eventlog::Event;
use crate::fs::Location;

/// What the driver must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Start(Task),
    /// Fire the task's cancel token.
    Interrupt(TaskId),
    Log(Event),
    /// Temporary files seen that no job of this queue owns: leftovers,
    /// unless another process owns them (the driver looks, then hands the
    /// rest back with [`Queue::add_leftovers`]).
    Leftovers(Vec<(Location, DestInfo)>),
}

/// A user's (or the command line's) request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Control {
    PauseAll,
    ResumeAll,
    Pause(JobId),
    Resume(JobId),
    Cancel(JobId),
    /// Failed and cancelled items of the job: one, or all.
    Retry(JobId, Option<ItemId>),
    MoveUp(JobId),
    MoveDown(JobId),
    Answer(JobId, ItemId, OverwriteAnswer),
    ClearFinished,
    /// Remove the leftover temporary files listed (a cleanup job; the
    /// scheduler gives it its id).
    RemoveLeftovers,
}

/// Connections a task holds: one per remote host it talks to; `None` is
/// this machine, which has a per-host limit but no connection.
type Hosts = Vec<Option<String>>;

#[derive(Debug, Default)]
pub struct Queue {
    jobs: Vec<Job>,
    limits: Limits,
    paused: bool,
    next_task: u64,
    tasks: HashMap<TaskId, (JobId, Hosts)>,
    /// Temporary files no job owns.
    leftovers: Vec<Location>,
}

impl Queue {
    pub fn new(limits: Limits) -> Self {
        Self { limits, ..Self::default() }
    }

    pub fn jobs(&self) -> &[Job] {
        &self.jobs
    }

    pub fn job(&self, id: JobId) -> Option<&Job> {
        self.jobs.iter().find(|j| j.id == id)
    }

    fn job_mut(&mut self, id: JobId) -> Option<&mut Job> {
        self.jobs.iter_mut().find(|j| j.id == id)
    }

    pub fn is_idle(&self) -> bool {
        self.tasks.is_empty()
    }

    pub fn submit(&mut self, id: JobId, spec: JobSpec) -> Vec<Command> {
        self.submit_adopting(id, spec, AdoptedMap::new())
    }

    /// Queues a job that continues what an interrupted run of the same
    /// copy left (`cp --resume`).
    pub fn submit_adopting(&mut self, id: JobId, spec: JobSpec, adopted: AdoptedMap) -> Vec<Command> {
        let mut log = vec![Event::info(&format!("queued: {}", spec.title())).job(id.0)];
        let mut job = Job::new(id, spec);
        job.adopted = adopted;
        let hosts: Vec<Option<&str>> = job.spec.sources.iter().map(|s| s.host()).collect();
        if hosts.windows(2).any(|w| w[0] != w[1]) {
            let reason = "the sources are on different hosts; copy them as separate jobs".to_string();
            for index in 0..job.items.len() {
                job.fail(ItemId(index as u32), super::item::Stage::Scan, reason.clone(), &mut log);
            }
            job.error = Some(reason);
        }
        if job.spec.sources.is_empty() {
            job.error = Some("nothing to copy".into());
        }
        self.jobs.push(job);
        let mut commands: Vec<Command> = log.into_iter().map(Command::Log).collect();
        commands.extend(self.schedule());
        commands
    }

    /// Takes back a job from the journal (paused when anything was left
    /// to do: see [`super::journal::restore`]).
    pub fn restore(&mut self, job: Job) -> Vec<Command> {
        let left = job.items.iter().filter(|i| !i.state.is_terminal()).count();
        let text = format!("restored from the last session ({left} item(s) left): {}", job.spec.title());
        let mut commands = vec![Command::Log(Event::info(&text).job(job.id.0))];
        self.jobs.push(job);
        commands.extend(self.schedule());
        commands
    }

    pub fn update(&mut self, update: Update) -> Vec<Command> {
        let task = update.task();
        let Some((job_id, _)) = self.tasks.get(&task).cloned() else { return Vec::new() };
        if matches!(update, Update::Finished { .. }) {
            self.tasks.remove(&task);
        }
        let paused = self.paused;
        let mut log = Vec::new();
        let mut changed = false;
        if let Some(job) = self.job_mut(job_id) {
            let before = job.state(paused);
            changed = job.apply(update, &mut log);
            report_end(job, before, paused, &mut log);
        }
        let mut commands: Vec<Command> = log.into_iter().map(Command::Log).collect();
        let found = self.job_mut(job_id).map(|j| std::mem::take(&mut j.found)).unwrap_or_default();
        let found = self.not_owned(found);
        if !found.is_empty() {
            commands.push(Command::Leftovers(found));
        }
        if changed {
            commands.extend(self.schedule());
        }
        commands
    }

    /// Of temporary files seen, those that no job owns and that are not
    /// listed already.
    fn not_owned(&self, found: Vec<(Location, DestInfo)>) -> Vec<(Location, DestInfo)> {
        if found.is_empty() {
            return found;
        }
        let owned = super::leftovers::owned(&self.jobs);
        found
            .into_iter()
            .filter(|(l, _)| !owned.contains(&(l.host().map(String::from), l.path().to_path_buf())))
            .filter(|(l, _)| !self.leftovers.contains(l))
            .collect()
    }

    /// Lists temporary files as leftovers (the driver found no process
    /// that owns them), each named once in the log.
    pub fn add_leftovers(&mut self, found: Vec<(Location, DestInfo)>) -> Vec<Command> {
        let mut new: Vec<Location> = Vec::new();
        for (location, _) in self.not_owned(found) {
            if !new.contains(&location) {
                new.push(location);
            }
        }
        if new.is_empty() {
            return Vec::new();
        }
        // One message for what one look found, however many: each is named.
        let names: Vec<String> = new.iter().map(ToString::to_string).collect();
        let text = format!(
            "{} temporary file(s) no job owns (partial copies interrupted runs left): {}; the jobs panel removes them with D",
            new.len(),
            names.join(", ")
        );
        self.leftovers.extend(new);
        vec![Command::Log(Event::warn(&text))]
    }

    /// Turns the listed leftovers into a job that removes them.
    pub fn remove_leftovers(&mut self, id: JobId) -> Vec<Command> {
        let leftovers = std::mem::take(&mut self.leftovers);
        let Some(job) = super::leftovers::cleanup_job(id, &leftovers) else { return Vec::new() };
        let mut commands = vec![Command::Log(Event::info(&job.title()).job(id.0))];
        self.jobs.push(job);
        commands.extend(self.schedule());
        commands
    }

    pub fn control(&mut self, control: Control) -> Vec<Command> {
        let mut commands = Vec::new();
        let mut log = Vec::new();
        let paused = self.paused;
        match control {
            Control::PauseAll => {
                self.paused = true;
                // Removing the partial copies of cancelled and cleared jobs
                // goes on: stopped, it would leave files nobody wants.
                let discarding = |job: &JobId| self.job(*job).is_some_and(|j| j.cancelled || j.clearing);
                let stop = self.tasks.iter().filter(|(_, (job, _))| !discarding(job));
                commands.extend(stop.map(|(task, _)| Command::Interrupt(*task)));
            }
            Control::ResumeAll => self.paused = false,
            Control::Pause(id) => {
                if let Some(job) = self.job_mut(id).filter(|j| !j.state(paused).is_finished()) {
                    commands.extend(job.pause().into_iter().map(Command::Interrupt));
                }
            }
            Control::Resume(id) => {
                if let Some(job) = self.job_mut(id) {
                    job.resume();
                }
            }
            Control::Cancel(id) => {
                if let Some(job) = self.job_mut(id) {
                    let before = job.state(paused);
                    commands.extend(job.cancel().into_iter().map(Command::Interrupt));
                    report_end(job, before, paused, &mut log);
                }
            }
            Control::Retry(id, item) => {
                if let Some(job) = self.job_mut(id) {
                    job.retry(item, &mut log);
                }
            }
            Control::MoveUp(id) => {
                if let Some(n) = self.position(id).filter(|&n| n > 0) {
                    self.jobs.swap(n, n - 1);
                }
            }
            Control::MoveDown(id) => {
                if let Some(n) = self.position(id).filter(|&n| n + 1 < self.jobs.len()) {
                    self.jobs.swap(n, n + 1);
                }
            }
            Control::Answer(id, item, answer) => {
                if let Some(job) = self.job_mut(id) {
                    job.answer(item, answer, &mut log);
                }
            }
            Control::ClearFinished => {
                // A job with partial copies goes once they are removed.
                for job in self.jobs.iter_mut().filter(|j| j.state(paused).is_finished()) {
                    job.clearing = true;
                }
                self.jobs.retain(|j| !j.clearing || j.has_discards());
            }
            // Needs an id: the driver turns it into `remove_leftovers`.
            Control::RemoveLeftovers => {}
        }
        commands.extend(log.into_iter().map(Command::Log));
        commands.extend(self.schedule());
        commands
    }

    fn position(&self, id: JobId) -> Option<usize> {
        self.jobs.iter().position(|j| j.id == id)
    }

    /// Samples transfer rates.
    pub fn tick(&mut self, now: Instant) {
        for job in &mut self.jobs {
            job.sample(now);
        }
    }

    pub fn view(&self) -> QueueView {
        let jobs: Vec<_> = self.jobs.iter().map(|j| j.view(self.paused)).collect();
        let mut total = Progress::default();
        for job in &jobs {
            total.bytes_done += job.progress.bytes_done;
            total.bytes_total += job.progress.bytes_total;
            total.files_done += job.progress.files_done;
            total.files_skipped += job.progress.files_skipped;
            total.files_total += job.progress.files_total;
            total.rate += job.progress.rate;
        }
        let remaining: u64 = jobs
            .iter()
            .filter(|j| !j.state.is_finished())
            .map(|j| j.progress.bytes_total.saturating_sub(j.progress.bytes_done))
            .sum();
        total.eta = super::rate::eta(total.rate, remaining);
        let connections = self.tasks.values().map(|(_, hosts)| hosts.iter().flatten().count()).sum();
        let leftovers = self.leftovers.iter().map(ToString::to_string).collect();
        QueueView { jobs, paused: self.paused, total, limits: self.limits, connections, leftovers }
    }

    /// Starts tasks while connections are free. The job with the fewest
    /// running tasks goes first (ties: higher in the queue), so jobs share
    /// the connections and none waits for another to finish.
    /// With the queue paused, only partial copies of cancelled and cleared
    /// jobs are removed.
    fn schedule(&mut self) -> Vec<Command> {
        let mut commands = Vec::new();
        let paused = self.paused;
        let lanes = self.limits.per_host.min(self.limits.global).max(1);
        loop {
            let Queue { jobs, tasks, limits, next_task, .. } = self;
            let mut order: Vec<usize> = (0..jobs.len())
                .filter(|&n| (!paused && jobs[n].can_start()) || jobs[n].has_discards())
                .collect();
            order.sort_by_key(|&n| (jobs[n].active_tasks(), n));
            let mut started = false;
            for n in order {
                let job = &mut jobs[n];
                let (source, dest) = (job.source_host().map(String::from), job.dest_host().map(String::from));
                let hosts_for = |side: Side| -> Hosts {
                    match side {
                        Side::Source => vec![source.clone()],
                        Side::Dest => vec![dest.clone()],
                        Side::Both => vec![source.clone(), dest.clone()],
                    }
                };
                let can = |side: Side| fits(tasks, limits, &hosts_for(side));
                let Some((work, running)) = job.next_work(lanes, &can) else { continue };
                *next_task += 1;
                let id = TaskId(*next_task);
                tasks.insert(id, (job.id, hosts_for(work.side())));
                job.running.insert(id, running);
                commands.push(Command::Start(Task { id, job: job.id, work }));
                started = true;
                break;
            }
            if !started {
                break;
            }
        }
        self.jobs.retain(|j| !j.clearing || j.has_discards() || !j.running.is_empty());
        if self.tasks.is_empty() && !paused {
            commands.extend(self.unstick());
        }
        commands
    }

    /// With nothing running, nothing can change for a job but its user's
    /// answers: an item that still waits for something else would wait
    /// forever (and a `cp` would never exit). Such items fail, saying so,
    /// so that no wait is without an end whatever bug led to it.
    fn unstick(&mut self) -> Vec<Command> {
        let mut log = Vec::new();
        for job in &mut self.jobs {
            let before = job.state(false);
            if job.unstick(&mut log) {
                report_end(job, before, false, &mut log);
            }
        }
        log.into_iter().map(Command::Log).collect()
    }
}

/// Whether a task holding `hosts` fits within the limits now.
fn fits(tasks: &HashMap<TaskId, (JobId, Hosts)>, limits: &Limits, hosts: &Hosts) -> bool {
    let mut count: HashMap<&Option<String>, usize> = HashMap::new();
    let mut remote = 0;
    for (_, held) in tasks.values() {
        for host in dedup_local(held) {
            *count.entry(host).or_default() += 1;
            remote += usize::from(host.is_some());
        }
    }
    let wanted = dedup_local(hosts);
    let remote_wanted = wanted.iter().filter(|h| h.is_some()).count();
    // A copy between two hosts needs both ends at once: under a global
    // limit of one it runs alone (the pool counts its ends as one).
    if remote_wanted > 0 && remote + remote_wanted > limits.global.max(remote_wanted) {
        return false;
    }
    wanted.iter().all(|host| {
        let same = wanted.iter().filter(|h| *h == host).count();
        count.get(host).copied().unwrap_or(0) + same <= limits.per_host
    })
}

/// The slots a task holds: one connection per remote end (two for a relay
/// between remote hosts); a task on this machine alone holds the one local
/// slot, so local copies run in parallel up to the per-host limit too.
fn dedup_local(hosts: &Hosts) -> Vec<&Option<String>> {
    let mut remote: Vec<&Option<String>> = hosts.iter().filter(|h| h.is_some()).collect();
    // A copy within one host runs on one connection.
    remote.dedup();
    if remote.is_empty() && !hosts.is_empty() { vec![&None] } else { remote }
}

/// The line that says how a job ended, with the same counts the jobs panel
/// and the job's details show: files copied and skipped, items (files and
/// directories) failed and cancelled, and the first failure's whole reason.
fn report_end(job: &Job, before: JobState, paused: bool, log: &mut Vec<Event>) {
    let after = job.state(paused);
    if after == before || !after.is_finished() {
        return;
    }
    log.push(end_event(job, after));
}

fn end_event(job: &Job, after: JobState) -> Event {
    let progress = job.progress();
    let failed: Vec<&super::item::Item> =
        job.items.iter().filter(|i| matches!(i.state, ItemState::Failed { .. })).collect();
    let cancelled = job.items.iter().filter(|i| matches!(i.state, ItemState::Cancelled(_))).count();
    let mut text = format!(
        "{}: {} ({} of {} files copied, {} skipped",
        after.label(),
        job.spec.title(),
        progress.files_done,
        progress.files_total,
        progress.files_skipped
    );
    if !failed.is_empty() {
        text.push_str(&format!(", {} failed", failed.len()));
    }
    if cancelled > 0 {
        text.push_str(&format!(", {cancelled} cancelled"));
    }
    text.push(')');
    if let Some(error) = &job.error {
        text.push_str(&format!(": {error}"));
    } else if let Some(item) = failed.first()
        && let ItemState::Failed { reason, .. } = &item.state
    {
        text.push_str(&format!("; first failure: {}: {reason}", item.shown()));
    }
    let event = if after == JobState::Done { Event::info(&text) } else { Event::error(&text) };
    event.job(job.id.0)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::fs::Location;
    use crate::jobs::item::{ItemState, Stage};
    use crate::jobs::spec::{Mode, Options, TargetKind};

    /// A queue holding one job that copies local `sources` into `/dst`.
    fn queue_with(sources: &[&str]) -> Queue {
        let mut queue = Queue::new(Limits::default());
        let spec = JobSpec {
            mode: Mode::Copy,
            sources: sources.iter().map(|s| Location::Local(PathBuf::from(s))).collect(),
            target: Location::Local(PathBuf::from("/dst")),
            target_kind: TargetKind::Dir,
            options: Options::default(),
        };
        queue.submit(JobId(1), spec);
        queue
    }

    #[test]
    fn an_item_nothing_can_move_on_fails_instead_of_waiting_forever() {
        let mut queue = queue_with(&["/src/f"]);
        // Whatever bug might lead there: the job's tasks are gone, and its
        // item waits for a task that nothing will start.
        queue.tasks.clear();
        let job = &mut queue.jobs[0];
        job.running.clear();
        job.items[0].state = ItemState::Transferring;
        let commands = queue.schedule();
        let job = &queue.jobs[0];
        assert!(
            matches!(&job.items[0].state, ItemState::Failed { stage: Stage::Transfer, reason } if reason.contains("nothing was left")),
            "{:?}",
            job.items[0].state
        );
        assert!(job.state(false).is_finished());
        let logged: Vec<&Event> =
            commands.iter().filter_map(|c| if let Command::Log(e) = c { Some(e) } else { None }).collect();
        assert!(logged.iter().any(|e| e.text.contains("nothing was left")), "{logged:?}");
        assert!(logged.iter().any(|e| e.text.starts_with("failed:")), "{logged:?}");
    }

    #[test]
    fn a_job_waiting_for_an_answer_or_paused_is_left_alone() {
        let mut queue = queue_with(&["/src/a", "/src/b"]);
        queue.tasks.clear();
        let job = &mut queue.jobs[0];
        job.running.clear();
        job.items[0].state = ItemState::Asking;
        job.items[1].state = ItemState::Ready;
        queue.schedule();
        assert_eq!(queue.jobs[0].items[1].state, ItemState::Ready, "it may wait for the answer");
        queue.jobs[0].items[0].state = ItemState::Done;
        queue.jobs[0].paused = true;
        queue.schedule();
        assert_eq!(queue.jobs[0].items[1].state, ItemState::Ready, "paused jobs wait");
    }
}
