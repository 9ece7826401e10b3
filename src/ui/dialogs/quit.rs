//! "Quit with transfers unfinished?"

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use super::{choice_rows, dialog_width, line, lines, popup};
use crate::app::State;
use crate::app::dialog::{QUIT_CHOICES, QuitDialog};
use crate::choices::Action;

/// What pausing and cancelling do to the jobs.
const NOTE: &str = "Files already copied stay. Pause: files in flight keep what arrived as partial \
copies (never under their names), and the jobs come back paused at the next start, to go on from \
there. Cancel: the partial copies are removed.";

pub(super) fn render(state: &State, dialog: &QuitDialog, frame: &mut Frame) {
    let theme = &state.theme;
    let width = dialog_width(frame, 70);
    let note = Paragraph::new(Line::styled(NOTE, theme.hint)).wrap(Wrap { trim: true });
    let note_rows = note.line_count(width) as u16;
    let height = 2 + QUIT_CHOICES.len() as u16 + 1 + note_rows + 2;
    let inner = popup(frame, theme, "Quit scpdeck?", width, height);
    let w = inner.width;
    let count = dialog.unfinished.total();
    let jobs = if count == 1 { "1 job is".to_owned() } else { format!("{count} jobs are") };
    let mut text: Vec<Line> = vec![
        line(&format!("{jobs} not finished: {}.", dialog.unfinished.describe()), w, theme.dialog_title),
        line("", w, theme.dialog),
    ];
    for (index, row) in choice_rows(state, QUIT_CHOICES).iter().enumerate() {
        let style = if index == dialog.choice { theme.menu_selected } else { theme.dialog };
        text.push(line(row, w, style));
    }
    text.push(line("", w, theme.dialog));
    let top = text.len() as u16;
    lines(frame, inner, text);
    let below = |y: u16, height: u16| Rect { y: inner.y + y, height, ..inner };
    frame.render_widget(note, below(top, note_rows.min(inner.height.saturating_sub(top))));
    let last = inner.height.saturating_sub(1);
    let hint = format!(
        "its key or {}{} {}: choose · Esc, ctrl-c: stay",
        super::hint_key(state, Action::QuitPrevious),
        super::hint_key(state, Action::QuitNext),
        super::hint_key(state, Action::QuitChoose),
    );
    let hint = line(&hint, w, theme.hint);
    frame.render_widget(Paragraph::new(hint), below(last, 1));
}
