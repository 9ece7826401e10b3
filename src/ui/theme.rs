//! Colours and styles used by the renderer.

use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Theme {
    pub border: Style,
    pub border_focused: Style,
    pub title: Style,
    pub header: Style,
    pub file: Style,
    pub dir: Style,
    pub symlink: Style,
    pub special: Style,
    pub cursor: Style,
    pub cursor_unfocused: Style,
    pub status: Style,
    pub error: Style,
    pub key: Style,
    pub key_label: Style,
}

impl Default for Theme {
    fn default() -> Self {
        Self {
            border: Style::new().fg(Color::DarkGray),
            border_focused: Style::new().fg(Color::Cyan),
            title: Style::new().fg(Color::White).add_modifier(Modifier::BOLD),
            header: Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
            file: Style::new().fg(Color::Gray),
            dir: Style::new().fg(Color::LightBlue).add_modifier(Modifier::BOLD),
            symlink: Style::new().fg(Color::LightCyan),
            special: Style::new().fg(Color::LightMagenta),
            cursor: Style::new().fg(Color::Black).bg(Color::Cyan),
            cursor_unfocused: Style::new().add_modifier(Modifier::UNDERLINED),
            status: Style::new().fg(Color::Gray),
            error: Style::new().fg(Color::LightRed).add_modifier(Modifier::BOLD),
            key: Style::new().fg(Color::White).add_modifier(Modifier::BOLD),
            key_label: Style::new().fg(Color::Black).bg(Color::Cyan),
        }
    }
}
