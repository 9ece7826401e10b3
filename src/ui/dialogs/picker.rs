//! The host picker: label, where it goes (`user@host:port` once
//! resolved), source.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::input::field_widget;
use super::{dialog_width, line, lines, popup};
use crate::app::State;
use crate::app::dialog::HostPicker;
use crate::text::{escape_str, fit, pad_to};

pub(super) fn render(state: &State, picker: &HostPicker, frame: &mut Frame) {
    let theme = &state.theme;
    let height = frame.area().height.saturating_sub(4).clamp(4, 20);
    let side = match picker.side {
        crate::app::Side::Left => "left",
        crate::app::Side::Right => "right",
    };
    let inner = popup(frame, theme, &format!("Open in the {side} pane"), dialog_width(frame, 70), height);
    let w = usize::from(inner.width);
    let list_rows = usize::from(inner.height.saturating_sub(3));
    let first = picker.selected.saturating_sub(list_rows.saturating_sub(1));
    let label_width = (w / 3).max(8);
    let source_width = 11.min(w / 4);
    let target_width = w.saturating_sub(label_width + source_width + 2);
    let mut text = vec![line("", inner.width, theme.dialog)];
    text.push(line("", inner.width, theme.dialog));
    for (row, &index) in picker.matches.iter().enumerate().skip(first).take(list_rows) {
        let item = &picker.items[index];
        let style = if row == picker.selected { theme.menu_selected } else { theme.dialog };
        let hint = if row == picker.selected { theme.menu_selected } else { theme.hint };
        let shown = format!("{}{}", picker.shown(item), root_mark(state, item));
        text.push(Line::from(vec![
            Span::styled(pad_to(&escape_str(&item.label), label_width, false), style),
            Span::styled(" ", style),
            Span::styled(pad_to(&escape_str(&shown), target_width, false), style),
            Span::styled(" ", style),
            Span::styled(pad_to(item.source.label(), source_width, true), hint),
        ]));
    }
    if picker.matches.is_empty() {
        let typed = picker.input.text().trim();
        let message = if typed.is_empty() {
            "no hosts yet: type [user@]host[:port]".to_owned()
        } else {
            let mark = match crate::app::Target::parse(typed, true) {
                Ok(crate::app::Target::Remote { host, .. }) if state.wants_root(&host) => " as root (sudo)",
                _ => "",
            };
            format!("Enter connects to {}{mark}", escape_str(typed))
        };
        text.push(line(&message, inner.width, theme.hint));
    }
    lines(frame, inner, text);
    let help = "filter, or type [user@]host[:port] · Enter open · alt-u as root · Del forget · Esc close";
    let bottom = Rect { y: inner.y + inner.height.saturating_sub(1), height: 1, ..inner };
    lines(frame, bottom, vec![line(&fit(help, w), inner.width, theme.hint)]);
    field_widget(frame, Rect { height: 1, ..inner }, &picker.input, theme);
}

/// ` [sudo]` after an item whose host is set to be used as root.
fn root_mark(state: &State, item: &crate::app::dialog::PickItem) -> &'static str {
    match crate::app::Target::parse(&item.target, true) {
        Ok(crate::app::Target::Remote { host, .. }) if state.wants_root(&host) => crate::ssh::as_root::MARK,
        _ => "",
    }
}
