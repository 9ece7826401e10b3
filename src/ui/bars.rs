//! The status line and the key bar at the bottom of the screen.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::columns;
use crate::app::State;
use crate::choices::Action;
use crate::text::{escape_str, fit, width};

/// The latest message, or the entry under the cursor; flags on the right.
pub(super) fn status(state: &State, frame: &mut Frame, area: Rect) {
    let theme = &state.theme;
    let mut flags = Vec::new();
    if state.sync_browsing {
        flags.push("[sync]");
    }
    if state.focused().show_hidden {
        flags.push("[hidden]");
    }
    let jobs = jobs_flag(state);
    if let Some(jobs) = &jobs {
        flags.push(jobs);
    }
    let flags = flags.join(" ");
    let room = usize::from(area.width).saturating_sub(width(&flags) + usize::from(!flags.is_empty()));
    let (text, style) = match (&state.status, &state.focused().error) {
        (Some(status), _) => {
            (escape_str(&status.text), if status.error { theme.error } else { theme.status })
        }
        (None, Some(error)) => (escape_str(error), theme.error),
        (None, None) => (state.focused().current().map(columns::name_cell).unwrap_or_default(), theme.status),
    };
    let mut spans = vec![Span::styled(crate::text::pad_to(&text, room, false), style)];
    if !flags.is_empty() {
        spans.push(Span::raw(" "));
        spans.push(Span::styled(flags, theme.key));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// `[jobs 2: 45% 12 MiB/s]` while transfers run and their panel is hidden.
fn jobs_flag(state: &State) -> Option<String> {
    let active = state.jobs.active();
    if active == 0 || state.jobs.panel == Some(crate::app::Panel::Jobs) {
        return None;
    }
    let total = &state.jobs.view.total;
    let waiting = state.jobs.view.waiting_for_answer();
    let mut flag =
        format!("[jobs {active}: {:.0}% {}", total.ratio() * 100.0, super::gauge::rate(total.rate));
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
