//! Messages: everything that can change the state arrives as one of these.

use crossterm::event::{Event, KeyEvent, KeyEventKind};

use super::side::Side;
use crate::fs::Entry;

/// Input, results of background work, and signals.
#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    Resize {
        width: u16,
        height: u16,
    },
    /// A directory listing finished. `generation` tells whether the pane still
    /// wants it.
    Listed {
        side: Side,
        generation: u64,
        result: Result<Vec<Entry>, String>,
    },
    /// SIGTERM, SIGHUP or SIGINT: leave cleanly.
    Terminate,
}

impl Msg {
    /// The message for a terminal event, if it matters to us.
    pub fn from_event(event: Event) -> Option<Msg> {
        match event {
            Event::Key(key) if key.kind != KeyEventKind::Release => Some(Msg::Key(key)),
            Event::Resize(width, height) => Some(Msg::Resize { width, height }),
            _ => None,
        }
    }
}
