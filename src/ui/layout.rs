//! Screen geometry, shared by `render` and by `update` (which needs the page
//! height for PgUp/PgDn and the pane areas for mouse clicks).

use ratatui::layout::{Constraint, Flex, Layout, Margin, Rect};

/// The main areas of the screen.
pub struct Areas {
    pub panes: [Rect; 2],
    /// The jobs or log panel under the panes, when shown.
    pub panel: Option<Rect>,
    pub status: Rect,
    pub keys: Rect,
}

/// Two panes side by side, a status line and the key bar.
pub fn areas(screen: Rect) -> Areas {
    split(screen, false)
}

/// Like [`areas`], with the jobs or log panel under the panes when `panel`.
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

/// How many entry rows a pane shows on a terminal of this size.
pub fn entry_rows(width: u16, height: u16) -> usize {
    entry_rows_with(width, height, false)
}

/// Entry rows with or without the jobs/log panel.
pub fn entry_rows_with(width: u16, height: u16, panel: bool) -> usize {
    let screen = Rect::new(0, 0, width, height);
    usize::from(pane_entry_area(split(screen, panel).panes[0]).height)
}

/// Text rows of the full-screen viewer (title and key line excluded).
pub fn viewer_rows(height: u16) -> usize {
    usize::from(height.saturating_sub(2)).max(1)
}

/// A box of at most `width` x `height` cells centred in `area`.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [row] =
        Layout::vertical([Constraint::Length(height.min(area.height))]).flex(Flex::Center).areas(area);
    let [cell] =
        Layout::horizontal([Constraint::Length(width.min(area.width))]).flex(Flex::Center).areas(row);
    cell
}
