//! Carrying out an [`Action`] (a key from the keymap, or the menu).

use super::{
    attributes, create, disconnect, file_ops, hosts, jobs, jobs_panel, messages, navigation, pane_pairs,
    panes, quit, selection, sync,
};
use crate::app::dialog::{Dialog, SyncPurpose};
use crate::app::effect::Effect;
use crate::app::help::HelpTopic;
use crate::app::jobs::Panel;
use crate::app::state::State;
use crate::choices::{Action, KeyContext, SortKey};
use crate::jobs::Mode;

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
        Action::SwapPanes => return pane_pairs::swap(state),
        Action::OtherToThis => return pane_pairs::show_in(state, state.focus.other()),
        Action::ThisToOther => return pane_pairs::show_in(state, state.focus),
        Action::Disconnect => return disconnect::disconnect(state),
        Action::Back => return navigation::back(state),
        Action::Forward => return navigation::forward(state),
        Action::GoTo => return navigation::start_go_to(state),
        Action::Refresh => return panes::start(state),
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
        Action::NaturalSort => selection::natural_sort(state),
        Action::Compare => return sync::open(state, SyncPurpose::Compare),
        Action::Synchronize => return sync::open(state, SyncPurpose::Synchronize),
        Action::ReverseSort => selection::reverse_sort(state),
        Action::DirSize => return file_ops::dir_size(state),
        Action::HostPicker => return hosts::open_picker(state),
        Action::AsRoot => return super::as_root::toggle_pane(state),
        Action::AddBookmark => hosts::start_bookmark(state),
        Action::View => return file_ops::view(state),
        Action::Edit => return file_ops::edit(state),
        Action::Copy => return jobs::start(state, Mode::Copy),
        Action::Move => return jobs::start(state, Mode::Move),
        Action::Jobs => jobs_panel::toggle(state, Panel::Jobs),
        Action::Log => jobs_panel::toggle(state, Panel::Log),
        Action::Messages => messages::open(state),
        Action::Rename => file_ops::start_rename(state),
        Action::Mkdir => file_ops::start_mkdir(state),
        Action::Delete => return file_ops::start_delete(state),
        Action::Chmod => return attributes::start_chmod(state),
        Action::Chown => attributes::start_chown(state),
        Action::Symlink => create::start_symlink(state),
        Action::Touch => create::start_touch(state),
        Action::Find => return super::find::start(state),
        Action::Menu => state.dialogs.push(Dialog::Menu { selected: 0 }),
        Action::Help => {
            let topic = match state.jobs.panel.filter(|_| state.jobs.panel_focus) {
                Some(Panel::Jobs) => KeyContext::Jobs,
                Some(Panel::Log) => KeyContext::Log,
                None => KeyContext::Panes,
            };
            state.dialogs.push(Dialog::Help { scroll: 0, topic: HelpTopic::Keys(topic) });
        }
        Action::Quit => quit::request(state),
        // The panels', the viewer's and the help's own actions are read
        // where their keys work (jobs_panel.rs, viewer.rs, dialog_keys.rs).
        _ => {}
    }
    Vec::new()
}
