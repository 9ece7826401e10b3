//! The help overlay: the keys of the place that has the focus, from the
//! keymap in effect (`app::help` makes the lines, wrapped, never cut).

use ratatui::Frame;
use ratatui::text::{Line, Span};

use super::{lines, popup};
use crate::app::State;
use crate::app::help::{self, HelpTopic};
use crate::text::pad_to;

pub(super) fn render(state: &State, scroll: usize, topic: HelpTopic, frame: &mut Frame) {
    let theme = &state.theme;
    let area = frame.area();
    let width = help::inner_size((area.width, area.height), 0).0;
    let rows = help::lines(&state.keymap, topic, usize::from(width));
    let (width, height) = help::inner_size((area.width, area.height), rows.len());
    let inner = popup(frame, theme, &topic.title(), width, height);
    let key_width = help::key_width(usize::from(inner.width));
    let visible = usize::from(inner.height);
    let scroll = scroll.min(rows.len().saturating_sub(visible));
    let text: Vec<Line> = rows
        .iter()
        .skip(scroll)
        .take(visible)
        .map(|(keys, description)| {
            Line::from(vec![
                Span::styled(pad_to(keys, key_width, false), theme.key),
                Span::raw(" "),
                Span::styled(description.clone(), theme.dialog),
            ])
        })
        .collect();
    lines(frame, inner, text);
}
