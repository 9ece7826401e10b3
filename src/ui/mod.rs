//! Rendering: `render(&State, frame)` draws everything and changes nothing.

mod bars;
mod columns;
mod dialogs;
pub mod layout;
mod pane;

use ratatui::Frame;

pub use crate::config::Theme;
pub use columns::{Columns, human_size};

use crate::app::dialog::Purpose;
use crate::app::{Dialog, Side, State};

/// Draws the whole screen.
pub fn render(state: &State, frame: &mut Frame) {
    let areas = layout::areas(frame.area());
    let filter_input = state.dialogs.last().and_then(|d| match d {
        Dialog::Input(input) => match input.purpose {
            Purpose::Filter { side } => Some((side, &input.input)),
            _ => None,
        },
        _ => None,
    });
    for side in [Side::Left, Side::Right] {
        let view = pane::PaneView {
            pane: state.pane(side),
            focused: state.focus == side,
            filter_input: filter_input.filter(|(s, _)| *s == side).map(|(_, input)| input),
        };
        pane::render(frame, areas.panes[side.index()], view, state);
    }
    bars::status(state, frame, areas.status);
    bars::keys(state, frame, areas.keys);
    for dialog in &state.dialogs {
        dialogs::render(state, dialog, frame);
    }
}
