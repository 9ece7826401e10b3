//! Results about what panes show: listings, watcher events, free space,
//! directory sizes. Results for a directory the pane has left are dropped.

use std::path::Path;

use crate::app::effect::Effect;
use crate::app::history::Nav;
use crate::app::messages::Note;
use crate::app::pane::{FreeSpace, Received};
use crate::app::side::Side;
use crate::app::state::State;
use crate::app::work_error::WorkError;
use crate::fs::Location;

pub(super) fn listed(
    state: &mut State,
    side: Side,
    generation: u64,
    result: Result<Vec<crate::fs::Entry>, WorkError>,
) -> Vec<Effect> {
    let received = state.pane_mut(side).receive(generation, result);
    let location = state.pane(side).location.clone();
    match received {
        Received::Stale => Vec::new(),
        Received::Failed { location, error, fallback } => failed(state, side, &location, &error, fallback),
        Received::Shown { moved, changed } => {
            state.needs_render = true;
            let mut effects = Vec::new();
            if moved {
                let dir = match &location {
                    Location::Local(path) if state.settings.live_refresh => Some(path.clone()),
                    _ => None,
                };
                effects.push(Effect::Watch { side, dir });
            }
            effects.extend(super::recent_dirs::remember(state, &location));
            effects.push(Effect::FreeSpace { side, location });
            if changed {
                effects.push(super::panes::reload(state, side));
            }
            effects
        }
    }
}

/// A listing failed: say why, about the host; go to the request's
/// fallback when it has one (a remote start path that does not exist: the
/// host's home, not this machine's directory the pane showed while
/// connecting).
fn failed(
    state: &mut State,
    side: Side,
    location: &Location,
    error: &WorkError,
    fallback: Option<Location>,
) -> Vec<Effect> {
    state.needs_render = true;
    let Some(fallback) = fallback.filter(|f| f != location) else {
        state.failed(location.host(), error);
        return Vec::new();
    };
    let note = format!("{}; showing {fallback} instead", error.logged());
    state.report(Note::warn(&note).on(location.host()));
    // The reason is in the status line and the log; the pane moves on.
    state.pane_mut(side).error = None;
    super::panes::navigate(state, side, fallback, None, Nav::Visit)
}

/// The watcher saw a change: reload the pane if it still shows that
/// directory. While a listing of it is on its way, one more follows it
/// instead: that one may have read the directory before the change, and
/// the watcher reports a change once.
pub(super) fn dir_changed(state: &mut State, side: Side, dir: &Path) -> Vec<Effect> {
    let is_dir = |location: &Location| matches!(location, Location::Local(path) if path == dir);
    let pane = state.pane_mut(side);
    if let Some(pending) = &mut pane.pending {
        pending.changed |= is_dir(&pending.location);
        return Vec::new();
    }
    if !is_dir(&pane.location) {
        return Vec::new();
    }
    vec![super::panes::reload(state, side)]
}

pub(super) fn free_space(
    state: &mut State,
    side: Side,
    location: &Location,
    result: Result<u64, WorkError>,
) -> Vec<Effect> {
    if &state.pane(side).location != location {
        return Vec::new();
    }
    state.needs_render = true;
    let now = match &result {
        Ok(bytes) => FreeSpace::Known(*bytes),
        Err(error) => FreeSpace::Unknown(error.logged()),
    };
    let before = std::mem::replace(&mut state.pane_mut(side).free_space, now.clone());
    // The footer says it is unknown; the log says why, once per reason
    // (reloads of the same directory ask again).
    if let (FreeSpace::Unknown(why), true) = (&now, now != before) {
        let text = format!("free space of {} unknown: {why}", location.path().display());
        state.messages.post(Note::debug(&text).on(location.host()));
    }
    Vec::new()
}

pub(super) fn dir_size(
    state: &mut State,
    side: Side,
    location: &Location,
    result: Result<u64, WorkError>,
) -> Vec<Effect> {
    let pane = state.pane_mut(side);
    let Some(name) = location.path().file_name() else { return Vec::new() };
    if location.parent().as_ref() != Some(&pane.location) {
        return Vec::new();
    }
    match result {
        Ok(bytes) => {
            pane.set_dir_size(name.to_os_string(), bytes);
            state.hint(format!("{}: {}", location, crate::text::human_size(bytes)));
        }
        Err(error) => state.failed(location.host(), &error),
    }
    state.needs_render = true;
    Vec::new()
}
