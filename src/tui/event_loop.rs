//! The app loop: input, results and signals become messages; `update` turns
//! them into state changes and effects; the screen is redrawn only when the
//! state says so, after all pending messages have been applied. Nothing
//! wakes the loop while idle: the spinner timer runs only while connecting.

use std::io;
use std::time::Duration;

use crossterm::event::EventStream;
use futures::StreamExt;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;
use tokio::time::{Interval, MissedTickBehavior, interval};

use super::editor;
use super::executor::Executor;
use super::terminal::Tty;
use super::transfers::Transfers;
use crate::app::{self, Effect, Msg, Note, Op, State, WorkError};
use crate::fs::Location;
use crate::ssh::{Overrides, PoolLimits};
use crate::ui;

/// Spinner frame interval while connecting.
const TICK: Duration = Duration::from_millis(120);

/// Runs until the user quits or a terminating signal arrives. `initial`
/// effects (connections for remote panes) run after the start-up listings.
pub async fn run(
    terminal: &mut Tty,
    mut state: State,
    initial: Vec<Effect>,
    overrides: Overrides,
) -> io::Result<State> {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let (log, log_events, log_problem) = Transfers::log();
    let limits = state.settings.limits();
    let pool_limits = PoolLimits { per_host: limits.per_host, global: limits.global };
    let mut executor = Executor::new(tx, overrides, pool_limits, log.clone());
    let mut events = Some(EventStream::new());
    let mut term = signal(SignalKind::terminate())?;
    let mut hup = signal(SignalKind::hangup())?;
    let mut int = signal(SignalKind::interrupt())?;
    let mut ticker: Option<Interval> = None;
    let mut held = Vec::new();
    let remotes = executor.remotes();
    let (mut transfers, restored) =
        Transfers::start(&state.settings, remotes.pool(), remotes.overrides(), log, log_events);
    executor.set_scheduler(transfers.scheduler.clone());
    if let Some(problem) = log_problem {
        dispatch(&mut state, Msg::Report(Note::warn(&problem)), &mut executor, &mut held);
    }

    let size = terminal.size()?;
    dispatch(&mut state, Msg::Resize { width: size.width, height: size.height }, &mut executor, &mut held);
    let mut effects = app::start(&mut state);
    effects.extend(initial);
    run_all(effects, &mut executor, &mut held);
    if let Some(notice) = restored {
        dispatch(&mut state, Msg::Report(notice), &mut executor, &mut held);
    }
    log_notes(&mut state, &executor);

    loop {
        for effect in std::mem::take(&mut held) {
            match effect {
                Effect::Ticks { on: true } => {
                    let mut timer = interval(TICK);
                    timer.set_missed_tick_behavior(MissedTickBehavior::Skip);
                    ticker = Some(timer);
                }
                Effect::Ticks { on: false } => ticker = None,
                Effect::Edit { location: location @ Location::Remote { .. }, editor, copy: None } => {
                    executor.run(Effect::Edit { location, editor, copy: None });
                }
                Effect::Edit { location, editor, copy } => {
                    // The editor reads the terminal: stop reading it ourselves meanwhile.
                    drop(events.take());
                    let outcome =
                        edit(terminal, &location, &editor, copy.as_deref(), state.settings.mouse).await?;
                    events = Some(EventStream::new());
                    state.needs_render = true;
                    match (outcome, copy) {
                        (Edited::Changed, Some(copy)) => executor.upload_edit(location, copy),
                        (outcome, copy) => {
                            if let Some(copy) = &copy {
                                super::remote::discard(copy);
                            }
                            let result = match outcome {
                                Edited::Failed(message) => Err(message),
                                Edited::Unchanged if copy_was_remote(&location) => {
                                    Ok(format!("{location} not changed: nothing uploaded"))
                                }
                                _ => Ok(format!("edited {location}")),
                            };
                            let msg = Msg::Done { op: Op::Edit(location), result };
                            dispatch(&mut state, msg, &mut executor, &mut held);
                        }
                    }
                }
                other => executor.run(other),
            }
        }
        if state.needs_render {
            terminal.draw(|frame| ui::render(&state, frame))?;
            state.needs_render = false;
        }
        if state.quit {
            transfers.stop().await;
            executor.flush_log();
            return Ok(state);
        }
        let msg = tokio::select! {
            event = next_event(&mut events) => match event {
                Some(Ok(event)) => Msg::from_event(event),
                Some(Err(e)) => return Err(e),
                None => Some(Msg::Terminate),
            },
            Some(msg) = rx.recv() => Some(msg),
            msg = transfers.next() => Some(msg),
            _ = next_tick(&mut ticker) => Some(Msg::Tick),
            _ = term.recv() => Some(Msg::Terminate),
            _ = hup.recv() => Some(Msg::Terminate),
            _ = int.recv() => Some(Msg::Terminate),
        };
        if let Some(msg) = msg {
            dispatch(&mut state, msg, &mut executor, &mut held);
        }
        while let Ok(msg) = rx.try_recv() {
            dispatch(&mut state, msg, &mut executor, &mut held);
        }
    }
}

async fn next_event(events: &mut Option<EventStream>) -> Option<io::Result<crossterm::event::Event>> {
    match events {
        Some(events) => events.next().await,
        None => std::future::pending().await,
    }
}

async fn next_tick(ticker: &mut Option<Interval>) {
    match ticker {
        Some(ticker) => {
            ticker.tick().await;
        }
        None => std::future::pending().await,
    }
}

/// Applies `msg`, runs its effects and logs the messages it reported.
fn dispatch(state: &mut State, msg: Msg, executor: &mut Executor, held: &mut Vec<Effect>) {
    run_all(app::update(state, msg), executor, held);
    log_notes(state, executor);
}

/// Logs the messages the app reported since the last time.
fn log_notes(state: &mut State, executor: &Executor) {
    for note in state.messages.take_outbox() {
        executor.log(note);
    }
}

/// Runs background effects now; keeps those that need the loop (terminal, timer).
fn run_all(effects: Vec<Effect>, executor: &mut Executor, held: &mut Vec<Effect>) {
    for effect in effects {
        match effect {
            Effect::Edit { .. } | Effect::Ticks { .. } => held.push(effect),
            other => executor.run(other),
        }
    }
}

/// How an editing session ended.
enum Edited {
    Changed,
    Unchanged,
    Failed(WorkError),
}

fn copy_was_remote(location: &Location) -> bool {
    location.host().is_some()
}

/// Runs the editor on the local file (the file itself, or the copy of a
/// remote one) and tells whether its contents changed.
async fn edit(
    terminal: &mut Tty,
    location: &Location,
    editor: &str,
    copy: Option<&std::path::Path>,
    mouse: bool,
) -> io::Result<Edited> {
    let file = match (copy, location) {
        (Some(copy), _) => copy.to_path_buf(),
        (None, Location::Local(path)) => path.clone(),
        (None, Location::Remote { .. }) => {
            return Ok(Edited::Failed(WorkError::NotCopied {
                reason: format!("{location} was not fetched"),
            }));
        }
    };
    let before = digest(&file);
    Ok(match editor::run(terminal, editor, &file, mouse).await? {
        Err(message) => Edited::Failed(message),
        Ok(()) if digest(&file) == before => Edited::Unchanged,
        Ok(()) => Edited::Changed,
    })
}

/// A SHA-256 of the file's contents (`None` when unreadable).
fn digest(path: &std::path::Path) -> Option<Vec<u8>> {
    use sha2::Digest;
    use std::io::Read;
    let mut file = std::fs::File::open(path).ok()?;
    let mut hasher = sha2::Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match file.read(&mut buf).ok()? {
            0 => return Some(hasher.finalize().to_vec()),
            n => hasher.update(&buf[..n]),
        }
    }
}
