//! update() behaviour, action by action.

use std::ffi::OsString;
use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

use super::*;
use crate::app::dialog::{Answer, Counts, HostKeyQuestion, KbdPrompt, Question, Reply, ViewContent};
use crate::app::msg::Op;
use crate::config::{Config, Keymap};
use crate::fs::{Entry, Kind, Location, Mtime};

fn entry(name: &str, kind: Kind, size: u64) -> Entry {
    Entry {
        name: OsString::from(name),
        kind,
        size,
        mode: 0o644,
        mtime: Mtime { secs: size as i64, nanos: 0 },
        owner: "u".into(),
        group: "g".into(),
        link: None,
    }
}

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn ctrl(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

fn alt(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::ALT))
}

fn typed(state: &mut State, text: &str) -> Vec<Effect> {
    text.chars().flat_map(|c| update(state, key(KeyCode::Char(c)))).collect()
}

fn local(path: &str) -> Location {
    Location::Local(PathBuf::from(path))
}

/// The generation of the single List effect for `side`.
fn listing(effects: &[Effect], side: Side) -> (u64, Location) {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::List { side: s, generation, location } if *s == side => {
                Some((*generation, location.clone()))
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("no listing for {side:?} in {effects:?}"))
}

fn files(n: usize) -> Vec<Entry> {
    let mut entries: Vec<Entry> =
        (0..n).map(|i| entry(&format!("f{i:03}"), Kind::File, 10 + i as u64)).collect();
    entries.push(entry("sub", Kind::Dir, 0));
    entries.push(entry(".hidden", Kind::File, 1));
    entries
}

/// A state whose left pane shows /top with `n` files, a directory and a dot file.
fn loaded(n: usize) -> State {
    let mut state = State::new(PathBuf::from("/top"), PathBuf::from("/other"), jiff::tz::TimeZone::UTC);
    state.home = PathBuf::from("/home/me");
    update(&mut state, Msg::Resize { width: 80, height: 14 });
    let effects = start(&mut state);
    let (generation, _) = listing(&effects, Side::Left);
    update(&mut state, Msg::Listed { side: Side::Left, generation, result: Ok(files(n)) });
    let (generation, _) = listing(&effects, Side::Right);
    let right = vec![entry("sub", Kind::Dir, 0), entry("r1", Kind::File, 5)];
    update(&mut state, Msg::Listed { side: Side::Right, generation, result: Ok(right) });
    state
}

fn names(state: &State, side: Side) -> Vec<String> {
    let pane = state.pane(side);
    (0..pane.len()).map(|i| pane.row(i).unwrap().0.display_name()).collect()
}

fn current(state: &State) -> String {
    state.focused().current().unwrap().display_name()
}

fn deliver(state: &mut State, effects: &[Effect], side: Side, entries: Vec<Entry>) -> Vec<Effect> {
    let (generation, _) = listing(effects, side);
    update(state, Msg::Listed { side, generation, result: Ok(entries) })
}

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
    assert_eq!(state.panes[0].cursor, 0);
}

#[test]
fn cursor_keys_vim_keys_and_paging() {
    let mut state = loaded(30);
    update(&mut state, key(KeyCode::Up));
    assert_eq!(state.panes[0].cursor, 0);
    update(&mut state, key(KeyCode::Char('j')));
    update(&mut state, key(KeyCode::Down));
    assert_eq!(state.panes[0].cursor, 2);
    update(&mut state, key(KeyCode::Char('k')));
    assert_eq!(state.panes[0].cursor, 1);
    update(&mut state, key(KeyCode::Char('G')));
    assert_eq!(state.panes[0].cursor, 30);
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
    update(&mut state, Msg::Listed { side: Side::Left, generation, result: Err("permission denied".into()) });
    assert_eq!(state.panes[0].location, local("/top"));
    assert!(state.status.as_ref().unwrap().error);
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
fn selection_by_key_glob_and_inversion_with_totals() {
    let mut state = loaded(4);
    update(&mut state, key(KeyCode::Down));
    update(&mut state, key(KeyCode::Insert));
    update(&mut state, key(KeyCode::Char(' ')));
    let pane = &state.panes[0];
    assert_eq!((pane.selected_count, pane.selected_bytes, pane.cursor), (2, 10 + 11, 3));
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
    assert_eq!(state.panes[0].len(), 13);
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
    assert_eq!(state.panes[0].sort.key, crate::app::SortKey::Mtime);
    update(&mut state, alt('e'));
    update(&mut state, alt('n'));
    assert_eq!(state.panes[0].sort.key, crate::app::SortKey::Name);
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
fn mkdir_then_the_pane_reloads_onto_the_new_directory() {
    let mut state = loaded(1);
    update(&mut state, key(KeyCode::F(7)));
    typed(&mut state, "new dir");
    let effects = update(&mut state, key(KeyCode::Enter));
    let [Effect::Mkdir { location }] = effects.as_slice() else { panic!("{effects:?}") };
    assert_eq!(location, &local("/top/new dir"));
    let effects =
        update(&mut state, Msg::Done { op: Op::Mkdir(location.clone()), result: Ok("created".into()) });
    let mut entries = files(1);
    entries.push(entry("new dir", Kind::Dir, 0));
    deliver(&mut state, &effects, Side::Left, entries);
    assert_eq!(current(&state), "new dir");
}

#[test]
fn rename_one_or_move_many_within_the_host() {
    let mut state = loaded(3);
    update(&mut state, key(KeyCode::Down));
    // F6 moves to the other pane; shift-F6 renames in place (as in mc).
    let shift_f6 = crossterm::event::KeyEvent::new(KeyCode::F(6), crossterm::event::KeyModifiers::SHIFT);
    update(&mut state, Msg::Key(shift_f6));
    let Some(Dialog::Input(dialog)) = state.dialogs.last() else { panic!() };
    assert_eq!(dialog.input.text(), "f000");
    typed(&mut state, ".bak");
    let effects = update(&mut state, key(KeyCode::Enter));
    let [Effect::Rename { sources, target }] = effects.as_slice() else { panic!("{effects:?}") };
    assert_eq!((sources.as_slice(), target), ([local("/top/f000")].as_slice(), &local("/top/f000.bak")));
    update(&mut state, key(KeyCode::Char('+')));
    update(&mut state, key(KeyCode::Enter));
    update(&mut state, Msg::Key(shift_f6));
    let Some(Dialog::Input(dialog)) = state.dialogs.last() else { panic!() };
    assert_eq!(dialog.input.text(), "/other/", "many entries default to the other pane's directory");
    let effects = update(&mut state, key(KeyCode::Enter));
    assert!(
        matches!(&effects[0], Effect::Rename { sources, target } if sources.len() == 4 && target == &local("/other"))
    );
}

#[test]
fn delete_asks_with_counts_computed_in_the_background() {
    let mut state = loaded(2);
    update(&mut state, key(KeyCode::Char(' ')));
    update(&mut state, key(KeyCode::Char(' ')));
    let effects = update(&mut state, key(KeyCode::F(8)));
    let [Effect::Count { token, targets }] = effects.as_slice() else { panic!("{effects:?}") };
    assert_eq!(targets, &[local("/top/sub"), local("/top/f000")]);
    let counts = Counts { files: 5, dirs: 2, bytes: 99 };
    update(&mut state, Msg::Counted { token: token + 1, result: Ok(Counts::default()) });
    update(&mut state, Msg::Counted { token: *token, result: Ok(counts) });
    let Some(Dialog::Delete(dialog)) = state.dialogs.last() else { panic!() };
    assert_eq!(dialog.counts, Some(Ok(counts)));
    assert!(update(&mut state, key(KeyCode::Char('x'))).is_empty(), "other keys do nothing");
    let effects = update(&mut state, key(KeyCode::Char('y')));
    assert!(matches!(&effects[0], Effect::Delete { targets } if targets.len() == 2));
    assert_eq!(state.panes[0].selected_count, 0);
    update(&mut state, key(KeyCode::F(8)));
    assert!(update(&mut state, key(KeyCode::Esc)).is_empty());
    assert!(state.dialogs.is_empty());
}

#[test]
fn view_loads_in_the_background_and_binary_opens_as_hex() {
    let mut state = loaded(1);
    update(&mut state, key(KeyCode::Down));
    let effects = update(&mut state, key(KeyCode::F(3)));
    let [Effect::View { token, location, limit }] = effects.as_slice() else { panic!("{effects:?}") };
    assert_eq!((location, *limit), (&local("/top/f000"), 4 * 1024 * 1024));
    update(&mut state, Msg::Viewed { token: *token, result: Ok(ViewContent::new(vec![0, 1, 2], 3)) });
    let Some(Dialog::Viewer(viewer)) = state.dialogs.last() else { panic!() };
    assert!(viewer.hex);
    update(&mut state, key(KeyCode::Char('q')));
    assert!(state.dialogs.is_empty());
    update(&mut state, key(KeyCode::Up));
    assert!(update(&mut state, key(KeyCode::F(3))).is_empty(), "directories are not viewed");
}

#[test]
fn edit_hands_the_file_to_the_configured_editor() {
    let mut state = loaded(1);
    state.settings.editor = "nano -w".into();
    update(&mut state, key(KeyCode::Down));
    let effects = update(&mut state, key(KeyCode::F(4)));
    assert!(
        matches!(&effects[0], Effect::Edit { location, editor, .. } if location == &local("/top/f000") && editor == "nano -w")
    );
}

#[test]
fn directory_sizes_on_request_count_in_the_selection() {
    let mut state = loaded(1);
    let effects = update(&mut state, ctrl(' '));
    let [Effect::DirSize { side, location }] = effects.as_slice() else { panic!("{effects:?}") };
    update(&mut state, Msg::DirSize { side: *side, location: local("/elsewhere/sub"), result: Ok(1) });
    assert!(state.panes[0].dir_sizes.is_empty());
    update(&mut state, Msg::DirSize { side: *side, location: location.clone(), result: Ok(4096) });
    assert_eq!(state.panes[0].dir_sizes.get(std::ffi::OsStr::new("sub")), Some(&4096));
    update(&mut state, key(KeyCode::Insert));
    assert_eq!(state.panes[0].selected_bytes, 4096);
}

#[test]
fn free_space_for_a_directory_left_is_dropped() {
    let mut state = loaded(1);
    update(&mut state, Msg::FreeSpace { side: Side::Left, location: local("/x"), result: Ok(1) });
    assert_eq!(state.panes[0].free_space, None);
    update(&mut state, Msg::FreeSpace { side: Side::Left, location: local("/top"), result: Ok(7) });
    assert_eq!(state.panes[0].free_space, Some(7));
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
    assert_eq!(state.panes[0].cursor, 1);
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
    assert!(status.error && status.text.starts_with("/c/config.toml:3:1: bad"));
}

fn connect_to(state: &mut State, host: &str) -> u64 {
    let effects = update(state, key(KeyCode::F(2)));
    let [Effect::LoadSshHosts { token }] = effects.as_slice() else { panic!("{effects:?}") };
    update(state, Msg::SshHosts { token: *token, hosts: vec!["db".into(), "web1".into()] });
    typed(state, host);
    let effects = update(state, key(KeyCode::Enter));
    let Some(Effect::Connect { id, host: asked }) = effects.first() else { panic!("{effects:?}") };
    assert_eq!(asked, host);
    assert!(matches!(state.dialogs.last(), Some(Dialog::Connecting { .. })));
    *id
}

#[test]
fn host_picker_connects_and_opens_the_remote_home() {
    let mut state = loaded(1);
    state.config_dir = Some(PathBuf::from("/cfg"));
    let id = connect_to(&mut state, "web1");
    update(&mut state, Msg::ConnectStage { id, stage: "authenticating".into() });
    let effects = update(&mut state, Msg::Connected { id, result: Ok(PathBuf::from("/home/web")) });
    let remote = Location::Remote { host: "web1".into(), path: "/home/web".into() };
    assert_eq!(listing(&effects, Side::Left).1, remote);
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::SaveRecent { recent, .. } if recent == &["web1".to_owned()]))
    );
    assert!(state.dialogs.is_empty());
    // Already connected: a remote target opens at once, relative to the remote home.
    let effects = open_target(
        &mut state,
        Side::Right,
        crate::app::Target::Remote { host: "web1".into(), path: Some("logs".into()) },
    );
    assert_eq!(
        listing(&effects, Side::Right).1,
        Location::Remote { host: "web1".into(), path: "/home/web/logs".into() }
    );
}

#[test]
fn connecting_can_be_cancelled_and_late_results_are_ignored() {
    let mut state = loaded(1);
    let id = connect_to(&mut state, "db");
    let effects = update(&mut state, key(KeyCode::Esc));
    assert!(effects.iter().any(|e| matches!(e, Effect::CancelConnect { id: i } if *i == id)));
    assert!(state.dialogs.is_empty());
    let effects = update(&mut state, Msg::Connected { id, result: Ok(PathBuf::from("/root")) });
    assert!(effects.is_empty());
    assert_eq!(state.panes[0].location, local("/top"));
}

#[test]
fn connection_questions_are_modal_dialogs_answered_through_the_reply() {
    let mut state = loaded(1);
    connect_to(&mut state, "db");
    let (tx, rx) = std::sync::mpsc::channel();
    let question = Question::Password { host: "db".into(), user: "me".into(), attempt: 1 };
    update(&mut state, Msg::Prompt { question, reply: Reply::new(tx.clone()) });
    typed(&mut state, "s3cret");
    let effects = update(&mut state, key(KeyCode::Enter));
    let [Effect::Answer { reply, answer }] = effects.as_slice() else { panic!("{effects:?}") };
    reply.send(answer.clone());
    assert_eq!(rx.recv().unwrap(), Answer::Secret("s3cret".into()));

    let prompts = vec![
        KbdPrompt { text: "Code: ".into(), echo: true },
        KbdPrompt { text: "Password: ".into(), echo: false },
    ];
    let question = Question::KeyboardInteractive {
        host: "db".into(),
        user: "me".into(),
        name: String::new(),
        instruction: String::new(),
        prompts,
    };
    update(&mut state, Msg::Prompt { question, reply: Reply::new(tx.clone()) });
    typed(&mut state, "123");
    assert!(update(&mut state, key(KeyCode::Enter)).is_empty(), "Enter moves to the next field");
    typed(&mut state, "pw");
    let effects = update(&mut state, key(KeyCode::Enter));
    assert!(
        matches!(&effects[0], Effect::Answer { answer: Answer::Responses(r), .. } if r == &["123", "pw"])
    );

    let question = Question::HostKey(HostKeyQuestion {
        host: "db".into(),
        key_type: "ssh-ed25519".into(),
        fingerprint: "SHA256:x".into(),
        known_hosts_file: "/k".into(),
        known_key_types: Vec::new(),
    });
    update(&mut state, Msg::Prompt { question: question.clone(), reply: Reply::new(tx.clone()) });
    assert!(update(&mut state, key(KeyCode::Char('z'))).is_empty());
    let effects = update(&mut state, key(KeyCode::Char('y')));
    assert!(matches!(&effects[0], Effect::Answer { answer: Answer::Yes, .. }));
    update(&mut state, Msg::Prompt { question, reply: Reply::new(tx.clone()) });
    let effects = update(&mut state, key(KeyCode::Esc));
    assert!(matches!(&effects[0], Effect::Answer { answer: Answer::No, .. }));

    let question = Question::Passphrase { key: "k".into(), attempt: 2 };
    update(&mut state, Msg::Prompt { question, reply: Reply::new(tx) });
    let effects = update(&mut state, key(KeyCode::Esc));
    assert!(matches!(&effects[0], Effect::Answer { answer: Answer::Cancelled, .. }));
    assert!(
        matches!(state.dialogs.last(), Some(Dialog::Connecting { .. })),
        "the connection goes on reporting"
    );
}

#[test]
fn bookmarks_are_added_and_saved() {
    let mut state = loaded(1);
    state.config_dir = Some(PathBuf::from("/cfg"));
    update(&mut state, key(KeyCode::Char('b')));
    let effects = update(&mut state, key(KeyCode::Enter));
    assert!(
        matches!(&effects[0], Effect::SaveBookmarks { bookmarks, .. } if bookmarks[0].name == "top" && bookmarks[0].target == "/top")
    );
    update(&mut state, key(KeyCode::F(2)));
    let Some(Dialog::HostPicker(picker)) = state.dialogs.last() else { panic!() };
    assert!(picker.items.iter().any(|i| i.label == "top"));
}
