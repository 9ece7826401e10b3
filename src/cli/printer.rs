//! Messages on standard error: each line `scpdeck: ` and escaped, the
//! prefix coloured by what the message is when colour is on, and a progress
//! bar (if one is drawn) kept out of the way.

use std::io::Write;

use clap::builder::styling::{AnsiColor, Style};
use indicatif::ProgressBar;

use crate::text::escape_str;

/// What a message is, for its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tone {
    Error,
    Warning,
    /// What a host said, notes.
    Note,
    /// `-v` output.
    Verbose,
}

impl Tone {
    fn style(self) -> Style {
        match self {
            Tone::Error => Style::new().bold().fg_color(Some(AnsiColor::Red.into())),
            Tone::Warning => Style::new().bold().fg_color(Some(AnsiColor::Yellow.into())),
            Tone::Note => Style::new().bold(),
            Tone::Verbose => Style::new().dimmed(),
        }
    }
}

/// Writes messages to standard error. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub(super) struct Printer {
    color: bool,
    bar: Option<ProgressBar>,
}

impl Printer {
    pub(super) fn new(color: bool) -> Self {
        Printer { color, bar: None }
    }

    /// Keeps `bar` still while printing.
    pub(super) fn with_bar(mut self, bar: Option<ProgressBar>) -> Self {
        self.bar = bar;
        self
    }

    /// `scpdeck: ` before every line of `text`, each line escaped.
    pub(super) fn lines(&self, tone: Tone, text: &str) {
        // Never eprintln!: after SIGHUP the terminal is gone, and a panic
        // would skip the cleanup of temporary files.
        let print = || {
            let mut stderr = std::io::stderr().lock();
            for line in text.lines() {
                let _ = writeln!(stderr, "{} {}", self.prefix(tone), escape_str(line));
            }
        };
        match &self.bar {
            Some(bar) => bar.suspend(print),
            None => print(),
        }
    }

    pub(super) fn error(&self, text: &str) {
        self.lines(Tone::Error, text);
    }

    fn prefix(&self, tone: Tone) -> String {
        if self.color {
            let style = tone.style();
            format!("{}scpdeck:{}", style.render(), style.render_reset())
        } else {
            "scpdeck:".to_owned()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_is_plain_without_colour() {
        assert_eq!(Printer::new(false).prefix(Tone::Error), "scpdeck:");
        let coloured = Printer::new(true).prefix(Tone::Error);
        assert!(coloured.starts_with("\x1b[") && coloured.contains("scpdeck:"), "{coloured:?}");
        assert!(coloured.ends_with("\x1b[0m"), "{coloured:?}");
        let colour = |tone| Printer::new(true).prefix(tone);
        assert!(colour(Tone::Error).contains("31m"), "red");
        assert!(colour(Tone::Warning).contains("33m"), "yellow");
        assert!(colour(Tone::Verbose).starts_with("\x1b[2m"), "dim");
    }
}
