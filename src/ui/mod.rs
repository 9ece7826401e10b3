//! Rendering: `render(&State, frame)` draws everything and changes nothing.

mod columns;
pub mod layout;
mod pane;
mod theme;

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub use columns::{Columns, human_size};
pub use theme::Theme;

use crate::app::{Side, State};
use crate::text::fit;

/// Draws the whole screen.
pub fn render(state: &State, frame: &mut Frame) {
    let theme = Theme::default();
    let areas = layout::areas(frame.area());
    for side in [Side::Left, Side::Right] {
        let area = areas.panes[side.index()];
        pane::render(frame, area, state.pane(side), state.focus == side, &theme, &state.tz);
    }
    render_status(state, frame, areas.status, &theme);
    render_keys(frame, areas.keys, &theme);
}

fn render_status(state: &State, frame: &mut Frame, area: ratatui::layout::Rect, theme: &Theme) {
    let pane = state.focused();
    let width = usize::from(area.width);
    let line = match &pane.error {
        Some(error) => Span::styled(fit(error, width), theme.error),
        None => {
            let text = pane.current().map(columns::name_cell).unwrap_or_default();
            Span::styled(fit(&text, width), theme.status)
        }
    };
    frame.render_widget(Paragraph::new(line), area);
}

fn render_keys(frame: &mut Frame, area: ratatui::layout::Rect, theme: &Theme) {
    const KEYS: [(&str, &str); 4] = [("Tab", "Switch"), ("Enter", "Open"), ("Bksp", "Up"), ("F10", "Quit")];
    let mut spans = Vec::new();
    for (key, label) in KEYS {
        spans.push(Span::styled(key, theme.key));
        spans.push(Span::styled(format!(" {label}"), theme.key_label));
        spans.push(Span::raw(" "));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
