//! What a login profile printed before a command started.

use crate::text::escape_bytes;

/// Text a login profile printed before the command started.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Banner {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

impl Banner {
    pub fn is_empty(&self) -> bool {
        self.stdout.is_empty() && self.stderr.is_empty()
    }

    /// Both streams, escaped for display, one line per line of banner.
    pub fn escaped_lines(&self) -> Vec<String> {
        let mut lines = self.stdout_lines();
        lines.extend(self.stderr_lines());
        lines
    }

    /// What was printed on standard output, escaped, one line per line.
    pub fn stdout_lines(&self) -> Vec<String> {
        escaped_lines(&self.stdout)
    }

    /// What was printed on standard error, escaped, one line per line.
    pub fn stderr_lines(&self) -> Vec<String> {
        escaped_lines(&self.stderr)
    }
}

fn escaped_lines(stream: &[u8]) -> Vec<String> {
    if stream.is_empty() {
        return Vec::new();
    }
    let text = stream.strip_suffix(b"\n").unwrap_or(stream);
    text.split(|&b| b == b'\n').map(escape_bytes).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_escaped_and_a_missing_final_newline_is_fine() {
        let banner = Banner { stdout: b"\x1b]0;title\x07".to_vec(), stderr: b"a\n\0b\n".to_vec() };
        assert_eq!(banner.escaped_lines(), ["\\e]0;title\\x07", "a", "\\x00b"]);
        assert_eq!(banner.stdout_lines(), ["\\e]0;title\\x07"]);
        assert_eq!(banner.stderr_lines(), ["a", "\\x00b"]);
    }
}
