//! Change mode, change owner, symlink and empty file: from key to effect,
//! and the reload when they are done.

use super::*;
use crate::app::dialog::{LinkField, ModeField, OwnerField};
use crate::app::menu::MENU;

fn shift(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::SHIFT))
}

fn mode_dialog(state: &State) -> &crate::app::dialog::ModeDialog {
    match state.dialogs.last() {
        Some(Dialog::Mode(dialog)) => dialog,
        other => panic!("{other:?}"),
    }
}

#[test]
fn chmod_a_directory_recursively_with_octal_and_grid() {
    let mut state = loaded(2);
    assert_eq!(current(&state), "sub");
    update(&mut state, alt('m'));
    let dialog = mode_dialog(&state);
    assert_eq!((dialog.octal.text(), dialog.has_dirs, dialog.field), ("0644", true, ModeField::Octal));
    update(&mut state, ctrl('u'));
    typed(&mut state, "755");
    assert_eq!(mode_dialog(&state).mode, 0o755);
    // Down into the grid, to group/write, toggle it on.
    for code in [KeyCode::Down, KeyCode::Down, KeyCode::Right, KeyCode::Char(' ')] {
        update(&mut state, key(code));
    }
    assert_eq!(mode_dialog(&state).octal.text(), "0775");
    update(&mut state, key(KeyCode::Tab));
    assert_eq!(mode_dialog(&state).field, ModeField::Recursive);
    update(&mut state, key(KeyCode::Char(' ')));
    let effects = update(&mut state, key(KeyCode::Enter));
    let [Effect::Chmod { targets, mode, recursive }] = effects.as_slice() else { panic!("{effects:?}") };
    assert_eq!((targets.as_slice(), *mode, *recursive), ([local("/top/sub")].as_slice(), 0o775, true));
    assert!(state.dialogs.is_empty());
    let done = Msg::Done { op: Op::Chmod(targets.clone()), result: Ok("mode set".into()) };
    let effects = update(&mut state, done);
    assert_eq!(listing(&effects, Side::Left).1, local("/top"), "the pane reloads");
    assert_eq!(state.status.as_ref().map(|s| s.text.as_str()), Some("mode set"));
}

#[test]
fn chmod_of_several_files_gives_them_one_mode_and_no_recursion() {
    let mut state = loaded(3);
    update(&mut state, key(KeyCode::Down));
    update(&mut state, key(KeyCode::Insert));
    update(&mut state, key(KeyCode::Insert));
    update(&mut state, alt('m'));
    let dialog = mode_dialog(&state);
    assert_eq!((dialog.targets.len(), dialog.has_dirs), (2, false));
    assert_eq!(dialog.title(), "Change mode of 2 entries");
    // The octal field refuses what is not octal; an empty one is refused on Enter.
    typed(&mut state, "9x");
    assert_eq!(mode_dialog(&state).octal.text(), "0644");
    for _ in 0..4 {
        update(&mut state, key(KeyCode::Backspace));
    }
    assert!(update(&mut state, key(KeyCode::Enter)).is_empty());
    assert!(mode_dialog(&state).error.is_some(), "the dialog stays with an error");
    typed(&mut state, "600");
    update(&mut state, key(KeyCode::Tab));
    update(&mut state, key(KeyCode::Tab));
    assert_eq!(mode_dialog(&state).field, ModeField::Octal, "files: no recursive field to Tab to");
    let effects = update(&mut state, key(KeyCode::Enter));
    let [Effect::Chmod { targets, mode: 0o600, recursive: false }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(targets, &[local("/top/f000"), local("/top/f001")]);
    assert_eq!(state.panes[0].selected_count, 0, "the selection is done with");
    update(&mut state, alt('m'));
    assert!(update(&mut state, key(KeyCode::Esc)).is_empty() && state.dialogs.is_empty());
}

#[test]
fn chmod_of_a_symlink_starts_from_its_targets_mode() {
    let mut state = loaded(1);
    let effects = update(&mut state, ctrl('r'));
    let mut link = entry("ln", Kind::Symlink, 3);
    link.mode = 0o777;
    deliver(&mut state, &effects, Side::Left, vec![link]);
    let effects = update(&mut state, alt('m'));
    let [Effect::ModeOf { token, location }] = effects.as_slice() else { panic!("{effects:?}") };
    assert_eq!(location, &local("/top/ln"));
    assert!(mode_dialog(&state).waiting);
    update(&mut state, Msg::ModeOf { token: token + 1, result: Ok(Some(0o600)) });
    assert_eq!(mode_dialog(&state).mode, 0o777, "another dialog's answer is ignored");
    update(&mut state, Msg::ModeOf { token: *token, result: Ok(Some(0o640)) });
    let dialog = mode_dialog(&state);
    assert_eq!((dialog.octal.text(), dialog.waiting), ("0640", false));
    update(&mut state, key(KeyCode::Esc));
    let effects = update(&mut state, alt('m'));
    let [Effect::ModeOf { token, .. }] = effects.as_slice() else { panic!("{effects:?}") };
    update(&mut state, Msg::ModeOf { token: *token, result: Ok(None) });
    assert!(mode_dialog(&state).error.as_deref().is_some_and(|e| e.contains("points at nothing")));
}

#[test]
fn chown_asks_only_for_what_changed_and_shows_a_refusal() {
    let mut state = loaded(1);
    update(&mut state, key(KeyCode::Down));
    update(&mut state, alt('u'));
    let Some(Dialog::Owner(dialog)) = state.dialogs.last() else { panic!("{:?}", state.dialogs) };
    assert_eq!((dialog.owner.text(), dialog.group.text(), dialog.has_dirs), ("u", "g", false));
    assert!(update(&mut state, key(KeyCode::Enter)).is_empty(), "nothing changed");
    assert_eq!(state.status.as_ref().map(|s| s.text.as_str()), Some("owner and group unchanged"));
    update(&mut state, alt('u'));
    update(&mut state, key(KeyCode::Tab));
    update(&mut state, ctrl('u'));
    typed(&mut state, "wheel");
    let effects = update(&mut state, key(KeyCode::Enter));
    let [Effect::Chown { targets, owner: None, group: Some(group), recursive: false }] = effects.as_slice()
    else {
        panic!("{effects:?}")
    };
    assert_eq!((targets.as_slice(), group.as_str()), ([local("/top/f000")].as_slice(), "wheel"));
    let refused = crate::fs::FsError::PermissionDenied(crate::fs::Failure {
        action: "change the owner of /top/f000".into(),
        command: String::new(),
        status: None,
        said: "/top/f000: Operation not permitted \x1b[2J".into(),
    });
    let done = Msg::Done { op: Op::Chown(targets.clone()), result: Err(refused.into()) };
    let effects = update(&mut state, done);
    let status = state.status.clone().unwrap();
    assert!(status.is_error() && status.text.contains("Operation not permitted"), "{status:?}");
    assert!(!status.text.contains('\x1b'), "escaped: {status:?}");
    assert_eq!(listing(&effects, Side::Left).1, local("/top"), "reloaded even so");
}

#[test]
fn chown_of_a_directory_offers_recursion_and_refuses_bad_names() {
    let mut state = loaded(1);
    update(&mut state, alt('u'));
    for code in [KeyCode::Tab, KeyCode::Tab] {
        update(&mut state, key(code));
    }
    let Some(Dialog::Owner(dialog)) = state.dialogs.last() else { panic!() };
    assert_eq!(dialog.field, OwnerField::Recursive);
    update(&mut state, key(KeyCode::Char(' ')));
    update(&mut state, key(KeyCode::Tab));
    typed(&mut state, ":x");
    assert!(update(&mut state, key(KeyCode::Enter)).is_empty());
    let Some(Dialog::Owner(dialog)) = state.dialogs.last() else { panic!() };
    assert!(dialog.error.is_some() && dialog.recursive);
    update(&mut state, key(KeyCode::Backspace));
    update(&mut state, key(KeyCode::Backspace));
    let effects = update(&mut state, key(KeyCode::Enter));
    assert!(matches!(
        effects.as_slice(),
        [Effect::Chown { owner: Some(o), group: Some(g), recursive: true, .. }] if o == "u" && g == "g"
    ));
}

#[test]
fn symlink_points_at_the_other_panes_entry_and_refuses_a_taken_name() {
    let mut state = loaded(1);
    update(&mut state, alt('k'));
    let Some(Dialog::Link(dialog)) = state.dialogs.last() else { panic!("{:?}", state.dialogs) };
    assert_eq!((dialog.name.text(), dialog.target.text()), ("sub", "/other/sub"));
    assert_eq!(dialog.field, LinkField::Name);
    assert!(update(&mut state, key(KeyCode::Enter)).is_empty());
    let Some(Dialog::Link(dialog)) = state.dialogs.last() else { panic!() };
    assert_eq!(dialog.error.as_deref(), Some("sub exists already"));
    update(&mut state, ctrl('u'));
    typed(&mut state, "to-sub");
    update(&mut state, key(KeyCode::Tab));
    update(&mut state, ctrl('u'));
    typed(&mut state, "../other//sub/");
    let effects = update(&mut state, key(KeyCode::Enter));
    let [Effect::Symlink { target, link }] = effects.as_slice() else { panic!("{effects:?}") };
    assert_eq!(target, "../other//sub/", "kept exactly as typed");
    assert_eq!(link, &local("/top/to-sub"));
    let done = Msg::Done { op: Op::Symlink(link.clone()), result: Ok("linked".into()) };
    let effects = update(&mut state, done);
    let mut entries = files(1);
    entries.push(entry("to-sub", Kind::Symlink, 3));
    deliver(&mut state, &effects, Side::Left, entries);
    assert_eq!(current(&state), "to-sub", "the cursor lands on the new link");
}

#[test]
fn symlink_on_another_host_points_at_the_entry_here() {
    let mut state = loaded(1);
    state.panes[1].location = Location::Remote { host: "h".into(), path: "/other".into() };
    update(&mut state, key(KeyCode::Down));
    update(&mut state, alt('k'));
    let Some(Dialog::Link(dialog)) = state.dialogs.last() else { panic!() };
    assert_eq!((dialog.name.text(), dialog.target.text()), ("", "/top/f000"));
    assert!(update(&mut state, key(KeyCode::Enter)).is_empty(), "a name is needed");
    typed(&mut state, "alias");
    let effects = update(&mut state, key(KeyCode::Enter));
    assert!(matches!(
        effects.as_slice(),
        [Effect::Symlink { target, link }] if target == "/top/f000" && link == &local("/top/alias")
    ));
}

#[test]
fn touch_creates_an_empty_file_and_refuses_an_existing_name() {
    let mut state = loaded(1);
    update(&mut state, shift(KeyCode::F(4)));
    let Some(Dialog::Input(dialog)) = state.dialogs.last() else { panic!("{:?}", state.dialogs) };
    assert_eq!(dialog.title(), "Create empty file");
    typed(&mut state, "f000");
    assert!(update(&mut state, key(KeyCode::Enter)).is_empty());
    let Some(Dialog::Input(dialog)) = state.dialogs.last() else { panic!() };
    assert_eq!(dialog.error.as_deref(), Some("f000 exists already"));
    update(&mut state, ctrl('u'));
    typed(&mut state, "new file.txt");
    let effects = update(&mut state, key(KeyCode::Enter));
    let [Effect::Touch { location }] = effects.as_slice() else { panic!("{effects:?}") };
    assert_eq!(location, &local("/top/new file.txt"));
    let done = Msg::Done { op: Op::Touch(location.clone()), result: Ok("created".into()) };
    let effects = update(&mut state, done);
    let mut entries = files(1);
    entries.push(entry("new file.txt", Kind::File, 0));
    deliver(&mut state, &effects, Side::Left, entries);
    assert_eq!(current(&state), "new file.txt");
}

#[test]
fn the_four_are_in_the_menu_and_can_be_rebound() {
    for action in [Action::Chmod, Action::Chown, Action::Symlink, Action::Touch] {
        assert!(MENU.contains(&action), "{action:?}");
    }
    let mut state = loaded(1);
    let at = MENU.iter().position(|a| *a == Action::Chown).unwrap();
    update(&mut state, key(KeyCode::F(9)));
    for _ in 0..at {
        update(&mut state, key(KeyCode::Down));
    }
    update(&mut state, key(KeyCode::Enter));
    assert!(matches!(state.dialogs.last(), Some(Dialog::Owner(_))), "{:?}", state.dialogs);
    update(&mut state, key(KeyCode::Esc));
    let (keymap, problems) =
        Keymap::from_file(std::path::Path::new("k.toml"), "[bindings]\nchmod = [\"ctrl-x\"]\n");
    assert!(problems.is_empty());
    state.keymap = keymap;
    assert!(update(&mut state, alt('m')).is_empty() && state.dialogs.is_empty(), "alt-m unbound");
    update(&mut state, ctrl('x'));
    assert!(matches!(state.dialogs.last(), Some(Dialog::Mode(_))));
}
