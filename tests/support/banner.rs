//! Login profiles the harness plays before every command: text on either
//! stream (with or without a final newline, binary noise) and profiles that
//! read standard input, as careless ~/.bashrc files do.

use std::fmt::Write as _;
use std::path::Path;

/// What the login profile does before every command: prints `stdout` and
/// `stderr`, then reads `reads_lines` lines of standard input (`read x`).
#[derive(Debug, Clone, Default)]
pub struct Banner {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub reads_lines: usize,
}

impl Banner {
    /// Text on stdout with an empty line in it, and text on stderr: what a
    /// careless ~/.bashrc does.
    pub fn talkative() -> Self {
        Banner {
            stdout: b"Welcome to the test host!\n\nLast login: yesterday\n".to_vec(),
            stderr: b"profile: could not set locale\n".to_vec(),
            reads_lines: 0,
        }
    }

    /// A terminal-title escape with no newline after it, as many ~/.bashrc
    /// files print (`\e]0;user@host: ~\a`).
    pub fn title() -> Self {
        Banner { stdout: b"\x1b]0;user@host: ~\x07".to_vec(), ..Banner::default() }
    }

    /// Binary noise on both streams: NUL, ESC sequences, bytes that are not
    /// UTF-8, a carriage return, and no final newline.
    pub fn noise() -> Self {
        Banner {
            stdout: b"\0\x1b[2J\x1b[31m\xff\xfe\rnoise\0\x07\x1b]0;t\x07".to_vec(),
            stderr: b"\x1b[1m\0err\xc3(\r".to_vec(),
            reads_lines: 0,
        }
    }

    /// Reads `lines` lines of standard input and prints nothing.
    pub fn reading(lines: usize) -> Self {
        Banner { reads_lines: lines, ..Banner::default() }
    }

    /// Every profile the framing must survive, named for messages.
    pub fn misbehaving() -> Vec<(&'static str, Banner)> {
        vec![
            ("title without newline", Banner::title()),
            ("binary noise", Banner::noise()),
            ("reads one line", Banner::reading(1)),
            ("reads two lines", Banner::reading(2)),
            ("talks and reads a line", Banner { reads_lines: 1, ..Banner::talkative() }),
        ]
    }

    /// Lines for the wrapper script that plays this profile.
    pub(super) fn wrapper_lines(&self, dir: &Path) -> String {
        std::fs::write(dir.join("banner.out"), &self.stdout).expect("banner");
        std::fs::write(dir.join("banner.err"), &self.stderr).expect("banner");
        let mut lines = String::new();
        let _ = writeln!(lines, "cat '{}'", dir.join("banner.out").display());
        let _ = writeln!(lines, "cat '{}' >&2", dir.join("banner.err").display());
        for _ in 0..self.reads_lines {
            // What `read x` in a profile does: one line, or nothing at EOF.
            let _ = writeln!(lines, "IFS= read -r line || true");
        }
        lines
    }
}
