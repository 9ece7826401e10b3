//! `update(state, msg) -> effects`: the only place the state changes. Pure:
//! no I/O, no clock, so every behaviour here is a plain unit test. Split by
//! concern: navigation, listing results, selection and view settings, file
//! operations, hosts and connections, dialog keys, mouse.

mod dialog_keys;
mod file_ops;
mod hosts;
mod jobs;
mod jobs_panel;
mod listing;
mod mouse;
mod navigation;
mod selection;
#[cfg(test)]
mod tests;

use super::dialog::Dialog;
use super::effect::Effect;
use super::layout;
use super::msg::Msg;
use super::side::Side;
use super::state::State;
use crate::choices::{Action, SortKey};
use crate::config::Key;

pub use hosts::open_target;
pub use navigation::reload;

/// Effects to load both panes at start-up.
pub fn start(state: &mut State) -> Vec<Effect> {
    [Side::Left, Side::Right].into_iter().map(|side| reload(state, side)).collect()
}

/// Applies one message.
pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key(key) => {
            if !state.dialogs.is_empty() {
                return dialog_keys::handle(state, &key);
            }
            if let Some(effects) = jobs_panel::key(state, &key) {
                return effects;
            }
            match state.keymap.action(&Key::from_event(&key)) {
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
        Msg::Done { op, result } => file_ops::done(state, op, result),
        Msg::Completed { token, result } => navigation::completed(state, token, result),
        Msg::Viewed { token, result } => file_ops::viewed(state, token, result),
        Msg::EditFetched { location, editor, result } => {
            file_ops::edit_fetched(state, location, editor, result)
        }
        Msg::SshHosts { token, hosts } => hosts::ssh_hosts(state, token, hosts),
        Msg::ConnectStage { id, stage } => hosts::stage(state, id, stage),
        Msg::Prompt { question, reply } => hosts::prompt(state, question, reply),
        Msg::Connected { id, result } => hosts::connected(state, id, result),
        Msg::Problem(text) => {
            state.error(text);
            state.needs_render = true;
            Vec::new()
        }
        Msg::Notice(text) => {
            state.info(text);
            state.needs_render = true;
            Vec::new()
        }
        Msg::Tick => {
            if let Some(Dialog::Connecting { frame, .. }) = state.dialogs.last_mut() {
                *frame += 1;
                state.needs_render = true;
            }
            Vec::new()
        }
        Msg::Jobs(view) => jobs_panel::published(state, view),
        Msg::Log(events) => {
            jobs_panel::logged(state, events);
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
    resize_panes(state);
    let viewer_rows = layout::viewer_rows(height);
    for dialog in &mut state.dialogs {
        if let Dialog::Viewer(viewer) = dialog {
            viewer.rows = viewer_rows;
            viewer.scroll_by(0);
        }
    }
    state.needs_render = true;
}

/// Fits the panes' rows to the screen and the jobs/log panel.
fn resize_panes(state: &mut State) {
    let (width, height) = state.size;
    let rows = layout::entry_rows_with(width, height, state.jobs.panel.is_some());
    for pane in &mut state.panes {
        pane.set_rows(rows);
    }
    state.needs_render = true;
}

/// Carries out one action on the focused pane.
pub fn act(state: &mut State, action: Action) -> Vec<Effect> {
    state.needs_render = true;
    let pane = state.focused_mut();
    let page = pane.rows.saturating_sub(1).max(1) as isize;
    match action {
        Action::Up => pane.move_by(-1),
        Action::Down => pane.move_by(1),
        Action::PageUp => pane.move_by(-page),
        Action::PageDown => pane.move_by(page),
        Action::Top => pane.move_to(0),
        Action::Bottom => pane.move_to(usize::MAX),
        Action::Open => return navigation::open(state),
        Action::Parent => return navigation::parent(state),
        Action::SwitchPane => state.focus = state.focus.other(),
        Action::Back => return navigation::back(state),
        Action::Forward => return navigation::forward(state),
        Action::GoTo => return navigation::start_go_to(state),
        Action::Refresh => return start(state),
        Action::SyncBrowsing => navigation::toggle_sync(state),
        Action::ToggleSelect => selection::toggle(state),
        Action::SelectGlob => selection::start_glob(state, true),
        Action::UnselectGlob => selection::start_glob(state, false),
        Action::InvertSelection => state.focused_mut().invert_selection(),
        Action::Filter => selection::start_filter(state),
        Action::ToggleHidden => selection::toggle_hidden(state),
        Action::SortName => selection::sort(state, SortKey::Name),
        Action::SortSize => selection::sort(state, SortKey::Size),
        Action::SortMtime => selection::sort(state, SortKey::Mtime),
        Action::SortExtension => selection::sort(state, SortKey::Extension),
        Action::ReverseSort => selection::reverse_sort(state),
        Action::DirSize => return file_ops::dir_size(state),
        Action::HostPicker => return hosts::open_picker(state),
        Action::AddBookmark => hosts::start_bookmark(state),
        Action::View => return file_ops::view(state),
        Action::Edit => return file_ops::edit(state),
        Action::Copy => return jobs::start(state, crate::jobs::Mode::Copy),
        Action::Move => return jobs::start(state, crate::jobs::Mode::Move),
        Action::Jobs => jobs_panel::toggle(state, crate::app::Panel::Jobs),
        Action::Log => jobs_panel::toggle(state, crate::app::Panel::Log),
        Action::Rename => file_ops::start_rename(state),
        Action::Mkdir => file_ops::start_mkdir(state),
        Action::Delete => return file_ops::start_delete(state),
        Action::Menu => state.dialogs.push(Dialog::Menu { selected: 0 }),
        Action::Help => state.dialogs.push(Dialog::Help { scroll: 0 }),
        Action::Quit => state.quit = true,
    }
    Vec::new()
}
