//! The change-mode dialog: the current mode, the octal field and the rwx
//! grid (the cell under the cursor highlighted), the recursive option.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::input::{field_text, field_widget};
use super::{checkbox, dialog_width, hint_key, line, lines, popup, targets_line};
use crate::app::State;
use crate::app::dialog::{GRID_COLS, GRID_ROWS, ModeDialog, ModeField, octal};
use crate::choices::Action;
use crate::config::Theme;
use crate::fs::{Kind, permission_string};
use crate::text::pad_to;

/// Width of the row labels and of each grid column.
const LABEL: usize = 10;
const CELL: usize = 9;
/// Where the octal field starts on its line (after "Octal: ").
const FIELD_X: u16 = 7;

const ROW_NAMES: [&str; GRID_ROWS] = ["owner", "group", "others", "special"];

/// `rwxr-xr-x`: the mode as `ls -l` shows it, without the type.
fn rwx(mode: u32) -> String {
    permission_string(Kind::File, mode).chars().skip(1).collect()
}

fn header<'a>(names: [&str; GRID_COLS], theme: &Theme) -> Line<'a> {
    let mut text = " ".repeat(LABEL);
    for name in names {
        text.push_str(&pad_to(name, CELL, false));
    }
    Line::from(Span::styled(text, theme.hint))
}

fn grid_row<'a>(dialog: &ModeDialog, row: usize, theme: &Theme) -> Line<'a> {
    let mut spans = vec![Span::styled(pad_to(ROW_NAMES[row], LABEL, false), theme.dialog)];
    for col in 0..GRID_COLS {
        let here = dialog.field == ModeField::Grid && (dialog.row, dialog.col) == (row, col);
        let style: Style = if here { theme.menu_selected } else { theme.dialog };
        spans.push(Span::styled(if dialog.is_set(row, col) { "[x]" } else { "[ ]" }, style));
        spans.push(Span::styled(" ".repeat(CELL - 3), theme.dialog));
    }
    Line::from(spans)
}

pub(super) fn render(state: &State, dialog: &ModeDialog, frame: &mut Frame) {
    let theme = &state.theme;
    let note = dialog.error.is_some() || dialog.waiting;
    let height = 13 + u16::from(dialog.has_dirs) + u16::from(note);
    let inner = popup(frame, theme, &dialog.title(), dialog_width(frame, 62), height);
    let w = inner.width;
    let focus = |field: ModeField| if dialog.field == field { theme.menu_selected } else { theme.dialog };
    let now = format!("Now:   {}   {}", octal(dialog.original), rwx(dialog.original));
    let field_line = Line::from(vec![
        Span::styled("Octal:", focus(ModeField::Octal)),
        Span::styled(format!("{:7}{}", "", rwx(dialog.mode)), theme.dialog),
    ]);
    let mut text = vec![
        line(&targets_line(&dialog.targets), w, theme.dialog_title),
        line(&now, w, theme.dialog),
        line("", w, theme.dialog),
        field_line,
        line("", w, theme.dialog),
        header(["read", "write", "execute"], theme),
    ];
    text.extend((0..3).map(|row| grid_row(dialog, row, theme)));
    text.push(header(["setuid", "setgid", "sticky"], theme));
    text.push(grid_row(dialog, 3, theme));
    text.push(line("", w, theme.dialog));
    if dialog.has_dirs {
        let label = checkbox(dialog.recursive, "Recursive: directories and all they contain");
        text.push(line(&label, w, focus(ModeField::Recursive)));
    }
    if let Some(error) = &dialog.error {
        text.push(line(&crate::text::escape_str(error), w, theme.error));
    } else if dialog.waiting {
        text.push(line("reading the mode of the link's target…", w, theme.hint));
    }
    let key = |action| hint_key(state, action);
    let hint = format!(
        "{} field · arrows move · {} toggles · {} applies · Esc",
        key(Action::ModeNextField),
        key(Action::ModeToggle),
        key(Action::ModeApply)
    );
    text.push(line(&hint, w, theme.hint));
    lines(frame, inner, text);
    let field =
        Rect { x: inner.x + FIELD_X, y: inner.y + 3, width: 5.min(w.saturating_sub(FIELD_X)), height: 1 };
    if dialog.field == ModeField::Octal {
        field_widget(frame, field, &dialog.octal, theme);
    } else {
        field_text(frame, field, &dialog.octal, theme);
    }
}
