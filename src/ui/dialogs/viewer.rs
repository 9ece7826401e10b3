//! The full-screen viewer (F3): the title line (mode, size, position,
//! wrap, follow), the text (matches of the search highlighted, long lines
//! cut or wrapped) and the bottom line (a prompt, a note, or the keys).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use unicode_segmentation::UnicodeSegmentation;

use super::{line, lines};
use crate::app::State;
use crate::app::dialog::{Viewer, ViewerPrompt};
use crate::text::{escape_str, fit, human_size, width};

pub(super) fn render(state: &State, viewer: &Viewer, frame: &mut Frame) {
    let theme = &state.theme;
    let area = frame.area();
    frame.render_widget(Clear, area);
    let w = area.width;
    let title = format!(" {} · {}", viewer.title, status(viewer));
    lines(frame, Rect { height: 1, ..area }, vec![line(&title, w, theme.title.patch(theme.key_label))]);
    let body = Rect { y: area.y + 1, height: area.height.saturating_sub(2), ..area };
    match &viewer.content {
        // Why the file could not be read, whole (the host's own words last).
        Some(Err(message)) => {
            let text = Line::styled(escape_str(message), theme.error);
            frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), body);
        }
        _ => {
            let rows = usize::from(body.height);
            let mut text = Vec::new();
            let matched = theme.search_match;
            for n in (viewer.scroll..).take(rows) {
                let Some(shown) = viewer.line(n) else { break };
                let found = viewer.search.as_ref().map(|s| s.matches(&shown)).unwrap_or_default();
                text.extend(rows_of(&shown, &found, usize::from(w), viewer.wrap, theme.file, matched));
                if text.len() >= rows {
                    break;
                }
            }
            text.truncate(rows);
            lines(frame, body, text);
        }
    }
    let bottom = Rect { y: area.y + area.height.saturating_sub(1), height: 1, ..area };
    bottom_line(state, viewer, frame, bottom);
}

/// `text · 1.2 KiB · line 3/40 · wrap · following`
fn status(viewer: &Viewer) -> String {
    let Some(content) = &viewer.content else { return "loading…".to_owned() };
    let Ok(c) = content else { return "error".to_owned() };
    let mode = if viewer.hex { "hex" } else { "text" };
    let shown = match (c.truncated(), c.base) {
        (false, _) => human_size(c.total),
        (true, 0) => format!("first {} of {}", human_size(c.bytes.len() as u64), human_size(c.total)),
        (true, _) => format!("last {} of {}", human_size(c.bytes.len() as u64), human_size(c.total)),
    };
    let mut parts =
        vec![mode.to_owned(), shown, format!("line {}/{}", viewer.scroll + 1, viewer.line_count().max(1))];
    if viewer.wrap {
        parts.push("wrap".into());
    }
    if viewer.follow.is_some() {
        parts.push("following (any key stops)".into());
    }
    parts.join(" · ")
}

/// One line of text as screen rows `w` wide: the `found` byte ranges in
/// `matched`, the rest in `plain`; cut with `…` or, with `wrap`, continued
/// on the next rows. Cut between grapheme clusters.
fn rows_of(
    text: &str,
    found: &[std::ops::Range<usize>],
    w: usize,
    wrap: bool,
    plain: Style,
    matched: Style,
) -> Vec<Line<'static>> {
    let w = w.max(1);
    let cut = !wrap && width(text) > w;
    let room = if cut { w - 1 } else { w };
    let mut rows: Vec<Vec<Span<'static>>> = vec![Vec::new()];
    let mut used = 0;
    for (at, cluster) in text.grapheme_indices(true) {
        let cells = width(cluster);
        if used + cells > room {
            if !wrap {
                break;
            }
            rows.push(Vec::new());
            used = 0;
        }
        let style = if found.iter().any(|r| r.contains(&at)) { matched } else { plain };
        let Some(row) = rows.last_mut() else { break };
        match row.last_mut() {
            Some(span) if span.style == style => span.content.to_mut().push_str(cluster),
            _ => row.push(Span::styled(cluster.to_owned(), style)),
        }
        used += cells;
    }
    if cut && let Some(row) = rows.last_mut() {
        row.push(Span::styled("…", plain));
    }
    rows.into_iter().map(Line::from).collect()
}

/// The prompt being typed, or a note before the keys.
fn bottom_line(state: &State, viewer: &Viewer, frame: &mut Frame, area: Rect) {
    let theme = &state.theme;
    let w = usize::from(area.width);
    if let Some(prompt) = &viewer.prompt {
        let (label, input) = match prompt {
            ViewerPrompt::Search { backward: false, input } => ("/", input),
            ViewerPrompt::Search { backward: true, input } => ("?", input),
            ViewerPrompt::GoTo { input } => ("line: ", input),
        };
        let typed = escape_str(input.text());
        let text = fit(&format!("{label}{typed}"), w);
        frame.render_widget(Paragraph::new(Span::styled(text, theme.input)), area);
        let before = width(label) + width(&escape_str(&input.text()[..input.cursor()]));
        let x = area.x + u16::try_from(before).unwrap_or(u16::MAX).min(area.width.saturating_sub(1));
        frame.set_cursor_position((x, area.y));
        return;
    }
    let keys = "/ ? n N: search  : line  w: wrap  F: follow  h: hex  F1: keys  q: close";
    // The note first, whole if it can be; then as many keys as fit.
    let note = viewer.note.as_ref().map(|n| fit(&format!("{n}  "), w)).unwrap_or_default();
    let room = w.saturating_sub(width(&note));
    let spans = vec![Span::styled(note, theme.error), Span::styled(fit(keys, room), theme.hint)];
    lines(frame, area, vec![Line::from(spans)]);
}
