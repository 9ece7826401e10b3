//! Rendering: `render(&State, frame)` draws everything and changes nothing.

mod bars;
mod columns;
mod dialogs;
pub mod gauge;
mod jobs_pane;
mod log_pane;
mod pane;
mod too_small;

use ratatui::Frame;

pub use crate::config::Theme;
pub use columns::Columns;

use crate::app::dialog::Purpose;
use crate::app::{Dialog, Side, State};

/// Draws the whole screen.
pub fn render(state: &State, frame: &mut Frame) {
    if too_small::render(state, frame) {
        return;
    }
    let areas = crate::app::layout::split(frame.area(), state.jobs.panel.is_some());
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
    if let Some(area) = areas.panel {
        match state.jobs.panel {
            Some(crate::app::Panel::Log) => log_pane::render(state, frame, area),
            _ => jobs_pane::render(state, frame, area),
        }
    }
    bars::status(state, frame, areas.status);
    bars::keys(state, frame, areas.keys);
    for dialog in &state.dialogs {
        dialogs::render(state, dialog, frame);
    }
}
