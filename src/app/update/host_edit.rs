//! The host picker's entries edited (F4) and removed (Delete, F8): recent
//! and typed hosts change in the recent list and the hosts' last
//! directories; ssh_config entries are read-only and say where they are
//! written.

use crossterm::event::{KeyCode, KeyEvent};

use super::dialog_keys::is_close;
use crate::app::dialog::{Dialog, HostEditDialog, HostPicker, Source};
use crate::app::effect::Effect;
use crate::app::state::State;
use crate::text::escape_str;

/// F4 in the picker: edit the highlighted entry, if it can be.
pub(super) fn start(state: &mut State, picker: HostPicker) -> Vec<Effect> {
    let Some(item) = picker.chosen().cloned() else {
        state.dialogs.push(Dialog::HostPicker(picker));
        return Vec::new();
    };
    if !item.source.editable() {
        let why = match (item.source, &item.origin) {
            (Source::SshConfig, Some(origin)) => {
                format!("{} comes from ssh_config ({origin}): read-only here, edit that file", item.label)
            }
            (Source::Bookmark, _) => "bookmarks are not edited here: Del removes one, b adds one".to_owned(),
            _ => format!("{} cannot be edited", item.label),
        };
        state.hint(escape_str(&why));
        state.dialogs.push(Dialog::HostPicker(picker));
        return Vec::new();
    }
    let dir = item.dir.as_ref().map(|d| d.to_string_lossy().into_owned()).unwrap_or_default();
    state.dialogs.push(Dialog::HostEdit(HostEditDialog::new(&item.target, &dir, picker)));
    Vec::new()
}

pub(super) fn key(state: &mut State, mut dialog: HostEditDialog, key: &KeyEvent) -> Vec<Effect> {
    match key.code {
        _ if is_close(key) => {
            state.dialogs.push(Dialog::HostPicker(*dialog.picker));
            return Vec::new();
        }
        KeyCode::Enter => return save(state, dialog),
        KeyCode::Tab | KeyCode::BackTab | KeyCode::Up | KeyCode::Down => dialog.switch_field(),
        _ => {
            if dialog.input_mut().handle(key) {
                dialog.error = None;
            }
        }
    }
    state.dialogs.push(Dialog::HostEdit(dialog));
    Vec::new()
}

/// Enter: the entry takes the new host and directory (checked first), both
/// files are saved, and the picker opens again with the change.
fn save(state: &mut State, mut dialog: HostEditDialog) -> Vec<Effect> {
    let host = dialog.host.text().trim().to_owned();
    let dir = dialog.dir.text().trim().to_owned();
    let problem = match crate::ssh::Target::parse(&host) {
        Err(e) => Some(e.to_string()),
        Ok(_) if !dir.is_empty() && !dir.starts_with('/') => {
            Some("the directory must be absolute (empty: the home)".to_owned())
        }
        Ok(_) if host != dialog.original && state.recent.hosts.contains(&host) => {
            Some(format!("{host} is listed already"))
        }
        Ok(_) => None,
    };
    if let Some(problem) = problem {
        dialog.error = Some(escape_str(&problem));
        state.dialogs.push(Dialog::HostEdit(dialog));
        return Vec::new();
    }
    let original = &dialog.original;
    let recent = &mut state.recent;
    for listed in recent.hosts.iter_mut().chain(recent.typed.iter_mut()) {
        if listed == original {
            listed.clone_from(&host);
        }
    }
    state.recent_dirs.remove(original);
    if !dir.is_empty() {
        state.recent_dirs.insert(host.clone(), dir.into());
    }
    let mut effects: Vec<Effect> = super::hosts::save_recent(state).into_iter().collect();
    effects.extend(super::recent_dirs::save(state));
    state.info(format!("host entry saved: {}", escape_str(&host)));
    effects.extend(super::hosts::open_picker_for(state, dialog.picker.side));
    effects
}
