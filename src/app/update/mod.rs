//! `update(state, msg) -> effects`: the only place the state changes. Pure:
//! no I/O, no clock, so every behaviour here is a plain unit test. Split by
//! concern: actions, navigation, listing results, selection and view
//! settings, file operations, modes and owners, creating links and
//! files, hosts and connections, dialog keys, mouse, messages, quitting;
//! what they share is in `panes`, which imports none of them.

mod act;
mod as_root;
mod attributes;
mod copy_target;
mod create;
mod dialog_keys;
mod disconnect;
mod file_ops;
mod find;
mod host_edit;
mod hosts;
mod jobs;
mod jobs_panel;
mod listing;
mod messages;
mod mouse;
mod navigation;
mod pane_pairs;
mod panes;
mod quit;
mod recent_dirs;
mod selection;
mod sync;
#[cfg(test)]
mod tests;
mod viewer;

use super::dialog::Dialog;
use super::effect::Effect;
use super::layout;
use super::msg::Msg;
use super::state::State;
use crate::choices::Action;
use crate::config::Key;

pub use act::act;
pub use hosts::open_target;
pub use panes::{reload, start};

/// Applies one message.
pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key(key) => {
            if !state.dialogs.is_empty() {
                return dialog_keys::handle(state, &key);
            }
            let action = state.keymap.action(&Key::from_event(&key));
            // The panels' own keys come first, but not over the keys that
            // show, focus and hide them (alt-j would be read as `j`).
            if !matches!(action, Some(Action::Jobs | Action::Log | Action::Messages))
                && let Some(effects) = jobs_panel::key(state, &key)
            {
                return effects;
            }
            match action {
                Some(action) => act(state, action),
                None => Vec::new(),
            }
        }
        Msg::Mouse(event) => mouse::handle(state, event),
        Msg::Resize { width, height } => {
            resize(state, width, height);
            Vec::new()
        }
        Msg::Listed { side, generation, result } => listing::listed(state, side, generation, result),
        Msg::DirChanged { side, dir } => listing::dir_changed(state, side, &dir),
        Msg::FreeSpace { side, location, result } => listing::free_space(state, side, &location, result),
        Msg::DirSize { side, location, result } => listing::dir_size(state, side, &location, result),
        Msg::Counted { token, result } => {
            if jobs::counted(state, token, &result) {
                return Vec::new();
            }
            file_ops::counted(state, token, result)
        }
        Msg::ModeOf { token, result } => attributes::mode_of(state, token, result),
        Msg::Done { op, result } => file_ops::done(state, op, result),
        Msg::Completed { token, result } => navigation::completed(state, token, result),
        Msg::Viewed { token, result } => file_ops::viewed(state, token, result),
        Msg::Followed { token, generation, result } => viewer::followed(state, token, generation, result),
        Msg::Scanned { token, result } => sync::scanned(state, token, result),
        Msg::EditFetched { location, editor, result } => {
            file_ops::edit_fetched(state, location, editor, result)
        }
        Msg::TargetProbed { token, result } => copy_target::probed(state, token, result),
        Msg::TargetCreated { side, spec, result } => copy_target::created(state, side, *spec, result),
        Msg::SshHosts { token, hosts } => hosts::ssh_hosts(state, token, hosts),
        Msg::HostAddresses { token, addresses } => hosts::host_addresses(state, token, addresses),
        Msg::ConnectStage { id, stage } => hosts::stage(state, id, stage),
        Msg::Prompt { question, reply } => hosts::prompt(state, question, reply),
        Msg::HostRung { host, protocol } => {
            match protocol {
                crate::fs::remote::Protocol::Scp => state.rungs.remove(&host),
                lower => state.rungs.insert(host, lower),
            };
            Vec::new()
        }
        Msg::HostProbed { host, talkative } => {
            if talkative {
                state.talkative.insert(host);
            } else {
                state.talkative.remove(&host);
            }
            Vec::new()
        }
        Msg::Connected { id, result } => hosts::connected(state, id, result),
        Msg::Found { token, batch } => find::found(state, token, batch),
        Msg::FindEnded { token, result } => find::ended(state, token, result),
        Msg::Report(note) => {
            state.report(note);
            Vec::new()
        }
        Msg::Logged(event) => {
            messages::logged(state, event);
            Vec::new()
        }
        Msg::Tick => {
            match state.dialogs.last_mut() {
                Some(Dialog::Connecting { frame, .. }) => {
                    *frame += 1;
                    state.needs_render = true;
                }
                // The scan's count and gauge move.
                Some(Dialog::Sync(d)) if matches!(d.stage, super::dialog::SyncStage::Scanning { .. }) => {
                    state.needs_render = true;
                }
                _ => {}
            }
            Vec::new()
        }
        Msg::Jobs(view) => {
            let effects = jobs_panel::published(state, view);
            quit::jobs_changed(state);
            effects
        }
        Msg::Log(events) => {
            messages::log_events(state, events);
            Vec::new()
        }
        Msg::Terminate => {
            state.quit = true;
            Vec::new()
        }
    }
}

fn resize(state: &mut State, width: u16, height: u16) {
    state.size = (width, height);
    panes::resize_panes(state);
    let viewer_rows = layout::viewer_rows(height);
    for dialog in &mut state.dialogs {
        if let Dialog::Viewer(viewer) = dialog {
            viewer.rows = viewer_rows;
            viewer.scroll_by(0);
        }
    }
    state.needs_render = true;
}
