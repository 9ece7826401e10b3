//! Delivers events to the caller's callback on the caller's thread, counting
//! them into the [`Summary`]. Other threads send through [`Reporter::sender`].

use crossbeam_channel::{Receiver, Sender, unbounded};

use super::event::{Event, Summary};
use crate::shell::ExitStatus;

pub(crate) struct Reporter<'a> {
    tx: Sender<Event>,
    rx: Receiver<Event>,
    callback: &'a mut dyn FnMut(Event),
    summary: Summary,
}

impl<'a> Reporter<'a> {
    pub(super) fn new(callback: &'a mut dyn FnMut(Event)) -> Self {
        let (tx, rx) = unbounded();
        Reporter { tx, rx, callback, summary: Summary::default() }
    }

    pub(super) fn sender(&self) -> Sender<Event> {
        self.tx.clone()
    }

    /// Passes every event sent so far to the callback.
    pub(super) fn flush(&mut self) {
        while let Ok(event) = self.rx.try_recv() {
            self.summary.count(&event);
            (self.callback)(event);
        }
    }

    /// Files failed so far (after a flush).
    pub(super) fn failed(&self) -> u64 {
        self.summary.failed
    }

    pub(super) fn finish(mut self, remote_status: ExitStatus) -> Summary {
        self.flush();
        self.summary.remote_status = remote_status;
        self.summary
    }
}
