//! Changing modes (octal field and rwx grid) and owners of the selected
//! entries or the one under the cursor, on this machine or a host alike.

use crossterm::event::{KeyCode, KeyEvent};

use super::dialog_keys::is_close;
use crate::app::WorkError;
use crate::app::dialog::{Dialog, ModeDialog, ModeField, OwnerDialog, OwnerField};
use crate::app::effect::Effect;
use crate::app::state::State;
use crate::choices::{Action, KeyContext};
use crate::fs::{Entry, Kind, Location};

/// The focused pane's targets: their locations and entries as listed.
fn targets(state: &State) -> (Vec<Location>, Vec<Entry>) {
    let pane = state.focused();
    let entries: Vec<Entry> = pane.targets().into_iter().cloned().collect();
    (entries.iter().map(|e| pane.location.join(&e.name)).collect(), entries)
}

fn plural(n: usize) -> String {
    if n == 1 { "1 entry".to_owned() } else { format!("{n} entries") }
}

pub(super) fn start_chmod(state: &mut State) -> Vec<Effect> {
    let (locations, entries) = targets(state);
    let Some(first) = entries.first() else {
        state.hint("nothing to change: no entry under the cursor");
        return Vec::new();
    };
    let has_dirs = entries.iter().any(Entry::is_dir_like);
    let mut dialog = ModeDialog::new(state.focus, locations, first.mode, has_dirs);
    let mut effects = Vec::new();
    // chmod follows a symlink, and a link's own mode (0777 on Linux) says
    // nothing: start from its target's, looked up in the background.
    if first.kind == Kind::Symlink
        && let Some(location) = dialog.targets.first().cloned()
    {
        dialog.token = state.token();
        dialog.waiting = true;
        effects.push(Effect::ModeOf { token: dialog.token, location });
    }
    state.dialogs.push(Dialog::Mode(dialog));
    effects
}

/// The mode of a symlink's target, for the open dialog that asked; a
/// failure is also logged, with the host's words.
pub(super) fn mode_of(state: &mut State, token: u64, result: Result<Option<u32>, WorkError>) -> Vec<Effect> {
    let Some(mode) = state.dialogs.iter_mut().find_map(|d| match d {
        Dialog::Mode(mode) if mode.token == token && mode.waiting => Some(mode),
        _ => None,
    }) else {
        return Vec::new();
    };
    state.needs_render = true;
    match result {
        Ok(Some(bits)) => mode.known(bits),
        Ok(None) => {
            mode.waiting = false;
            mode.error = Some("the link points at nothing: there is no mode to change".into());
        }
        Err(error) => {
            mode.waiting = false;
            let text = format!("cannot read the mode of the link's target: {}", error.shown());
            mode.error = Some(text);
            let host = mode.targets.first().and_then(|t| t.host().map(str::to_owned));
            state.failed(host.as_deref(), &error);
        }
    }
    Vec::new()
}

pub(super) fn mode_key(state: &mut State, mut dialog: ModeDialog, key: &KeyEvent) -> Vec<Effect> {
    if is_close(key) {
        return Vec::new();
    }
    // Characters typed in the octal field are the field's.
    let typed = dialog.field == ModeField::Octal && matches!(key.code, KeyCode::Char(_));
    let action = super::dialog_keys::bound(state, KeyContext::Mode, key);
    match (action, dialog.field) {
        (Some(Action::ModeApply), _) => return apply_mode(state, dialog),
        (Some(Action::ModeNextField), _) => dialog.move_focus(1),
        (Some(Action::ModePreviousField), _) => dialog.move_focus(-1),
        (Some(Action::ModeDown), ModeField::Octal) if !typed => dialog.field = ModeField::Grid,
        (_, ModeField::Octal) => dialog.edit_octal(key),
        (Some(Action::ModeUp), ModeField::Grid) => dialog.move_cell(-1, 0),
        (Some(Action::ModeDown), ModeField::Grid) => dialog.move_cell(1, 0),
        (Some(Action::ModeLeft), ModeField::Grid) => dialog.move_cell(0, -1),
        (Some(Action::ModeRight), ModeField::Grid) => dialog.move_cell(0, 1),
        (Some(Action::ModeToggle), ModeField::Grid) => dialog.toggle(),
        (Some(Action::ModeUp), ModeField::Recursive) => dialog.field = ModeField::Grid,
        (Some(Action::ModeToggle | Action::ModeLeft | Action::ModeRight), ModeField::Recursive) => {
            dialog.recursive = !dialog.recursive;
        }
        _ => {}
    }
    state.dialogs.push(Dialog::Mode(dialog));
    Vec::new()
}

fn apply_mode(state: &mut State, mut dialog: ModeDialog) -> Vec<Effect> {
    let Some(mode) = crate::app::dialog::parse_octal(dialog.octal.text()) else {
        dialog.error = Some("type an octal mode, e.g. 644 or 2775".into());
        state.dialogs.push(Dialog::Mode(dialog));
        return Vec::new();
    };
    let recursive = dialog.recursive && dialog.has_dirs;
    state.pane_mut(dialog.side).clear_selection();
    state.hint(format!("changing the mode of {}…", plural(dialog.targets.len())));
    vec![Effect::Chmod { targets: dialog.targets, mode, recursive }]
}

pub(super) fn start_chown(state: &mut State) {
    let (locations, entries) = targets(state);
    if entries.is_empty() {
        state.hint("nothing to change: no entry under the cursor");
        return;
    }
    let current = entries.iter().map(|e| (e.owner.clone(), e.group.clone())).collect();
    let has_dirs = entries.iter().any(Entry::is_dir_like);
    state.dialogs.push(Dialog::Owner(OwnerDialog::new(state.focus, locations, current, has_dirs)));
}

pub(super) fn owner_key(state: &mut State, mut dialog: OwnerDialog, key: &KeyEvent) -> Vec<Effect> {
    match key.code {
        _ if is_close(key) => return Vec::new(),
        KeyCode::Enter => return apply_owner(state, dialog),
        KeyCode::Tab | KeyCode::Down => dialog.move_focus(1),
        KeyCode::BackTab | KeyCode::Up => dialog.move_focus(-1),
        KeyCode::Char(' ') | KeyCode::Left | KeyCode::Right if dialog.field == OwnerField::Recursive => {
            dialog.recursive = !dialog.recursive;
        }
        _ => {
            if let Some(input) = dialog.input_mut()
                && input.handle(key)
            {
                dialog.error = None;
            }
        }
    }
    state.dialogs.push(Dialog::Owner(dialog));
    Vec::new()
}

fn apply_owner(state: &mut State, mut dialog: OwnerDialog) -> Vec<Effect> {
    let change = match dialog.change() {
        Ok(change) => change,
        Err(message) => {
            dialog.error = Some(message);
            state.dialogs.push(Dialog::Owner(dialog));
            return Vec::new();
        }
    };
    if change.owner.is_none() && change.group.is_none() {
        state.hint("owner and group unchanged");
        return Vec::new();
    }
    let recursive = dialog.recursive && dialog.has_dirs;
    state.pane_mut(dialog.side).clear_selection();
    state.hint(format!("changing the owner of {}…", plural(dialog.targets.len())));
    vec![Effect::Chown { targets: dialog.targets, owner: change.owner, group: change.group, recursive }]
}
