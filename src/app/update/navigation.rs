//! Moving between directories: open, parent, history, go-to with
//! completion, refresh, synchronized browsing.

use super::panes::{navigate, resolve};
use crate::app::dialog::{Dialog, InputDialog, Purpose};
use crate::app::effect::Effect;
use crate::app::history::Nav;
use crate::app::side::Side;
use crate::app::state::State;
use crate::app::target::Target;
use crate::fs::Location;
use crate::text::escape_str;

pub(super) fn open(state: &mut State) -> Vec<Effect> {
    let side = state.focus;
    if state.pane(side).on_up_row() {
        return parent(state);
    }
    let pane = state.pane(side);
    let Some(entry) = pane.current() else { return Vec::new() };
    if !entry.is_dir_like() {
        return super::file_ops::view(state);
    }
    let name = entry.name.clone();
    let location = pane.location.join(&name);
    let mut effects = navigate(state, side, location, None, Nav::Visit);
    if state.sync_browsing {
        let other = state.pane(side.other());
        if other.entries.iter().any(|e| e.name == name && e.is_dir_like()) {
            let location = other.location.join(&name);
            effects.extend(navigate(state, side.other(), location, None, Nav::Visit));
        } else {
            state.warn(format!(
                "synchronized browsing: the other pane has no directory {}",
                crate::text::escape_bytes(std::os::unix::ffi::OsStrExt::as_bytes(name.as_os_str()))
            ));
        }
    }
    effects
}

pub(super) fn parent(state: &mut State) -> Vec<Effect> {
    let mut effects = parent_of(state, state.focus);
    if state.sync_browsing {
        effects.extend(parent_of(state, state.focus.other()));
    }
    effects
}

fn parent_of(state: &mut State, side: Side) -> Vec<Effect> {
    let pane = state.pane(side);
    let Some(location) = pane.location.parent() else { return Vec::new() };
    let came_from = pane.location.path().file_name().map(|n| n.to_os_string());
    navigate(state, side, location, came_from, Nav::Visit)
}

pub(super) fn back(state: &mut State) -> Vec<Effect> {
    let side = state.focus;
    match state.pane(side).history.peek_back().cloned() {
        Some(location) => navigate(state, side, location, None, Nav::Back),
        None => {
            state.hint("no earlier directory in this pane's history");
            Vec::new()
        }
    }
}

pub(super) fn forward(state: &mut State) -> Vec<Effect> {
    let side = state.focus;
    match state.pane(side).history.peek_forward().cloned() {
        Some(location) => navigate(state, side, location, None, Nav::Forward),
        None => {
            state.hint("no later directory in this pane's history");
            Vec::new()
        }
    }
}

pub(super) fn toggle_sync(state: &mut State) {
    state.sync_browsing = !state.sync_browsing;
    let word = if state.sync_browsing { "on" } else { "off" };
    state.hint(format!("synchronized browsing {word}"));
}

pub(super) fn start_go_to(state: &mut State) -> Vec<Effect> {
    let side = state.focus;
    let path = state.pane(side).location.path().to_string_lossy().into_owned();
    let text = if path.ends_with('/') { path } else { format!("{path}/") };
    state.dialogs.push(Dialog::Input(InputDialog::new(Purpose::GoTo { side }, &text)));
    request_completions(state)
}

/// Asks for completions of the go-to text (after every edit).
pub(super) fn request_completions(state: &mut State) -> Vec<Effect> {
    let token = state.token();
    let Some(Dialog::Input(dialog)) = state.dialogs.last() else { return Vec::new() };
    let Purpose::GoTo { side } = dialog.purpose else { return Vec::new() };
    let typed = dialog.input.text().to_owned();
    if typed.starts_with(LOCAL_PREFIX) {
        // On this machine while the pane is on a host: no completions.
        if let Some(Dialog::Input(dialog)) = state.dialogs.last_mut() {
            dialog.token = token;
            dialog.completions.clear();
        }
        return Vec::new();
    }
    let (dir_part, prefix) = match typed.rfind('/') {
        Some(slash) => (&typed[..=slash], &typed[slash + 1..]),
        None => ("", typed.as_str()),
    };
    let dir = resolve(state, side, dir_part);
    let prefix = prefix.to_owned();
    if let Some(Dialog::Input(dialog)) = state.dialogs.last_mut() {
        dialog.token = token;
        dialog.completions.clear();
    }
    vec![Effect::Complete { token, dir, prefix }]
}

/// Completion names arrived: shown as full texts under the field.
pub(super) fn completed(state: &mut State, token: u64, names: Vec<String>) -> Vec<Effect> {
    if let Some(Dialog::Input(dialog)) = state.dialogs.last_mut()
        && dialog.token == token
    {
        let typed = dialog.input.text();
        let dir_part = typed.rfind('/').map_or("", |slash| &typed[..=slash]);
        dialog.completions = names.iter().map(|name| format!("{dir_part}{name}/")).collect();
        state.needs_render = true;
    }
    Vec::new()
}

/// Tab in go-to: the only completion, or the completions' common prefix.
pub(super) fn complete(dialog: &mut InputDialog) -> bool {
    let Some(first) = dialog.completions.first() else { return false };
    let mut common = first.clone();
    for other in &dialog.completions[1..] {
        let shared = common.char_indices().zip(other.chars()).take_while(|((_, a), b)| a == b).count();
        let end = common.char_indices().nth(shared).map_or(common.len(), |(i, _)| i);
        common.truncate(end);
    }
    if common.len() > dialog.input.text().len() {
        dialog.input.set(&common);
        return true;
    }
    false
}

/// What go-to reads as "on this machine": `local:` alone is the last local
/// directory a pane showed, `local:PATH` a path there (relative ones below
/// that directory).
pub(crate) const LOCAL_PREFIX: &str = "local:";

/// Enter in go-to: a path on the pane's host, `host:path` for another host,
/// or `local:[PATH]` for this machine.
pub(super) fn go_to(state: &mut State, side: Side, text: &str) -> Vec<Effect> {
    let text = text.trim();
    if text.is_empty() {
        return Vec::new();
    }
    if let Some(rest) = text.strip_prefix(LOCAL_PREFIX) {
        let path = match rest {
            "" => state.last_local_dir(),
            "~" => state.home.clone(),
            _ => match rest.strip_prefix("~/") {
                Some(below) => state.home.join(below),
                None => state.last_local_dir().join(rest),
            },
        };
        let location = Location::Local(super::panes::normalize(&path));
        return navigate(state, side, location, None, Nav::Visit);
    }
    match Target::parse(text, false) {
        Ok(target @ Target::Remote { .. }) => return super::hosts::open_target(state, side, target),
        Ok(Target::Local(_)) => {}
        Err(e) => {
            state.error(escape_str(&e.to_string()));
            return Vec::new();
        }
    }
    let location = resolve(state, side, text);
    navigate(state, side, location, None, Nav::Visit)
}
