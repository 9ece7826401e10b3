//! The change-owner dialog: owner and group fields, the recursive option.

use ratatui::Frame;
use ratatui::layout::Rect;

use super::input::{field_text, field_widget};
use super::{checkbox, dialog_width, line, lines, popup, targets_line};
use crate::app::State;
use crate::app::dialog::{OwnerDialog, OwnerField};
use crate::text::escape_str;

pub(super) fn render(state: &State, dialog: &OwnerDialog, frame: &mut Frame) {
    let theme = &state.theme;
    let height = 8 + u16::from(dialog.has_dirs) + u16::from(dialog.error.is_some());
    let inner = popup(frame, theme, &dialog.title(), dialog_width(frame, 62), height);
    let w = inner.width;
    let focus = |field: OwnerField| if dialog.field == field { theme.menu_selected } else { theme.dialog };
    // Owner and group names come from the host's listing: escaped.
    let now = match dialog.current.as_slice() {
        [(owner, group), rest @ ..] if rest.iter().all(|c| c == &dialog.current[0]) => {
            format!("Now: {}:{}", escape_str(owner), escape_str(group))
        }
        _ => "Now: owners and groups differ".to_owned(),
    };
    let mut text = vec![
        line(&targets_line(&dialog.targets), w, theme.dialog_title),
        line(&now, w, theme.dialog),
        line("Owner (user name or number):", w, focus(OwnerField::Owner)),
        line("", w, theme.dialog),
        line("Group (name or number):", w, focus(OwnerField::Group)),
        line("", w, theme.dialog),
    ];
    if dialog.has_dirs {
        let label = checkbox(dialog.recursive, "Recursive: directories and all they contain");
        text.push(line(&label, w, focus(OwnerField::Recursive)));
    }
    if let Some(error) = &dialog.error {
        text.push(line(&escape_str(error), w, theme.error));
    }
    text.push(line("", w, theme.dialog));
    text.push(line("Tab next field · Space toggles · Enter applies · Esc cancels", w, theme.hint));
    lines(frame, inner, text);
    for (field, input, y) in [(OwnerField::Owner, &dialog.owner, 3), (OwnerField::Group, &dialog.group, 5)] {
        let area = Rect { y: inner.y + y, height: 1, ..inner };
        if dialog.field == field {
            field_widget(frame, area, input, theme);
        } else {
            field_text(frame, area, input, theme);
        }
    }
}
