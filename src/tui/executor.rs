//! Carries out effects off the UI thread and sends their results back as
//! messages. Blocking work runs on tokio's blocking pool; watchers live
//! here; the terminal-bound effects (editor, ticks) belong to the event loop.

use tokio::sync::mpsc::UnboundedSender;

use super::watcher::DirWatcher;
use super::work;
use crate::app::{Effect, Msg, Side};
use crate::jobs::Scheduler;

pub struct Executor {
    tx: UnboundedSender<Msg>,
    watchers: [Option<DirWatcher>; 2],
    scheduler: Option<Scheduler>,
}

impl Executor {
    pub fn new(tx: UnboundedSender<Msg>) -> Self {
        Self { tx, watchers: [None, None], scheduler: None }
    }

    /// Copy jobs go to this scheduler.
    pub fn set_scheduler(&mut self, scheduler: Scheduler) {
        self.scheduler = Some(scheduler);
    }

    pub fn sender(&self) -> UnboundedSender<Msg> {
        self.tx.clone()
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
            // The event loop owns the terminal and the timer.
            Effect::Edit { .. } | Effect::Ticks { .. } => {}
            effect => {
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || {
                    if let Some(msg) = work::run(effect) {
                        // The receiver is gone only when the app is quitting.
                        let _ = tx.send(msg);
                    }
                });
            }
        }
    }

    fn watch(&mut self, side: Side, dir: Option<std::path::PathBuf>) {
        self.watchers[side.index()] = None;
        if let Some(dir) = dir {
            match DirWatcher::start(side, dir, self.tx.clone()) {
                Ok(watcher) => self.watchers[side.index()] = Some(watcher),
                Err(message) => {
                    let _ = self.tx.send(Msg::Problem(message));
                }
            }
        }
    }
}
