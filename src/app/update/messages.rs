//! Messages as they come back from the log: the app's own (kept in the
//! history from info up) and other layers' events (the warnings and
//! errors that belong to no job are messages too: a dropped connection, a
//! retry, a login profile's banner); and the message view (alt-h).

use crossterm::event::{KeyCode, KeyEvent};

use super::dialog_keys::is_close;
use crate::app::dialog::Dialog;
use crate::app::effect::Effect;
use crate::app::jobs::Panel;
use crate::app::messages::Status;
use crate::app::state::State;
use crate::choices::Action;
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

/// Keys of the message view: move between messages, close.
pub(super) fn key(state: &mut State, back: usize, key: &KeyEvent) -> Vec<Effect> {
    let last = state.messages.history().len().saturating_sub(1);
    let action = state.keymap.action(&Key::from_event(key));
    let back = match key.code {
        _ if is_close(key) => return Vec::new(),
        KeyCode::Enter | KeyCode::Char('q') => return Vec::new(),
        _ if action == Some(Action::Messages) => return Vec::new(),
        // alt-l (alt-j): from here to the whole log (the jobs).
        _ if action == Some(Action::Log) => return to_panel(state, Panel::Log),
        _ if action == Some(Action::Jobs) => return to_panel(state, Panel::Jobs),
        _ => moved(back, last, key),
    };
    state.dialogs.push(Dialog::Messages { back });
    Vec::new()
}

/// Keys of the log entry view (Enter in the log panel): older and newer
/// entries of those the panel shows, close.
pub(super) fn log_entry_key(state: &mut State, back: usize, key: &KeyEvent) -> Vec<Effect> {
    let last = state.jobs.log.filtered(&state.jobs.filter).count().saturating_sub(1);
    let back = match key.code {
        _ if is_close(key) => return Vec::new(),
        KeyCode::Enter | KeyCode::Char('q') => return Vec::new(),
        _ => moved(back, last, key),
    };
    state.dialogs.push(Dialog::LogEntry { back });
    Vec::new()
}

/// `back` (counted from the newest, at most `last`) after a moving key.
fn moved(back: usize, last: usize, key: &KeyEvent) -> usize {
    let page = 10;
    let back = match key.code {
        KeyCode::Up | KeyCode::Char('k') => back + 1,
        KeyCode::Down | KeyCode::Char('j') => back.saturating_sub(1),
        KeyCode::PageUp => back + page,
        KeyCode::PageDown => back.saturating_sub(page),
        KeyCode::Home | KeyCode::Char('g') => last,
        KeyCode::End | KeyCode::Char('G') => 0,
        _ => back,
    };
    back.min(last)
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
