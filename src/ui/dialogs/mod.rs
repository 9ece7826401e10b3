//! Dialogs and overlays, drawn over the panes.

mod connect;
mod copy;
mod delete;
mod find;
mod help;
mod host_edit;
mod input;
mod job_details;
mod link;
mod menu;
mod messages;
mod mode;
mod overwrite;
mod owner;
mod picker;
mod quit;
mod sync;
mod viewer;

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::app::dialog::Purpose;
use crate::app::{Dialog, State};
use crate::config::Theme;
use crate::text::fit;

pub(super) fn render(state: &State, dialog: &Dialog, frame: &mut Frame) {
    match dialog {
        Dialog::Help { scroll, topic } => help::render(state, *scroll, *topic, frame),
        Dialog::LogEntry { back } => messages::render_log_entry(state, *back, frame),
        Dialog::Menu { selected } => menu::render(state, *selected, frame),
        // The filter is drawn inside its pane.
        Dialog::Input(input) if matches!(input.purpose, Purpose::Filter { .. }) => {}
        Dialog::Input(input) => input::render(state, input, frame),
        Dialog::Delete(delete) => delete::render(state, delete, frame),
        Dialog::Viewer(viewer) => viewer::render(state, viewer, frame),
        Dialog::HostPicker(picker) => picker::render(state, picker, frame),
        Dialog::HostEdit(dialog) => host_edit::render(state, dialog, frame),
        Dialog::Connecting { host, stage, frame: tick, .. } => {
            connect::connecting(state, host, stage, *tick, frame)
        }
        Dialog::Prompt(prompt) => connect::prompt(state, prompt, frame),
        Dialog::Copy(copy) => copy::render(state, copy, frame),
        Dialog::Overwrite(overwrite) => overwrite::render(state, overwrite, frame),
        Dialog::JobDetails { job, cursor, scroll } => {
            job_details::render(state, *job, *cursor, *scroll, frame)
        }
        Dialog::Mode(dialog) => mode::render(state, dialog, frame),
        Dialog::Owner(dialog) => owner::render(state, dialog, frame),
        Dialog::Link(dialog) => link::render(state, dialog, frame),
        Dialog::Sync(dialog) => sync::render(state, dialog, frame),
        Dialog::Find(dialog) => find::render(state, dialog, frame),
        Dialog::Messages { back } => messages::render(state, *back, frame),
        Dialog::Quit(dialog) => quit::render(state, dialog, frame),
    }
}

/// Clears a centred box, draws its border and title, returns the inside.
/// A box of at most `width` x `height` cells centred in `area`.
fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [row] =
        Layout::vertical([Constraint::Length(height.min(area.height))]).flex(Flex::Center).areas(area);
    let [cell] =
        Layout::horizontal([Constraint::Length(width.min(area.width))]).flex(Flex::Center).areas(row);
    cell
}

fn popup(frame: &mut Frame, theme: &Theme, title: &str, width: u16, height: u16) -> Rect {
    let area = centered(frame.area(), width.saturating_add(2), height.saturating_add(2));
    frame.render_widget(Clear, area);
    clear_straddling(frame, area);
    let title = fit(&format!(" {title} "), usize::from(area.width.saturating_sub(2)));
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.dialog_border)
        .style(theme.dialog)
        .title(Span::styled(title, theme.dialog_title));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    inner
}

/// A wide character (CJK, an emoji cluster) of what lies under a popup
/// whose second cell the popup's left border covers would hide that
/// border: it becomes a space.
fn clear_straddling(frame: &mut Frame, area: Rect) {
    let Some(x) = area.x.checked_sub(1) else { return };
    let buffer = frame.buffer_mut();
    for y in area.y..area.bottom() {
        if let Some(cell) = buffer.cell_mut((x, y))
            && crate::text::width(cell.symbol()) > 1
        {
            cell.set_symbol(" ");
        }
    }
}

/// One line of text cut to the area's width.
fn line<'a>(text: &str, width: u16, style: ratatui::style::Style) -> Line<'a> {
    Line::from(Span::styled(fit(text, usize::from(width)), style))
}

/// Draws lines into `area` from the top.
fn lines(frame: &mut Frame, area: Rect, lines: Vec<Line>) {
    frame.render_widget(Paragraph::new(lines), area);
}

/// What a dialog acts on: the first target, and how many more.
fn targets_line(targets: &[crate::fs::Location]) -> String {
    match targets {
        [] => String::new(),
        [one] => one.to_string(),
        [first, rest @ ..] => format!("{first} and {} more", rest.len()),
    }
}

/// A checkbox and its label.
/// A key as the dialogs' hint lines write it: `Enter`, `F4`, `Del`, `↑`.
fn shown_key(key: &crate::config::Key) -> String {
    let text = key.to_string();
    let named = match text.as_str() {
        "enter" => "Enter",
        "esc" => "Esc",
        "tab" => "Tab",
        "space" => "Space",
        "delete" => "Del",
        "backspace" => "Backspace",
        "insert" => "Insert",
        "home" => "Home",
        "end" => "End",
        "pageup" => "PgUp",
        "pagedown" => "PgDn",
        "up" => "↑",
        "down" => "↓",
        "left" => "←",
        "right" => "→",
        _ if text.len() > 1 && text.starts_with('f') && text[1..].bytes().all(|b| b.is_ascii_digit()) => {
            return text.to_uppercase();
        }
        _ => return text,
    };
    named.to_owned()
}

/// The first key bound to `action` as a hint line writes it (`-`: none).
fn hint_key(state: &State, action: crate::choices::Action) -> String {
    state.keymap.keys(action).first().map_or("-".to_owned(), shown_key)
}

/// Every key of `actions` for a hint line: the others first, joined by
/// `/`, then the arrows together (`Space/←→`).
fn hint_keys(state: &State, actions: &[crate::choices::Action]) -> String {
    let keys: Vec<String> = actions.iter().flat_map(|a| state.keymap.keys(*a)).map(shown_key).collect();
    let arrows: String = ["←", "→", "↑", "↓"].into_iter().filter(|a| keys.iter().any(|k| k == a)).collect();
    let mut parts: Vec<String> =
        keys.into_iter().filter(|k| !["←", "→", "↑", "↓"].contains(&k.as_str())).collect();
    parts.dedup();
    if !arrows.is_empty() {
        parts.push(arrows);
    }
    if parts.is_empty() { "-".to_owned() } else { parts.join("/") }
}

/// The rows of a question's answers, `  KEY  label`, each with the first key
/// the keymap binds to its action (`-` for none), the keys padded alike.
fn choice_rows<T>(state: &State, choices: &[(T, crate::choices::Action, &str)]) -> Vec<String> {
    let first = |action| state.keymap.keys(action).first().map_or("-".to_owned(), ToString::to_string);
    let keys: Vec<String> = choices.iter().map(|(_, action, _)| first(*action)).collect();
    let width = keys.iter().map(|k| crate::text::width(k)).max().unwrap_or(1);
    keys.iter()
        .zip(choices)
        .map(|(key, (_, _, label))| {
            format!("  {key}{}  {label}", " ".repeat(width - crate::text::width(key)))
        })
        .collect()
}

fn checkbox(on: bool, label: &str) -> String {
    format!("{} {label}", if on { "[x]" } else { "[ ]" })
}

/// Width for a dialog on this screen: `wanted`, but never wider than the screen allows.
fn dialog_width(frame: &Frame, wanted: u16) -> u16 {
    wanted.min(frame.area().width.saturating_sub(4)).max(10)
}
