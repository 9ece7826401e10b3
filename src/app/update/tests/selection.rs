//! Selection, filter, hidden files, sorting.

use super::*;

#[test]
fn selection_by_key_glob_and_inversion_with_totals() {
    let mut state = loaded(4);
    update(&mut state, key(KeyCode::Down));
    update(&mut state, key(KeyCode::Insert));
    update(&mut state, key(KeyCode::Char(' ')));
    let pane = &state.panes[0];
    assert_eq!((pane.selected_count, pane.selected_bytes, pane.cursor), (2, 10 + 11, 4));
    update(&mut state, key(KeyCode::Char('*')));
    assert_eq!(state.panes[0].selected_count, 3, "sub, f002, f003");
    update(&mut state, key(KeyCode::Char('-')));
    update(&mut state, key(KeyCode::Backspace));
    typed(&mut state, "f*");
    update(&mut state, key(KeyCode::Enter));
    assert_eq!(state.panes[0].selected_count, 1);
    update(&mut state, key(KeyCode::Char('+')));
    update(&mut state, ctrl('u'));
    typed(&mut state, "f00[02]");
    update(&mut state, key(KeyCode::Enter));
    let selected: Vec<_> = state.panes[0].targets().iter().map(|e| e.display_name()).collect();
    assert_eq!(selected, ["sub", "f000", "f002"]);
    update(&mut state, key(KeyCode::Char('+')));
    typed(&mut state, "[");
    update(&mut state, key(KeyCode::Enter));
    let Some(Dialog::Input(dialog)) = state.dialogs.last() else { panic!("a bad glob keeps the dialog") };
    assert!(dialog.error.as_ref().unwrap().contains("bad pattern"));
}

#[test]
fn filter_narrows_as_you_type_and_esc_clears_it() {
    let mut state = loaded(12);
    update(&mut state, key(KeyCode::Char('/')));
    typed(&mut state, "f1");
    assert_eq!(names(&state, Side::Left), ["f001", "f010", "f011"]);
    update(&mut state, key(KeyCode::Down));
    assert_eq!(current(&state), "f010");
    update(&mut state, key(KeyCode::Enter));
    assert!(state.dialogs.is_empty());
    assert_eq!(state.panes[0].filter, "f1", "Enter keeps the filter");
    update(&mut state, key(KeyCode::Char('/')));
    update(&mut state, key(KeyCode::Esc));
    assert_eq!(state.panes[0].shown(), 13);
    assert_eq!(current(&state), "f010");
}

#[test]
fn hidden_toggle_applies_to_both_panes() {
    let mut state = loaded(1);
    update(&mut state, key(KeyCode::Char('.')));
    assert!(names(&state, Side::Left).contains(&".hidden".to_owned()));
    assert!(state.panes[1].show_hidden);
    update(&mut state, key(KeyCode::Char('.')));
    assert!(!names(&state, Side::Left).contains(&".hidden".to_owned()));
}

#[test]
fn sorting_keys_and_reversal_keep_the_cursor_entry() {
    let mut state = loaded(3);
    update(&mut state, key(KeyCode::Down));
    update(&mut state, alt('s'));
    assert_eq!(names(&state, Side::Left), ["sub", "f000", "f001", "f002"]);
    update(&mut state, alt('s'));
    assert_eq!(names(&state, Side::Left), ["sub", "f002", "f001", "f000"]);
    assert_eq!(current(&state), "f000");
    update(&mut state, alt('r'));
    assert!(!state.panes[0].sort.reverse);
    update(&mut state, alt('t'));
    assert_eq!(state.panes[0].sort.key, crate::choices::SortKey::Mtime);
    update(&mut state, alt('e'));
    update(&mut state, alt('n'));
    assert_eq!(state.panes[0].sort.key, crate::choices::SortKey::Name);
}
