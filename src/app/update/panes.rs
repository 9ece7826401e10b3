//! What the concerns of `update` share: asking for a pane's listing
//! (start-up, navigating, reloading), reading a typed path as a location
//! on the pane's host, and fitting the panes' rows to the screen. It
//! imports no other file of `update`, so they all depend on it and none
//! on each other for these.

use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};

use crate::app::effect::Effect;
use crate::app::history::Nav;
use crate::app::layout;
use crate::app::side::Side;
use crate::app::state::State;
use crate::fs::Location;

/// Effects to load both panes at start-up.
pub fn start(state: &mut State) -> Vec<Effect> {
    [Side::Left, Side::Right].into_iter().map(|side| reload(state, side)).collect()
}

/// Asks for a listing of `location` in the pane on `side`.
pub(super) fn navigate(
    state: &mut State,
    side: Side,
    location: Location,
    focus: Option<OsString>,
    nav: Nav,
) -> Vec<Effect> {
    let generation = state.pane_mut(side).request(location.clone(), focus, nav);
    vec![Effect::List { side, generation, location }]
}

/// Reloads a pane's current directory, keeping the cursor on its name.
pub fn reload(state: &mut State, side: Side) -> Effect {
    let pane = state.pane_mut(side);
    let location = pane.location.clone();
    let generation = pane.request(location.clone(), None, Nav::Stay);
    Effect::List { side, generation, location }
}

/// Fits the panes' rows to the screen and the jobs/log panel.
pub(super) fn resize_panes(state: &mut State) {
    let (width, height) = state.size;
    let rows = layout::entry_rows_with(width, height, state.jobs.panel.is_some());
    for pane in &mut state.panes {
        pane.set_rows(rows);
    }
    state.needs_render = true;
}

/// `text` as a location on the pane's host: `~` is the (local or remote)
/// home, relative paths start at the pane's directory, `.` and `..` are
/// resolved lexically.
pub(super) fn resolve(state: &State, side: Side, text: &str) -> Location {
    let pane = state.pane(side);
    let home = match pane.location.host() {
        Some(host) => state.connected.get(host).cloned().unwrap_or_else(|| PathBuf::from("/")),
        None => state.home.clone(),
    };
    let path = if text == "~" {
        home
    } else if let Some(rest) = text.strip_prefix("~/") {
        home.join(rest)
    } else {
        pane.location.path().join(text)
    };
    pane.location.with_path(normalize(&path))
}

/// Removes `.` and resolves `..` without touching the file system.
pub(super) fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::from("/");
    for component in path.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::Normal(name) => out.push(name),
            Component::RootDir | Component::CurDir | Component::Prefix(_) => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_is_lexical() {
        assert_eq!(normalize(Path::new("/a/./b/../c/")), PathBuf::from("/a/c"));
        assert_eq!(normalize(Path::new("/../..")), PathBuf::from("/"));
    }
}
