//! Copy and move (F5/F6): opening the dialog, its keys, and queueing the job.

use crossterm::event::KeyEvent;

use crate::app::WorkError;
use crate::app::dialog::{CopyDialog, CopyField, Counts, Dialog, LineInput, copy_name};
use crate::app::effect::Effect;
use crate::app::jobs::Panel;
use crate::app::messages::{Note, Subject};
use crate::app::side::Side;
use crate::app::state::State;
use crate::choices::{Action, JobsPanel, KeyContext};
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
    if state.pane(side.other()).location != pane.location {
        let effects = open(state, mode, side, sources, dirs, listed_bytes);
        // A selected link is counted as the copy will take it (a link, or
        // what it points to), not as the listing shows it.
        return match state.dialogs.last() {
            Some(Dialog::Copy(dialog)) if effects.is_empty() && links => vec![dialog.count()],
            _ => effects,
        };
    }
    // Both panes show this directory: a duplicate under a new name, as mc.
    let [entry] = entries.as_slice() else {
        state.info(format!(
            "both panes show the same directory: a {} under a new name takes one entry (put the cursor on it, \
             nothing selected), or open another directory in the other pane",
            if mode == Mode::Copy { "copy" } else { "move" }
        ));
        return Vec::new();
    };
    let name = entry.name.to_string_lossy().into_owned();
    let taken = |n: &str| pane.entries.iter().any(|e| e.name == n);
    let offered = copy_name(&name, entry.is_dir_like(), taken);
    let mut effects = open(state, mode, side, sources, dirs, listed_bytes);
    if let Some(Dialog::Copy(dialog)) = state.dialogs.last_mut() {
        dialog.new_name = Some(LineInput::new(&offered));
        dialog.field = CopyField::NewName;
        if effects.is_empty() && links {
            effects.push(dialog.count());
        }
    }
    effects
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
    // source's scp logs in to it, and text it prints breaks that scp),
    // neither used as root (root's scp would log in with root's keys, and
    // the far end would write as the login user), and both on the SCP rung
    // (scp runs on each).
    let as_root = |host: &str| crate::ssh::split_root(host).1;
    let scp_rung = |host: &str| !state.rungs.contains_key(host);
    let direct_possible = matches!((pane.location.host(), target.host()),
        (Some(a), Some(b)) if a != b && !state.talkative.contains(b) && !as_root(a) && !as_root(b)
            && scp_rung(a) && scp_rung(b));
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
    // The hosts' own limits: the smaller of the destination's and the source's.
    let limit_of = |host: Option<&str>| host.and_then(|h| settings.hosts.get(h)).and_then(|s| s.bandwidth);
    let bandwidth = [limit_of(target.host()), limit_of(pane.location.host())].into_iter().flatten().min();
    let bandwidth = bandwidth.map(|kbit| kbit.to_string()).unwrap_or_default();
    let token = state.token();
    let text = target.path().to_string_lossy().into_owned();
    state.dialogs.push(Dialog::Copy(Box::new(CopyDialog {
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
        new_name: None,
        bandwidth: LineInput::new(&bandwidth),
        create: None,
        probing: None,
    })));
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
    if super::dialog_keys::is_close(key) {
        return Vec::new();
    }
    let action = super::dialog_keys::bound(state, KeyContext::CopyDialog, key);
    // The option keys change an option; on a text field they edit the text.
    let on_text = dialog.input_mut().is_some();
    match action {
        Some(Action::CopyStart) => return submit(state, dialog),
        Some(Action::CopyNextField) => dialog.move_focus(1),
        Some(Action::CopyPreviousField) => dialog.move_focus(-1),
        Some(Action::CopyOptionNext | Action::CopyOptionPrevious)
            if dialog.field == CopyField::FollowLinks =>
        {
            dialog.change(1);
            // What will be copied changed: count again, under a new token
            // (a count still on its way for the old option is dropped).
            dialog.token = state.token();
            dialog.counts = None;
            let count = dialog.count();
            state.dialogs.push(Dialog::Copy(Box::new(dialog)));
            return vec![count];
        }
        Some(Action::CopyOptionNext) if !on_text => dialog.change(1),
        Some(Action::CopyOptionPrevious) if !on_text => dialog.change(-1),
        _ => {
            if let Some(input) = dialog.input_mut()
                && input.handle(key)
            {
                dialog.edited();
            }
        }
    }
    state.dialogs.push(Dialog::Copy(Box::new(dialog)));
    Vec::new()
}

fn submit(state: &mut State, dialog: CopyDialog) -> Vec<Effect> {
    let options = match job_options(&dialog) {
        Ok(options) => options,
        Err(e) => return refuse(state, dialog, CopyField::Bandwidth, &e.to_string()),
    };
    if dialog.new_name.is_some() {
        return super::copy_target::duplicate(state, dialog, options);
    }
    let text = dialog.input.text().trim().to_owned();
    if text.is_empty() {
        return refuse(state, dialog, CopyField::Target, "type the destination directory");
    }
    // Unchanged: the other pane's directory exactly (its name may not be
    // valid UTF-8). Edited: a path on the other pane's host, read like scp's
    // target (a directory to copy into, or a new name for a single source).
    if text == dialog.target.path().to_string_lossy() {
        let target = dialog.target.clone();
        return queue(state, dialog, target, TargetKind::Dir, options);
    }
    let target = super::panes::resolve(state, dialog.side.other(), &text);
    if dialog.sources.iter().any(|s| target.host() == s.host() && target.path().starts_with(s.path())) {
        return refuse(state, dialog, CopyField::Target, "the destination is inside what is copied");
    }
    super::copy_target::typed_target(state, dialog, target, options)
}

/// The job's options as the dialog sets them; the bandwidth limit as typed
/// (empty: none) read as `cp -l` reads it.
pub(super) fn job_options(dialog: &CopyDialog) -> Result<Options, crate::scp::LimitError> {
    let mut options = dialog.options.clone();
    options.direct &= dialog.direct_possible;
    options.limit_kbit = match dialog.bandwidth.text().trim() {
        "" => None,
        text => Some(crate::scp::parse_kbit(text)?),
    };
    Ok(options)
}

/// Keeps the dialog open, the focus on `field`, saying what is wrong.
pub(super) fn refuse(state: &mut State, mut dialog: CopyDialog, field: CopyField, why: &str) -> Vec<Effect> {
    dialog.error = Some(crate::text::escape_str(why));
    dialog.field = field;
    state.dialogs.push(Dialog::Copy(Box::new(dialog)));
    Vec::new()
}

/// The dialog's job, queued: `target` as `kind` says.
pub(super) fn queue(
    state: &mut State,
    dialog: CopyDialog,
    target: Location,
    target_kind: TargetKind,
    options: Options,
) -> Vec<Effect> {
    let spec = JobSpec { mode: dialog.mode, sources: dialog.sources, target, target_kind, options };
    queued(state, dialog.side, spec)
}

/// `spec` goes to the scheduler; the pane's selection is cleared.
pub(super) fn queued(state: &mut State, side: Side, spec: JobSpec) -> Vec<Effect> {
    state.pane_mut(side).clear_selection();
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
