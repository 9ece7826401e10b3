//! The command menu (F9).

use ratatui::Frame;
use ratatui::text::{Line, Span};

use super::{dialog_width, lines, popup};
use crate::app::{MENU, State};
use crate::text::{fit, pad_to};

pub(super) fn render(state: &State, selected: usize, frame: &mut Frame) {
    let theme = &state.theme;
    let height = frame.area().height.saturating_sub(4).min(MENU.len() as u16);
    let inner = popup(frame, theme, "Menu", dialog_width(frame, 64), height);
    let key_width = 14.min(usize::from(inner.width) / 3);
    let text_width = usize::from(inner.width).saturating_sub(key_width + 1);
    let visible = usize::from(inner.height).max(1);
    let first = selected.saturating_sub(visible - 1);
    let text: Vec<Line> = MENU
        .iter()
        .enumerate()
        .skip(first)
        .take(visible)
        .map(|(i, &action)| {
            let (text_style, key_style) = if i == selected {
                (theme.menu_selected, theme.menu_selected)
            } else {
                (theme.dialog, theme.hint)
            };
            Line::from(vec![
                Span::styled(pad_to(action.description(), text_width, false), text_style),
                Span::styled(" ", text_style),
                Span::styled(
                    pad_to(&fit(&state.keymap.describe(action), key_width), key_width, true),
                    key_style,
                ),
            ])
        })
        .collect();
    lines(frame, inner, text);
}
