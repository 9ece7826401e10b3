//! What `scpdeck cp` shows on stderr: a progress line on a terminal (none
//! with -q or when stderr is not a terminal), and every error and
//! diagnostic as escaped lines, one per line.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::scp::Event;

pub struct Console {
    bar: Option<ProgressBar>,
    /// Something failed (a file, a step, a diagnostic that means failure).
    pub failed: bool,
}

impl Console {
    pub fn new(quiet: bool) -> Self {
        let show = !quiet && std::io::stderr().is_terminal();
        let bar = show.then(|| {
            // Drawn from the first file on, not while connecting.
            let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::hidden());
            let style = ProgressStyle::with_template(
                "{wide_msg} {bytes:>10}/{total_bytes:<10} {binary_bytes_per_sec:>12} {eta:>4}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar());
            bar.set_style(style);
            bar
        });
        Console { bar, failed: false }
    }

    /// Prints a message, each of its lines prefixed, without tearing the
    /// progress line. Remote text in it is already escaped.
    pub fn line(&self, text: &str) {
        let print = || {
            for line in text.lines() {
                eprintln!("scpdeck: {line}");
            }
        };
        match &self.bar {
            Some(bar) => bar.suspend(print),
            None => print(),
        }
    }

    /// An error that stopped a step; `text` is already escaped.
    pub fn error(&mut self, text: &str) {
        self.failed = true;
        self.line(text);
    }

    /// Shows an event of a transfer with `host`.
    pub fn event(&mut self, host: &str, event: Event) {
        match event {
            Event::Started { file, size, dir: false } => {
                if let Some(bar) = &self.bar {
                    if bar.is_hidden() {
                        bar.set_draw_target(ProgressDrawTarget::stderr_with_hz(10));
                        bar.enable_steady_tick(Duration::from_millis(200));
                    }
                    bar.set_message(file.display());
                    bar.set_length(size);
                    bar.set_position(0);
                }
            }
            Event::Progress { bytes, .. } => {
                if let Some(bar) = &self.bar {
                    bar.set_position(bytes);
                }
            }
            Event::Finished { bytes, dir: false, .. } => {
                if let Some(bar) = &self.bar {
                    bar.set_position(bytes);
                }
            }
            Event::Failed { file, reason } => {
                self.failed = true;
                self.line(&format!("{host}: {}: {reason}", file.display()));
            }
            Event::Diagnostic(d) => {
                for line in d.lines() {
                    self.line(&line);
                }
            }
            Event::Started { .. } | Event::Finished { .. } => {}
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
