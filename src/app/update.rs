//! `update(state, msg) -> effects`: the only place the state changes. Pure:
//! no I/O, so every behaviour here is a plain unit test.

use super::action::Action;
use super::effect::Effect;
use super::keys::action_for;
use super::msg::Msg;
use super::side::Side;
use super::state::State;
use crate::ui::layout;

/// Effects to load both panes at start-up.
pub fn start(state: &mut State) -> Vec<Effect> {
    [Side::Left, Side::Right].into_iter().map(|side| reload(state, side)).collect()
}

/// Applies one message.
pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key(key) => match action_for(&key) {
            Some(action) => act(state, action),
            None => Vec::new(),
        },
        Msg::Resize { width, height } => {
            state.size = (width, height);
            let rows = layout::entry_rows(width, height);
            for pane in &mut state.panes {
                pane.set_rows(rows);
            }
            state.needs_render = true;
            Vec::new()
        }
        Msg::Listed { side, generation, result } => {
            if state.pane_mut(side).receive(generation, result) {
                state.needs_render = true;
            }
            Vec::new()
        }
        Msg::Terminate => {
            state.quit = true;
            Vec::new()
        }
    }
}

/// Carries out one action.
pub fn act(state: &mut State, action: Action) -> Vec<Effect> {
    state.needs_render = true;
    let pane = state.focused_mut();
    let page = pane.rows.saturating_sub(1).max(1) as isize;
    match action {
        Action::Up => pane.move_by(-1),
        Action::Down => pane.move_by(1),
        Action::PageUp => pane.move_by(-page),
        Action::PageDown => pane.move_by(page),
        Action::Home => pane.move_to(0),
        Action::End => pane.move_to(usize::MAX),
        Action::Open => return open(state),
        Action::Parent => return parent(state),
        Action::SwitchPane => state.focus = state.focus.other(),
        Action::Quit => state.quit = true,
    }
    Vec::new()
}

fn open(state: &mut State) -> Vec<Effect> {
    let side = state.focus;
    let pane = state.pane_mut(side);
    let Some(entry) = pane.current().filter(|e| e.is_dir_like()) else {
        return Vec::new();
    };
    let location = pane.location.join(&entry.name);
    let generation = pane.request(location.clone(), None);
    vec![Effect::List { side, generation, location }]
}

fn parent(state: &mut State) -> Vec<Effect> {
    let side = state.focus;
    let pane = state.pane_mut(side);
    let Some(location) = pane.location.parent() else {
        return Vec::new();
    };
    let came_from = pane.location.path().file_name().map(|n| n.to_os_string());
    let generation = pane.request(location.clone(), came_from);
    vec![Effect::List { side, generation, location }]
}

/// Reloads a pane's current directory, keeping the cursor on its name.
pub fn reload(state: &mut State, side: Side) -> Effect {
    let pane = state.pane_mut(side);
    let location = pane.location.clone();
    let generation = pane.request(location.clone(), None);
    Effect::List { side, generation, location }
}

#[cfg(test)]
mod tests {
    use std::ffi::OsString;
    use std::path::PathBuf;

    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use super::*;
    use crate::fs::{Entry, Kind, Location, Mtime};

    fn entry(name: &str, kind: Kind) -> Entry {
        Entry {
            name: OsString::from(name),
            kind,
            size: 1,
            mode: 0o644,
            mtime: Mtime::default(),
            owner: "u".into(),
            group: "g".into(),
            link: None,
        }
    }

    fn key(code: KeyCode) -> Msg {
        Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
    }

    /// A state whose left pane shows /top with `n` files and one directory.
    fn loaded(n: usize) -> State {
        let mut state = State::new(PathBuf::from("/top"), PathBuf::from("/other"), jiff::tz::TimeZone::UTC);
        update(&mut state, Msg::Resize { width: 80, height: 14 });
        let effects = start(&mut state);
        let Effect::List { generation, .. } = effects[0].clone();
        let mut entries: Vec<Entry> = (0..n).map(|i| entry(&format!("f{i:03}"), Kind::File)).collect();
        entries.push(entry("sub", Kind::Dir));
        update(&mut state, Msg::Listed { side: Side::Left, generation, result: Ok(entries) });
        state
    }

    #[test]
    fn start_lists_both_panes() {
        let mut state = State::new(PathBuf::from("/a"), PathBuf::from("/b"), jiff::tz::TimeZone::UTC);
        let effects = start(&mut state);
        assert_eq!(effects.len(), 2);
        assert!(
            matches!(&effects[1], Effect::List { side: Side::Right, location, .. } if location == &Location::Local("/b".into()))
        );
    }

    #[test]
    fn directories_sort_first_and_cursor_starts_at_top() {
        let state = loaded(3);
        let names: Vec<_> = state.panes[0].entries.iter().map(|e| e.display_name()).collect();
        assert_eq!(names, ["sub", "f000", "f001", "f002"]);
        assert_eq!(state.panes[0].cursor, 0);
    }

    #[test]
    fn cursor_keys_move_and_clamp() {
        let mut state = loaded(3);
        update(&mut state, key(KeyCode::Up));
        assert_eq!(state.panes[0].cursor, 0);
        update(&mut state, key(KeyCode::Char('j')));
        update(&mut state, key(KeyCode::Down));
        assert_eq!(state.panes[0].cursor, 2);
        update(&mut state, key(KeyCode::End));
        assert_eq!(state.panes[0].cursor, 3);
        update(&mut state, key(KeyCode::Down));
        assert_eq!(state.panes[0].cursor, 3);
        update(&mut state, key(KeyCode::Char('k')));
        assert_eq!(state.panes[0].cursor, 2);
        update(&mut state, key(KeyCode::Home));
        assert_eq!(state.panes[0].cursor, 0);
    }

    #[test]
    fn page_keys_move_by_a_page_and_scroll() {
        let mut state = loaded(100);
        let rows = state.panes[0].rows;
        assert!(rows > 2);
        update(&mut state, key(KeyCode::PageDown));
        assert_eq!(state.panes[0].cursor, rows - 1);
        update(&mut state, key(KeyCode::PageDown));
        assert_eq!(state.panes[0].cursor, 2 * (rows - 1));
        assert_eq!(state.panes[0].offset, 2 * (rows - 1) + 1 - rows);
        update(&mut state, key(KeyCode::PageUp));
        assert_eq!(state.panes[0].cursor, rows - 1);
    }

    #[test]
    fn enter_opens_a_directory_and_files_do_nothing() {
        let mut state = loaded(2);
        let effects = update(&mut state, key(KeyCode::Enter));
        assert!(
            matches!(&effects[..], [Effect::List { location, .. }] if location == &Location::Local("/top/sub".into()))
        );
        update(&mut state, key(KeyCode::Down));
        // The pending listing has not arrived: the cursor still moves in /top.
        assert_eq!(state.panes[0].location, Location::Local("/top".into()));
        let effects = update(&mut state, key(KeyCode::Enter));
        assert!(effects.is_empty());
    }

    #[test]
    fn parent_puts_the_cursor_on_the_directory_we_left() {
        let mut state = State::new(PathBuf::from("/top/sub"), PathBuf::from("/"), jiff::tz::TimeZone::UTC);
        start(&mut state);
        let effects = update(&mut state, key(KeyCode::Backspace));
        let [Effect::List { generation, location, .. }] = &effects[..] else { panic!("{effects:?}") };
        assert_eq!(location, &Location::Local("/top".into()));
        let entries = vec![entry("a", Kind::Dir), entry("sub", Kind::Dir), entry("z", Kind::Dir)];
        update(&mut state, Msg::Listed { side: Side::Left, generation: *generation, result: Ok(entries) });
        assert_eq!(state.panes[0].current().unwrap().display_name(), "sub");
    }

    #[test]
    fn stale_results_are_dropped() {
        let mut state = loaded(2);
        let first = update(&mut state, key(KeyCode::Enter));
        let second = update(&mut state, key(KeyCode::Left));
        let (Effect::List { generation: old, .. }, Effect::List { generation: new, .. }) =
            (&first[0], &second[0]);
        update(
            &mut state,
            Msg::Listed { side: Side::Left, generation: *old, result: Ok(vec![entry("stale", Kind::File)]) },
        );
        assert_eq!(state.panes[0].location, Location::Local("/top".into()));
        assert!(state.panes[0].entries.iter().all(|e| e.display_name() != "stale"));
        update(
            &mut state,
            Msg::Listed { side: Side::Left, generation: *new, result: Ok(vec![entry("top", Kind::Dir)]) },
        );
        assert_eq!(state.panes[0].location, Location::Local("/".into()));
    }

    #[test]
    fn a_failed_listing_keeps_the_old_directory_and_shows_the_error() {
        let mut state = loaded(2);
        let effects = update(&mut state, key(KeyCode::Enter));
        let Effect::List { generation, .. } = effects[0].clone();
        update(
            &mut state,
            Msg::Listed { side: Side::Left, generation, result: Err("permission denied".into()) },
        );
        assert_eq!(state.panes[0].location, Location::Local("/top".into()));
        assert_eq!(state.panes[0].error.as_deref(), Some("permission denied"));
        assert_eq!(state.panes[0].entries.len(), 3);
    }

    #[test]
    fn tab_switches_focus_and_q_f10_quit() {
        let mut state = loaded(1);
        update(&mut state, key(KeyCode::Tab));
        assert_eq!(state.focus, Side::Right);
        update(&mut state, key(KeyCode::F(10)));
        assert!(state.quit);
        let mut state = loaded(1);
        update(&mut state, key(KeyCode::Char('q')));
        assert!(state.quit);
    }

    #[test]
    fn refresh_keeps_the_cursor_on_the_same_name() {
        let mut state = loaded(5);
        update(&mut state, key(KeyCode::Down));
        update(&mut state, key(KeyCode::Down));
        let name = state.panes[0].current().unwrap().name.clone();
        let Effect::List { generation, .. } = reload(&mut state, Side::Left);
        let mut entries: Vec<Entry> = (0..5).map(|i| entry(&format!("f{i:03}"), Kind::File)).collect();
        entries.insert(0, entry("aaa-new", Kind::File));
        entries.push(entry("sub", Kind::Dir));
        update(&mut state, Msg::Listed { side: Side::Left, generation, result: Ok(entries) });
        assert_eq!(state.panes[0].current().unwrap().name, name);
    }
}
