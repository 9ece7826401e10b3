//! The jobs panel: every job with its state, gauge, numbers, current file or
//! first failure; the total; the keys.

use ratatui::Frame;
use ratatui::layout::{Margin, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::gauge;
use crate::app::State;
use crate::jobs::{JobState, JobView};
use crate::text::{fit, pad_to};

const HINTS: &str =
    "Enter details/answer  p pause  P pause all  c cancel  r retry  K/J move  x clear  l log  Esc back";

pub(super) fn render(state: &State, frame: &mut Frame, area: Rect) {
    let theme = &state.theme;
    let ui = &state.jobs;
    let view = &ui.view;
    let running =
        view.jobs.iter().filter(|j| matches!(j.state, JobState::Running | JobState::Connecting)).count();
    let waiting = view.waiting_for_answer();
    let queued = view.jobs.iter().filter(|j| j.state == JobState::Queued).count();
    let mut title = format!(" Jobs: {running} running, {queued} queued");
    if waiting > 0 {
        title.push_str(&format!(", {waiting} waiting for an answer"));
    }
    if view.paused {
        title.push_str(" [queue paused]");
    }
    title.push(' ');
    let border = if ui.panel_focus { theme.border_focused } else { theme.border };
    let block =
        Block::default().borders(Borders::ALL).border_style(border).title(Span::styled(title, theme.title));
    frame.render_widget(block, area);
    let inner = area.inner(Margin { horizontal: 1, vertical: 1 });
    let w = usize::from(inner.width);
    if inner.height < 3 {
        return;
    }
    let mut lines = Vec::new();
    let leftovers = view.leftovers.len();
    let rows = usize::from(inner.height).saturating_sub(2 + usize::from(leftovers > 0));
    if view.jobs.is_empty() {
        lines.push(Line::styled(fit("No transfers. F5 copies, F6 moves to the other pane.", w), theme.hint));
    }
    let per_job = 2;
    let shown = (rows / per_job).max(1);
    let first = ui.selected.saturating_sub(shown - 1).min(view.jobs.len().saturating_sub(shown));
    for (index, job) in view.jobs.iter().enumerate().skip(first).take(shown) {
        let selected = index == ui.selected;
        lines.extend(job_lines(state, job, selected, w));
    }
    while lines.len() < rows {
        lines.push(Line::raw(""));
    }
    lines.truncate(rows);
    let total = &view.total;
    let gauge_width = (w / 4).clamp(10, 30);
    let total_text = format!(
        "Total {}  {}  conn {}/{}",
        gauge::bar(total.ratio(), gauge_width),
        gauge::numbers(total, view.sending()),
        view.connections,
        view.limits.global
    );
    if leftovers > 0 {
        let text = format!(
            "{leftovers} leftover temporary file(s) of interrupted copies, no job owns them (see the log): D removes them"
        );
        lines.push(Line::styled(fit(&text, w), theme.error));
    }
    lines.push(Line::styled(fit(&total_text, w), theme.footer));
    lines.push(Line::styled(fit(HINTS, w), theme.hint));
    frame.render_widget(Paragraph::new(lines), inner);
}

fn state_style(state: &State, job: &JobView) -> Style {
    let theme = &state.theme;
    match job.state {
        JobState::Failed => theme.error,
        JobState::Waiting => theme.key,
        JobState::Done => theme.hint,
        _ => theme.status,
    }
}

fn job_lines(state: &State, job: &JobView, selected: bool, w: usize) -> [Line<'static>; 2] {
    let theme = &state.theme;
    let marker = if selected { "›" } else { " " };
    let label = if job.cancelling {
        "cancelling"
    } else if job.verifying {
        "verifying"
    } else {
        job.state.short_label()
    };
    let head = format!("{marker}{:>4} {:<10}", job.id.to_string(), label);
    let row_style = if selected && state.jobs.panel_focus { theme.cursor } else { theme.file };
    let title_room = w.saturating_sub(crate::text::width(&head) + 1);
    let first = Line::from(vec![
        Span::styled(
            head,
            if selected && state.jobs.panel_focus { theme.cursor } else { state_style(state, job) },
        ),
        Span::styled(pad_to(&format!(" {}", fit(&job.title, title_room)), title_room + 1, false), row_style),
    ]);
    let gauge_width = (w / 4).clamp(10, 30);
    // While copies are checked nothing is sent: no rate, no time left.
    let active = matches!(job.state, JobState::Running | JobState::Connecting) && !job.verifying;
    let detail = format!(
        "      {}  {}",
        gauge::bar(job.progress.ratio(), gauge_width),
        gauge::numbers(&job.progress, active)
    );
    let (tail, style) = if let Some(error) = &job.error {
        (format!("  {error}"), theme.error)
    } else if let Some(question) = &job.question {
        (format!("  {} exists: Enter to answer", question.name), theme.key)
    } else if let Some(failed) = job.failed.first() {
        (format!("  {} failed; {}: {}", job.failed.len(), failed.name, failed.reason), theme.error)
    } else if let Some(current) = &job.current {
        (format!("  {current}"), theme.hint)
    } else if job.partials > 0 {
        (
            format!(
                "  {} partial cop{} kept to resume",
                job.partials,
                if job.partials == 1 { "y" } else { "ies" }
            ),
            theme.hint,
        )
    } else {
        (String::new(), theme.hint)
    };
    let room = w.saturating_sub(crate::text::width(&detail));
    let second =
        Line::from(vec![Span::styled(fit(&detail, w), theme.footer), Span::styled(fit(&tail, room), style)]);
    [first, second]
}
