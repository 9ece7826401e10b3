//! Compare directories and synchronize: the options, the scan's progress,
//! and the plan's preview (one action per row, ticked or not).

use std::os::unix::ffi::OsStrExt;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

use super::input::field_widget;
use super::{dialog_width, hint_key, line, lines, popup};
use crate::app::State;
use crate::app::dialog::{SyncDialog, SyncField, SyncPurpose, SyncStage};
use crate::app::layout::preview_rows;
use crate::choices::Action as KeyAction;
use crate::sync::{Action, End, Op, Plan, Progress};
use crate::text::{escape_bytes, human_size};

pub(super) fn render(state: &State, dialog: &SyncDialog, frame: &mut Frame) {
    match &dialog.stage {
        SyncStage::Options => options(state, dialog, frame),
        SyncStage::Scanning { progress, .. } => scanning(state, dialog, progress, frame),
        SyncStage::Preview { plan, cursor, offset } => preview(state, dialog, plan, *cursor, *offset, frame),
    }
}

fn options(state: &State, dialog: &SyncDialog, frame: &mut Frame) {
    let theme = &state.theme;
    let fields = dialog.fields();
    let height = 6 + fields.len() as u16 + u16::from(dialog.error.is_some());
    let inner = popup(frame, theme, dialog.title(), dialog_width(frame, 72), height);
    let w = inner.width;
    let focus = |field: SyncField| if dialog.field == field { theme.menu_selected } else { theme.dialog };
    let check = |on: bool| if on { "[x]" } else { "[ ]" };
    let mut text: Vec<Line> = vec![
        line(&format!("left:  {}", dialog.left), w, theme.dialog),
        line(&format!("right: {}", dialog.right), w, theme.dialog),
        line("", w, theme.dialog),
    ];
    let mut excludes_row = 0;
    for field in fields {
        let label = match field {
            SyncField::Direction => format!("Direction: < {} >", dialog.direction.label()),
            SyncField::Recursive => format!("{} Into subdirectories", check(dialog.recursive)),
            SyncField::Criterion => format!("Different when: < {} >", dialog.criterion.label()),
            SyncField::Delete => {
                let note =
                    if dialog.direction == crate::sync::Direction::Both { " (one way only)" } else { "" };
                format!("{} Delete what only the target has{note}", check(dialog.delete))
            }
            SyncField::Excludes => {
                excludes_row = text.len();
                "Exclude:".to_owned()
            }
            SyncField::Preserve => format!("{} Preserve times and modes", check(dialog.preserve)),
            SyncField::Start => match dialog.purpose {
                SyncPurpose::Compare => "[ Compare ]".to_owned(),
                SyncPurpose::Synchronize => "[ Show the plan ]".to_owned(),
            },
        };
        text.push(line(&label, w, focus(field)));
    }
    if let Some(error) = &dialog.error {
        text.push(line(error, w, theme.error));
    }
    text.push(line("globs separated by spaces: *.tmp .git build/*.o", w, theme.hint));
    text.push(line("Tab next · Space/←→ change · Enter start · Esc cancel", w, theme.hint));
    lines(frame, inner, text);
    let label = "Exclude: ".len() as u16;
    let field = Rect {
        x: inner.x + label,
        y: inner.y + excludes_row as u16,
        width: inner.width.saturating_sub(label),
        height: 1,
    };
    field_widget(frame, field, &dialog.excludes, theme);
}

fn scanning(state: &State, dialog: &SyncDialog, progress: &Progress, frame: &mut Frame) {
    let theme = &state.theme;
    let inner = popup(frame, theme, dialog.title(), dialog_width(frame, 60), 5);
    let w = inner.width;
    let (done, hashing) = (progress.entries(), progress.hashing());
    let (what, gauge) = if hashing == 0 {
        (format!("reading both trees: {done} entries"), String::new())
    } else {
        let ratio = done as f64 / hashing as f64;
        (
            format!("sha256 on each side: {done} of {hashing} files"),
            crate::ui::gauge::bar(ratio, usize::from(w)),
        )
    };
    let text = vec![
        line(&format!("{} ⇄ {}", dialog.left, dialog.right), w, theme.dialog),
        line(&what, w, theme.dialog),
        line(&gauge, w, theme.dialog),
        line("", w, theme.dialog),
        line("Esc cancels", w, theme.hint),
    ];
    lines(frame, inner, text);
}

/// `[x] copy   →  photos/a.jpg   1.2 MiB  only here`
fn action_row(action: &Action) -> String {
    let tick = match (action.op, action.ticked) {
        (Op::Conflict, _) => "[!]",
        (_, true) => "[x]",
        (_, false) => "[ ]",
    };
    let arrow = match action.changes() {
        End::Right => "→",
        End::Left => "←",
    };
    let slash = if action.dir { "/" } else { "" };
    let path = escape_bytes(action.path.as_os_str().as_bytes());
    let size = if action.size > 0 { human_size(action.size) } else { String::new() };
    format!("{tick} {:<8} {arrow} {path}{slash}  {size}  {}", action.op.label(), action.why.mark(action.from))
}

fn preview(state: &State, dialog: &SyncDialog, plan: &Plan, cursor: usize, offset: usize, frame: &mut Frame) {
    let theme = &state.theme;
    let rows = preview_rows(state.size.1);
    let inner = popup(frame, theme, "Synchronize: the plan", dialog_width(frame, 100), rows as u16 + 5);
    let w = inner.width;
    let count = |op| plan.count(op);
    let bytes: u64 = plan.runnable().map(|a| a.size).sum();
    let summary = format!(
        "{}: {} copy · {} update · {} delete · {} conflict · {} to send",
        dialog.direction.label(),
        count(Op::Copy),
        count(Op::Update),
        count(Op::Delete),
        count(Op::Conflict),
        human_size(bytes)
    );
    let mut text = vec![line(&summary, w, theme.dialog_title), line("", w, theme.dialog)];
    if plan.actions.is_empty() {
        text.push(line("Nothing to do: the directories are in sync.", w, theme.dialog));
    }
    for (i, action) in plan.actions.iter().enumerate().skip(offset).take(rows) {
        let style = if i == cursor { theme.menu_selected } else { theme.dialog };
        text.push(line(&action_row(action), w, style));
    }
    while text.len() < rows + 2 {
        text.push(line("", w, theme.dialog));
    }
    text.push(line("", w, theme.dialog));
    let hint = format!(
        "{} tick/untick · ↑↓ PgUp PgDn scroll · {} run · Esc cancel",
        hint_key(state, KeyAction::PlanTick),
        hint_key(state, KeyAction::PlanRun)
    );
    text.push(line(&hint, w, theme.hint));
    lines(frame, inner, text);
}
