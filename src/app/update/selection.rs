//! Selection, filter, hidden files and sort order.

use std::os::unix::ffi::OsStrExt;

use globset::GlobBuilder;

use crate::app::dialog::{Dialog, InputDialog, Purpose};
use crate::app::side::Side;
use crate::app::state::State;
use crate::choices::SortKey;

/// Insert/Space: toggle the entry under the cursor and move down.
pub(super) fn toggle(state: &mut State) {
    let pane = state.focused_mut();
    pane.toggle_current();
    pane.move_by(1);
}

pub(super) fn start_glob(state: &mut State, select: bool) {
    let side = state.focus;
    let purpose = if select { Purpose::SelectGlob { side } } else { Purpose::UnselectGlob { side } };
    state.dialogs.push(Dialog::Input(InputDialog::new(purpose, "*")));
}

/// Applies a glob to the visible entries' names. `Err` keeps the dialog open.
pub(super) fn apply_glob(state: &mut State, side: Side, pattern: &str, select: bool) -> Result<(), String> {
    let glob = GlobBuilder::new(pattern)
        .literal_separator(true)
        .backslash_escape(true)
        .build()
        .map_err(|e| format!("bad pattern: {e}"))?
        .compile_matcher();
    let pane = state.pane_mut(side);
    pane.select_where(select, |entry| {
        glob.is_match(std::path::Path::new(std::ffi::OsStr::from_bytes(entry.name.as_bytes())))
    });
    let (count, bytes) = (pane.selected_count, pane.selected_bytes);
    state.hint(format!("{count} selected ({})", crate::text::human_size(bytes)));
    Ok(())
}

pub(super) fn start_filter(state: &mut State) {
    let side = state.focus;
    let text = state.pane(side).filter.clone();
    state.dialogs.push(Dialog::Input(InputDialog::new(Purpose::Filter { side }, &text)));
}

/// The filter text changed: re-filter the pane at once.
pub(super) fn set_filter(state: &mut State, side: Side, text: &str) {
    let pane = state.pane_mut(side);
    if pane.filter != text {
        pane.filter = text.to_owned();
        pane.rebuild_keeping_cursor();
    }
}

pub(super) fn toggle_hidden(state: &mut State) {
    let show = !state.focused().show_hidden;
    for pane in &mut state.panes {
        pane.show_hidden = show;
        pane.rebuild_keeping_cursor();
    }
    state.hint(if show { "showing hidden files" } else { "hiding hidden files" });
}

/// Sorts the focused pane by `key`; the same key again reverses the order.
pub(super) fn sort(state: &mut State, key: SortKey) {
    let pane = state.focused_mut();
    if pane.sort.key == key {
        pane.sort.reverse = !pane.sort.reverse;
    } else {
        pane.sort.key = key;
        pane.sort.reverse = false;
    }
    pane.resort_keeping_cursor();
    announce_sort(state);
}

pub(super) fn reverse_sort(state: &mut State) {
    let pane = state.focused_mut();
    pane.sort.reverse = !pane.sort.reverse;
    pane.resort_keeping_cursor();
    announce_sort(state);
}

fn announce_sort(state: &mut State) {
    let sort = state.focused().sort;
    let direction = if sort.reverse { "descending" } else { "ascending" };
    state.hint(format!("sorted by {} ({direction}), directories first", sort.key.label()));
}
