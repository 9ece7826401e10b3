//! Copy and move (F5/F6): opening the dialog, its keys, and queueing the job.

use crossterm::event::{KeyCode, KeyEvent};

use crate::app::WorkError;
use crate::app::dialog::{CopyDialog, CopyField, Counts, Dialog, LineInput};
use crate::app::effect::Effect;
use crate::app::jobs::Panel;
use crate::app::messages::{Note, Subject};
use crate::app::side::Side;
use crate::app::state::State;
use crate::choices::JobsPanel;
use crate::fs::Location;
use crate::jobs::{JobSpec, Mode, Options, TargetKind};

/// Opens the copy (or move) dialog for the focused pane's targets.
pub(super) fn start(state: &mut State, mode: Mode) -> Vec<Effect> {
    let side = state.focus;
    let pane = state.pane(side);
    let entries = pane.targets();
    if entries.is_empty() {
        state.hint("nothing to copy: no entry under the cursor");
        return Vec::new();
    }
    let sources: Vec<Location> = entries.iter().map(|e| pane.location.join(&e.name)).collect();
    let dirs = entries.iter().filter(|e| e.is_dir_like()).count() as u64;
    let listed_bytes = entries.iter().filter(|e| !e.is_dir_like()).map(|e| e.size).sum();
    let links = entries.iter().any(|e| e.kind == crate::fs::Kind::Symlink);
    if state.pane(side.other()).location == pane.location {
        state.info("both panes show the same directory: open the destination in the other pane");
        return Vec::new();
    }
    let effects = open(state, mode, side, sources, dirs, listed_bytes);
    // A selected link is counted as the copy will take it (a link, or
    // what it points to), not as the listing shows it.
    match state.dialogs.last() {
        Some(Dialog::Copy(dialog)) if effects.is_empty() && links => vec![dialog.count()],
        _ => effects,
    }
}

/// Opens the copy (or move) dialog for `sources` of the pane on `side`
/// (from any directories of its host: the find dialog's results) towards
/// the other pane; `dirs` of them are directories, the others' sizes sum
/// to `listed_bytes`.
pub(super) fn open(
    state: &mut State,
    mode: Mode,
    side: Side,
    sources: Vec<Location>,
    dirs: u64,
    listed_bytes: u64,
) -> Vec<Effect> {
    let files = sources.len() as u64 - dirs;
    let pane = state.pane(side);
    let target = state.pane(side.other()).location.clone();
    // Direct: between two hosts, the destination's login shell quiet (the
    // source's scp logs in to it, and text it prints breaks that scp), both
    // on the SCP rung (scp runs on each).
    let direct_possible = matches!((pane.location.host(), target.host()),
        (Some(a), Some(b)) if a != b && !state.talkative.contains(b)
            && !state.rungs.contains_key(a) && !state.rungs.contains_key(b));
    let settings = &state.settings;
    let options = Options {
        preserve: settings.copy_preserve,
        overwrite: settings.copy_overwrite,
        verify: settings.copy_verify,
        direct: false,
        limit_kbit: None,
        files_only: false,
        resume: false,
        follow_links: false,
    };
    let token = state.token();
    let text = target.path().to_string_lossy().into_owned();
    state.dialogs.push(Dialog::Copy(CopyDialog {
        mode,
        side,
        sources: sources.clone(),
        files,
        dirs,
        listed_bytes,
        token,
        counts: None,
        target,
        input: LineInput::new(&text),
        options,
        direct_possible,
        field: CopyField::Target,
        error: None,
    }));
    match state.dialogs.last() {
        Some(Dialog::Copy(dialog)) if dirs > 0 => vec![dialog.count()],
        _ => Vec::new(),
    }
}

/// Directory contents counted for an open copy dialog.
pub(super) fn counted(state: &mut State, token: u64, result: &Result<Counts, WorkError>) -> bool {
    for dialog in &mut state.dialogs {
        if let Dialog::Copy(copy) = dialog
            && copy.token == token
        {
            copy.counts = Some(result.as_ref().copied().map_err(WorkError::shown));
            let host = copy.sources.first().and_then(|s| s.host().map(str::to_owned));
            if let Err(error) = result {
                state.failed(host.as_deref(), error);
            }
            state.needs_render = true;
            return true;
        }
    }
    false
}

pub(super) fn key(state: &mut State, mut dialog: CopyDialog, key: &KeyEvent) -> Vec<Effect> {
    match key.code {
        _ if super::dialog_keys::is_close(key) => return Vec::new(),
        KeyCode::Enter => return submit(state, dialog),
        KeyCode::Tab | KeyCode::Down => dialog.move_focus(1),
        KeyCode::BackTab | KeyCode::Up => dialog.move_focus(-1),
        _ if dialog.field == CopyField::Target && dialog.input.handle(key) => dialog.error = None,
        _ if dialog.field == CopyField::Target => {}
        KeyCode::Char(' ') | KeyCode::Right | KeyCode::Left if dialog.field == CopyField::FollowLinks => {
            dialog.change(1);
            // What will be copied changed: count again, under a new token
            // (a count still on its way for the old option is dropped).
            dialog.token = state.token();
            dialog.counts = None;
            let count = dialog.count();
            state.dialogs.push(Dialog::Copy(dialog));
            return vec![count];
        }
        KeyCode::Char(' ') | KeyCode::Right => dialog.change(1),
        KeyCode::Left => dialog.change(-1),
        _ => {}
    }
    state.dialogs.push(Dialog::Copy(dialog));
    Vec::new()
}

fn submit(state: &mut State, mut dialog: CopyDialog) -> Vec<Effect> {
    let text = dialog.input.text().trim().to_owned();
    if text.is_empty() {
        dialog.error = Some("type the destination directory".into());
        state.dialogs.push(Dialog::Copy(dialog));
        return Vec::new();
    }
    // Unchanged: the other pane's directory exactly (its name may not be
    // valid UTF-8). Edited: a path on the other pane's host, read like scp's
    // target (a directory to copy into, or a new name for a single source).
    let unchanged = text == dialog.target.path().to_string_lossy();
    let (target, target_kind) = if unchanged {
        (dialog.target.clone(), TargetKind::Dir)
    } else {
        (super::panes::resolve(state, dialog.side.other(), &text), TargetKind::Auto)
    };
    if dialog.sources.iter().any(|s| target.host() == s.host() && target.path().starts_with(s.path())) {
        dialog.error = Some("the destination is inside what is copied".into());
        state.dialogs.push(Dialog::Copy(dialog));
        return Vec::new();
    }
    let mut options = dialog.options.clone();
    options.direct &= dialog.direct_possible;
    let spec = JobSpec { mode: dialog.mode, sources: dialog.sources, target, target_kind, options };
    state.pane_mut(dialog.side).clear_selection();
    let note = Note::info(&format!("queued: {} (alt-j shows the transfers)", spec.title()));
    state.report_about(note, Subject::Queued);
    open_panel_on_queue(state);
    vec![Effect::Submit(spec)]
}

/// Jobs were queued: the jobs panel opens when `jobs_panel` says so.
pub(super) fn open_panel_on_queue(state: &mut State) {
    if state.settings.jobs_panel == JobsPanel::OnQueue && state.jobs.panel.is_none() {
        state.jobs.panel = Some(Panel::Jobs);
        super::panes::resize_panes(state);
    }
}
