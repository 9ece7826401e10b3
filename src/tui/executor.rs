//! Carries out effects off the UI thread and sends their results back as
//! messages. Blocking work runs on tokio's blocking pool; watchers live
//! here; the terminal-bound effects (editor, ticks) belong to the event loop.

use std::collections::HashMap;

use tokio::sync::mpsc::UnboundedSender;
use tokio_util::sync::CancellationToken;

use super::remote::Remotes;
use super::watcher::DirWatcher;
use super::work;
use std::path::PathBuf;

use crate::app::{Effect, Msg, Note, Op, Side};
use crate::eventlog::LogSink;
use crate::fs::Location;
use crate::jobs::Scheduler;
use crate::ssh::{Overrides, PoolLimits};

pub struct Executor {
    tx: UnboundedSender<Msg>,
    log: LogSink,
    watchers: [Option<DirWatcher>; 2],
    remotes: Remotes,
    scheduler: Option<Scheduler>,
    /// The search under way, by token (one at a time: the find dialog is
    /// modal; a new search stops what is left of the last).
    finds: HashMap<u64, CancellationToken>,
}

impl Executor {
    /// `overrides`: the command line's connection options for every host;
    /// connections are logged to `log`.
    pub fn new(tx: UnboundedSender<Msg>, overrides: Overrides, limits: PoolLimits, log: LogSink) -> Self {
        let remotes = Remotes::new(tx.clone(), overrides, limits, log.clone());
        Self { tx, log, watchers: [None, None], remotes, scheduler: None, finds: HashMap::new() }
    }

    pub fn remotes(&self) -> &Remotes {
        &self.remotes
    }

    /// Copy jobs go to this scheduler.
    pub fn set_scheduler(&mut self, scheduler: Scheduler) {
        self.scheduler = Some(scheduler);
    }

    pub fn run(&mut self, effect: Effect) {
        match effect {
            Effect::Watch { side, dir } => self.watch(side, dir),
            Effect::Answer { reply, answer } => reply.send(answer),
            Effect::Submit(spec) => {
                if let Some(scheduler) = &self.scheduler {
                    scheduler.submit(spec);
                }
            }
            Effect::Jobs(control) => {
                if let Some(scheduler) = &self.scheduler {
                    scheduler.control(control);
                }
            }
            // A remote file to edit is fetched first; the editor itself
            // belongs to the event loop, which owns the terminal.
            Effect::Edit { location: Location::Remote { host, path }, editor, copy: None } => {
                let (tx, remotes) = (self.tx.clone(), self.remotes.clone());
                tokio::task::spawn_blocking(move || {
                    let result = remotes.fetch_for_edit(&host, &path);
                    let location = Location::Remote { host, path };
                    let _ = tx.send(Msg::EditFetched { location, editor, result });
                });
            }
            Effect::Edit { .. } | Effect::Ticks { .. } => {}
            Effect::Find { token, location, query } => {
                for old in std::mem::take(&mut self.finds).into_values() {
                    old.cancel();
                }
                let cancel = CancellationToken::new();
                self.finds.insert(token, cancel.clone());
                let (tx, remotes) = (self.tx.clone(), self.remotes.clone());
                tokio::task::spawn_blocking(move || {
                    let result = work::find(&remotes, &location, query, cancel, &tx, token);
                    let _ = tx.send(Msg::FindEnded { token, result });
                });
            }
            Effect::CancelFind { token } => {
                if let Some(cancel) = self.finds.remove(&token) {
                    cancel.cancel();
                }
            }
            // A follow poll waits its interval on the runtime's clock, not
            // on a blocking thread; the read itself is blocking work.
            Effect::Follow { delay, .. } if !delay.is_zero() => {
                let (tx, remotes) = (self.tx.clone(), self.remotes.clone());
                tokio::spawn(async move {
                    tokio::time::sleep(delay).await;
                    let read = tokio::task::spawn_blocking(move || work::run(effect, &remotes));
                    if let Ok(Some(msg)) = read.await {
                        let _ = tx.send(msg);
                    }
                });
            }
            // Noted at once, so questions already on their way are declined.
            Effect::CancelConnect { id } => self.remotes.cancel(id),
            effect => {
                let tx = self.tx.clone();
                let remotes = self.remotes.clone();
                tokio::task::spawn_blocking(move || {
                    if let Some(msg) = work::run(effect, &remotes) {
                        // The receiver is gone only when the app is quitting.
                        let _ = tx.send(msg);
                    }
                });
            }
        }
    }

    /// Logs one of the app's messages: its time now, into the log file, and
    /// back to the app (`Msg::Logged`) for the log pane and the history.
    pub fn log(&self, note: Note) {
        let event = note.event(jiff::Timestamp::now());
        self.log.to_file(event.clone());
        let _ = self.tx.send(Msg::Logged(event));
    }

    /// Waits briefly until the log file has every event: before exiting.
    pub fn flush_log(&self) {
        self.log.flush(std::time::Duration::from_secs(2));
    }

    /// Uploads an edited copy of a remote file in the background.
    pub fn upload_edit(&self, location: Location, copy: PathBuf) {
        let (tx, remotes) = (self.tx.clone(), self.remotes.clone());
        tokio::task::spawn_blocking(move || {
            let result = match &location {
                Location::Remote { host, path } => remotes.upload_edit(host, &copy, path),
                Location::Local(_) => Ok(String::new()),
            };
            let _ = tx.send(Msg::Done { op: Op::Edit(location), result });
        });
    }

    fn watch(&mut self, side: Side, dir: Option<std::path::PathBuf>) {
        self.watchers[side.index()] = None;
        if let Some(dir) = dir {
            match DirWatcher::start(side, dir, self.tx.clone()) {
                Ok(watcher) => self.watchers[side.index()] = Some(watcher),
                Err(error) => {
                    let _ = self.tx.send(Msg::Report(Note::warn(&error.shown())));
                }
            }
        }
    }
}
