//! Using a host as root through sudo: the per-host setting (config.toml's
//! `[hosts."ALIAS"] sudo = true`, toggled in the host picker and from a
//! remote pane), and the host names it gives (`web1 [sudo]`, see
//! `ssh::as_root`), which every connection, job and title then carries.

use crate::app::State;
use crate::app::dialog::HostPicker;
use crate::app::effect::Effect;
use crate::app::target::Target;
use crate::fs::Location;
use crate::ssh::{plain_host, root_host};

/// `host` named as the setting says: with the root mark or without.
pub(super) fn host_for(state: &State, host: &str) -> String {
    let plain = plain_host(host);
    if state.wants_root(plain) { root_host(plain) } else { plain.to_owned() }
}

fn toggle(state: &mut State, host: &str) -> bool {
    let on = !state.wants_root(host);
    state.settings.hosts.entry(plain_host(host).to_owned()).or_default().sudo = on;
    state.needs_render = true;
    on
}

/// The picker's toggle: the highlighted item's host, or the typed one.
pub(super) fn toggle_in_picker(state: &mut State, picker: &HostPicker) {
    let text = match picker.chosen() {
        Some(item) => item.target.clone(),
        None => picker.input.text().trim().to_owned(),
    };
    if let Ok(Target::Remote { host, .. }) = Target::parse(&text, true) {
        toggle(state, &host);
    }
}

/// The menu's toggle on the focused pane: its host opened again as root
/// (or as the login user), at the same directory.
pub(super) fn toggle_pane(state: &mut State) -> Vec<Effect> {
    let side = state.focus;
    let Location::Remote { host, path } = state.pane(side).location.clone() else {
        state.warn("as root: this pane is not on a remote host");
        return Vec::new();
    };
    let on = toggle(state, &host);
    let plain = plain_host(&host).to_owned();
    let what = if on { "as root through sudo" } else { "as yourself" };
    state.info(format!("opening {plain} {what}"));
    super::hosts::open_target(state, side, Target::Remote { host: plain, path: Some(path) })
}
