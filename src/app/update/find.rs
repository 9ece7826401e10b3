//! Find (Alt-?): the form, starting and cancelling a search, the results
//! arriving, and what the user does with them: jump to one (the pane goes
//! to its directory, the cursor on it), select some and copy them (F5)
//! to the other pane.

use std::collections::BTreeSet;

use crossterm::event::{KeyCode, KeyEvent};

use super::dialog_keys::is_close;
use super::panes::navigate;
use crate::app::WorkError;
use crate::app::dialog::{Dialog, FindDialog, FindField, FindResults, cycle};
use crate::app::effect::Effect;
use crate::app::history::Nav;
use crate::app::layout::find_result_rows;
use crate::app::state::State;
use crate::choices::{Action, KeyContext};
use crate::fs::{FindEnd, Found, Kind, KindFilter};
use crate::jobs::Mode;
use crate::text::escape_str;

/// Opens the form for the focused pane's directory.
pub(super) fn start(state: &mut State) -> Vec<Effect> {
    let side = state.focus;
    let root = state.pane(side).location.clone();
    state.dialogs.push(Dialog::Find(Box::new(FindDialog::new(side, root))));
    Vec::new()
}

pub(super) fn key(state: &mut State, mut dialog: Box<FindDialog>, key: &KeyEvent) -> Vec<Effect> {
    let effects = if dialog.results.is_some() {
        results_key(state, &mut dialog, key)
    } else {
        form_key(state, &mut dialog, key)
    };
    match effects {
        Some(effects) => effects,
        None => {
            state.dialogs.push(Dialog::Find(dialog));
            Vec::new()
        }
    }
}

/// `Some`: the dialog is closed (or replaced) with these effects.
fn form_key(state: &mut State, dialog: &mut FindDialog, key: &KeyEvent) -> Option<Vec<Effect>> {
    let step = |d: &mut FindDialog, n| d.field = cycle(&FindField::ALL, d.field, n);
    match key.code {
        _ if is_close(key) => return Some(Vec::new()),
        KeyCode::Enter => match dialog.query() {
            Ok(query) => {
                let token = state.token();
                dialog.results = Some(FindResults::new(token));
                dialog.error = None;
                let effect = Effect::Find { token, location: dialog.root.clone(), query };
                state.dialogs.push(Dialog::Find(Box::new(dialog.clone())));
                return Some(vec![effect]);
            }
            Err(message) => dialog.error = Some(message),
        },
        KeyCode::Tab | KeyCode::Down => step(dialog, 1),
        KeyCode::BackTab | KeyCode::Up => step(dialog, -1),
        KeyCode::Char(' ') if dialog.field == FindField::Glob => dialog.glob = !dialog.glob,
        KeyCode::Char(' ') if dialog.field == FindField::Case => {
            dialog.case_sensitive = !dialog.case_sensitive
        }
        KeyCode::Char(' ') | KeyCode::Right if dialog.field == FindField::Kind => {
            dialog.kind = cycle(&KindFilter::ALL, dialog.kind, 1);
        }
        KeyCode::Left if dialog.field == FindField::Kind => {
            dialog.kind = cycle(&KindFilter::ALL, dialog.kind, -1)
        }
        _ => {
            if let Some(input) = dialog.input_mut()
                && input.handle(key)
            {
                dialog.error = None;
            }
        }
    }
    None
}

fn results_key(state: &mut State, dialog: &mut FindDialog, key: &KeyEvent) -> Option<Vec<Effect>> {
    let rows = find_result_rows(state.size.1);
    let action = super::dialog_keys::bound(state, KeyContext::FindResults, key);
    let results = dialog.results.as_mut()?;
    match action {
        // Esc stops a running search and keeps what it found; then closes.
        _ if is_close(key) && results.running => {
            results.running = false;
            results.outcome = Some("cancelled".into());
            let cancel = Effect::CancelFind { token: results.token };
            return with(state, dialog, vec![cancel]);
        }
        _ if is_close(key) => return Some(Vec::new()),
        // Back to the form for another search.
        Some(Action::FindNewSearch) => {
            let cancel = results.running.then_some(Effect::CancelFind { token: results.token });
            dialog.results = None;
            return with(state, dialog, cancel.into_iter().collect());
        }
        Some(Action::FindUp) => results.move_by(-1, rows),
        Some(Action::FindDown) => results.move_by(1, rows),
        Some(Action::FindPageUp) => results.move_by(-(rows as isize), rows),
        Some(Action::FindPageDown) => results.move_by(rows as isize, rows),
        Some(Action::FindFirst) => results.move_by(isize::MIN / 2, rows),
        Some(Action::FindLast) => results.move_by(isize::MAX / 2, rows),
        Some(Action::FindSelect) if !results.found.is_empty() => {
            let at = results.cursor;
            if !results.selected.remove(&at) {
                results.selected.insert(at);
            }
            results.move_by(1, rows);
        }
        Some(Action::FindInvert) => {
            let all: BTreeSet<usize> = (0..results.found.len()).collect();
            results.selected = all.difference(&results.selected).copied().collect();
        }
        Some(Action::FindGo) => {
            let found = results.found.get(results.cursor)?.clone();
            let cancel = results.running.then_some(Effect::CancelFind { token: results.token });
            let mut effects: Vec<Effect> = cancel.into_iter().collect();
            effects.extend(jump(state, dialog, &found));
            return Some(effects);
        }
        Some(Action::FindCopy) => return copy(state, dialog),
        _ => {}
    }
    None
}

/// Puts the dialog back with `effects`.
fn with(state: &mut State, dialog: &FindDialog, effects: Vec<Effect>) -> Option<Vec<Effect>> {
    state.dialogs.push(Dialog::Find(Box::new(dialog.clone())));
    Some(effects)
}

/// The pane goes to the result's directory, the cursor on the result.
fn jump(state: &mut State, dialog: &FindDialog, found: &Found) -> Vec<Effect> {
    let side = dialog.side;
    let location = dialog.root.with_path(found.path.clone());
    let (Some(dir), Some(name)) = (location.parent(), found.path.file_name()) else { return Vec::new() };
    state.focus = side;
    navigate(state, side, dir, Some(name.to_os_string()), Nav::Visit)
}

/// The copy dialog for the selected results (from any directories) over
/// the find dialog, which stays for more.
fn copy(state: &mut State, dialog: &FindDialog) -> Option<Vec<Effect>> {
    let results = dialog.results.as_ref()?;
    let targets = results.targets();
    if targets.is_empty() {
        state.info("nothing to copy: no result under the cursor");
        return None;
    }
    let sources = targets.iter().map(|f| dialog.root.with_path(f.path.clone())).collect();
    let dirs = targets.iter().filter(|f| f.kind == Kind::Dir).count() as u64;
    let bytes = targets.iter().filter(|f| f.kind != Kind::Dir).map(|f| f.size).sum();
    state.dialogs.push(Dialog::Find(Box::new(dialog.clone())));
    Some(super::jobs::open(state, Mode::Copy, dialog.side, sources, dirs, bytes))
}

/// The open find dialog running the search `token`.
fn running(state: &mut State, token: u64) -> Option<&mut FindResults> {
    state.dialogs.iter_mut().find_map(|d| match d {
        Dialog::Find(dialog) => dialog.results.as_mut().filter(|r| r.token == token && r.running),
        _ => None,
    })
}

pub(super) fn found(state: &mut State, token: u64, batch: Vec<Found>) -> Vec<Effect> {
    if let Some(results) = running(state, token) {
        results.found.extend(batch);
        state.needs_render = true;
    }
    Vec::new()
}

pub(super) fn ended(state: &mut State, token: u64, result: Result<FindEnd, WorkError>) -> Vec<Effect> {
    let root = state.dialogs.iter().find_map(|d| match d {
        Dialog::Find(dialog) => {
            dialog.results.as_ref().filter(|r| r.token == token).map(|_| dialog.root.clone())
        }
        _ => None,
    });
    let (Some(root), Some(results)) = (root, running(state, token)) else { return Vec::new() };
    results.running = false;
    let mut report = None;
    results.outcome = Some(match result {
        Ok(end) => match end.warnings.as_slice() {
            [] => format!("done with {}", end.tool),
            warnings => {
                let (count, first) = (warnings.len(), escape_str(&warnings[0]));
                report =
                    Some((false, format!("search under {root}: {count} warning(s), the first: {first}")));
                let plural = if count == 1 { "warning" } else { "warnings" };
                format!("done with {} · {count} {plural}: {first}", end.tool)
            }
        },
        Err(error) => {
            let text = escape_str(&error.to_string());
            report = Some((true, text.clone()));
            text
        }
    });
    // Also in the status line and the log, like every warning and error.
    match report {
        Some((true, text)) => state.error(text),
        Some((false, text)) => state.warn(text),
        None => {}
    }
    state.needs_render = true;
    Vec::new()
}
