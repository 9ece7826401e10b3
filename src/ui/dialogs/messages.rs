//! The message view (alt-h) and the log entry view (Enter in the log
//! panel): the selected event whole, wrapped, with its time, level, host
//! and job; under it the earlier ones, one line each, the selected one
//! highlighted.

use ratatui::Frame;
use ratatui::layout::{Margin, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::app::State;
use crate::eventlog::{Event, Level};
use crate::text::fit;
use crate::ui::log_pane;

const HINTS: &str = "↑↓ PgUp PgDn Home End: message · Esc: close · alt-l: the whole log";
const LOG_HINTS: &str = "↑↓ PgUp PgDn Home End: entry · Esc, Enter: close";

pub(super) fn render(state: &State, back: usize, frame: &mut Frame) {
    let history: Vec<&Event> = state.messages.history().iter().collect();
    let title = format!(" Messages ({}) ", history.len());
    render_events(state, &title, &history, back, HINTS, frame);
}

/// One log entry whole (`back` counts from the newest the panel's filter
/// lets through), the entries before it under it.
pub(super) fn render_log_entry(state: &State, back: usize, frame: &mut Frame) {
    let filter = &state.jobs.filter;
    let events: Vec<&Event> = state.jobs.log.filtered(filter).collect();
    let title = format!(" Log entry: {} ", log_pane::filter_label(filter));
    render_events(state, &title, &events, back, LOG_HINTS, frame);
}

fn render_events(
    state: &State,
    title: &str,
    history: &[&Event],
    back: usize,
    hints: &str,
    frame: &mut Frame,
) {
    let theme = &state.theme;
    let area = frame.area().inner(Margin { horizontal: 2, vertical: 1 });
    frame.render_widget(Clear, area);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.dialog_border)
        .style(theme.dialog)
        .title(Span::styled(fit(title, usize::from(area.width.saturating_sub(2))), theme.dialog_title));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let (w, rows) = (usize::from(inner.width), usize::from(inner.height));
    if rows < 6 {
        return;
    }
    let selected = history.len().checked_sub(back + 1);
    let Some(event) = selected.and_then(|i| history.get(i).copied()) else {
        let text = vec![
            Line::styled(
                fit("No messages yet: errors, warnings and notices are listed here.", w),
                theme.hint,
            ),
            Line::styled(fit(hints, w), theme.hint),
        ];
        frame.render_widget(Paragraph::new(text), inner);
        return;
    };
    let style = level_style(state, event.level);
    // The selected message whole: at most half the view, the rest lists.
    let whole = Paragraph::new(Line::styled(event.text.clone(), style)).wrap(Wrap { trim: false });
    let needed = whole.line_count(inner.width).max(1);
    let text_rows = needed.min((rows - 3) / 2).max(1);
    let mut y = inner.y;
    let row = |y: u16, height: usize| Rect { x: inner.x, y, width: inner.width, height: height as u16 };
    frame.render_widget(
        Paragraph::new(Line::styled(fit(&heading(state, event), w), theme.dialog_title)),
        row(y, 1),
    );
    y += 1;
    frame.render_widget(whole, row(y, text_rows));
    y += text_rows as u16;
    frame.render_widget(Paragraph::new(Line::styled("─".repeat(w), theme.dialog_border)), row(y, 1));
    y += 1;
    let list_rows = rows - text_rows - 3;
    let selected = selected.unwrap_or(0);
    let first = (selected + 1).saturating_sub(list_rows);
    let lines: Vec<Line> = history
        .iter()
        .enumerate()
        .skip(first)
        .take(list_rows)
        .map(|(index, e)| {
            // A marker too, for terminals without colours.
            let mut line = log_pane::event_line(state, e, w.saturating_sub(1));
            let marker = if index == selected { "›" } else { " " };
            line.spans.insert(0, Span::raw(marker));
            if index == selected { line.style(theme.menu_selected) } else { line }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), row(y, list_rows));
    frame.render_widget(Paragraph::new(Line::styled(fit(hints, w), theme.hint)), row(inner.bottom() - 1, 1));
}

/// `12:00:01 error · web1 · job 3` over the selected message.
fn heading(state: &State, event: &Event) -> String {
    let time = event.time.to_zoned(state.tz.clone()).strftime("%Y-%m-%d %H:%M:%S").to_string();
    let mut text = format!("{time} {}", event.level.label());
    if let Some(host) = &event.host {
        text.push_str(&format!(" · {host}"));
    }
    if let Some(job) = event.job {
        text.push_str(&format!(" · job {job}"));
    }
    text
}

fn level_style(state: &State, level: Level) -> ratatui::style::Style {
    let theme = &state.theme;
    match level {
        Level::Error => theme.error,
        Level::Warn => theme.key,
        Level::Info => theme.dialog,
        Level::Debug => theme.hint,
    }
}
