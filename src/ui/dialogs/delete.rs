//! Delete confirmation with the counts computed in the background.

use ratatui::Frame;

use super::{dialog_width, hint_key, line, lines, popup, shown_key};
use crate::app::State;
use crate::app::dialog::DeleteDialog;
use crate::choices::Action;
use crate::text::human_size;

/// Names listed before "and N more".
const NAMES: usize = 5;

pub(super) fn render(state: &State, dialog: &DeleteDialog, frame: &mut Frame) {
    let theme = &state.theme;
    let shown = dialog.targets.len().min(NAMES);
    let extra = u16::from(dialog.targets.len() > NAMES);
    let inner = popup(frame, theme, "Delete", dialog_width(frame, 60), 5 + shown as u16 + extra);
    let w = inner.width;
    let what = match dialog.targets.len() {
        1 => "Delete this entry?".to_owned(),
        n => format!("Delete these {n} entries?"),
    };
    let mut text = vec![line(&what, w, theme.dialog)];
    for target in dialog.targets.iter().take(shown) {
        text.push(line(&format!("  {target}"), w, theme.dialog));
    }
    if extra > 0 {
        text.push(line(&format!("  … and {} more", dialog.targets.len() - NAMES), w, theme.dialog));
    }
    text.push(line("", w, theme.dialog));
    text.push(match &dialog.counts {
        None => line("counting…", w, theme.hint),
        Some(Ok(c)) => {
            let plural = |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
            let summary = format!(
                "{}, {}, {} in total",
                plural(c.files, "file", "files"),
                plural(c.dirs, "directory", "directories"),
                human_size(c.bytes)
            );
            line(&summary, w, theme.dialog_title)
        }
        Some(Err(message)) => line(&format!("cannot count: {message}"), w, theme.error),
    });
    text.push(line("", w, theme.dialog));
    let first = |action| state.keymap.keys(action).first().map(shown_key);
    let yes: Vec<String> =
        [Action::ConfirmDefault, Action::ConfirmYes].into_iter().filter_map(first).collect();
    let yes = if yes.is_empty() { "-".to_owned() } else { yes.join("/") };
    let hint = format!("{yes}: delete    Esc/{}: cancel", hint_key(state, Action::ConfirmNo));
    text.push(line(&hint, w, theme.hint));
    lines(frame, inner, text);
}
