//! The command menu (F9): every action that is not plain cursor movement.

use super::action::Action;

pub const MENU: &[Action] = &[
    Action::HostPicker,
    Action::GoTo,
    Action::AddBookmark,
    Action::Refresh,
    Action::SyncBrowsing,
    Action::ToggleHidden,
    Action::SortName,
    Action::SortSize,
    Action::SortMtime,
    Action::SortExtension,
    Action::ReverseSort,
    Action::DirSize,
    Action::Filter,
    Action::SelectGlob,
    Action::UnselectGlob,
    Action::InvertSelection,
    Action::View,
    Action::Edit,
    Action::Rename,
    Action::Mkdir,
    Action::Delete,
    Action::Back,
    Action::Forward,
    Action::SwitchPane,
    Action::Help,
    Action::Quit,
];
