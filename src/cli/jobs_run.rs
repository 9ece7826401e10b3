//! Running scheduler jobs from the command line to their end, for `cp` and
//! `sync` alike: the log, the job journal, signals that cancel (and remove
//! temporary files) or, with `--resume`, pause (and keep them), the
//! overwrite question on the terminal, progress on the console.

use std::collections::HashSet;
use std::sync::Arc;

use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;

use super::cp_ask;
use super::cp_console::Console;
use super::cp_resume;
use super::error::CliError;
use super::exit_status::Status;
use super::printer::Tone;
use crate::eventlog::{Event, LogFile, LogSink, default_log_dir};
use crate::jobs::journal::Journal;
use crate::jobs::{
    AdoptedMap, Control, ItemId, JobId, JobSpec, JobState, Limits, OverwriteAnswer, Scheduler, Segments,
    SshRemote, SystemBackend, Throttle,
};
use crate::ssh::{HostConfig, Overrides, Pool, PoolLimits, Resolver, TerminalPrompter};

/// The log file (when the state directory is writable), so that what the
/// remote side said can be read again later, as with the commander.
pub(super) fn log() -> (LogSink, mpsc::UnboundedReceiver<Event>) {
    let file = default_log_dir().and_then(|dir| LogFile::open(&dir).ok());
    LogSink::new(file)
}

/// The job journal in the state directory (a warning when it cannot be
/// opened: the jobs then run without one).
pub(super) fn journal(console: &mut Console) -> Option<Journal> {
    match crate::jobs::journal::default_dir().map(|dir| Journal::open(&dir)) {
        Some(Ok(journal)) => Some(journal),
        Some(Err(e)) => {
            console.line(Tone::Warning, &e.to_string());
            None
        }
        None => None,
    }
}

/// Ctrl-C, a closed terminal and kill: caught so that they cancel the
/// transfers and their temporary files are removed before the process ends.
pub(super) fn catch_signals(console: &mut Console) -> Vec<tokio::signal::unix::Signal> {
    let mut signals = Vec::new();
    for kind in [SignalKind::interrupt(), SignalKind::terminate(), SignalKind::hangup()] {
        match signal(kind) {
            Ok(s) => signals.push(s),
            Err(e) => console.error(&CliError::Signals(e).to_string()),
        }
    }
    signals
}

/// A pool of `sessions` connections per host and in all, with the terminal
/// for questions; retries and lowered sessions are warnings the console
/// shows.
pub(super) fn pool(sessions: usize, sink: &LogSink) -> Pool {
    let pool =
        Pool::new(Arc::new(TerminalPrompter::new()), PoolLimits { per_host: sessions, global: sessions });
    crate::jobs::log_connections(&pool, sink.clone());
    pool
}

/// Waits for the first of `signals` (forever when there are none).
pub(super) async fn any_signal(signals: &mut [tokio::signal::unix::Signal]) {
    if signals.is_empty() {
        std::future::pending::<()>().await;
    }
    futures::future::select_all(signals.iter_mut().map(|s| Box::pin(s.recv()))).await;
}

/// The exit status of a command that ran jobs: success when it says every
/// job was done and the console saw no failure, the error's own status
/// (said on the console) when it stopped early.
pub(super) fn conclude(console: &mut Console, result: Result<bool, CliError>) -> std::process::ExitCode {
    let status = match result {
        Ok(true) if !console.failed => Status::Success,
        Ok(_) => Status::Failed,
        Err(error) => {
            console.error(&error.to_string());
            error.status()
        }
    };
    console.finish();
    status.into()
}

/// What the jobs run on.
pub(super) struct Run {
    pub(super) pool: Pool,
    pub(super) overrides: Overrides,
    pub(super) sessions: usize,
    /// One budget for every job: -l limits the whole command.
    pub(super) limit_kbit: Option<u64>,
    pub(super) journal: Option<Journal>,
    /// `--resume`: what each job takes over from an interrupted run (one
    /// map per spec; empty: none), and an interruption pauses, keeping
    /// partial copies, instead of cancelling.
    pub(super) adopted: Vec<AdoptedMap>,
    pub(super) resume: bool,
    /// How large files are split into ranges.
    pub(super) segments: Segments,
    /// Hosts resolved already (connecting before the jobs): the jobs take
    /// these instead of resolving them again.
    pub(super) configs: Vec<(String, HostConfig)>,
}

/// Runs `specs` to their end; true when all of them were done.
pub(super) async fn run_jobs(
    run: Run,
    specs: Vec<JobSpec>,
    sink: LogSink,
    events: &mut mpsc::UnboundedReceiver<Event>,
    signals: &mut [tokio::signal::unix::Signal],
    console: &mut Console,
) -> bool {
    let Run { pool, overrides, sessions, limit_kbit, journal, mut adopted, resume, segments, configs } = run;
    let remote =
        SshRemote::new(pool, Resolver::system(), overrides).with_segments(segments).with_configs(configs);
    let backend = Arc::new(SystemBackend::new(Arc::new(remote)));
    let limits = Limits { global: sessions, per_host: sessions };
    let scheduler = Scheduler::spawn_with(backend, limits, sink, journal);
    let limit = limit_kbit.map(Throttle::from_kbit);
    adopted.resize(specs.len(), AdoptedMap::new());
    let ids: Vec<JobId> = specs
        .into_iter()
        .zip(adopted)
        .map(|(spec, adopted)| scheduler.submit_adopting(spec, limit.clone(), adopted))
        .collect();

    let mut view = scheduler.subscribe();
    let (answers_tx, mut answers) = mpsc::unbounded_channel::<(JobId, ItemId, OverwriteAnswer)>();
    let mut asking: Option<(JobId, ItemId)> = None;
    // Until the scheduler has taken an answer in, its view still shows the
    // question: never ask it twice.
    let mut answered = HashSet::new();
    let mut cancelled = false;
    loop {
        let snapshot = view.borrow_and_update().clone();
        console.view(&snapshot);
        let finished = |id: &JobId| snapshot.job(*id).is_some_and(|j| j.state.is_finished());
        // Interrupted with --resume: over once nothing runs any more.
        let stopped = |id: &JobId| snapshot.job(*id).is_none_or(|j| j.connections == 0);
        if ids.iter().all(finished) || (cancelled && resume && ids.iter().all(stopped)) {
            break;
        }
        if asking.is_none()
            && !cancelled
            && let Some(question) = snapshot
                .jobs
                .iter()
                .filter_map(|j| j.question.clone())
                .find(|q| !answered.contains(&(q.job, q.item)))
        {
            asking = Some((question.job, question.item));
            let (tx, bar) = (answers_tx.clone(), console.bar());
            // Blocking terminal input on a thread of its own, never waited for.
            std::thread::spawn(move || {
                let answer = cp_ask::ask(&question, bar.as_ref());
                let _ = tx.send((question.job, question.item, answer));
            });
        }
        let signalled = any_signal(signals);
        tokio::select! {
            changed = view.changed() => if changed.is_err() { break },
            Some(event) = events.recv() => console.log(&event),
            Some((job, item, answer)) = answers.recv() => {
                asking = None;
                answered.insert((job, item));
                scheduler.control(Control::Answer(job, item, answer));
            }
            () = signalled => {
                if cancelled {
                    // Asked twice: stop now, whatever is left behind.
                    break;
                }
                cancelled = true;
                if resume {
                    console.error("interrupted: partial copies are kept; run the same command again to continue");
                    scheduler.control(Control::PauseAll);
                } else {
                    console.error("interrupted: cancelling and removing temporary files");
                    for &id in &ids {
                        scheduler.control(Control::Cancel(id));
                    }
                }
            }
        }
    }
    let last = view.borrow().clone();
    if !cancelled {
        cp_resume::settle_failed(&scheduler, &ids, resume, console).await;
    }
    // What is left to do (an interrupted --resume, failed files' partial
    // copies with --resume) is in the journal for the next run, or the
    // commander.
    scheduler.sync().await;
    while let Ok(event) = events.try_recv() {
        console.log(&event);
    }
    // Never removed unasked: named, for the user to remove.
    for path in last.jobs.iter().flat_map(|j| &j.left_behind) {
        let text = format!(
            "a partial copy the interrupted run left was not used: {path} (remove it when it is not needed)"
        );
        console.line(Tone::Warning, &text);
    }
    for path in &last.leftovers {
        let text = format!(
            "a temporary file no job owns (an interrupted copy's): {path} (remove it when it is not needed)"
        );
        console.line(Tone::Warning, &text);
    }
    let done = last.jobs.iter().filter(|j| j.state == JobState::Done).count();
    !cancelled && done == ids.len()
}
