//! Creating symlinks and empty files in the focused pane's directory.

use std::ffi::OsString;

use crossterm::event::{KeyCode, KeyEvent};

use super::dialog_keys::is_close;
use crate::app::dialog::{Dialog, InputDialog, LinkDialog, Purpose};
use crate::app::effect::Effect;
use crate::app::side::Side;
use crate::app::state::State;
use crate::fs::Location;

/// An error when the pane's listing already has something at `location`
/// (the file system refuses it too; this says so before asking it).
fn taken(state: &State, side: Side, location: &Location) -> Result<(), String> {
    let pane = state.pane(side);
    let Some(name) = location.path().file_name() else {
        return Err("type a name, not a directory".into());
    };
    if location.parent().as_ref() == Some(&pane.location) && pane.entries.iter().any(|e| e.name == name) {
        return Err(format!("{} exists already", name.to_string_lossy()));
    }
    Ok(())
}

pub(super) fn start_touch(state: &mut State) {
    let side = state.focus;
    state.dialogs.push(Dialog::Input(InputDialog::new(Purpose::Touch { side }, "")));
}

pub(super) fn touch(state: &mut State, side: Side, name: &str) -> Result<Vec<Effect>, String> {
    if name.trim().is_empty() {
        return Err("type a name".into());
    }
    let location = super::panes::resolve(state, side, name);
    taken(state, side, &location)?;
    Ok(vec![Effect::Touch { location }])
}

/// Opens the symlink dialog. It points by default at the entry under the
/// cursor in the other pane when that pane is on the same host (the link
/// then takes its name), else at the entry under the cursor here.
pub(super) fn start_symlink(state: &mut State) {
    let side = state.focus;
    let (pane, other) = (state.pane(side), state.pane(side.other()));
    let from_other = other.location.host() == pane.location.host();
    let (target, name) = match other.current() {
        Some(entry) if from_other => {
            let path = other.location.join(&entry.name).path().as_os_str().to_os_string();
            let name = if other.location == pane.location { OsString::new() } else { entry.name.clone() };
            (path, name)
        }
        _ => match pane.current() {
            Some(entry) => {
                (pane.location.join(&entry.name).path().as_os_str().to_os_string(), OsString::new())
            }
            None => (OsString::new(), OsString::new()),
        },
    };
    let dialog = LinkDialog::new(side, pane.location.clone(), name, target);
    state.dialogs.push(Dialog::Link(dialog));
}

pub(super) fn link_key(state: &mut State, mut dialog: LinkDialog, key: &KeyEvent) -> Vec<Effect> {
    match key.code {
        _ if is_close(key) => return Vec::new(),
        KeyCode::Enter => return apply_link(state, dialog),
        KeyCode::Tab | KeyCode::BackTab | KeyCode::Up | KeyCode::Down => dialog.switch_field(),
        _ => {
            if dialog.input_mut().handle(key) {
                dialog.error = None;
            }
        }
    }
    state.dialogs.push(Dialog::Link(dialog));
    Vec::new()
}

fn apply_link(state: &mut State, mut dialog: LinkDialog) -> Vec<Effect> {
    let target = dialog.target_bytes();
    let link = if dialog.name_is_prefill() {
        Ok(dialog.dir.join(dialog.name_bytes()))
    } else if dialog.name.text().trim().is_empty() {
        Err("type the link's name".to_owned())
    } else {
        Ok(super::panes::resolve(state, dialog.side, dialog.name.text()))
    };
    let checked = link.and_then(|link| {
        if target.is_empty() {
            return Err("type what the link points to".to_owned());
        }
        taken(state, dialog.side, &link).map(|()| link)
    });
    match checked {
        Ok(link) => vec![Effect::Symlink { target, link }],
        Err(message) => {
            dialog.error = Some(message);
            state.dialogs.push(Dialog::Link(dialog));
            Vec::new()
        }
    }
}
