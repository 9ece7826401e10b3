//! A job's details: its failed items with their reasons (retry one or all),
//! the selected one's reason whole, and the job's own log events.

use ratatui::Frame;
use ratatui::layout::{Margin, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::app::State;
use crate::eventlog::{Filter, Level};
use crate::jobs::JobId;
use crate::text::{fit, human_size};
use crate::ui::{gauge, log_pane};

pub(super) fn render(state: &State, job: JobId, cursor: usize, scroll: usize, frame: &mut Frame) {
    let theme = &state.theme;
    let area = frame.area().inner(Margin { horizontal: 2, vertical: 1 });
    frame.render_widget(Clear, area);
    let view = state.jobs.view.job(job);
    let title = match view {
        Some(v) => format!(" Job {}: {} ", v.id, v.state.label()),
        None => format!(" Job {job} (cleared) "),
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.dialog_border)
        .style(theme.dialog)
        .title(Span::styled(title, theme.dialog_title));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let w = usize::from(inner.width);
    let rows = usize::from(inner.height);
    if rows < 6 {
        return;
    }
    // Top to bottom: what the job is, its failures, then its events.
    let mut y = inner.y;
    if let Some(v) = view {
        let mut top = vec![Line::styled(fit(&v.title, w), theme.dialog_title)];
        let bar = gauge::bar(v.progress.ratio(), 20);
        top.push(Line::styled(
            fit(&format!("{bar}  {}", gauge::numbers(&v.progress, false)), w),
            theme.dialog,
        ));
        let count = top.len();
        put(frame, inner, &mut y, Paragraph::new(top), count);
        if let Some(error) = &v.error {
            let error = Paragraph::new(Line::styled(error.clone(), theme.error)).wrap(Wrap { trim: false });
            let needed = error.line_count(inner.width);
            put(frame, inner, &mut y, error, needed.min(rows / 4).max(1));
        }
        if !v.resumed.is_empty() || v.partials > 0 {
            let resumed: Vec<String> =
                v.resumed.iter().map(|r| format!("{} resumed at {}", r.name, human_size(r.at))).collect();
            let mut text = resumed.join(", ");
            if v.partials > 0 {
                let kept = format!(
                    "{} partial cop{} kept to resume",
                    v.partials,
                    if v.partials == 1 { "y" } else { "ies" }
                );
                text = if text.is_empty() { kept } else { format!("{text}; {kept}") };
            }
            put(frame, inner, &mut y, Paragraph::new(Line::styled(fit(&text, w), theme.dialog)), 1);
        }
        let failed = &v.failed;
        let mut list = vec![Line::styled(
            fit(&format!("Failed items: {}  (r retry the selected, R retry all)", failed.len()), w),
            theme.dialog_title,
        )];
        let room = (rows / 3).max(1);
        let first = cursor.saturating_sub(room - 1);
        for (index, item) in failed.iter().enumerate().skip(first).take(room) {
            let style = if index == cursor { theme.menu_selected } else { theme.error };
            list.push(Line::styled(fit(&format!("  {}: {}", item.name, item.reason), w), style));
        }
        let count = list.len();
        put(frame, inner, &mut y, Paragraph::new(list), count);
        if let Some(item) = failed.get(cursor) {
            let whole = format!("{}: {}", item.name, item.reason);
            let whole = Paragraph::new(Line::styled(whole, theme.error)).wrap(Wrap { trim: false });
            let needed = whole.line_count(inner.width);
            put(frame, inner, &mut y, whole, needed.min(rows / 4).max(1));
            if item.retry_as_root.is_some() {
                let offer = "permission denied: u retries it as root (through sudo on the remote host)";
                put(frame, inner, &mut y, Paragraph::new(Line::styled(fit(offer, w), theme.hint)), 1);
            }
        }
    }
    let filter = Filter { min_level: Level::Debug, host: None, job: Some(job.0) };
    let used = usize::from(y - inner.y);
    let room = rows.saturating_sub(used + 2);
    let mut events = vec![Line::styled(fit("Events:", w), theme.dialog_title)];
    events.extend(log_pane::event_lines(state, &filter, room, scroll, w));
    let count = events.len();
    put(frame, inner, &mut y, Paragraph::new(events), count);
    let hints = "↑↓ item · r retry it · R retry all · PgUp/PgDn events · Esc close";
    let last = Rect { y: inner.bottom() - 1, height: 1, ..inner };
    frame.render_widget(Paragraph::new(Line::styled(fit(hints, w), theme.hint)), last);
}

/// Draws `widget` in the next `height` rows of `inner` (as many as are left).
fn put(frame: &mut Frame, inner: Rect, y: &mut u16, widget: Paragraph, height: usize) {
    let height = height.min(usize::from(inner.bottom().saturating_sub(*y))) as u16;
    frame.render_widget(widget, Rect { y: *y, height, ..inner });
    *y += height;
}
