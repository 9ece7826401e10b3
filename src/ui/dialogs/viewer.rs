//! The full-screen viewer (F3).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::{line, lines};
use crate::app::State;
use crate::app::dialog::Viewer;
use crate::text::escape_str;
use crate::text::human_size;

pub(super) fn render(state: &State, viewer: &Viewer, frame: &mut Frame) {
    let theme = &state.theme;
    let area = frame.area();
    frame.render_widget(Clear, area);
    let w = area.width;
    let status = match &viewer.content {
        None => "loading…".to_owned(),
        Some(Err(_)) => "error".to_owned(),
        Some(Ok(c)) => {
            let mode = if viewer.hex { "hex" } else { "text" };
            let shown = if c.truncated() {
                format!("first {} of {}", human_size(c.bytes.len() as u64), human_size(c.total))
            } else {
                human_size(c.total)
            };
            let position = format!("line {}/{}", viewer.scroll + 1, viewer.line_count().max(1));
            format!("{mode} · {shown} · {position}")
        }
    };
    let title = format!(" {} · {status}", viewer.title);
    lines(frame, Rect { height: 1, ..area }, vec![line(&title, w, theme.title.patch(theme.key_label))]);
    let body = Rect { y: area.y + 1, height: area.height.saturating_sub(2), ..area };
    let text = match &viewer.content {
        // Why the file could not be read, whole (the host's own words last).
        Some(Err(message)) => {
            let text = Line::styled(escape_str(message), theme.error);
            frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), body);
            Vec::new()
        }
        _ => (viewer.scroll..viewer.scroll + usize::from(body.height))
            .map_while(|n| viewer.line(n))
            .map(|text| line(&text, w, theme.file))
            .collect(),
    };
    if !text.is_empty() {
        lines(frame, body, text);
    }
    let keys = "↑↓ PgUp PgDn Home End: scroll   h/F4: text/hex   q/F3/Esc: close";
    let bottom = Rect { y: area.y + area.height.saturating_sub(1), height: 1, ..area };
    lines(frame, bottom, vec![line(keys, w, theme.hint)]);
}
