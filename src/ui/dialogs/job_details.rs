//! A job's details: its failed items with their reasons (retry one or all)
//! and its own log events.

use ratatui::Frame;
use ratatui::layout::{Margin, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

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
    let mut lines: Vec<Line> = Vec::new();
    if let Some(v) = view {
        lines.push(Line::styled(fit(&v.title, w), theme.dialog_title));
        let bar = gauge::bar(v.progress.ratio(), 20);
        lines.push(Line::styled(
            fit(&format!("{bar}  {}", gauge::numbers(&v.progress, false)), w),
            theme.dialog,
        ));
        if let Some(error) = &v.error {
            lines.push(Line::styled(fit(error, w), theme.error));
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
            lines.push(Line::styled(fit(&text, w), theme.dialog));
        }
        let failed = &v.failed;
        lines.push(Line::styled(
            fit(&format!("Failed items: {}  (r retry the selected, R retry all)", failed.len()), w),
            theme.dialog_title,
        ));
        let room = (rows / 2).saturating_sub(lines.len()).max(1);
        let first = cursor.saturating_sub(room - 1);
        for (index, item) in failed.iter().enumerate().skip(first).take(room) {
            let style = if index == cursor { theme.menu_selected } else { theme.error };
            lines.push(Line::styled(fit(&format!("  {}: {}", item.name, item.reason), w), style));
        }
    }
    lines.push(Line::styled(fit("Events:", w), theme.dialog_title));
    let filter = Filter { min_level: Level::Debug, host: None, job: Some(job.0) };
    let room = rows.saturating_sub(lines.len() + 1);
    lines.extend(log_pane::event_lines(state, &filter, room, scroll, w));
    while lines.len() < rows - 1 {
        lines.push(Line::raw(""));
    }
    lines.push(Line::styled(
        fit("↑↓ item · r retry it · R retry all · PgUp/PgDn events · Esc close", w),
        theme.hint,
    ));
    frame.render_widget(Paragraph::new(lines), Rect { ..inner });
}
