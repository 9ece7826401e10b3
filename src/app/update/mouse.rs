//! Mouse: a click focuses a pane and puts the cursor on the clicked row;
//! the wheel scrolls the pane (or the viewer/help) under the pointer.

use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};

use crate::app::dialog::Dialog;
use crate::app::effect::Effect;
use crate::app::layout;
use crate::app::side::Side;
use crate::app::state::State;

/// Rows moved per wheel notch.
const WHEEL_ROWS: isize = 3;

pub(super) fn handle(state: &mut State, event: MouseEvent) -> Vec<Effect> {
    let delta = match event.kind {
        MouseEventKind::ScrollUp => -WHEEL_ROWS,
        MouseEventKind::ScrollDown => WHEEL_ROWS,
        MouseEventKind::Down(MouseButton::Left) => 0,
        _ => return Vec::new(),
    };
    if let Some(dialog) = state.dialogs.last_mut() {
        match dialog {
            Dialog::Viewer(viewer) if delta != 0 => viewer.scroll_by(delta),
            Dialog::Help { scroll, topic } if delta != 0 => {
                let max = crate::app::help::max_scroll(&state.keymap, *topic, state.size);
                *scroll = scroll.saturating_add_signed(delta).min(max);
            }
            _ => return Vec::new(),
        }
        state.needs_render = true;
        return Vec::new();
    }
    let screen = Rect::new(0, 0, state.size.0, state.size.1);
    let areas = layout::split(screen, state.jobs.panel.is_some());
    let point = Position::new(event.column, event.row);
    let Some(side) = [Side::Left, Side::Right].into_iter().find(|s| areas.panes[s.index()].contains(point))
    else {
        return Vec::new();
    };
    state.needs_render = true;
    if delta == 0 {
        state.focus = side;
    }
    let pane = state.pane_mut(side);
    if delta != 0 {
        pane.scroll_by(delta);
        return Vec::new();
    }
    let entries = layout::pane_entry_area(areas.panes[side.index()]);
    if entries.contains(point) {
        let row = pane.offset + usize::from(event.row - entries.y);
        if row < pane.len() {
            pane.move_to(row);
        }
    }
    Vec::new()
}
