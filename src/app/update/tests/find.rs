//! Find (Alt-?): the form, results as they stream, cancel, jump, copy.

use super::*;
use crate::app::dialog::{Dialog, FindField};
use crate::fs::{FindEnd, Found, KindFilter};

fn found(path: &str, kind: Kind) -> Found {
    Found { path: PathBuf::from(path), kind, size: 7, mtime: Mtime::default() }
}

fn dialog(state: &State) -> &crate::app::dialog::FindDialog {
    match state.dialogs.last() {
        Some(Dialog::Find(dialog)) => dialog,
        other => panic!("{other:?}"),
    }
}

/// Opens find, types a name, starts the search: returns its token.
fn search(state: &mut State, name: &str) -> u64 {
    assert!(update(state, alt('?')).is_empty());
    typed(state, name);
    let effects = update(state, key(KeyCode::Enter));
    match effects.as_slice() {
        [Effect::Find { token, location, query }] => {
            assert_eq!(location, &local("/top"));
            assert_eq!(query.root, PathBuf::from("/top"));
            assert_eq!(query.name, name);
            *token
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn alt_question_mark_is_bound_to_find_and_nothing_else_is() {
    let keymap = Keymap::default();
    let key = crate::config::Key::parse("alt-?").unwrap();
    assert_eq!(keymap.action(&key), Some(Action::Find));
    let shifted = KeyEvent::new(KeyCode::Char('?'), KeyModifiers::ALT | KeyModifiers::SHIFT);
    assert_eq!(keymap.action(&crate::config::Key::from_event(&shifted)), Some(Action::Find));
    let holders: Vec<Action> =
        Action::ALL.iter().copied().filter(|a| a.default_keys().contains(&"alt-?")).collect();
    assert_eq!(holders, [Action::Find]);
}

#[test]
fn the_form_takes_filters_and_refuses_bad_ones() {
    let mut state = loaded(3);
    update(&mut state, alt('?'));
    typed(&mut state, "*.log");
    update(&mut state, key(KeyCode::Tab));
    assert_eq!(dialog(&state).field, FindField::Glob);
    update(&mut state, key(KeyCode::Char(' ')));
    update(&mut state, key(KeyCode::Tab));
    update(&mut state, key(KeyCode::Char(' ')));
    update(&mut state, key(KeyCode::Tab));
    update(&mut state, key(KeyCode::Right));
    assert_eq!(dialog(&state).kind, KindFilter::File);
    update(&mut state, key(KeyCode::Tab));
    typed(&mut state, "2k");
    update(&mut state, key(KeyCode::Tab));
    typed(&mut state, "lots");
    assert!(update(&mut state, key(KeyCode::Enter)).is_empty());
    assert!(dialog(&state).error.as_deref().unwrap().starts_with("smaller than"));
    for _ in 0..4 {
        update(&mut state, key(KeyCode::Backspace));
    }
    update(&mut state, key(KeyCode::Tab));
    typed(&mut state, "3h");
    update(&mut state, key(KeyCode::Tab));
    typed(&mut state, "needle");
    let effects = update(&mut state, key(KeyCode::Enter));
    let [Effect::Find { query, .. }] = effects.as_slice() else { panic!("{effects:?}") };
    assert_eq!((query.name.as_str(), query.glob, query.case_sensitive), ("*.log", true, true));
    assert_eq!((query.kind, query.larger_than, query.smaller_than), (KindFilter::File, Some(2048), None));
    assert_eq!((query.modified_within_minutes, query.contains.as_deref()), (Some(180), Some("needle")));
}

#[test]
fn results_stream_in_and_stale_ones_are_dropped() {
    let mut state = loaded(3);
    let token = search(&mut state, "log");
    assert!(dialog(&state).results.as_ref().unwrap().running);
    update(&mut state, Msg::Found { token, batch: vec![found("/top/a.log", Kind::File)] });
    update(&mut state, Msg::Found { token: token + 100, batch: vec![found("/x", Kind::File)] });
    update(&mut state, Msg::Found { token, batch: vec![found("/top/sub/b.log", Kind::File)] });
    assert_eq!(dialog(&state).results.as_ref().unwrap().found.len(), 2);
    update(
        &mut state,
        Msg::FindEnded { token, result: Ok(FindEnd { tool: "find -printf", warnings: vec![] }) },
    );
    let results = dialog(&state).results.as_ref().unwrap();
    assert!(!results.running);
    assert_eq!(results.outcome.as_deref(), Some("done with find -printf"));
    // A late batch of an ended search changes nothing.
    update(&mut state, Msg::Found { token, batch: vec![found("/top/c", Kind::File)] });
    assert_eq!(dialog(&state).results.as_ref().unwrap().found.len(), 2);
}

#[test]
fn esc_cancels_a_running_search_then_closes() {
    let mut state = loaded(3);
    let token = search(&mut state, "x");
    let effects = update(&mut state, key(KeyCode::Esc));
    assert!(matches!(effects.as_slice(), [Effect::CancelFind { token: t }] if *t == token), "{effects:?}");
    assert_eq!(dialog(&state).results.as_ref().unwrap().outcome.as_deref(), Some("cancelled"));
    // The cancelled search's end arrives later: it is not reported over "cancelled".
    update(&mut state, Msg::FindEnded { token, result: Err(crate::fs::FsError::Cancelled.into()) });
    assert_eq!(dialog(&state).results.as_ref().unwrap().outcome.as_deref(), Some("cancelled"));
    assert!(update(&mut state, key(KeyCode::Esc)).is_empty());
    assert!(state.dialogs.is_empty());
}

#[test]
fn backspace_goes_back_to_the_form_stopping_the_search() {
    let mut state = loaded(3);
    let token = search(&mut state, "x");
    let effects = update(&mut state, key(KeyCode::Backspace));
    assert!(matches!(effects.as_slice(), [Effect::CancelFind { token: t }] if *t == token));
    assert!(dialog(&state).results.is_none());
    assert_eq!(dialog(&state).name.text(), "x");
}

#[test]
fn enter_jumps_to_the_result_with_the_cursor_on_it() {
    let mut state = loaded(3);
    state.focus = Side::Left;
    let token = search(&mut state, "b");
    let batch = vec![found("/top/a.log", Kind::File), found("/top/sub/deep/b.log", Kind::File)];
    update(&mut state, Msg::Found { token, batch });
    update(&mut state, key(KeyCode::Down));
    let effects = update(&mut state, key(KeyCode::Enter));
    assert!(matches!(effects.first(), Some(Effect::CancelFind { .. })), "{effects:?}");
    assert!(state.dialogs.is_empty());
    let (_, location) = listing(&effects, Side::Left);
    assert_eq!(location, local("/top/sub/deep"));
    deliver(&mut state, &effects, Side::Left, vec![entry("a", Kind::File, 1), entry("b.log", Kind::File, 7)]);
    assert_eq!(current(&state), "b.log");
}

#[test]
fn selected_results_from_several_directories_are_copied_in_one_job() {
    let mut state = loaded(3);
    let token = search(&mut state, "log");
    let batch = vec![
        found("/top/a.log", Kind::File),
        found("/top/sub/logs", Kind::Dir),
        found("/top/sub/deep/b.log", Kind::File),
    ];
    update(&mut state, Msg::Found { token, batch });
    update(&mut state, Msg::FindEnded { token, result: Ok(FindEnd::default()) });
    update(&mut state, key(KeyCode::Char(' ')));
    update(&mut state, key(KeyCode::Down));
    update(&mut state, key(KeyCode::Insert));
    assert_eq!(dialog(&state).results.as_ref().unwrap().selected.len(), 2);
    let effects = update(&mut state, key(KeyCode::F(5)));
    assert!(matches!(state.dialogs.last(), Some(Dialog::Copy(_))), "{:?}", state.dialogs);
    // Files only: nothing to count.
    assert!(effects.is_empty(), "{effects:?}");
    let effects = update(&mut state, key(KeyCode::Enter));
    let [Effect::Submit(spec)] = effects.as_slice() else { panic!("{effects:?}") };
    assert_eq!(spec.sources, [local("/top/a.log"), local("/top/sub/deep/b.log")]);
    assert_eq!(spec.target, local("/other"));
    // The results stay for more.
    assert!(matches!(state.dialogs.last(), Some(Dialog::Find(_))));
}

#[test]
fn warnings_and_errors_also_reach_the_status_line() {
    let mut state = loaded(3);
    let token = search(&mut state, "x");
    let warnings = vec!["find: '/top/closed': Permission denied".to_owned()];
    update(&mut state, Msg::FindEnded { token, result: Ok(FindEnd { tool: "perl", warnings }) });
    let outcome = dialog(&state).results.as_ref().unwrap().outcome.clone().unwrap();
    assert_eq!(outcome, "done with perl · 1 warning: find: '/top/closed': Permission denied");
    let status = format!("{:?}", state.status);
    assert!(status.contains("search under /top: 1 warning(s)"), "{status}");
    update(&mut state, key(KeyCode::Backspace));
    let effects = update(&mut state, key(KeyCode::Enter));
    let [Effect::Find { token, .. }] = effects.as_slice() else { panic!("{effects:?}") };
    let error = crate::fs::FsError::MissingProgram { action: "search /top".into(), program: "perl".into() };
    update(&mut state, Msg::FindEnded { token: *token, result: Err(error.into()) });
    let outcome = dialog(&state).results.as_ref().unwrap().outcome.clone().unwrap();
    assert_eq!(outcome, "cannot search /top: the host has no perl");
    assert!(format!("{:?}", state.status).contains("the host has no perl"));
}

#[test]
fn the_results_keys_come_from_the_keymap() {
    let mut state = loaded(3);
    let text = "[bindings]\nfind_select = [\"x\"]\nfind_new_search = [\"ctrl-n\"]\n";
    let (keymap, problems) = Keymap::from_file(std::path::Path::new("k.toml"), text);
    assert!(problems.is_empty(), "{problems:?}");
    state.keymap = keymap;
    let token = search(&mut state, "log");
    let batch = vec![found("/top/a.log", Kind::File), found("/top/b.log", Kind::File)];
    update(&mut state, Msg::Found { token, batch });
    update(&mut state, key(KeyCode::Char(' ')));
    assert!(dialog(&state).results.as_ref().unwrap().selected.is_empty(), "space selects nothing now");
    update(&mut state, key(KeyCode::Char('x')));
    assert_eq!(dialog(&state).results.as_ref().unwrap().selected.len(), 1);
    update(&mut state, key(KeyCode::Backspace));
    assert!(dialog(&state).results.is_some(), "backspace is not a new search now");
    let effects = update(&mut state, ctrl('n'));
    assert!(matches!(effects.as_slice(), [Effect::CancelFind { .. }]), "{effects:?}");
    assert!(dialog(&state).results.is_none(), "back to the form");
}
