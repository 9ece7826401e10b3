//! Finding a marker line in an output stream (sans-IO).

/// Splits a stream into what came before the marker (the banner) and what
/// came after it (the command's own output).
///
/// The marker is accepted anywhere in the stream, not only at the start of
/// a line: a login profile may print without a final newline (a terminal
/// title escape `\e]0;title\a` is common in ~/.bashrc). That is safe because
/// the marker is random and its text never occurs in anything scpdeck sends
/// (see [`super::frame`]): only the remote shell running the script can
/// print it.
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
    /// A scanner for `marker` followed by a newline.
    pub fn new(marker: &str) -> Self {
        let mut line = marker.as_bytes().to_vec();
        line.push(b'\n');
        Self { line, preamble: Vec::new(), found: false }
    }

    /// Feeds bytes read before the marker. Must not be called after `Found`.
    pub fn feed<'a>(&mut self, bytes: &'a [u8]) -> Scan<'a> {
        debug_assert!(!self.found, "fed after the marker was found");
        let start = self.preamble.len();
        self.preamble.extend_from_slice(bytes);
        // A marker split across chunks begins at most one marker length
        // before the new bytes; one wholly in older bytes was found then.
        let from = start.saturating_sub(self.line.len());
        let Some(pos) = find(&self.preamble[from..], &self.line) else { return Scan::Searching };
        let at = from + pos;
        let end = at + self.line.len();
        self.preamble.truncate(at);
        self.found = true;
        Scan::Found(bytes.get(end.saturating_sub(start)..).unwrap_or_default())
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

    const MARKER: &str = "SCPDECK-0123456789abcdef0123456789abcdef";

    /// Feeds `stream` in pieces of `size` bytes; returns the preamble and
    /// what followed the marker in its chunk, or None if it never came.
    fn scan_in_pieces(stream: &[u8], size: usize) -> Option<(Vec<u8>, Vec<u8>)> {
        let mut scanner = MarkerScanner::new(MARKER);
        for piece in stream.chunks(size) {
            if let Scan::Found(after) = scanner.feed(piece) {
                let after = after.to_vec();
                assert!(scanner.found());
                return Some((scanner.into_preamble(), after));
            }
        }
        None
    }

    fn with_marker(before: &[u8], after: &[u8]) -> Vec<u8> {
        [before, MARKER.as_bytes(), b"\n", after].concat()
    }

    #[test]
    fn output_right_after_marker_is_returned() {
        let mut s = MarkerScanner::new(MARKER);
        assert_eq!(s.feed(&with_marker(b"", b"payload")), Scan::Found(b"payload"));
        assert_eq!(s.preamble(), b"");
    }

    #[test]
    fn banner_before_marker_is_kept_at_every_split() {
        let stream = with_marker(b"Welcome!\n\nlast login\n", b"\0data");
        for size in 1..stream.len() {
            let (preamble, after) = scan_in_pieces(&stream, size).unwrap();
            assert_eq!(preamble, b"Welcome!\n\nlast login\n", "pieces of {size}");
            // The rest of the chunk that held the marker's end.
            let end = stream.len() - 5;
            let chunk_end = (end.div_ceil(size) * size).min(stream.len());
            assert_eq!(after, &stream[end..chunk_end], "pieces of {size}");
        }
    }

    #[test]
    fn a_title_escape_without_newline_before_the_marker_is_banner() {
        let title = b"\x1b]0;user@host: ~\x07";
        for size in [1, 3, 7, 100] {
            let (preamble, _) = scan_in_pieces(&with_marker(title, b"out"), size).unwrap();
            assert_eq!(preamble, title, "pieces of {size}");
        }
    }

    #[test]
    fn binary_noise_and_near_misses_before_the_marker_are_banner() {
        let mut noise: Vec<u8> = (0..=255u8).cycle().take(2000).collect();
        // Almost the marker: cut short, wrong digit, no newline after it.
        noise.extend_from_slice(&MARKER.as_bytes()[..20]);
        noise.extend_from_slice(b"SCPDECK-0123456789abcdef0123456789abcdeX\n");
        noise.extend_from_slice(MARKER.as_bytes());
        noise.extend_from_slice(b" \0\x1b[2J\xff");
        for size in [1, 2, 5, 64, 4096] {
            let (preamble, after) = scan_in_pieces(&with_marker(&noise, b"\0\xffout"), size).unwrap();
            assert_eq!(preamble, noise, "pieces of {size}");
            assert!(b"\0\xffout".starts_with(&after), "pieces of {size}");
        }
        assert_eq!(scan_in_pieces(&noise, 7), None);
    }

    #[test]
    fn the_first_marker_ends_the_banner() {
        let stream = with_marker(b"a", &with_marker(b"b", b""));
        let (preamble, after) = scan_in_pieces(&stream, 1000).unwrap();
        assert_eq!(preamble, b"a");
        assert_eq!(after, with_marker(b"b", b""));
    }
}
