//! Messages as they come back from the log: the app's own (kept in the
//! history from info up) and other layers' events (the warnings and
//! errors that belong to no job are messages too: a dropped connection, a
//! retry, a login profile's banner); and the message view (alt-h).

use crossterm::event::KeyEvent;

use super::dialog_keys::is_ctrl_c;
use crate::app::dialog::Dialog;
use crate::app::effect::Effect;
use crate::app::jobs::Panel;
use crate::app::messages::Status;
use crate::app::state::State;
use crate::choices::{Action, KeyContext};
use crate::config::Key;
use crate::eventlog::{Event, Level};

/// One of the app's notes, as written to the log file.
pub(super) fn logged(state: &mut State, event: Event) {
    if event.level >= Level::Info {
        state.messages.remember(event.clone());
    }
    state.jobs.push_log(event);
    state.needs_render |= shows_messages(state);
}

/// Events from the other layers (transfers, connections).
pub(super) fn log_events(state: &mut State, events: Vec<Event>) {
    for event in events {
        if event.job.is_none() && event.level >= Level::Warn {
            state.status = Some(Status {
                level: event.level,
                host: event.host.clone(),
                text: event.text.clone(),
                about: None,
            });
            state.messages.remember(event.clone());
            state.needs_render = true;
        }
        state.jobs.push_log(event);
    }
    state.needs_render |= shows_messages(state);
}

/// Whether anything on the screen shows the log or the messages.
fn shows_messages(state: &State) -> bool {
    state.jobs.panel == Some(Panel::Log)
        || state.dialogs.iter().any(|d| {
            matches!(d, Dialog::JobDetails { .. } | Dialog::Messages { .. } | Dialog::LogEntry { .. })
        })
}

pub(super) fn open(state: &mut State) {
    state.dialogs.push(Dialog::Messages { back: 0 });
}

/// Keys of the message view (the keymap's messages place): move between
/// messages, close; alt-l and alt-j go on to their panel.
pub(super) fn key(state: &mut State, back: usize, key: &KeyEvent) -> Vec<Effect> {
    let last = state.messages.history().len().saturating_sub(1);
    let pressed = Key::from_event(key);
    let back = match state.keymap.action(&pressed) {
        _ if is_ctrl_c(key) => return Vec::new(),
        Some(Action::Messages) => return Vec::new(),
        // alt-l (alt-j): from here to the whole log (the jobs).
        Some(Action::Log) => return to_panel(state, Panel::Log),
        Some(Action::Jobs) => return to_panel(state, Panel::Jobs),
        _ => match moved(state, back, last, &pressed) {
            Some(back) => back,
            None => return Vec::new(),
        },
    };
    state.dialogs.push(Dialog::Messages { back });
    Vec::new()
}

/// Keys of the log entry view (Enter in the log panel): older and newer
/// entries of those the panel shows, close.
pub(super) fn log_entry_key(state: &mut State, back: usize, key: &KeyEvent) -> Vec<Effect> {
    let last = state.jobs.log.filtered(&state.jobs.filter).count().saturating_sub(1);
    if is_ctrl_c(key) {
        return Vec::new();
    }
    let Some(back) = moved(state, back, last, &Key::from_event(key)) else { return Vec::new() };
    state.dialogs.push(Dialog::LogEntry { back });
    Vec::new()
}

/// `back` (counted from the newest, at most `last`) after `key`, or `None`
/// when the key closes the view.
fn moved(state: &State, back: usize, last: usize, key: &Key) -> Option<usize> {
    let page = 10;
    let back = match state.keymap.action_in(KeyContext::Messages, key) {
        Some(Action::MessagesClose) => return None,
        Some(Action::MessagesOlder) => back + 1,
        Some(Action::MessagesNewer) => back.saturating_sub(1),
        Some(Action::MessagesPageOlder) => back + page,
        Some(Action::MessagesPageNewer) => back.saturating_sub(page),
        Some(Action::MessagesOldest) => last,
        Some(Action::MessagesNewest) => 0,
        _ => back,
    };
    Some(back.min(last))
}

/// Closes the message view for `panel`, shown and focused.
fn to_panel(state: &mut State, panel: Panel) -> Vec<Effect> {
    // Shown and focused already: toggling would hide it.
    if state.jobs.panel != Some(panel) || !state.jobs.panel_focus {
        super::jobs_panel::toggle(state, panel);
    }
    state.needs_render = true;
    Vec::new()
}
