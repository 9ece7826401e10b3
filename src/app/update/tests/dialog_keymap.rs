//! Dialog keys come from the keymap: a rebound key works in its dialog and
//! the old one no longer does; F1 over a dialog lists its keys as bound.

use std::path::Path;

use super::quit::{job, publish, waiting};
use super::*;
use crate::app::help::{HelpTopic, rows};
use crate::choices::{KeyContext, OverwritePolicy};
use crate::jobs::{Control, JobId, JobState, OverwriteAnswer};

/// `state` with the keymap file `bindings` (the lines of `[bindings]`),
/// which must read without a problem.
fn rebound(state: &mut State, bindings: &str) {
    let (keymap, problems) = Keymap::from_file(Path::new("k.toml"), &format!("[bindings]\n{bindings}\n"));
    assert!(problems.is_empty(), "{problems:?}");
    state.keymap = keymap;
}

/// F1 over the open dialog: the help's topic and its rows.
fn help_over(state: &mut State) -> (HelpTopic, Vec<(String, String)>) {
    update(state, key(KeyCode::F(1)));
    let Some(Dialog::Help { topic, .. }) = state.dialogs.last() else { panic!("{:?}", state.dialogs.last()) };
    let topic = *topic;
    let listed = rows(&state.keymap, topic);
    update(state, key(KeyCode::Esc));
    (topic, listed)
}

#[test]
fn the_picker_opens_and_moves_with_its_rebound_keys() {
    let mut state = loaded(1);
    rebound(&mut state, "picker_open = [\"ctrl-o\"]\npicker_down = [\"f6\"]");
    update(&mut state, key(KeyCode::F(2)));
    typed(&mut state, "web1");
    let (topic, listed) = help_over(&mut state);
    assert_eq!(topic, HelpTopic::Keys(KeyContext::Picker));
    assert!(
        listed.iter().any(|(k, d)| k == "ctrl-o" && d.starts_with("Open the highlighted host")),
        "{listed:?}"
    );
    // Tab is no longer "next entry": it reaches the text field, which ignores it.
    update(&mut state, key(KeyCode::Tab));
    let Some(Dialog::HostPicker(picker)) = state.dialogs.last() else { panic!() };
    assert_eq!((picker.input.text(), picker.selected), ("web1", 0));
    assert!(update(&mut state, key(KeyCode::Enter)).is_empty(), "Enter no longer opens");
    assert!(matches!(state.dialogs.last(), Some(Dialog::HostPicker(_))));
    let effects = update(&mut state, ctrl('o'));
    assert!(matches!(effects.first(), Some(Effect::Connect { host, .. }) if host == "web1"), "{effects:?}");
}

#[test]
fn the_picker_edits_with_its_rebound_key() {
    let mut state = loaded(1);
    rebound(&mut state, "picker_edit = [\"f7\"]");
    state.recent.hosts = vec!["web1".into()];
    update(&mut state, key(KeyCode::F(2)));
    typed(&mut state, "web1");
    update(&mut state, key(KeyCode::F(4)));
    assert!(matches!(state.dialogs.last(), Some(Dialog::HostPicker(_))), "f4 is nothing now");
    update(&mut state, key(KeyCode::F(7)));
    let Some(Dialog::HostEdit(edit)) = state.dialogs.last() else { panic!("{:?}", state.dialogs.last()) };
    assert_eq!(edit.host.text(), "web1");
}

#[test]
fn the_copy_dialog_starts_and_changes_fields_with_its_rebound_keys() {
    let mut state = loaded(1);
    rebound(&mut state, "copy_start = [\"ctrl-s\"]\ncopy_next_field = [\"f2\"]");
    update(&mut state, key(KeyCode::F(5)));
    let field = |state: &State| match state.dialogs.last() {
        Some(Dialog::Copy(dialog)) => dialog.field,
        other => panic!("{other:?}"),
    };
    let first = field(&state);
    update(&mut state, key(KeyCode::Tab));
    assert_eq!(field(&state), first, "tab is not next field any more");
    update(&mut state, key(KeyCode::F(2)));
    assert_ne!(field(&state), first);
    update(&mut state, key(KeyCode::Up));
    assert_eq!(field(&state), first, "up is still previous field");
    assert!(update(&mut state, key(KeyCode::Enter)).is_empty(), "Enter no longer starts");
    assert!(matches!(state.dialogs.last(), Some(Dialog::Copy(_))));
    let (topic, listed) = help_over(&mut state);
    assert_eq!(topic, HelpTopic::Keys(KeyContext::CopyDialog));
    assert!(listed.iter().any(|(k, d)| k == "ctrl-s" && d.starts_with("Start")), "{listed:?}");
    let effects = update(&mut state, ctrl('s'));
    assert!(matches!(effects.as_slice(), [Effect::Submit(_)]), "{effects:?}");
}

#[test]
fn the_copy_dialogs_option_keys_edit_text_on_a_text_field() {
    let mut state = loaded(1);
    rebound(&mut state, "copy_option_next = [\"x\"]");
    update(&mut state, key(KeyCode::F(5)));
    update(&mut state, key(KeyCode::End));
    update(&mut state, key(KeyCode::Char('x')));
    let Some(Dialog::Copy(dialog)) = state.dialogs.last() else { panic!() };
    assert_eq!(dialog.input.text(), "/otherx", "on the target, x is typed");
}

#[test]
fn the_overwrite_question_answers_with_its_rebound_keys() {
    let mut state = loaded(1);
    rebound(&mut state, "overwrite_skip = [\"x\"]\noverwrite_all = [\"ctrl-a\"]");
    publish(&mut state, vec![waiting(1)]);
    update(&mut state, alt('j'));
    update(&mut state, key(KeyCode::Enter));
    assert!(matches!(state.dialogs.last(), Some(Dialog::Overwrite(_))));
    let (topic, listed) = help_over(&mut state);
    assert_eq!(topic, HelpTopic::Keys(KeyContext::Overwrite));
    assert!(listed.iter().any(|(k, d)| k == "x" && d == "Skip"), "{listed:?}");
    assert!(update(&mut state, key(KeyCode::Char('s'))).is_empty(), "s is no answer now");
    assert!(update(&mut state, key(KeyCode::Char('a'))).is_empty());
    let Some(Dialog::Overwrite(dialog)) = state.dialogs.last() else { panic!() };
    assert!(!dialog.all, "a no longer applies to all");
    update(&mut state, ctrl('a'));
    let effects = update(&mut state, key(KeyCode::Char('x')));
    let answer = OverwriteAnswer { policy: OverwritePolicy::Skip, all: true };
    assert!(
        matches!(effects.as_slice(), [Effect::Jobs(Control::Answer(JobId(1), _, a))] if *a == answer),
        "{effects:?}"
    );
}

#[test]
fn the_delete_question_confirms_with_its_rebound_key() {
    let mut state = loaded(2);
    rebound(&mut state, "confirm_yes = [\"j\"]\nconfirm_default = []");
    update(&mut state, key(KeyCode::F(8)));
    assert!(matches!(state.dialogs.last(), Some(Dialog::Delete(_))));
    let (topic, listed) = help_over(&mut state);
    assert_eq!(topic, HelpTopic::Keys(KeyContext::Confirm));
    assert!(
        listed.iter().any(|(k, d)| k == "(unbound)" && d.starts_with("The question's default")),
        "{listed:?}"
    );
    assert!(update(&mut state, key(KeyCode::Char('y'))).is_empty(), "y no longer deletes");
    assert!(update(&mut state, key(KeyCode::Enter)).is_empty(), "nor Enter, unbound");
    assert!(matches!(state.dialogs.last(), Some(Dialog::Delete(_))));
    let effects = update(&mut state, key(KeyCode::Char('j')));
    assert!(matches!(effects.as_slice(), [Effect::Delete { .. }]), "{effects:?}");
}

#[test]
fn a_host_key_question_reads_the_same_rebound_keys() {
    let mut state = loaded(1);
    rebound(&mut state, "confirm_no = [\"x\"]");
    let (tx, _rx) = std::sync::mpsc::channel();
    let reply = Reply::new(tx);
    let question = Question::Confirm { host: "db".into(), text: "Warning: the key differs".into() };
    update(&mut state, Msg::Prompt { question, reply });
    let (topic, _) = help_over(&mut state);
    assert_eq!(topic, HelpTopic::Keys(KeyContext::Confirm));
    assert!(update(&mut state, key(KeyCode::Char('n'))).is_empty(), "n is no answer now");
    let effects = update(&mut state, key(KeyCode::Char('x')));
    assert!(matches!(effects.as_slice(), [Effect::Answer { answer: PromptAnswer::No, .. }]), "{effects:?}");
}

#[test]
fn the_quit_question_answers_with_its_rebound_keys() {
    let mut state = loaded(1);
    rebound(&mut state, "quit_cancel = [\"x\"]");
    publish(&mut state, vec![job(1, JobState::Running)]);
    update(&mut state, key(KeyCode::Char('q')));
    let (topic, listed) = help_over(&mut state);
    assert_eq!(topic, HelpTopic::Keys(KeyContext::Quit));
    assert!(listed.iter().any(|(k, d)| k == "x" && d.starts_with("Cancel the jobs")), "{listed:?}");
    assert!(update(&mut state, key(KeyCode::Char('c'))).is_empty());
    assert!(matches!(state.dialogs.last(), Some(Dialog::Quit(_))) && !state.quit, "c is no answer now");
    let effects = update(&mut state, key(KeyCode::Char('x')));
    assert!(matches!(effects.as_slice(), [Effect::Jobs(Control::Cancel(JobId(1)))]), "{effects:?}");
    assert!(state.quit);
}

#[test]
fn the_menu_moves_and_runs_with_its_rebound_keys() {
    let mut state = loaded(1);
    rebound(&mut state, "menu_down = [\"n\"]\nmenu_run = [\"space\"]");
    update(&mut state, key(KeyCode::F(9)));
    update(&mut state, key(KeyCode::Char('j')));
    assert!(matches!(state.dialogs.last(), Some(Dialog::Menu { selected: 0 })), "j is not down now");
    update(&mut state, key(KeyCode::Char('n')));
    assert!(matches!(state.dialogs.last(), Some(Dialog::Menu { selected: 1 })));
    let (topic, _) = help_over(&mut state);
    assert_eq!(topic, HelpTopic::Keys(KeyContext::Menu));
    update(&mut state, key(KeyCode::Enter));
    assert!(matches!(state.dialogs.last(), Some(Dialog::Menu { selected: 1 })), "Enter does not run now");
    update(&mut state, key(KeyCode::Char(' ')));
    assert!(!matches!(state.dialogs.last(), Some(Dialog::Menu { .. })), "space ran the entry");
}

#[test]
fn the_change_mode_grid_toggles_with_its_rebound_key_and_digits_stay_typed() {
    let mut state = loaded(2);
    rebound(&mut state, "mode_toggle = [\"x\"]\nmode_down = [\"down\", \"2\"]");
    update(&mut state, alt('m'));
    let octal = |state: &State| match state.dialogs.last() {
        Some(Dialog::Mode(dialog)) => (dialog.octal.text().to_owned(), dialog.field),
        other => panic!("{other:?}"),
    };
    update(&mut state, ctrl('u'));
    typed(&mut state, "752");
    assert_eq!(octal(&state), ("752".to_owned(), crate::app::dialog::ModeField::Octal), "2 is typed there");
    update(&mut state, key(KeyCode::Down));
    update(&mut state, key(KeyCode::Char(' ')));
    assert_eq!(octal(&state).0, "752", "space toggles nothing now");
    update(&mut state, key(KeyCode::Char('x')));
    assert_eq!(octal(&state).0, "0352", "x toggled the owner's read bit");
    let (topic, listed) = help_over(&mut state);
    assert_eq!(topic, HelpTopic::Keys(KeyContext::Mode));
    assert!(listed.iter().any(|(k, d)| k == "x" && d.starts_with("Toggle the bit")), "{listed:?}");
}
