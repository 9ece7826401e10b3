//! Drawing one pane. Only the visible rows are built, so a directory of any
//! size costs the same to draw; the footer reads totals kept by the pane.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::columns::Columns;
use crate::app::dialog::LineInput;
use crate::app::layout::pane_entry_area;
use crate::app::{FreeSpace, Pane, State};
use crate::config::Theme;
use crate::fs::{Entry, Kind};
use crate::text::{escape_bytes, escape_str, fit, fit_left, human_size, width};

/// Cells for a compare mark (`content differs`, `differs inside`).
const MARK_WIDTH: usize = 15;

/// Everything a pane needs besides itself.
pub(super) struct PaneView<'a> {
    pub pane: &'a Pane,
    pub focused: bool,
    /// The filter being typed in this pane, if any.
    pub filter_input: Option<&'a LineInput>,
}

/// The host's rung when it is not SCP, for the title (` [sftp]`).
fn rung_mark(pane: &Pane, state: &State) -> String {
    match pane.location.host().and_then(|host| state.rungs.get(host)) {
        Some(rung) => format!(" [{rung}]"),
        None => String::new(),
    }
}

pub(super) fn render(frame: &mut Frame, area: Rect, view: PaneView, state: &State) {
    let theme = &state.theme;
    let pane = view.pane;
    let border = if view.focused { theme.border_focused } else { theme.border };
    let title_width = usize::from(area.width.saturating_sub(4));
    let footer_width = usize::from(area.width.saturating_sub(4));
    let mark = rung_mark(pane, state);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(border)
        .title(Span::styled(
            format!(" {}{mark} ", title(pane, title_width.saturating_sub(2 + width(&mark)))),
            theme.title,
        ))
        .title_bottom(Span::styled(
            fit(&footer(pane, view.filter_input.is_some()), footer_width),
            theme.footer,
        ));
    frame.render_widget(block, area);

    let entries_area = pane_entry_area(area);
    if entries_area.height == 0 || entries_area.width == 0 {
        return;
    }
    // The first cell of each row holds the selection mark; after a compare
    // the last cells say why an entry differs.
    let marks = pane.compare.as_ref().map(|c| &c.marks);
    let mark_width = if marks.is_some() { MARK_WIDTH + 1 } else { 0 };
    let width = usize::from(entries_area.width - 1).saturating_sub(mark_width).max(1);
    let columns = Columns::for_width(width, &state.settings.date_format);
    let header = Rect { y: entries_area.y - 1, height: 1, ..entries_area };
    let header_text = format!(" {}", columns.header(pane.sort));
    frame.render_widget(Paragraph::new(Span::styled(header_text, theme.header)), header);

    let rows = usize::from(entries_area.height);
    let lines: Vec<Line> = (pane.offset..pane.len().min(pane.offset + rows))
        .filter_map(|row| pane.row(row).map(|(entry, selected)| (row, entry, selected)))
        .map(|(row, entry, selected)| {
            let mut style = entry_style(entry, theme);
            if selected {
                style = style.patch(theme.selected);
            }
            if row == pane.cursor {
                style = if view.focused { theme.cursor } else { style.patch(theme.cursor_unfocused) };
            }
            let dir_size = pane.dir_sizes.get(&entry.name).copied();
            let mark = if selected { "*" } else { " " };
            let text = if pane.is_up_row(row) {
                format!(" {}", columns.up_row())
            } else {
                format!("{mark}{}", columns.row(entry, dir_size, &state.tz))
            };
            match marks {
                Some(marks) => {
                    let why =
                        marks.get(&entry.name).filter(|_| !pane.is_up_row(row)).copied().unwrap_or_default();
                    let why = format!(" {:<MARK_WIDTH$}", fit(why, MARK_WIDTH));
                    Line::from(vec![Span::styled(text, style), Span::styled(why, theme.hint)])
                }
                None => Line::from(Span::styled(text, style)),
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), entries_area);

    if let Some(input) = view.filter_input {
        render_filter(frame, area, input, theme);
    }
    if pane.is_empty() && pane.pending.is_none() {
        // Below the `..` row, if there is one.
        let up = pane.up_rows() as u16;
        let entries_area =
            Rect { y: entries_area.y + up, height: entries_area.height.saturating_sub(up), ..entries_area };
        let text = if pane.error.is_some() {
            "cannot list this directory"
        } else if pane.entries.is_empty() {
            "empty directory"
        } else if pane.filter.is_empty() {
            "only hidden entries (. shows them)"
        } else {
            "no entry matches"
        };
        frame.render_widget(
            Paragraph::new(Span::styled(fit(text, usize::from(entries_area.width)), theme.hint)),
            entries_area,
        );
    }
}

/// The pane's place, cut from the left when it does not fit: the end of a
/// long path is the part that tells where the pane is. A remote pane keeps
/// its host in front.
fn title(pane: &Pane, max: usize) -> String {
    let path = escape_bytes(std::os::unix::ffi::OsStrExt::as_bytes(pane.location.path().as_os_str()));
    match pane.location.host() {
        None => fit_left(&path, max),
        Some(host) => {
            // The host whole when the path's end still gets a third of the
            // room (16 cells at least): both say where the pane is.
            let path_room = width(&path).min((max / 3).max(16));
            let host = fit(&format!("{}:", escape_bytes(host.as_bytes())), max.saturating_sub(path_room));
            let end = fit_left(&path, max.saturating_sub(width(&host)));
            // One `…` for a gap between a cut host and a cut path.
            let end = if host.ends_with('…') { end.trim_start_matches('…').to_owned() } else { end };
            format!("{host}{end}")
        }
    }
}

fn render_filter(frame: &mut Frame, area: Rect, input: &LineInput, theme: &Theme) {
    let y = area.y + area.height.saturating_sub(1);
    let max = usize::from(area.width.saturating_sub(4));
    let text = fit(&format!("/{}", escape_str(input.text())), max);
    let line =
        Rect { x: area.x + 2, y, width: (width(&text) as u16).min(area.width.saturating_sub(4)), height: 1 };
    frame.render_widget(Paragraph::new(Span::styled(text, theme.input)), line);
    let before = width(&escape_str(&input.text()[..input.cursor()])) as u16 + 1;
    frame.set_cursor_position((line.x + before.min(line.width), y));
}

pub(super) fn entry_style(entry: &Entry, theme: &Theme) -> Style {
    match entry.kind {
        Kind::Dir => theme.dir,
        // Points at nothing (missing target, or a loop): its own style.
        Kind::Symlink if entry.link.as_ref().is_some_and(|l| l.kind.is_none()) => theme.dangling,
        Kind::Symlink if entry.is_dir_like() => theme.dir.patch(theme.symlink),
        Kind::Symlink => theme.symlink,
        Kind::File if entry.mode & 0o111 != 0 => theme.executable,
        Kind::File => theme.file,
        _ => theme.special,
    }
}

/// ` 120 entries · 3 selected, 1.2 MiB · /query · 12 GiB free `
fn footer(pane: &Pane, typing_filter: bool) -> String {
    if pane.pending.is_some() {
        return " loading… ".to_owned();
    }
    let mut parts = vec![match (pane.shown(), pane.entries.len()) {
        (1, 1) => "1 entry".to_owned(),
        (shown, all) if shown == all => format!("{shown} entries"),
        (shown, all) => format!("{shown} of {all} entries"),
    }];
    if pane.selected_count > 0 {
        parts.push(format!("{} selected, {}", pane.selected_count, human_size(pane.selected_bytes)));
    }
    if !pane.filter.is_empty() && !typing_filter {
        parts.push(format!("/{}", escape_str(&pane.filter)));
    }
    if let Some(compare) = &pane.compare {
        parts.push(compare.summary());
    }
    match &pane.free_space {
        FreeSpace::Known(free) => parts.push(format!("{} free", human_size(*free))),
        // Why is in the log (debug).
        FreeSpace::Unknown(_) => parts.push("free space unknown".to_owned()),
        FreeSpace::Asked => {}
    }
    format!(" {} ", parts.join(" · "))
}
