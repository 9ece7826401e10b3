//! The log panel: events, newest at the bottom, filtered by level, host and
//! job, scrolled with the keys.

use ratatui::Frame;
use ratatui::layout::{Margin, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::app::State;
use crate::eventlog::{Event, Filter, Level};
use crate::text::{chunks, fit};

const HINTS: &str = "↑↓ PgUp PgDn scroll  End follow  Enter entry  w wrap  L level  H host  J job  F1 keys";

pub(super) fn render(state: &State, frame: &mut Frame, area: Rect) {
    let theme = &state.theme;
    let ui = &state.jobs;
    let filter = &ui.filter;
    let wrap = if ui.log_wrap { " · wrap" } else { "" };
    let title = format!(" Log: {}{wrap} ", filter_label(filter));
    let border = if ui.panel_focus { theme.border_focused } else { theme.border };
    let block =
        Block::default().borders(Borders::ALL).border_style(border).title(Span::styled(title, theme.title));
    frame.render_widget(block, area);
    let inner = area.inner(Margin { horizontal: 1, vertical: 1 });
    if inner.height < 2 {
        return;
    }
    let rows = usize::from(inner.height) - 1;
    let w = usize::from(inner.width);
    let mut lines = if ui.log_wrap {
        wrapped_lines(state, filter, rows, ui.scroll, w)
    } else {
        event_lines(state, filter, rows, ui.scroll, w)
    };
    while lines.len() < rows {
        lines.insert(0, Line::raw(""));
    }
    lines.push(Line::styled(fit(HINTS, w), theme.hint));
    frame.render_widget(Paragraph::new(lines), inner);
}

pub(super) fn filter_label(filter: &Filter) -> String {
    format!(
        "level ≥ {} · host {} · job {}",
        filter.min_level,
        filter.host.as_deref().unwrap_or("all"),
        filter.job.map_or_else(|| "all".to_owned(), |j| format!("#{j}"))
    )
}

/// The `rows` lines ending `scroll` lines above the newest matching event.
pub(super) fn event_lines(
    state: &State,
    filter: &Filter,
    rows: usize,
    scroll: usize,
    w: usize,
) -> Vec<Line<'static>> {
    let matching: Vec<&Event> = state.jobs.log.filtered(filter).collect();
    let end = matching.len().saturating_sub(scroll.min(matching.len().saturating_sub(rows)));
    let start = end.saturating_sub(rows);
    matching[start..end].iter().map(|e| event_line(state, e, w)).collect()
}

/// Like [`event_lines`], each event over as many rows as its text needs
/// (the newest at the bottom, the oldest cut at the top).
fn wrapped_lines(state: &State, filter: &Filter, rows: usize, scroll: usize, w: usize) -> Vec<Line<'static>> {
    let matching: Vec<&Event> = state.jobs.log.filtered(filter).collect();
    let end = matching.len().saturating_sub(scroll.min(matching.len().saturating_sub(1)));
    let mut lines = Vec::new();
    for event in matching[..end].iter().rev() {
        let line = event_line(state, event, usize::MAX);
        let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
        let mut rows_of: Vec<Line> =
            chunks(&text, w).into_iter().map(|r| Line::styled(r, line.style)).collect();
        rows_of.append(&mut lines);
        lines = rows_of;
        if lines.len() >= rows {
            break;
        }
    }
    let extra = lines.len().saturating_sub(rows);
    lines.drain(..extra);
    lines
}

/// One event on one line: time, level, host, job, text (cut to `w`).
pub(super) fn event_line(state: &State, event: &Event, w: usize) -> Line<'static> {
    let theme = &state.theme;
    let time = event.time.to_zoned(state.tz.clone()).strftime("%H:%M:%S").to_string();
    let style = match event.level {
        Level::Error => theme.error,
        Level::Warn => theme.key,
        Level::Info => theme.file,
        Level::Debug => theme.hint,
    };
    let mut text = format!("{time} {:<5}", event.level.label());
    if let Some(host) = &event.host {
        text.push_str(&format!(" {host}"));
    }
    if let Some(job) = event.job {
        text.push_str(&format!(" #{job}"));
    }
    text.push(' ');
    text.push_str(&event.text);
    Line::styled(fit(&text, w), style)
}
