//! The help overlay: every action with the keys bound to it in the keymap
//! in effect, then the fixed keys of dialogs.

use ratatui::Frame;
use ratatui::text::{Line, Span};

use super::{dialog_width, lines, popup};
use crate::app::State;
use crate::choices::Action;
use crate::text::{fit, pad_to};

const DIALOG_KEYS: &[(&str, &str)] = &[
    ("Enter / Esc", "confirm / cancel in every dialog"),
    ("Tab ↑ ↓", "go to: complete, choose a completion"),
    ("y / n", "delete and host key questions"),
    ("h, F4", "viewer: text / hex; q, F3, Esc close"),
    ("Del", "host picker: forget a bookmark or recent host"),
    ("↑ ↓ Enter Esc", "filter: move, keep the filter, clear it"),
    ("Tab ←→↑↓ Space", "change mode: next field, move in the grid, toggle"),
    ("Tab", "owner, symlink: next field"),
];

/// The help text as (keys, description) rows.
pub(super) fn rows(state: &State) -> Vec<(String, String)> {
    let mut rows: Vec<(String, String)> = Action::ALL
        .iter()
        .map(|&action| {
            let keys = state.keymap.describe(action);
            (if keys.is_empty() { "(unbound)".to_owned() } else { keys }, action.description().to_owned())
        })
        .collect();
    rows.push((String::new(), String::new()));
    rows.extend(DIALOG_KEYS.iter().map(|(k, d)| (k.to_string(), d.to_string())));
    rows
}

pub(super) fn render(state: &State, scroll: usize, frame: &mut Frame) {
    let theme = &state.theme;
    let rows = rows(state);
    let height = frame.area().height.saturating_sub(4).min(rows.len() as u16 + 1);
    let inner = popup(frame, theme, "Help: keys in effect (Esc closes)", dialog_width(frame, 76), height);
    let key_width = (usize::from(inner.width) / 3).clamp(8, 24);
    let text_width = usize::from(inner.width).saturating_sub(key_width + 1);
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
                Span::styled(fit(description, text_width), theme.dialog),
            ])
        })
        .collect();
    lines(frame, inner, text);
}
