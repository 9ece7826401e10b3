//! A job's question: the destination exists, what now?

use ratatui::Frame;
use ratatui::text::Line;

use super::{choice_rows, dialog_width, line, lines, popup};
use crate::app::State;
use crate::app::dialog::{CHOICES, OverwriteDialog};
use crate::choices::Action;
use crate::text::exact_size;

pub(super) fn render(state: &State, dialog: &OverwriteDialog, frame: &mut Frame) {
    let theme = &state.theme;
    let q = &dialog.question;
    let inner = popup(frame, theme, "File exists", dialog_width(frame, 72), 12 + CHOICES.len() as u16);
    let w = inner.width;
    // To the second and to the byte: what tells two copies apart.
    let time = |secs: Option<i64>| {
        secs.and_then(|s| jiff::Timestamp::new(s, 0).ok())
            .map(|t| t.to_zoned(state.tz.clone()).strftime("%Y-%m-%d %H:%M:%S %Z").to_string())
            .unwrap_or_else(|| "time unknown".into())
    };
    let newer = match (q.source_mtime, q.dest_mtime) {
        (Some(new), Some(old)) if new > old => "  (newer)",
        _ => "",
    };
    let bigger = match q.source_size.cmp(&q.dest_size) {
        std::cmp::Ordering::Equal => "same size",
        std::cmp::Ordering::Greater => "larger",
        std::cmp::Ordering::Less => "smaller",
    };
    let mut text: Vec<Line> = vec![
        line(&format!("Job {}: {} exists at the destination", q.job, q.name), w, theme.dialog_title),
        line(&format!("  {}", q.dest), w, theme.dialog),
        line("", w, theme.dialog),
        line(&format!("  new:      {}{newer}", time(q.source_mtime)), w, theme.dialog),
        line(&format!("            {}, {bigger}", exact_size(q.source_size)), w, theme.dialog),
        line(&format!("  existing: {}", time(q.dest_mtime)), w, theme.dialog),
        line(&format!("            {}", exact_size(q.dest_size)), w, theme.dialog),
        line("", w, theme.dialog),
    ];
    for (index, row) in choice_rows(state, CHOICES).iter().enumerate() {
        let style = if index == dialog.choice { theme.menu_selected } else { theme.dialog };
        text.push(line(row, w, style));
    }
    text.push(line("", w, theme.dialog));
    let all = if dialog.all { "[x]" } else { "[ ]" };
    let all_key = state.keymap.keys(Action::OverwriteAll).first().map_or("-".to_owned(), ToString::to_string);
    text.push(line(&format!("{all} Apply to all ({} more waiting)  ({all_key})", q.more), w, theme.dialog));
    if dialog.answered {
        text.push(line("answered; waiting for the next question…", w, theme.hint));
    } else {
        text.push(line("", w, theme.dialog));
    }
    let hint = format!(
        "its key or {}{} {}: answer · Esc: answer later",
        super::hint_key(state, Action::OverwritePrevious),
        super::hint_key(state, Action::OverwriteNext),
        super::hint_key(state, Action::OverwriteAnswer),
    );
    text.push(line(&hint, w, theme.hint));
    lines(frame, inner, text);
}
