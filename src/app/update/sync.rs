//! Compare directories and synchronize: opening the dialog, its keys in
//! each stage, the scan's result (marks in both panes, or the plan's
//! preview) and running a plan as ordinary jobs and deletions.

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::dialog_keys::is_close;
use crate::app::WorkError;
use crate::app::compare::CompareMarks;
use crate::app::dialog::{Dialog, SyncDialog, SyncField, SyncPurpose, SyncStage};
use crate::app::effect::Effect;
use crate::app::layout::preview_rows;
use crate::app::side::Side;
use crate::app::state::State;
use crate::choices::{Action, KeyContext};
use crate::fs::{FsError, Location};
use crate::sync::{Difference, Direction, End, Op, Progress, jobs_for, plan};

/// Opens the dialog for the two panes' directories; the direction starts
/// from the focused pane.
pub(super) fn open(state: &mut State, purpose: SyncPurpose) -> Vec<Effect> {
    let (left, right) = (state.panes[0].location.clone(), state.panes[1].location.clone());
    if left == right {
        state.info("both panes show the same directory: open another one in the other pane");
        return Vec::new();
    }
    let direction = if state.focus == Side::Left { Direction::ToRight } else { Direction::ToLeft };
    state.dialogs.push(Dialog::Sync(SyncDialog::new(purpose, left, right, direction)));
    Vec::new()
}

pub(super) fn key(state: &mut State, mut dialog: SyncDialog, key: &KeyEvent) -> Vec<Effect> {
    match &dialog.stage {
        SyncStage::Options => options_key(state, dialog, key),
        SyncStage::Scanning { progress, .. } => {
            if is_close(key) {
                // Seen by the walk between two directories (or hash batches).
                progress.cancel();
                state.info("comparison cancelled");
                return vec![Effect::Ticks { on: false }];
            }
            state.dialogs.push(Dialog::Sync(dialog));
            Vec::new()
        }
        SyncStage::Preview { .. } => {
            let rows = preview_rows(state.size.1);
            let page = rows.saturating_sub(1).max(1) as isize;
            match super::dialog_keys::bound(state, KeyContext::SyncPlan, key) {
                _ if is_close(key) => return Vec::new(),
                Some(Action::PlanRun) => return run(state, dialog),
                Some(Action::PlanUp) => dialog.scroll(-1, rows),
                Some(Action::PlanDown) => dialog.scroll(1, rows),
                Some(Action::PlanPageUp) => dialog.scroll(-page, rows),
                Some(Action::PlanPageDown) => dialog.scroll(page, rows),
                Some(Action::PlanTop) => dialog.scroll(isize::MIN / 2, rows),
                Some(Action::PlanBottom) => dialog.scroll(isize::MAX / 2, rows),
                Some(Action::PlanTick) => {
                    dialog.toggle();
                    dialog.scroll(1, rows);
                }
                _ => {}
            }
            state.dialogs.push(Dialog::Sync(dialog));
            Vec::new()
        }
    }
}

fn options_key(state: &mut State, mut dialog: SyncDialog, key: &KeyEvent) -> Vec<Effect> {
    let typing = dialog.field == SyncField::Excludes;
    match key.code {
        _ if is_close(key) => return Vec::new(),
        KeyCode::Tab | KeyCode::Down => dialog.move_focus(1),
        KeyCode::BackTab | KeyCode::Up => dialog.move_focus(-1),
        KeyCode::Enter => return scan(state, dialog),
        KeyCode::Char(' ') | KeyCode::Right if !typing => dialog.change(1),
        KeyCode::Left if !typing => dialog.change(-1),
        _ if typing && !key.modifiers.contains(KeyModifiers::ALT) => {
            dialog.excludes.handle(key);
            dialog.error = None;
        }
        _ => {}
    }
    state.dialogs.push(Dialog::Sync(dialog));
    Vec::new()
}

/// Starts reading both trees.
fn scan(state: &mut State, mut dialog: SyncDialog) -> Vec<Effect> {
    let options = match dialog.options() {
        Ok(options) => options,
        Err(error) => {
            dialog.error = Some(crate::text::escape_str(&error.to_string()));
            state.dialogs.push(Dialog::Sync(dialog));
            return Vec::new();
        }
    };
    let (token, progress) = (state.token(), Arc::new(Progress::default()));
    dialog.stage = SyncStage::Scanning { token, progress: progress.clone() };
    let (left, right) = (dialog.left.clone(), dialog.right.clone());
    state.dialogs.push(Dialog::Sync(dialog));
    vec![Effect::Scan { token, left, right, options, progress }, Effect::Ticks { on: true }]
}

/// Both trees compared: marks in the panes (compare) or the plan (synchronize).
pub(super) fn scanned(
    state: &mut State,
    token: u64,
    result: Result<Vec<Difference>, WorkError>,
) -> Vec<Effect> {
    let waiting = matches!(
        state.dialogs.last(),
        Some(Dialog::Sync(SyncDialog { stage: SyncStage::Scanning { token: t, .. }, .. })) if *t == token
    );
    let Some(Dialog::Sync(mut dialog)) = waiting.then(|| state.dialogs.pop()).flatten() else {
        return Vec::new();
    };
    state.needs_render = true;
    let differences = match result {
        Ok(differences) => differences,
        Err(WorkError::Fs(FsError::Cancelled)) => return vec![Effect::Ticks { on: false }],
        Err(error) => {
            state.error(format!("cannot compare: {}", error.shown()));
            return vec![Effect::Ticks { on: false }];
        }
    };
    match dialog.purpose {
        SyncPurpose::Compare => mark(state, &dialog, &differences),
        SyncPurpose::Synchronize => {
            // `options` read fine when the scan started; the text is unchanged.
            if let Ok(options) = dialog.options() {
                dialog.stage =
                    SyncStage::Preview { plan: plan(&differences, &options), cursor: 0, offset: 0 };
                state.dialogs.push(Dialog::Sync(dialog));
            }
        }
    }
    vec![Effect::Ticks { on: false }]
}

/// Selects what differs in both panes and marks why (if they still show
/// the directories compared).
fn mark(state: &mut State, dialog: &SyncDialog, differences: &[Difference]) {
    let mut summary = Vec::new();
    for (side, end, location) in
        [(Side::Left, End::Left, &dialog.left), (Side::Right, End::Right, &dialog.right)]
    {
        let pane = state.pane_mut(side);
        if pane.location != *location {
            continue;
        }
        let marks = CompareMarks::new(differences, end, &pane.entries);
        pane.clear_selection();
        pane.select_where(true, |e| marks.marks.contains_key(&e.name));
        let name = if side == Side::Left { "left" } else { "right" };
        summary.push(format!("{name}: {}", marks.summary()));
        pane.compare = Some(marks);
    }
    state.info(format!("compared: {}", summary.join("; ")));
}

/// Queues the ticked copies as jobs and the deletions, and closes.
fn run(state: &mut State, dialog: SyncDialog) -> Vec<Effect> {
    let SyncStage::Preview { plan, .. } = &dialog.stage else { return Vec::new() };
    let Ok(options) = dialog.options() else { return Vec::new() };
    if plan.runnable().next().is_none() {
        state.info("nothing to do: the directories are in sync");
        return Vec::new();
    }
    let (specs, deletions) =
        jobs_for(plan, &dialog.left, &dialog.right, &options, state.settings.copy_verify);
    let mut effects: Vec<Effect> = Vec::new();
    for end in [End::Left, End::Right] {
        let targets: Vec<Location> =
            deletions.iter().filter(|d| d.end == end).map(|d| d.location.clone()).collect();
        if !targets.is_empty() {
            effects.push(Effect::Delete { targets });
        }
    }
    let (copies, deletes) = (plan.runnable().filter(|a| a.op != Op::Delete).count(), deletions.len());
    state.info(format!(
        "synchronize: {copies} copies in {} jobs, {deletes} deletions (alt-j shows the transfers)",
        specs.len()
    ));
    if !specs.is_empty() {
        super::jobs::open_panel_on_queue(state);
    }
    effects.extend(specs.into_iter().map(Effect::Submit));
    effects
}
