//! Disconnecting a remote pane's host: the panes on it go back to the last
//! local directory; transfers to and from the host go on (each holds its
//! own connection until it ends).

use crate::app::effect::Effect;
use crate::app::history::Nav;
use crate::app::messages::Note;
use crate::app::side::Side;
use crate::app::state::State;
use crate::fs::Location;

pub(super) fn disconnect(state: &mut State) -> Vec<Effect> {
    let Some(host) = state.focused().location.host().map(str::to_owned) else {
        state.hint("this pane is on this machine: there is no host to disconnect");
        return Vec::new();
    };
    state.connected.remove(&host);
    state.talkative.remove(&host);
    let mut effects = vec![Effect::Disconnect { host: host.clone() }];
    let local = Location::Local(state.last_local_dir());
    for side in [Side::Left, Side::Right] {
        let pane = state.pane(side);
        let on_host = |location: &Location| location.host() == Some(host.as_str());
        if on_host(&pane.location) || pane.pending.as_ref().is_some_and(|p| on_host(&p.location)) {
            effects.extend(super::panes::navigate(state, side, local.clone(), None, Nav::Visit));
        }
    }
    let note = format!("disconnected from {host}; transfers to and from it go on until they end");
    state.report(Note::info(&note).host(&host));
    effects
}
