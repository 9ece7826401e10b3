//! Moving around: start-up, cursor, directories, history, go-to, sync, mouse, keymap, menu.

use super::*;

#[test]
fn start_lists_both_panes_and_the_first_listing_starts_watching() {
    let mut state = State::new(PathBuf::from("/a"), PathBuf::from("/b"), jiff::tz::TimeZone::UTC);
    let effects = start(&mut state);
    assert_eq!(listing(&effects, Side::Right).1, local("/b"));
    let after = deliver(&mut state, &effects, Side::Left, vec![]);
    assert!(
        after.iter().any(
            |e| matches!(e, Effect::Watch { side: Side::Left, dir: Some(d) } if d == &PathBuf::from("/a"))
        )
    );
    assert!(after.iter().any(|e| matches!(e, Effect::FreeSpace { side: Side::Left, .. })));
}

#[test]
fn directories_first_hidden_files_hidden_cursor_at_top() {
    let state = loaded(3);
    assert_eq!(names(&state, Side::Left), ["sub", "f000", "f001", "f002"]);
    let pane = &state.panes[0];
    assert_eq!(pane.row(0).map(|(e, selected)| (e.display_name(), selected)), Some(("..".into(), false)));
    assert_eq!((pane.len(), pane.shown()), (5, 4), "`..` is a row, not an entry");
    assert_eq!(pane.cursor, 1, "loaded() moved the cursor off `..`");
}

#[test]
fn cursor_keys_vim_keys_and_paging() {
    let mut state = loaded(30);
    update(&mut state, key(KeyCode::Up));
    assert!(state.panes[0].on_up_row());
    update(&mut state, key(KeyCode::Up));
    assert_eq!(state.panes[0].cursor, 0);
    update(&mut state, key(KeyCode::Char('j')));
    update(&mut state, key(KeyCode::Down));
    assert_eq!(state.panes[0].cursor, 2);
    update(&mut state, key(KeyCode::Char('k')));
    assert_eq!(state.panes[0].cursor, 1);
    update(&mut state, key(KeyCode::Char('G')));
    assert_eq!(state.panes[0].cursor, 31, "`..`, sub and 30 files");
    assert!(state.panes[0].offset > 0, "the view scrolls with the cursor");
    update(&mut state, key(KeyCode::Char('g')));
    assert_eq!((state.panes[0].cursor, state.panes[0].offset), (0, 0));
    update(&mut state, key(KeyCode::PageDown));
    let rows = state.panes[0].rows;
    assert_eq!(state.panes[0].cursor, rows - 1);
}

#[test]
fn open_and_parent_with_stale_results_dropped() {
    let mut state = loaded(2);
    let into_sub = update(&mut state, key(KeyCode::Enter));
    let (stale, location) = listing(&into_sub, Side::Left);
    assert_eq!(location, local("/top/sub"));
    // Leave before the listing arrives: the pane wants /top's parent now.
    let up = update(&mut state, key(KeyCode::Char('h')));
    assert_eq!(listing(&up, Side::Left).1, local("/"));
    update(
        &mut state,
        Msg::Listed { side: Side::Left, generation: stale, result: Ok(vec![entry("x", Kind::File, 1)]) },
    );
    assert_eq!(state.panes[0].location, local("/top"), "a listing for a directory the pane left is dropped");
    deliver(&mut state, &up, Side::Left, vec![entry("top", Kind::Dir, 0), entry("etc", Kind::Dir, 0)]);
    assert_eq!(state.panes[0].location, local("/"));
    assert_eq!(current(&state), "top", "the cursor lands on the directory we came from");
}

#[test]
fn failed_listing_keeps_the_pane_and_reports() {
    let mut state = loaded(2);
    let effects = update(&mut state, key(KeyCode::Enter));
    let (generation, _) = listing(&effects, Side::Left);
    let denied = crate::app::WorkError::NotConnected { host: "web".into() };
    update(&mut state, Msg::Listed { side: Side::Left, generation, result: Err(denied) });
    assert_eq!(state.panes[0].location, local("/top"));
    assert!(state.status.as_ref().unwrap().is_error());
}

#[test]
fn refresh_keeps_the_cursor_on_its_name_or_its_row() {
    let mut state = loaded(5);
    update(&mut state, key(KeyCode::Down));
    update(&mut state, key(KeyCode::Down));
    assert_eq!(current(&state), "f001");
    let effects = update(&mut state, ctrl('r'));
    let mut entries = files(5);
    entries.insert(0, entry("f0000", Kind::File, 1));
    deliver(&mut state, &effects, Side::Left, entries);
    assert_eq!(current(&state), "f001");
    let effects = update(&mut state, ctrl('r'));
    let entries: Vec<Entry> = files(5).into_iter().filter(|e| e.name != "f001").collect();
    deliver(&mut state, &effects, Side::Left, entries);
    assert_eq!(current(&state), "f003", "a vanished entry leaves the cursor on the same row");
}

#[test]
fn watcher_changes_reload_only_the_directory_shown() {
    let mut state = loaded(1);
    assert!(update(&mut state, Msg::DirChanged { side: Side::Left, dir: "/elsewhere".into() }).is_empty());
    let effects = update(&mut state, Msg::DirChanged { side: Side::Left, dir: "/top".into() });
    assert_eq!(listing(&effects, Side::Left).1, local("/top"));
}

#[test]
fn a_change_while_listing_lists_once_more_after() {
    let mut state = loaded(1);
    let effects = update(&mut state, ctrl('r'));
    assert!(update(&mut state, Msg::DirChanged { side: Side::Left, dir: "/top".into() }).is_empty());
    assert!(update(&mut state, Msg::DirChanged { side: Side::Left, dir: "/top".into() }).is_empty());
    let after = deliver(&mut state, &effects, Side::Left, files(1));
    assert_eq!(listing(&after, Side::Left).1, local("/top"), "listed again: {after:?}");
    let quiet = deliver(&mut state, &after, Side::Left, files(2));
    assert!(quiet.iter().all(|e| !matches!(e, Effect::List { .. })), "and then no more: {quiet:?}");
}

#[test]
fn back_and_forward_through_history() {
    let mut state = loaded(1);
    let effects = update(&mut state, key(KeyCode::Enter));
    deliver(&mut state, &effects, Side::Left, vec![entry("deep", Kind::File, 1)]);
    let effects = update(&mut state, key(KeyCode::Char('[')));
    assert_eq!(listing(&effects, Side::Left).1, local("/top"));
    deliver(&mut state, &effects, Side::Left, files(1));
    let effects = update(&mut state, key(KeyCode::Char(']')));
    assert_eq!(listing(&effects, Side::Left).1, local("/top/sub"));
    deliver(&mut state, &effects, Side::Left, vec![]);
    assert!(update(&mut state, key(KeyCode::Char(']'))).is_empty());
}

#[test]
fn go_to_completes_off_thread_and_navigates() {
    let mut state = loaded(1);
    let effects = update(&mut state, ctrl('g'));
    assert!(
        matches!(&effects[0], Effect::Complete { dir, prefix, .. } if dir == &local("/top") && prefix.is_empty())
    );
    update(&mut state, ctrl('u'));
    let effects = typed(&mut state, "/usr/lo");
    let Some(Effect::Complete { token, dir, prefix }) = effects.last() else { panic!("{effects:?}") };
    assert_eq!((dir, prefix.as_str()), (&local("/usr"), "lo"));
    update(&mut state, Msg::Completed { token: token - 1, result: vec!["stale".into()] });
    update(&mut state, Msg::Completed { token: *token, result: vec!["local".into(), "locale".into()] });
    update(&mut state, key(KeyCode::Tab));
    let Some(Dialog::Input(dialog)) = state.dialogs.last() else { panic!() };
    assert_eq!(dialog.input.text(), "/usr/local");
    update(&mut state, key(KeyCode::Down));
    let effects = update(&mut state, key(KeyCode::Enter));
    assert_eq!(listing(&effects, Side::Left).1, local("/usr/local"));
    update(&mut state, ctrl('g'));
    update(&mut state, ctrl('u'));
    typed(&mut state, "~/docs/../src");
    let effects = update(&mut state, key(KeyCode::Enter));
    assert_eq!(listing(&effects, Side::Left).1, local("/home/me/src"));
}

#[test]
fn synchronized_browsing_moves_both_panes() {
    let mut state = loaded(1);
    update(&mut state, ctrl('s'));
    assert!(state.sync_browsing);
    let effects = update(&mut state, key(KeyCode::Enter));
    assert_eq!(listing(&effects, Side::Right).1, local("/other/sub"));
    let effects = update(&mut state, key(KeyCode::Backspace));
    assert_eq!(listing(&effects, Side::Right).1, local("/"));
}

#[test]
fn tab_switches_and_the_mouse_focuses_moves_and_scrolls() {
    let mut state = loaded(40);
    update(&mut state, key(KeyCode::Tab));
    assert_eq!(state.focus, Side::Right);
    let click = |column, row| {
        Msg::Mouse(MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column,
            row,
            modifiers: KeyModifiers::NONE,
        })
    };
    // Left pane: border row 0, header row 1, entries from row 2.
    update(&mut state, click(5, 4));
    assert_eq!((state.focus, state.panes[0].cursor), (Side::Left, 2));
    let wheel = Msg::Mouse(MouseEvent {
        kind: MouseEventKind::ScrollDown,
        column: 5,
        row: 4,
        modifiers: KeyModifiers::NONE,
    });
    update(&mut state, wheel);
    assert_eq!(state.panes[0].offset, 3);
    assert_eq!(state.panes[0].cursor, 3, "the cursor stays on screen");
}

#[test]
fn keymap_file_bindings_drive_update() {
    let (keymap, _) =
        Keymap::from_file(std::path::Path::new("k"), "[bindings]\nquit = [\"x\"]\ndown = [\"n\"]\n");
    let mut state = loaded(3);
    state.keymap = keymap;
    update(&mut state, key(KeyCode::Char('n')));
    assert_eq!(state.panes[0].cursor, 2);
    update(&mut state, key(KeyCode::Char('q')));
    assert!(!state.quit);
    update(&mut state, key(KeyCode::Char('x')));
    assert!(state.quit);
}

#[test]
fn menu_runs_the_chosen_action_and_help_opens() {
    let mut state = loaded(1);
    update(&mut state, key(KeyCode::F(9)));
    let hidden = crate::app::MENU.iter().position(|a| *a == Action::ToggleHidden).unwrap();
    for _ in 0..hidden {
        update(&mut state, key(KeyCode::Down));
    }
    update(&mut state, key(KeyCode::Enter));
    assert!(state.panes[0].show_hidden && state.dialogs.is_empty());
    update(&mut state, key(KeyCode::F(1)));
    assert!(matches!(state.dialogs.last(), Some(Dialog::Help { .. })));
    update(&mut state, key(KeyCode::Esc));
    assert!(state.dialogs.is_empty());
}

#[test]
fn config_problems_show_in_the_status_line() {
    let problem = crate::config::ConfigError::Parse {
        path: "/c/config.toml".into(),
        line: 3,
        column: 1,
        message: "bad".into(),
    };
    let config = Config { problems: vec![problem], ..Config::default() };
    let state = State::with_config(local("/a"), local("/b"), jiff::tz::TimeZone::UTC, config);
    let status = state.status.unwrap();
    assert!(status.is_error() && status.text.starts_with("/c/config.toml:3:1: bad"));
}
