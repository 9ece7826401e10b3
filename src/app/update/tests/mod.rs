//! update() behaviour, action by action: shared helpers here, tests by
//! concern in the submodules.

mod attributes;
mod dialog_keymap;
mod file_ops;
mod find;
mod hosts;
mod messages;
mod navigation;
mod panes;
mod quit;
mod selection;
mod sync;
mod viewer_keys;

use std::ffi::OsString;
use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

use super::*;
use crate::app::dialog::{Counts, HostKeyQuestion, KbdPrompt, PromptAnswer, Question, Reply, ViewContent};
use crate::app::msg::Op;
use crate::app::side::Side;
use crate::choices::Action;
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

/// A state whose left pane shows /top with `n` files, a directory and a
/// dot file, the cursor on the first entry (below `..`, where a listing
/// puts it).
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
    assert!(state.panes[0].on_up_row() && state.panes[1].on_up_row());
    state.panes[0].move_by(1);
    state.panes[1].move_by(1);
    state
}

/// The names of the visible entries (not the `..` row).
fn names(state: &State, side: Side) -> Vec<String> {
    let pane = state.pane(side);
    (pane.up_rows()..pane.len()).map(|i| pane.row(i).unwrap().0.display_name()).collect()
}

fn current(state: &State) -> String {
    state.focused().current().unwrap().display_name()
}

fn deliver(state: &mut State, effects: &[Effect], side: Side, entries: Vec<Entry>) -> Vec<Effect> {
    let (generation, _) = listing(effects, side);
    update(state, Msg::Listed { side, generation, result: Ok(entries) })
}
