//! Keys while a dialog is open. The top dialog is taken off the stack,
//! handled, and put back unless the key closed it.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{act, attributes, create, file_ops, hosts, navigation, selection};
use crate::app::dialog::{
    DeleteDialog, Dialog, HostPicker, InputDialog, PromptAnswer, PromptDialog, Purpose, Question, SyncStage,
    text_answer,
};
use crate::app::effect::Effect;
use crate::app::help::{self, HelpTopic};
use crate::app::menu::MENU;
use crate::app::state::State;
use crate::choices::{Action, KeyContext};
use crate::config::Key;

pub(super) fn handle(state: &mut State, key: &KeyEvent) -> Vec<Effect> {
    state.needs_render = true;
    if dialog_help(state, key) {
        return Vec::new();
    }
    let Some(dialog) = state.dialogs.pop() else { return Vec::new() };
    match dialog {
        Dialog::Help { scroll, topic } => help(state, scroll, topic, key),
        Dialog::Menu { selected } => menu(state, selected, key),
        Dialog::Input(dialog) => input(state, dialog, key),
        Dialog::Delete(dialog) => delete(state, dialog, key),
        Dialog::Viewer(viewer) => super::viewer::key(state, viewer, key),
        Dialog::HostPicker(picker) => picker_key(state, picker, key),
        Dialog::HostEdit(dialog) => super::host_edit::key(state, dialog, key),
        dialog @ Dialog::Connecting { .. } => {
            state.dialogs.push(dialog);
            if key.code == KeyCode::Esc || is_ctrl_c(key) { hosts::cancel(state) } else { Vec::new() }
        }
        Dialog::Prompt(dialog) => prompt(state, dialog, key),
        Dialog::Copy(dialog) => super::jobs::key(state, *dialog, key),
        Dialog::Overwrite(dialog) => super::jobs_panel::overwrite_key(state, dialog, key),
        Dialog::JobDetails { job, cursor, scroll } => {
            super::jobs_panel::details_key(state, job, cursor, scroll, key)
        }
        Dialog::Messages { back } => super::messages::key(state, back, key),
        Dialog::LogEntry { back } => super::messages::log_entry_key(state, back, key),
        Dialog::Quit(dialog) => super::quit::key(state, dialog, key),
        Dialog::Mode(dialog) => attributes::mode_key(state, dialog, key),
        Dialog::Owner(dialog) => attributes::owner_key(state, dialog, key),
        Dialog::Link(dialog) => create::link_key(state, dialog, key),
        Dialog::Sync(dialog) => super::sync::key(state, dialog, key),
        Dialog::Find(dialog) => super::find::key(state, dialog, key),
    }
}

/// ctrl-c closes whatever dialog is open (as Esc does) and never quits
/// from one: the quit action asks first, from the panes.
pub(super) fn is_ctrl_c(key: &KeyEvent) -> bool {
    key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL)
}

pub(super) fn is_close(key: &KeyEvent) -> bool {
    matches!(key.code, KeyCode::Esc | KeyCode::F(10)) || is_ctrl_c(key)
}

/// The action the keymap binds `key` to in the dialog place `context`.
pub(super) fn bound(state: &State, context: KeyContext, key: &KeyEvent) -> Option<Action> {
    state.keymap.action_in(context, &Key::from_event(key))
}

/// The help scrolls with its keys (the keymap's help place); any other
/// key closes it.
fn help(state: &mut State, scroll: usize, topic: HelpTopic, key: &KeyEvent) -> Vec<Effect> {
    let max = help::max_scroll(&state.keymap, topic, state.size);
    let page = usize::from(help::inner_size(state.size, max + 1).1).saturating_sub(1).max(1);
    let scroll = match state.keymap.action_in(KeyContext::Help, &Key::from_event(key)) {
        Some(Action::HelpUp) => scroll.saturating_sub(1),
        Some(Action::HelpDown) => scroll + 1,
        Some(Action::HelpPageUp) => scroll.saturating_sub(page),
        Some(Action::HelpPageDown) => scroll + page,
        Some(Action::HelpTop) => 0,
        Some(Action::HelpBottom) => max,
        _ => return Vec::new(),
    };
    state.dialogs.push(Dialog::Help { scroll: scroll.min(max), topic });
    Vec::new()
}

/// F1 over a dialog other than the viewer (which reads F1 from its own
/// keys), a text question and the help itself: the keys of that dialog
/// from the keymap when it has a place there, else the dialogs' fixed keys.
fn dialog_help(state: &mut State, key: &KeyEvent) -> bool {
    if key.code != KeyCode::F(1) {
        return false;
    }
    let Some(dialog) = state.dialogs.last() else { return false };
    let topic = match dialog {
        Dialog::Help { .. } | Dialog::Viewer(_) => return false,
        Dialog::Prompt(prompt) => match prompt.question {
            Question::HostKey(_) | Question::Confirm { .. } => HelpTopic::Keys(KeyContext::Confirm),
            _ => return false,
        },
        _ => match place(dialog) {
            Some(context) => HelpTopic::Keys(context),
            None => HelpTopic::Dialogs,
        },
    };
    state.dialogs.push(Dialog::Help { scroll: 0, topic });
    true
}

/// The keymap place whose keys `dialog` reads, if its keys are in the keymap.
fn place(dialog: &Dialog) -> Option<KeyContext> {
    Some(match dialog {
        Dialog::Messages { .. } | Dialog::LogEntry { .. } => KeyContext::Messages,
        Dialog::JobDetails { .. } => KeyContext::Details,
        Dialog::HostPicker(_) => KeyContext::Picker,
        Dialog::Copy(_) => KeyContext::CopyDialog,
        Dialog::Delete(_) => KeyContext::Confirm,
        Dialog::Overwrite(_) => KeyContext::Overwrite,
        Dialog::Quit(_) => KeyContext::Quit,
        Dialog::Menu { .. } => KeyContext::Menu,
        Dialog::Mode(_) => KeyContext::Mode,
        Dialog::Sync(sync) if matches!(sync.stage, SyncStage::Preview { .. }) => KeyContext::SyncPlan,
        Dialog::Find(find) if find.results.is_some() => KeyContext::FindResults,
        _ => return None,
    })
}

fn menu(state: &mut State, selected: usize, key: &KeyEvent) -> Vec<Effect> {
    let last = MENU.len() - 1;
    if is_close(key) {
        return Vec::new();
    }
    let selected = match bound(state, KeyContext::Menu, key) {
        Some(Action::MenuRun) => return act::act(state, MENU[selected.min(last)]),
        Some(Action::MenuClose) => return Vec::new(),
        Some(Action::MenuUp) => selected.checked_sub(1).unwrap_or(last),
        Some(Action::MenuDown) => (selected + 1) % MENU.len(),
        Some(Action::MenuTop) => 0,
        Some(Action::MenuBottom) => last,
        _ => selected,
    };
    state.dialogs.push(Dialog::Menu { selected });
    Vec::new()
}

fn input(state: &mut State, mut dialog: InputDialog, key: &KeyEvent) -> Vec<Effect> {
    if let Purpose::Filter { side } = dialog.purpose {
        return filter(state, dialog, side, key);
    }
    if is_close(key) {
        return Vec::new();
    }
    if key.code == KeyCode::Enter {
        return submit(state, dialog);
    }
    let is_go_to = matches!(dialog.purpose, Purpose::GoTo { .. });
    if is_go_to && key.code == KeyCode::Tab {
        let changed = navigation::complete(&mut dialog);
        state.dialogs.push(Dialog::Input(dialog));
        return if changed { navigation::request_completions(state) } else { Vec::new() };
    }
    if is_go_to && matches!(key.code, KeyCode::Down | KeyCode::Up) && !dialog.completions.is_empty() {
        let current = dialog.completions.iter().position(|c| c == dialog.input.text());
        let n = dialog.completions.len();
        let next = match (current, key.code) {
            (None, KeyCode::Down) => 0,
            (None, _) => n - 1,
            (Some(i), KeyCode::Down) => (i + 1) % n,
            (Some(i), _) => (i + n - 1) % n,
        };
        let text = dialog.completions[next].clone();
        dialog.input.set(&text);
        state.dialogs.push(Dialog::Input(dialog));
        return Vec::new();
    }
    let before = dialog.input.text().to_owned();
    dialog.input.handle(key);
    let changed = dialog.input.text() != before;
    if changed {
        dialog.error = None;
    }
    state.dialogs.push(Dialog::Input(dialog));
    if changed && is_go_to { navigation::request_completions(state) } else { Vec::new() }
}

/// The filter edits the pane live; arrows still move the cursor.
fn filter(
    state: &mut State,
    mut dialog: InputDialog,
    side: crate::app::side::Side,
    key: &KeyEvent,
) -> Vec<Effect> {
    match key.code {
        _ if is_close(key) => {
            selection::set_filter(state, side, "");
            return Vec::new();
        }
        KeyCode::Enter => return Vec::new(),
        KeyCode::Up => state.pane_mut(side).move_by(-1),
        KeyCode::Down => state.pane_mut(side).move_by(1),
        KeyCode::PageUp | KeyCode::PageDown => {
            let page = state.pane(side).rows as isize;
            state.pane_mut(side).move_by(if key.code == KeyCode::PageUp { -page } else { page });
        }
        KeyCode::Backspace if dialog.input.text().is_empty() => return Vec::new(),
        _ => {
            dialog.input.handle(key);
            selection::set_filter(state, side, dialog.input.text());
        }
    }
    state.dialogs.push(Dialog::Input(dialog));
    Vec::new()
}

fn submit(state: &mut State, dialog: InputDialog) -> Vec<Effect> {
    let text = dialog.input.text().to_owned();
    let result = match dialog.purpose.clone() {
        Purpose::Mkdir { side } => file_ops::mkdir(state, side, &text),
        Purpose::Touch { side } => create::touch(state, side, &text),
        Purpose::Rename { side, sources } => file_ops::rename(state, side, sources, &text),
        Purpose::GoTo { side } => Ok(navigation::go_to(state, side, &text)),
        Purpose::SelectGlob { side } => selection::apply_glob(state, side, &text, true).map(|()| Vec::new()),
        Purpose::UnselectGlob { side } => {
            selection::apply_glob(state, side, &text, false).map(|()| Vec::new())
        }
        Purpose::Bookmark { target } => hosts::add_bookmark(state, target, &text),
        Purpose::Filter { .. } => Ok(Vec::new()),
    };
    match result {
        Ok(effects) => effects,
        Err(message) => {
            state.dialogs.push(Dialog::Input(InputDialog { error: Some(message), ..dialog }));
            Vec::new()
        }
    }
}

fn delete(state: &mut State, dialog: DeleteDialog, key: &KeyEvent) -> Vec<Effect> {
    match bound(state, KeyContext::Confirm, key) {
        _ if is_close(key) => Vec::new(),
        Some(Action::ConfirmYes | Action::ConfirmDefault) => file_ops::confirm_delete(state, dialog),
        Some(Action::ConfirmNo) => Vec::new(),
        _ => {
            state.dialogs.push(Dialog::Delete(dialog));
            Vec::new()
        }
    }
}

fn picker_key(state: &mut State, mut picker: HostPicker, key: &KeyEvent) -> Vec<Effect> {
    if is_close(key) {
        return Vec::new();
    }
    match bound(state, KeyContext::Picker, key) {
        Some(Action::PickerOpen) => return hosts::choose(state, picker),
        Some(Action::PickerUp) => picker.move_by(-1),
        Some(Action::PickerDown) => picker.move_by(1),
        Some(Action::PickerPageUp) => picker.move_by(-10),
        Some(Action::PickerPageDown) => picker.move_by(10),
        Some(Action::PickerRemove) => {
            state.dialogs.push(Dialog::HostPicker(picker));
            return hosts::forget(state);
        }
        Some(Action::PickerEdit) => return super::host_edit::start(state, picker),
        Some(Action::PickerAsRoot) => super::as_root::toggle_in_picker(state, &picker),
        _ => {
            if picker.input.handle(key) {
                picker.selected = 0;
                picker.refilter();
            }
        }
    }
    state.dialogs.push(Dialog::HostPicker(picker));
    Vec::new()
}

fn prompt(state: &mut State, mut dialog: PromptDialog, key: &KeyEvent) -> Vec<Effect> {
    let answer = match dialog.question {
        Question::HostKey(_) | Question::Confirm { .. } => match bound(state, KeyContext::Confirm, key) {
            _ if is_close(key) => PromptAnswer::No,
            Some(Action::ConfirmYes) => PromptAnswer::Yes,
            Some(Action::ConfirmNo | Action::ConfirmDefault) => PromptAnswer::No,
            _ => {
                state.dialogs.push(Dialog::Prompt(dialog));
                return Vec::new();
            }
        },
        Question::Message { .. } => match key.code {
            KeyCode::Enter | KeyCode::Char(' ') => PromptAnswer::Ok,
            _ if is_close(key) => PromptAnswer::Ok,
            _ => {
                state.dialogs.push(Dialog::Prompt(dialog));
                return Vec::new();
            }
        },
        _ => match key.code {
            _ if is_close(key) => PromptAnswer::Cancelled,
            KeyCode::Enter if dialog.field + 1 >= dialog.inputs.len() => {
                text_answer(&dialog.question, dialog.inputs.iter().map(|i| i.text().to_owned()).collect())
            }
            KeyCode::Enter | KeyCode::Tab | KeyCode::Down => {
                dialog.field = (dialog.field + 1).min(dialog.inputs.len().saturating_sub(1));
                state.dialogs.push(Dialog::Prompt(dialog));
                return Vec::new();
            }
            KeyCode::Up | KeyCode::BackTab => {
                dialog.field = dialog.field.saturating_sub(1);
                state.dialogs.push(Dialog::Prompt(dialog));
                return Vec::new();
            }
            _ => {
                if let Some(input) = dialog.inputs.get_mut(dialog.field) {
                    input.handle(key);
                }
                state.dialogs.push(Dialog::Prompt(dialog));
                return Vec::new();
            }
        },
    };
    // Declining ends the attempt, as in OpenSSH; the connection then reports why.
    vec![Effect::Answer { reply: dialog.reply, answer }]
}
