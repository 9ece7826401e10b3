//! The status line and the key bar at the bottom of the screen.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::columns;
use crate::app::State;
use crate::choices::Action;
use crate::eventlog::Level;
use crate::text::{escape_str, fit, width};

/// The latest message, or the entry under the cursor; flags on the right:
/// `[sync]`, `[hidden]`, the jobs' progress, failed jobs not seen yet. A
/// message that does not fit, or a warning or error, names the key that
/// shows it whole.
pub(super) fn status(state: &State, frame: &mut Frame, area: Rect) {
    let theme = &state.theme;
    let mut flags: Vec<(String, Style)> = Vec::new();
    if state.sync_browsing {
        flags.push(("[sync]".into(), theme.key));
    }
    if state.focused().show_hidden {
        flags.push(("[hidden]".into(), theme.key));
    }
    if let Some(jobs) = jobs_flag(state) {
        flags.push((jobs, theme.key));
    }
    if let Some(badge) = failed_badge(state) {
        flags.push((badge, theme.error));
    }
    let flags_width: usize = flags.iter().map(|(f, _)| width(f) + 1).sum();
    let room = usize::from(area.width).saturating_sub(flags_width);
    let (text, style, message) = match (&state.status, &state.focused().error) {
        (Some(status), _) => {
            let style = match status.level {
                Level::Error => theme.error,
                Level::Warn => theme.key,
                _ => theme.status,
            };
            (escape_str(&status.shown()), style, Some(status.level))
        }
        (None, Some(error)) => (escape_str(error), theme.error, Some(Level::Error)),
        (None, None) => {
            (state.focused().current().map(columns::name_cell).unwrap_or_default(), theme.status, None)
        }
    };
    let key = state.keymap.keys(Action::Messages).first().map(|k| format!(" [{k}]"));
    let hint = match (message, key) {
        (Some(level), Some(key)) if level >= Level::Warn || width(&text) > room => key,
        _ => String::new(),
    };
    let text_room = room.saturating_sub(width(&hint));
    let mut spans = vec![Span::styled(crate::text::pad_to(&text, text_room, false), style)];
    if !hint.is_empty() {
        spans.push(Span::styled(hint, theme.hint));
    }
    for (flag, style) in flags {
        spans.push(Span::raw(" "));
        spans.push(Span::styled(flag, style));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// `[1 failed: alt-j]`: jobs that failed since the jobs panel was last shown.
fn failed_badge(state: &State) -> Option<String> {
    let count = state.jobs.unseen_failures.len();
    if count == 0 {
        return None;
    }
    let key = state.keymap.keys(Action::Jobs).first().map(|k| format!(": {k}")).unwrap_or_default();
    Some(format!("[{count} failed{key}]"))
}

/// `[jobs 2: 45% 12 MiB/s]` while transfers run and their panel is hidden.
fn jobs_flag(state: &State) -> Option<String> {
    let active = state.jobs.active();
    if active == 0 || state.jobs.panel == Some(crate::app::Panel::Jobs) {
        return None;
    }
    let total = &state.jobs.view.total;
    let waiting = state.jobs.view.waiting_for_answer();
    // While every running job checks its copies nothing is sent: no rate.
    let speed = if state.jobs.view.only_verifying() {
        "verifying".to_owned()
    } else {
        super::gauge::rate(total.rate)
    };
    let mut flag = format!("[jobs {active}: {:.0}% {speed}", total.ratio() * 100.0);
    if waiting > 0 {
        flag.push_str(&format!(", {waiting} waiting"));
    }
    flag.push(']');
    Some(flag)
}

/// The actions on the key bar with their short labels.
const BAR: &[(Action, &str)] = &[
    (Action::Help, "Help"),
    (Action::HostPicker, "Hosts"),
    (Action::View, "View"),
    (Action::Edit, "Edit"),
    (Action::Copy, "Copy"),
    (Action::Move, "RenMov"),
    (Action::Mkdir, "Mkdir"),
    (Action::Delete, "Delete"),
    (Action::Menu, "Menu"),
    (Action::Quit, "Quit"),
];

/// mc-style key bar built from the keymap in effect: `1Help 2Hosts ...`.
pub(super) fn keys(state: &State, frame: &mut Frame, area: Rect) {
    let theme = &state.theme;
    let mut spans = Vec::new();
    let mut used = 0;
    for (action, label) in BAR {
        let keys = state.keymap.keys(*action);
        let Some(key) =
            keys.iter().find(|k| matches!(k.code, crossterm::event::KeyCode::F(_))).or(keys.first())
        else {
            continue;
        };
        let key = key.to_string();
        let key =
            key.strip_prefix('f').filter(|n| n.parse::<u8>().is_ok()).map_or(key.clone(), str::to_owned);
        let cell = width(&key) + width(label) + 1;
        if used + cell > usize::from(area.width) {
            break;
        }
        spans.push(Span::styled(key, theme.key));
        spans.push(Span::styled(fit(label, 6), theme.key_label));
        spans.push(Span::raw(" "));
        used += cell;
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
