//! What one pane does with the other: swap them (ctrl-u), show one pane's
//! directory in the other (alt-o, alt-i).

use crate::app::effect::Effect;
use crate::app::history::Nav;
use crate::app::side::Side;
use crate::app::state::State;
use crate::fs::Location;

/// Swaps the panes whole (directory, cursor, selection, history); the focus
/// stays on its side. Listings on their way are asked again under the new
/// side, with generations neither pane has used, so a result for the old
/// side is dropped.
pub(super) fn swap(state: &mut State) -> Vec<Effect> {
    state.panes.swap(0, 1);
    let generation = state.panes.iter().map(|p| p.generation).max().unwrap_or(0);
    let mut effects = Vec::new();
    for side in [Side::Left, Side::Right] {
        let pane = state.pane_mut(side);
        pane.generation = generation;
        if let Some(pending) = pane.pending.take() {
            let (location, nav) = (pending.location.clone(), pending.nav);
            let generation = pane.request(location.clone(), pending.focus, nav);
            if let Some(new) = &mut pane.pending {
                new.fallback = pending.fallback;
                new.changed = pending.changed;
            }
            effects.push(Effect::List { side, generation, location });
        }
        // The watcher follows the directory to its new side.
        let dir = match &state.pane(side).location {
            Location::Local(path) if state.settings.live_refresh => Some(path.clone()),
            _ => None,
        };
        effects.push(Effect::Watch { side, dir });
    }
    super::panes::resize_panes(state);
    state.hint("panes swapped");
    effects
}

/// Shows the directory of the pane opposite `side` in the pane on `side`,
/// with the cursor on the same entry.
pub(super) fn show_in(state: &mut State, side: Side) -> Vec<Effect> {
    let from = state.pane(side.other());
    let location = from.location.clone();
    let focus = from.current().map(|e| e.name.clone());
    if state.pane(side).location == location && state.pane(side).pending.is_none() {
        state.hint("both panes show this directory already");
        return Vec::new();
    }
    super::panes::navigate(state, side, location, focus, Nav::Visit)
}
