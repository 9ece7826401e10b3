//! Framing a remote command so that whatever a login profile prints is
//! separated from the command's own output (sans-IO part).
//!
//! The remote login shell runs only `sh`; the framed script is written to that
//! `sh` on standard input, so only POSIX `sh` ever parses scpdeck's quoting,
//! whatever the user's login shell is (bash, zsh, fish, tcsh...). The script
//! first prints a unique marker line on stderr and on stdout. Everything that
//! arrives before the marker on either stream was printed by the login profile:
//! it is kept as a banner and reported, never mistaken for output.
//!
//! Some shells (dash, BusyBox) read a script from a pipe in blocks, so bytes
//! sent after the script could be swallowed by the shell instead of reaching
//! the command. Callers therefore send nothing more until the stdout marker has
//! arrived: at that point the shell has parsed the whole script.

use super::command::Command;

/// The remote command that every framed script is fed to.
pub const REMOTE_SHELL: &str = "sh";

/// One framed invocation: its marker and the script to send.
#[derive(Debug, Clone)]
pub struct Frame {
    marker: String,
    script: Vec<u8>,
}

impl Frame {
    /// Frames `command`. The script ends with a newline; the command runs in
    /// the same `sh` (use `exec` in it to replace the shell).
    pub fn new(command: &Command) -> Self {
        let marker = format!("SCPDECK-{:016x}{:016x}", rand::random::<u64>(), rand::random::<u64>());
        let mut script = Vec::new();
        script.extend_from_slice(format!("echo {marker} >&2; echo {marker}; ").as_bytes());
        script.extend_from_slice(command.as_bytes());
        script.push(b'\n');
        Self { marker, script }
    }

    /// The bytes to write to the remote `sh`.
    pub fn script(&self) -> &[u8] {
        &self.script
    }

    /// A scanner that splits one output stream at this frame's marker.
    pub fn scanner(&self) -> MarkerScanner {
        MarkerScanner::new(&self.marker)
    }
}

/// Splits a stream into what came before the marker line (the banner) and
/// what came after it (the command's own output).
#[derive(Debug, Clone)]
pub struct MarkerScanner {
    line: Vec<u8>,
    preamble: Vec<u8>,
    found: bool,
}

/// What one call to [`MarkerScanner::feed`] found.
#[derive(Debug, PartialEq, Eq)]
pub enum Scan<'a> {
    /// The marker has not arrived yet; the bytes were kept as banner text.
    Searching,
    /// The marker arrived; these bytes followed it in the same chunk.
    Found(&'a [u8]),
}

impl MarkerScanner {
    fn new(marker: &str) -> Self {
        let mut line = marker.as_bytes().to_vec();
        line.push(b'\n');
        Self { line, preamble: Vec::new(), found: false }
    }

    /// Feeds bytes read before the marker. Must not be called after `Found`.
    pub fn feed<'a>(&mut self, bytes: &'a [u8]) -> Scan<'a> {
        debug_assert!(!self.found, "fed after the marker was found");
        let start = self.preamble.len();
        self.preamble.extend_from_slice(bytes);
        // The marker must start a line: at the very beginning or after '\n'.
        let from = start.saturating_sub(self.line.len());
        let mut i = from;
        while let Some(pos) = find(&self.preamble[i..], &self.line) {
            let at = i + pos;
            if at == 0 || self.preamble[at - 1] == b'\n' {
                let end = at + self.line.len();
                let consumed_from_input = end - start;
                self.preamble.truncate(at);
                self.found = true;
                return Scan::Found(&bytes[consumed_from_input..]);
            }
            i = at + 1;
        }
        Scan::Searching
    }

    /// Whether the marker has been seen.
    pub fn found(&self) -> bool {
        self.found
    }

    /// Everything before the marker (or everything so far, if it never came).
    pub fn preamble(&self) -> &[u8] {
        &self.preamble
    }

    /// Takes the preamble out of the scanner.
    pub fn into_preamble(self) -> Vec<u8> {
        self.preamble
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame() -> Frame {
        Frame::new(&Command::new("true"))
    }

    #[test]
    fn script_prints_markers_then_runs_the_command() {
        let f = frame();
        let text = String::from_utf8(f.script().to_vec()).unwrap();
        assert!(text.starts_with("echo SCPDECK-"));
        assert!(text.ends_with("; true\n"));
    }

    #[test]
    fn output_right_after_marker_is_returned() {
        let f = frame();
        let mut s = f.scanner();
        let mut chunk = f.marker.as_bytes().to_vec();
        chunk.extend_from_slice(b"\npayload");
        assert_eq!(s.feed(&chunk), Scan::Found(b"payload"));
        assert_eq!(s.preamble(), b"");
    }

    #[test]
    fn banner_before_marker_is_kept_even_split_across_chunks() {
        let f = frame();
        let mut s = f.scanner();
        let mut all = b"Welcome!\n\nlast login\n".to_vec();
        all.extend_from_slice(f.marker.as_bytes());
        all.extend_from_slice(b"\n\0data");
        let mut rest = Vec::new();
        for piece in all.chunks(3) {
            match s.feed(piece) {
                Scan::Searching => {}
                Scan::Found(after) => {
                    rest.extend_from_slice(after);
                    break;
                }
            }
        }
        assert!(s.found());
        assert_eq!(s.preamble(), b"Welcome!\n\nlast login\n");
        assert_eq!(rest, b"\0");
    }

    #[test]
    fn marker_inside_a_line_is_not_the_marker() {
        let f = frame();
        let mut s = f.scanner();
        let mut chunk = b"echo ".to_vec();
        chunk.extend_from_slice(f.marker.as_bytes());
        chunk.push(b'\n');
        assert_eq!(s.feed(&chunk), Scan::Searching);
    }

    #[test]
    fn markers_are_unique() {
        assert_ne!(frame().marker, frame().marker);
    }
}
