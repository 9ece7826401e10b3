//! The host picker: label, where it goes (`user@host:port` once
//! resolved), source.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::input::field_widget;
use super::{dialog_width, hint_key, line, lines, popup};
use crate::app::State;
use crate::app::dialog::HostPicker;
use crate::choices::Action;
use crate::text::{escape_str, fit, fit_left, pad_to, width};

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
    let label_width = (w / 4).max(8);
    let source_width = 20.min(w / 4);
    let target_width = w.saturating_sub(label_width + source_width + 2);
    let mut text = vec![line("", inner.width, theme.dialog)];
    text.push(line("", inner.width, theme.dialog));
    for (row, &index) in picker.matches.iter().enumerate().skip(first).take(list_rows) {
        let item = &picker.items[index];
        let style = if row == picker.selected { theme.menu_selected } else { theme.dialog };
        let hint = if row == picker.selected { theme.menu_selected } else { theme.hint };
        let shown = with_mark(&picker.shown(item), root_mark(state, &item.target));
        text.push(Line::from(vec![
            Span::styled(pad_to(&escape_str(&item.label), label_width, false), style),
            Span::styled(" ", style),
            Span::styled(pad_to(&where_to(&shown, target_width), target_width, false), style),
            Span::styled(" ", style),
            // A long file name keeps its end: the line number.
            Span::styled(
                pad_to(&fit_left(&escape_str(&item.source_text()), source_width), source_width, true),
                hint,
            ),
        ]));
    }
    match picker.typed() {
        // What Enter opens, as an entry of its own.
        Some(typed) => text.push(Line::from(vec![
            Span::styled(pad_to("Enter connects to", label_width, false), theme.menu_selected),
            Span::styled(" ", theme.menu_selected),
            Span::styled(
                pad_to(&escape_str(&with_mark(typed, root_mark(state, typed))), target_width, false),
                theme.menu_selected,
            ),
            Span::styled(" ", theme.menu_selected),
            Span::styled(pad_to("typed", source_width, true), theme.menu_selected),
        ])),
        None if picker.matches.is_empty() => {
            text.push(line("no hosts yet: type [user@]host[:port]", inner.width, theme.hint));
        }
        None => {}
    }
    lines(frame, inner, text);
    let key = |action| hint_key(state, action);
    let help = format!(
        "filter, or type [user@]host[:port] · {} open · {} edit · {} as root · {} forget · Esc close",
        key(Action::PickerOpen),
        key(Action::PickerEdit),
        key(Action::PickerAsRoot),
        key(Action::PickerRemove)
    );
    let bottom = Rect { y: inner.y + inner.height.saturating_sub(1), height: 1, ..inner };
    lines(frame, bottom, vec![line(&fit(&help, w), inner.width, theme.hint)]);
    field_widget(frame, Rect { height: 1, ..inner }, &picker.input, theme);
}

/// `user@host:port  /dir` in `cells`: a directory that does not fit keeps
/// its end, as pane titles do.
fn where_to(shown: &str, cells: usize) -> String {
    let shown = escape_str(shown);
    match shown.split_once("  ") {
        Some((address, dir)) if width(&shown) > cells && width(address) + 10 <= cells => {
            format!("{address}  {}", fit_left(dir, cells - width(address) - 2))
        }
        _ => shown,
    }
}

/// `mark` after the address of `user@host:port  /dir` (before the directory).
fn with_mark(shown: &str, mark: &str) -> String {
    match shown.split_once("  ") {
        Some((address, dir)) => format!("{address}{mark}  {dir}"),
        None => format!("{shown}{mark}"),
    }
}

/// ` [sudo]` for a target whose host is set to be used as root.
fn root_mark(state: &State, target: &str) -> &'static str {
    match crate::app::Target::parse(target, true) {
        Ok(crate::app::Target::Remote { host, .. }) if state.wants_root(&host) => crate::ssh::as_root::MARK,
        _ => "",
    }
}
