//! File operations within one host: view, edit, mkdir, rename/move,
//! delete, directory sizes, and what happens when they finish.

use crate::app::dialog::{Counts, DeleteDialog, Dialog, InputDialog, Purpose, ViewContent, Viewer};
use crate::app::effect::Effect;
use crate::app::history::Nav;
use crate::app::messages::Note;
use crate::app::msg::Op;
use crate::app::side::Side;
use crate::app::state::State;
use crate::fs::Location;

use crate::app::WorkError;

/// Locations of what an operation acts on (selection or cursor).
fn targets(state: &State, side: Side) -> Vec<Location> {
    let pane = state.pane(side);
    pane.targets().into_iter().map(|e| pane.location.join(&e.name)).collect()
}

pub(super) fn dir_size(state: &mut State) -> Vec<Effect> {
    let side = state.focus;
    let pane = state.pane(side);
    let dirs: Vec<Location> =
        pane.targets().into_iter().filter(|e| e.is_dir_like()).map(|e| pane.location.join(&e.name)).collect();
    if dirs.is_empty() {
        state.hint("no directory selected or under the cursor");
        return Vec::new();
    }
    state.hint(format!(
        "computing the size of {} director{}…",
        dirs.len(),
        if dirs.len() == 1 { "y" } else { "ies" }
    ));
    dirs.into_iter().map(|location| Effect::DirSize { side, location }).collect()
}

/// A fifo, socket or character device (or a link to one): reading it may
/// wait forever, so the viewer and the editor leave it alone.
fn blocks_a_reader(entry: &crate::fs::Entry) -> bool {
    use crate::fs::Kind;
    let kind = match &entry.link {
        Some(link) => link.kind.unwrap_or(entry.kind),
        None => entry.kind,
    };
    matches!(kind, Kind::Fifo | Kind::Socket | Kind::CharDevice)
}

/// The file under the cursor, or an explanation of why there is none.
fn current_file(state: &mut State, what: &str) -> Option<Location> {
    let pane = state.focused();
    match pane.current() {
        Some(entry) if blocks_a_reader(entry) => {
            state.hint(format!(
                "{what} does not open fifos, sockets or character devices: reading one waits for a writer"
            ));
            None
        }
        Some(entry) if !entry.is_dir_like() => Some(pane.location.join(&entry.name)),
        Some(_) => {
            state.hint(format!("{what} works on files; Enter opens directories"));
            None
        }
        None => None,
    }
}

pub(super) fn view(state: &mut State) -> Vec<Effect> {
    let Some(location) = current_file(state, "the viewer") else { return Vec::new() };
    let token = state.token();
    let mut viewer = Viewer::new(location.to_string(), token);
    viewer.host = location.host().map(str::to_owned);
    viewer.location = Some(location.clone());
    viewer.rows = crate::app::layout::viewer_rows(state.size.1);
    state.dialogs.push(Dialog::Viewer(viewer));
    vec![Effect::View { token, location, limit: state.settings.viewer_max_bytes }]
}

pub(super) fn viewed(state: &mut State, token: u64, result: Result<ViewContent, WorkError>) -> Vec<Effect> {
    let Some(viewer) = state.dialogs.iter_mut().find_map(|d| match d {
        Dialog::Viewer(viewer) if viewer.token == token => Some(viewer),
        _ => None,
    }) else {
        return Vec::new();
    };
    viewer.hex = matches!(&result, Ok(c) if c.binary);
    let host = viewer.host.clone();
    // The viewer shows the reason whole, as the log has it.
    let (content, error) = match result {
        Ok(content) => (Ok(content), None),
        Err(error) => (Err(error.logged()), Some(error)),
    };
    viewer.content = Some(content);
    state.needs_render = true;
    if let Some(error) = error {
        state.failed(host.as_deref(), &error);
    }
    Vec::new()
}

pub(super) fn edit(state: &mut State) -> Vec<Effect> {
    let Some(location) = current_file(state, "the editor") else { return Vec::new() };
    if location.host().is_some() {
        state.hint(format!("fetching {location} for editing…"));
    }
    vec![Effect::Edit { location, editor: state.editor(), copy: None }]
}

/// The local copy of a remote file is ready: edit it.
pub(super) fn edit_fetched(
    state: &mut State,
    location: Location,
    editor: String,
    result: Result<std::path::PathBuf, WorkError>,
) -> Vec<Effect> {
    state.needs_render = true;
    match result {
        Ok(copy) => vec![Effect::Edit { location, editor, copy: Some(copy) }],
        Err(error) => {
            state.failed(location.host(), &error);
            Vec::new()
        }
    }
}

pub(super) fn start_mkdir(state: &mut State) {
    let side = state.focus;
    state.dialogs.push(Dialog::Input(InputDialog::new(Purpose::Mkdir { side }, "")));
}

pub(super) fn mkdir(state: &mut State, side: Side, name: &str) -> Result<Vec<Effect>, String> {
    if name.trim().is_empty() {
        return Err("type a name".into());
    }
    let location = super::panes::resolve(state, side, name);
    Ok(vec![Effect::Mkdir { location }])
}

pub(super) fn start_rename(state: &mut State) {
    let side = state.focus;
    let sources = targets(state, side);
    let Some(first) = sources.first() else { return };
    let pane = state.pane(side);
    let text = if sources.len() == 1 {
        first.path().file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
    } else {
        let other = &state.pane(side.other()).location;
        let dir = if other.host() == pane.location.host() { other.path() } else { pane.location.path() };
        format!("{}/", dir.to_string_lossy().trim_end_matches('/'))
    };
    state.dialogs.push(Dialog::Input(InputDialog::new(Purpose::Rename { side, sources }, &text)));
}

pub(super) fn rename(
    state: &mut State,
    side: Side,
    sources: Vec<Location>,
    text: &str,
) -> Result<Vec<Effect>, String> {
    if text.trim().is_empty() {
        return Err("type a new name or a destination directory".into());
    }
    let target = super::panes::resolve(state, side, text);
    if sources.len() == 1 && sources[0] == target {
        return Ok(Vec::new());
    }
    Ok(vec![Effect::Rename { sources, target }])
}

pub(super) fn start_delete(state: &mut State) -> Vec<Effect> {
    let side = state.focus;
    let targets = targets(state, side);
    if targets.is_empty() {
        return Vec::new();
    }
    let token = state.token();
    state.dialogs.push(Dialog::Delete(DeleteDialog { side, targets: targets.clone(), token, counts: None }));
    vec![Effect::Count { token, targets }]
}

pub(super) fn counted(state: &mut State, token: u64, result: Result<Counts, WorkError>) -> Vec<Effect> {
    if let Some(Dialog::Delete(dialog)) = state.dialogs.last_mut()
        && dialog.token == token
    {
        let host = dialog.targets.first().and_then(|t| t.host().map(str::to_owned));
        if let Err(error) = &result {
            let error = error.logged();
            dialog.counts = Some(Err(error.clone()));
            state.report(Note::error(&error).on(host.as_deref()));
        } else {
            dialog.counts = Some(result.map_err(|e| e.shown()));
        }
        state.needs_render = true;
    }
    Vec::new()
}

pub(super) fn confirm_delete(state: &mut State, dialog: DeleteDialog) -> Vec<Effect> {
    state.pane_mut(dialog.side).clear_selection();
    state.hint(format!(
        "deleting {} entr{}…",
        dialog.targets.len(),
        if dialog.targets.len() == 1 { "y" } else { "ies" }
    ));
    vec![Effect::Delete { targets: dialog.targets }]
}

/// An operation finished: report it and reload every pane on that host,
/// with the cursor on what was created.
pub(super) fn done(state: &mut State, op: Op, result: Result<String, WorkError>) -> Vec<Effect> {
    state.needs_render = true;
    let (host, focus) = match &op {
        Op::Mkdir(location) => (location.host().map(str::to_owned), Some(location.clone())),
        Op::Rename { target, sources } => {
            let focus = if sources.len() == 1 { Some(target.clone()) } else { None };
            (target.host().map(str::to_owned), focus)
        }
        Op::Delete(targets) => (targets.first().and_then(|t| t.host().map(str::to_owned)), None),
        Op::Edit(location) => (location.host().map(str::to_owned), None),
        Op::Chmod(targets) | Op::Chown(targets) => {
            (targets.first().and_then(|t| t.host().map(str::to_owned)), None)
        }
        Op::Symlink(location) | Op::Touch(location) => {
            (location.host().map(str::to_owned), Some(location.clone()))
        }
    };
    match result {
        Ok(note) => state.report(Note::info(&note).on(host.as_deref())),
        Err(error) => state.failed(host.as_deref(), &error),
    }
    let mut effects = Vec::new();
    for side in [Side::Left, Side::Right] {
        let pane = state.pane(side);
        if pane.location.host().map(str::to_owned) != host || pane.pending.is_some() {
            continue;
        }
        let name = focus
            .as_ref()
            .filter(|f| f.parent().as_ref() == Some(&pane.location) && side == state.focus)
            .and_then(|f| f.path().file_name().map(|n| n.to_os_string()));
        let location = pane.location.clone();
        effects.extend(super::panes::navigate(state, side, location, name, Nav::Stay));
    }
    effects
}
