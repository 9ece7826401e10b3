//! One-line input dialogs: mkdir, new empty file, rename/move, go to (with completions),
//! glob selection, bookmark name. Also draws any text field.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::Paragraph;

use super::{dialog_width, line, lines, popup};
use crate::app::State;
use crate::app::dialog::{InputDialog, LineInput, Purpose};
use crate::config::Theme;
use crate::text::{escape_str, fit, width};

/// Completions shown under the go-to field.
const MAX_COMPLETIONS: usize = 8;

pub(super) fn render(state: &State, dialog: &InputDialog, frame: &mut Frame) {
    let theme = &state.theme;
    let hint = match &dialog.purpose {
        Purpose::Mkdir { .. } => "Name (a/b/c creates the parents too):".to_owned(),
        Purpose::Touch { .. } => "Name of the new empty file:".to_owned(),
        Purpose::Rename { sources, .. } if sources.len() == 1 => {
            format!(
                "Rename or move {} to:",
                sources[0].path().file_name().map(|n| escape_str(&n.to_string_lossy())).unwrap_or_default()
            )
        }
        Purpose::Rename { .. } => "Into directory:".to_owned(),
        Purpose::GoTo { .. } => {
            "Path (Tab completes, ↑↓ choose, ~ is home, host:path connects, local:path this machine):"
                .to_owned()
        }
        Purpose::SelectGlob { .. } | Purpose::UnselectGlob { .. } => "Pattern (* ? [abc] {a,b}):".to_owned(),
        Purpose::Bookmark { target } => format!("Name for {}:", escape_str(target)),
        Purpose::Filter { .. } => String::new(),
    };
    let shown = dialog.completions.len().min(MAX_COMPLETIONS);
    let height = 3 + u16::from(dialog.error.is_some()) + shown as u16;
    let inner = popup(frame, theme, &dialog.title(), dialog_width(frame, 64), height);
    let mut text = vec![line(&hint, inner.width, theme.dialog)];
    text.push(line("", inner.width, theme.dialog));
    if let Some(error) = &dialog.error {
        text.push(line(&escape_str(error), inner.width, theme.error));
    }
    for completion in dialog.completions.iter().take(shown) {
        let style = if completion == dialog.input.text() { theme.menu_selected } else { theme.hint };
        text.push(line(&escape_str(completion), inner.width, style));
    }
    if dialog.completions.len() > shown {
        text.push(line(&format!("… {} more", dialog.completions.len() - shown), inner.width, theme.hint));
    }
    lines(frame, inner, text);
    let field = Rect { y: inner.y + 1, height: 1, ..inner };
    field_widget(frame, field, &dialog.input, theme);
}

/// Draws a text field and puts the terminal cursor in it.
pub(super) fn field_widget(frame: &mut Frame, area: Rect, input: &LineInput, theme: &Theme) {
    let x = field_text(frame, area, input, theme);
    frame.set_cursor_position((x, area.y));
}

/// Draws a text field without the terminal cursor (a field without the
/// focus); returns the column where the cursor would be.
pub(super) fn field_text(frame: &mut Frame, area: Rect, input: &LineInput, theme: &Theme) -> u16 {
    let (text, before) = if input.secret {
        let dots = input.text().chars().count();
        ("•".repeat(dots), dots)
    } else {
        (escape_str(input.text()), width(&escape_str(&input.text()[..input.cursor()])))
    };
    let room = usize::from(area.width.saturating_sub(1));
    // Keep the cursor visible: show the end of long texts.
    let skip = before.saturating_sub(room);
    let visible: String = text.chars().skip(skip).collect();
    let span =
        Span::styled(crate::text::pad_to(&fit(&visible, room), usize::from(area.width), false), theme.input);
    frame.render_widget(Paragraph::new(span), area);
    area.x + ((before - skip) as u16).min(area.width.saturating_sub(1))
}
