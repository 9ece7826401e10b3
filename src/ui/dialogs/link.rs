//! The create-symlink dialog: the link's name and what it points to.

use ratatui::Frame;
use ratatui::layout::Rect;

use super::input::{field_text, field_widget};
use super::{dialog_width, line, lines, popup};
use crate::app::State;
use crate::app::dialog::{LinkDialog, LinkField};
use crate::text::escape_str;

pub(super) fn render(state: &State, dialog: &LinkDialog, frame: &mut Frame) {
    let theme = &state.theme;
    let height = 6 + u16::from(dialog.error.is_some());
    let inner = popup(frame, theme, "Create symlink", dialog_width(frame, 64), height);
    let w = inner.width;
    let focus = |field: LinkField| if dialog.field == field { theme.menu_selected } else { theme.dialog };
    let mut text = vec![
        line(&format!("Link name (in {}):", dialog.dir), w, focus(LinkField::Name)),
        line("", w, theme.dialog),
        line("Points to (kept exactly as typed):", w, focus(LinkField::Target)),
        line("", w, theme.dialog),
    ];
    if let Some(error) = &dialog.error {
        text.push(line(&escape_str(error), w, theme.error));
    }
    text.push(line("", w, theme.dialog));
    text.push(line("Tab other field · Enter creates · Esc cancels", w, theme.hint));
    lines(frame, inner, text);
    for (field, input, y) in [(LinkField::Name, &dialog.name, 1), (LinkField::Target, &dialog.target, 3)] {
        let area = Rect { y: inner.y + y, height: 1, ..inner };
        if dialog.field == field {
            field_widget(frame, area, input, theme);
        } else {
            field_text(frame, area, input, theme);
        }
    }
}
