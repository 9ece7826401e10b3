//! A style as theme files write it: `{ fg = "cyan", bg = "#282828", bold = true }`.

use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct StyleSpec {
    pub fg: Option<Spanned<String>>,
    pub bg: Option<Spanned<String>>,
    #[serde(default)]
    pub bold: bool,
    #[serde(default)]
    pub dim: bool,
    #[serde(default)]
    pub italic: bool,
    #[serde(default)]
    pub underlined: bool,
    #[serde(default)]
    pub reversed: bool,
}

impl StyleSpec {
    /// The ratatui style, or the byte offset and message of a bad colour.
    pub(super) fn to_style(&self) -> Result<Style, (usize, String)> {
        let mut style = Style::new();
        if let Some(fg) = &self.fg {
            style = style.fg(color(fg)?);
        }
        if let Some(bg) = &self.bg {
            style = style.bg(color(bg)?);
        }
        let flags = [
            (self.bold, Modifier::BOLD),
            (self.dim, Modifier::DIM),
            (self.italic, Modifier::ITALIC),
            (self.underlined, Modifier::UNDERLINED),
            (self.reversed, Modifier::REVERSED),
        ];
        for (on, modifier) in flags {
            if on {
                style = style.add_modifier(modifier);
            }
        }
        Ok(style)
    }
}

fn color(text: &Spanned<String>) -> Result<Color, (usize, String)> {
    Color::from_str(text.get_ref()).map_err(|_| {
        let message = format!(
            "unknown colour {:?} (use a name like \"lightblue\", an index 0-255 or \"#rrggbb\")",
            text.get_ref()
        );
        (text.span().start, message)
    })
}
