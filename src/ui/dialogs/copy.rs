//! The copy/move dialog.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;

use super::input::{field_text, field_widget};
use super::{dialog_width, hint_key, hint_keys, line, lines, popup};
use crate::app::State;
use crate::app::dialog::{CopyDialog, CopyField, LineInput};
use crate::choices::Action;
use crate::jobs::Mode;
use crate::text::human_size;

pub(super) fn render(state: &State, dialog: &CopyDialog, frame: &mut Frame) {
    let theme = &state.theme;
    let height = 13 + u16::from(dialog.direct_possible) + u16::from(dialog.error.is_some());
    let inner = popup(frame, theme, dialog.title(), dialog_width(frame, 72), height);
    let w = inner.width;
    let (files, dirs, bytes) = dialog.totals();
    let plural = |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let (links, skipped) = dialog.extras();
    let mut parts = vec![plural(files, "file", "files")];
    if dirs > 0 {
        parts.push(plural(dirs, "directory", "directories"));
    }
    if links > 0 {
        parts.push(plural(links, "link", "links"));
    }
    let mut what = format!("{} {}", dialog.title(), and_list(&parts));
    what.push_str(&match bytes {
        Some(bytes) => format!(" ({})", human_size(bytes)),
        None => " (counting…)".to_owned(),
    });
    if skipped > 0 {
        what.push_str(&format!(", {skipped} skipped"));
    }
    let from = dialog.sources.first().and_then(|s| s.parent()).map(|p| p.to_string()).unwrap_or_default();
    let to = match (&dialog.new_name, dialog.target.host()) {
        (Some(_), _) => "as a new name here (both panes show this directory):".to_owned(),
        (None, Some(host)) => format!("to {}:", crate::text::escape_str(host)),
        (None, None) => "to (this machine):".to_owned(),
    };
    let to_field = if dialog.new_name.is_some() { CopyField::NewName } else { CopyField::Target };
    let focus = |field: CopyField| if dialog.field == field { theme.menu_selected } else { theme.dialog };
    let o = &dialog.options;
    let mut text: Vec<Line> = vec![
        line(&what, w, theme.dialog_title),
        line(&format!("  from {from}"), w, theme.dialog),
        line(&to, w, focus(to_field)),
        line("", w, theme.dialog),
        create_line(dialog, w, focus(CopyField::CreateTarget), theme.hint),
        line(&format!("{} Preserve times and modes", check(o.preserve)), w, focus(CopyField::Preserve)),
        line(&format!("If a file exists: < {} >", o.overwrite.label()), w, focus(CopyField::Overwrite)),
        line(
            &format!("{} Verify by checksum (sha256 on both sides)", check(o.verify)),
            w,
            focus(CopyField::Verify),
        ),
    ];
    if dialog.direct_possible {
        let hosts = (dialog.sources.first().and_then(|s| s.host()), dialog.target.host());
        let (a, b) = (hosts.0.unwrap_or_default(), hosts.1.unwrap_or_default());
        let label =
            format!("{} Direct: scp runs on {a} towards {b} (hosts must trust each other)", check(o.direct));
        text.push(line(&crate::text::escape_str(&label), w, focus(CopyField::Direct)));
    }
    text.push(line(
        &format!("{} Follow symbolic links (copy what they point to)", check(o.follow_links)),
        w,
        focus(CopyField::FollowLinks),
    ));
    text.push(line(BANDWIDTH_LABEL, w, focus(CopyField::Bandwidth)));
    if dialog.mode == Mode::Move {
        text.push(line("Sources are deleted once their copy is confirmed.", w, theme.hint));
    } else {
        text.push(line("", w, theme.dialog));
    }
    let start = match dialog.mode {
        Mode::Copy => "[ Copy ]",
        Mode::Move => "[ Move ]",
    };
    text.push(line(start, w, focus(CopyField::Start)));
    if let Some(error) = &dialog.error {
        text.push(line(error, w, theme.error));
    }
    let hint = format!(
        "{} next · {} change · {} start · Esc cancel",
        hint_key(state, Action::CopyNextField),
        hint_keys(state, &[Action::CopyOptionNext, Action::CopyOptionPrevious]),
        hint_key(state, Action::CopyStart)
    );
    text.push(line(&hint, w, theme.hint));
    lines(frame, inner, text);
    let mut shown = |field: CopyField, input: &LineInput, area: Rect| {
        if dialog.field == field {
            field_widget(frame, area, input, theme);
        } else {
            field_text(frame, area, input, theme);
        }
    };
    let target = Rect { y: inner.y + 3, height: 1, ..inner };
    match &dialog.new_name {
        Some(name) => shown(CopyField::NewName, name, target),
        None => shown(CopyField::Target, &dialog.input, target),
    }
    let label = BANDWIDTH_LABEL.chars().count() as u16;
    let row = 9 + u16::from(dialog.direct_possible);
    let limit = Rect {
        x: inner.x + label.min(inner.width),
        y: inner.y + row,
        width: inner.width.saturating_sub(label).min(12),
        height: 1,
    };
    shown(CopyField::Bandwidth, &dialog.bandwidth, limit);
}

const BANDWIDTH_LABEL: &str = "Bandwidth limit, Kbit/s (empty: none): ";

/// Under the target: a typed directory that does not exist, offered for
/// creation (nothing is queued before Enter), or what is being checked.
fn create_line<'a>(dialog: &CopyDialog, w: u16, focused: Style, hint: Style) -> Line<'a> {
    match (&dialog.create, &dialog.probing) {
        (Some(create), _) => {
            let single = if dialog.sources.len() == 1 { "; unticked: copy under that name" } else { "" };
            let label =
                format!("{} Create {} (it does not exist){single}", check(create.on), create.location);
            line(&label, w, focused)
        }
        (None, Some((_, target))) => line(&format!("looking at {target}…"), w, hint),
        (None, None) => line("", w, hint),
    }
}

fn check(on: bool) -> &'static str {
    if on { "[x]" } else { "[ ]" }
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}
