//! A terminal resized below what the panes need gets a notice instead of
//! panes drawn over each other.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::widgets::{Paragraph, Wrap};

use crate::app::State;
use crate::app::layout::{MIN_HEIGHT, MIN_WIDTH};

/// Draws the notice and returns true when the screen is too small.
pub(super) fn render(state: &State, frame: &mut Frame) -> bool {
    let area = frame.area();
    if area.width >= MIN_WIDTH && area.height >= MIN_HEIGHT {
        return false;
    }
    let text = format!(
        "Terminal too small: {}x{}, scpdeck needs {MIN_WIDTH}x{MIN_HEIGHT}. Enlarge it.",
        area.width, area.height
    );
    let lines = u16::try_from(text.len()).unwrap_or(u16::MAX).div_ceil(area.width.max(1));
    let top = area.height.saturating_sub(lines) / 2;
    let notice = Rect { y: area.y + top, height: area.height - top, ..area };
    let paragraph =
        Paragraph::new(text).style(state.theme.error).alignment(Alignment::Center).wrap(Wrap { trim: true });
    frame.render_widget(paragraph, notice);
    true
}
