//! Editing a recent host of the host picker.

use ratatui::Frame;
use ratatui::layout::Rect;

use super::input::{field_text, field_widget};
use super::{dialog_width, line, lines, popup};
use crate::app::State;
use crate::app::dialog::{HostEditDialog, HostEditField};
use crate::text::escape_str;

pub(super) fn render(state: &State, dialog: &HostEditDialog, frame: &mut Frame) {
    let theme = &state.theme;
    let height = 7 + u16::from(dialog.error.is_some());
    let title = format!("Edit host entry {}", escape_str(&dialog.original));
    let inner = popup(frame, theme, &title, dialog_width(frame, 64), height);
    let w = inner.width;
    let focus = |field: HostEditField| if dialog.field == field { theme.menu_selected } else { theme.dialog };
    let mut text = vec![
        line("Host ([user@]host[:port]):", w, focus(HostEditField::Host)),
        line("", w, theme.dialog),
        line("Opens in (absolute; empty: the home):", w, focus(HostEditField::Dir)),
        line("", w, theme.dialog),
    ];
    if let Some(error) = &dialog.error {
        text.push(line(error, w, theme.error));
    }
    text.push(line("", w, theme.dialog));
    text.push(line("Tab other field · Enter saves · Esc back to the list", w, theme.hint));
    lines(frame, inner, text);
    for (field, input, y) in [(HostEditField::Host, &dialog.host, 1), (HostEditField::Dir, &dialog.dir, 3)] {
        let area = Rect { y: inner.y + y, height: 1, ..inner };
        if dialog.field == field {
            field_widget(frame, area, input, theme);
        } else {
            field_text(frame, area, input, theme);
        }
    }
}
