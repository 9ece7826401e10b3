//! Drawing one pane. Only the visible rows are built, so a directory of any
//! size costs the same to draw.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::columns::Columns;
use super::layout::pane_entry_area;
use super::theme::Theme;
use crate::app::Pane;
use crate::fs::{Entry, Kind};
use crate::text::fit;

pub fn render(
    frame: &mut Frame,
    area: Rect,
    pane: &Pane,
    focused: bool,
    theme: &Theme,
    tz: &jiff::tz::TimeZone,
) {
    let border = if focused { theme.border_focused } else { theme.border };
    let title_width = usize::from(area.width.saturating_sub(4));
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(border)
        .title(Span::styled(fit(&format!(" {} ", pane.location), title_width), theme.title))
        .title_bottom(Span::styled(footer(pane), theme.status));
    frame.render_widget(block, area);

    let entries_area = pane_entry_area(area);
    let columns = Columns::for_width(usize::from(entries_area.width));
    let header = Rect { y: entries_area.y - 1, height: 1, ..entries_area };
    frame.render_widget(Paragraph::new(Span::styled(columns.header(), theme.header)), header);

    let visible = pane.entries.iter().enumerate().skip(pane.offset).take(usize::from(entries_area.height));
    let lines: Vec<Line> = visible
        .map(|(index, entry)| {
            let style = if index != pane.cursor {
                entry_style(entry, theme)
            } else if focused {
                theme.cursor
            } else {
                entry_style(entry, theme).patch(theme.cursor_unfocused)
            };
            Line::from(Span::styled(columns.row(entry, tz), style))
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), entries_area);
}

fn entry_style(entry: &Entry, theme: &Theme) -> ratatui::style::Style {
    match entry.kind {
        _ if entry.is_dir_like() && entry.kind == Kind::Dir => theme.dir,
        Kind::Symlink => theme.symlink,
        Kind::File => theme.file,
        _ => theme.special,
    }
}

fn footer(pane: &Pane) -> String {
    if pane.pending.is_some() {
        return " loading… ".to_owned();
    }
    match pane.entries.len() {
        1 => " 1 entry ".to_owned(),
        n => format!(" {n} entries "),
    }
}
