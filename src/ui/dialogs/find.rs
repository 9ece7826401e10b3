//! The find dialog: the search form, then the results list with the count
//! and whether it is still searching. Paths are escaped.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

use super::input::{field_text, field_widget};
use super::{checkbox, dialog_width, hint_key, line, lines, popup};
use crate::app::State;
use crate::app::dialog::{FindDialog, FindField, FindResults};
use crate::app::layout::find_box;
use crate::choices::Action;
use crate::fs::{Found, Kind};
use crate::text::{escape_bytes, escape_str, human_size, pad_to};

/// Label column of the form's text fields.
const LABEL: u16 = 18;

pub(super) fn render(state: &State, dialog: &FindDialog, frame: &mut Frame) {
    match &dialog.results {
        None => form(state, dialog, frame),
        Some(results) => list(state, dialog, results, frame),
    }
}

fn form(state: &State, dialog: &FindDialog, frame: &mut Frame) {
    let theme = &state.theme;
    let inner = popup(frame, theme, "Find", dialog_width(frame, 72), 13);
    let w = inner.width;
    let focus = |field: FindField| if dialog.field == field { theme.menu_selected } else { theme.dialog };
    let text: Vec<Line> = vec![
        line(&format!("Search under {}", dialog.root), w, theme.dialog_title),
        line("", w, theme.dialog),
        line("Name:", w, focus(FindField::Name)),
        line(
            &checkbox(dialog.glob, "Glob pattern (otherwise a part of the name)"),
            w,
            focus(FindField::Glob),
        ),
        line(&checkbox(dialog.case_sensitive, "Case sensitive (names and text)"), w, focus(FindField::Case)),
        line(&format!("Kind:             < {} >", dialog.kind.label()), w, focus(FindField::Kind)),
        line("Larger than:", w, focus(FindField::Larger)),
        line("Smaller than:", w, focus(FindField::Smaller)),
        line("Modified within:", w, focus(FindField::Within)),
        line("Containing text:", w, focus(FindField::Contains)),
        line(&dialog.error.as_deref().map(escape_str).unwrap_or_default(), w, theme.error),
        line("sizes 100, 10k, 2M · times 30m, 12h, 7d, 2w", w, theme.hint),
        line("Tab next field · Space toggles · Enter searches · Esc closes", w, theme.hint),
    ];
    lines(frame, inner, text);
    let fields = [
        (FindField::Name, &dialog.name, 2),
        (FindField::Larger, &dialog.larger, 6),
        (FindField::Smaller, &dialog.smaller, 7),
        (FindField::Within, &dialog.within, 8),
        (FindField::Contains, &dialog.contains, 9),
    ];
    for (field, input, y) in fields {
        let area =
            Rect { x: inner.x + LABEL, y: inner.y + y, width: inner.width.saturating_sub(LABEL), height: 1 };
        if dialog.field == field {
            field_widget(frame, area, input, theme);
        } else {
            field_text(frame, area, input, theme);
        }
    }
}

/// What the form asked for, in one line.
fn summary(dialog: &FindDialog) -> String {
    let mut parts = Vec::new();
    let name = dialog.name.text();
    if !name.is_empty() {
        let how = if dialog.glob { "name" } else { "name contains" };
        parts.push(format!("{how} {name}"));
    }
    if dialog.kind != crate::fs::KindFilter::Any {
        parts.push(dialog.kind.label().to_owned());
    }
    for (label, input) in [
        ("larger than", &dialog.larger),
        ("smaller than", &dialog.smaller),
        ("modified within", &dialog.within),
    ] {
        if !input.text().trim().is_empty() {
            parts.push(format!("{label} {}", input.text().trim()));
        }
    }
    if !dialog.contains.text().is_empty() {
        parts.push(format!("containing {}", dialog.contains.text()));
    }
    if parts.is_empty() {
        parts.push("everything".into());
    }
    let case = if dialog.case_sensitive { "case sensitive" } else { "any case" };
    escape_str(&format!("{} ({case})", parts.join(" · ")))
}

fn list(state: &State, dialog: &FindDialog, results: &FindResults, frame: &mut Frame) {
    let theme = &state.theme;
    let area = frame.area();
    let (width, height) = find_box(area.width, area.height);
    let title = format!("Find under {}", dialog.root);
    let inner = popup(frame, theme, &title, width.saturating_sub(2), height.saturating_sub(2));
    let w = inner.width;
    let count = results.found.len();
    let selected = match results.selected.len() {
        0 => String::new(),
        n => format!(", {n} selected"),
    };
    let status = match (&results.outcome, results.running) {
        (_, true) => format!("Searching… {count} found{selected}"),
        (Some(outcome), false) => format!("{count} found{selected} — {outcome}"),
        (None, false) => format!("{count} found{selected}"),
    };
    let rows = usize::from(inner.height.saturating_sub(3));
    let mut text = vec![line(&status, w, theme.dialog_title), line(&summary(dialog), w, theme.hint)];
    let root = dialog.root.path();
    for (i, found) in results.found.iter().enumerate().skip(results.scroll).take(rows) {
        let style = if i == results.cursor { theme.menu_selected } else { theme.dialog };
        let mark = if results.selected.contains(&i) { '*' } else { ' ' };
        text.push(line(&row(found, root, mark, usize::from(w)), w, style));
    }
    while text.len() < rows + 2 {
        text.push(line("", w, theme.dialog));
    }
    let key = |action| hint_key(state, action);
    let hint = format!(
        "{} go to · {}/{} select · {} copy · {} new · Esc stop/close",
        key(Action::FindGo),
        key(Action::FindSelect),
        key(Action::FindInvert),
        key(Action::FindCopy),
        key(Action::FindNewSearch)
    );
    text.push(line(&hint, w, theme.hint));
    lines(frame, inner, text);
}

/// `* path/under/root        size`, the path escaped, cut to fit.
fn row(found: &Found, root: &std::path::Path, mark: char, width: usize) -> String {
    let path = found.path.strip_prefix(root).unwrap_or(&found.path);
    let mut shown = escape_bytes(path.as_os_str().as_encoded_bytes());
    match found.kind {
        Kind::Dir => shown.push('/'),
        Kind::Symlink => shown.push('@'),
        _ => {}
    }
    let size = if found.kind == Kind::Dir { String::new() } else { human_size(found.size) };
    let room = width.saturating_sub(size.len() + 3);
    format!("{mark} {} {size}", pad_to(&crate::text::fit(&shown, room), room, false))
}
