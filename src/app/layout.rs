//! Screen geometry: where the panes, the jobs/log panel and the bars go.
//! It lives with the state because `update` needs it (the page height for
//! PgUp/PgDn, the pane areas for mouse clicks); `render` draws into it.

use ratatui::layout::{Constraint, Layout, Margin, Rect};

/// The smallest terminal the commander draws on: two panes of 20 columns
/// (names, shortened), three entry rows, the status line and the key bar.
/// The commander refuses to start on a smaller one, and draws a notice
/// instead of the panes when resized below it.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 8;

/// The main areas of the screen.
pub struct Areas {
    pub panes: [Rect; 2],
    /// The jobs or log panel under the panes, when shown.
    pub panel: Option<Rect>,
    pub status: Rect,
    pub keys: Rect,
}

/// Two panes side by side, the jobs or log panel under them when `panel`
/// (and there is room), a status line and the key bar.
pub fn split(screen: Rect, panel: bool) -> Areas {
    let [main, status, keys] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(1), Constraint::Length(1)]).areas(screen);
    let (main, panel) = match panel_height(main.height) {
        Some(height) if panel => {
            let [main, panel] =
                Layout::vertical([Constraint::Min(3), Constraint::Length(height)]).areas(main);
            (main, Some(panel))
        }
        _ => (main, None),
    };
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(main);
    Areas { panes: [left, right], panel, status, keys }
}

/// Height of the jobs/log panel: two fifths of the room, within bounds;
/// none when the panes would be too small.
fn panel_height(room: u16) -> Option<u16> {
    (room >= 12).then(|| (room * 2 / 5).clamp(6, 16))
}

/// Rows inside a pane's border that hold entries (below the column header).
pub fn pane_entry_area(pane: Rect) -> Rect {
    let inner = pane.inner(Margin { horizontal: 1, vertical: 1 });
    Rect { y: inner.y + 1, height: inner.height.saturating_sub(1), ..inner }
}

/// How many entry rows a pane shows on a terminal of this size, with or
/// without the jobs/log panel.
pub fn entry_rows_with(width: u16, height: u16, panel: bool) -> usize {
    let screen = Rect::new(0, 0, width, height);
    usize::from(pane_entry_area(split(screen, panel).panes[0]).height)
}

/// Text rows of the full-screen viewer (title and key line excluded).
pub fn viewer_rows(height: u16) -> usize {
    usize::from(height.saturating_sub(2)).max(1)
}

/// The find dialog's box on a screen of this size: nearly all of it.
pub fn find_box(width: u16, height: u16) -> (u16, u16) {
    (width.saturating_sub(4).min(120), height.saturating_sub(2))
}

/// Rows of the find dialog's results list: the box without its border,
/// the status line, the column of the form's summary and the key line.
pub fn find_result_rows(height: u16) -> usize {
    usize::from(find_box(0, height).1.saturating_sub(5)).max(1)
}
