//! The built-in viewer (F3): text with escaped control characters, or a hex
//! dump for binary data. Only line starts are computed up front; lines are
//! formatted when drawn.

use std::sync::Arc;

use crate::text::escape_bytes;

/// Bytes shown per hex dump line.
pub const HEX_WIDTH: usize = 16;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    pub title: String,
    /// The host of the file shown (`None`: this machine).
    pub host: Option<String>,
    pub token: u64,
    pub content: Option<Result<ViewContent, String>>,
    pub hex: bool,
    pub scroll: usize,
    /// Rows visible; set from the terminal size.
    pub rows: usize,
}

/// What the viewer read: at most the configured limit of bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewContent {
    pub bytes: Arc<[u8]>,
    /// Size of the whole file.
    pub total: u64,
    /// Byte offsets where text lines start.
    pub line_starts: Vec<usize>,
    /// Looks binary (NUL bytes or mostly invalid UTF-8).
    pub binary: bool,
}

impl ViewContent {
    pub fn new(bytes: Vec<u8>, total: u64) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(bytes.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i + 1));
        if line_starts.len() > 1 && line_starts.last() == Some(&bytes.len()) {
            line_starts.pop();
        }
        let sample = &bytes[..bytes.len().min(8192)];
        let binary = sample.contains(&0)
            || std::str::from_utf8(sample).is_err_and(|e| e.valid_up_to() + 4 < sample.len());
        ViewContent { bytes: bytes.into(), total, line_starts, binary }
    }

    pub fn truncated(&self) -> bool {
        (self.bytes.len() as u64) < self.total
    }
}

impl Viewer {
    pub fn new(title: String, token: u64) -> Self {
        Viewer { title, host: None, token, content: None, hex: false, scroll: 0, rows: 1 }
    }

    /// Number of lines in the current mode.
    pub fn line_count(&self) -> usize {
        match &self.content {
            Some(Ok(c)) if self.hex => c.bytes.len().div_ceil(HEX_WIDTH),
            Some(Ok(c)) => c.line_starts.len(),
            _ => 0,
        }
    }

    /// Line `n` formatted for display, or `None` past the end.
    pub fn line(&self, n: usize) -> Option<String> {
        let Some(Ok(content)) = &self.content else { return None };
        if self.hex {
            let start = n * HEX_WIDTH;
            let chunk = content.bytes.get(start..(start + HEX_WIDTH).min(content.bytes.len()))?;
            return (!chunk.is_empty()).then(|| hex_line(start, chunk));
        }
        let start = *content.line_starts.get(n)?;
        let end = content.line_starts.get(n + 1).map_or(content.bytes.len(), |&next| next - 1);
        let line = &content.bytes[start..end.max(start)];
        Some(text_line(line.strip_suffix(b"\n").unwrap_or(line)))
    }

    pub fn scroll_by(&mut self, delta: isize) {
        let max = self.line_count().saturating_sub(self.rows);
        self.scroll = self.scroll.saturating_add_signed(delta).min(max);
    }

    pub fn toggle_hex(&mut self) {
        let byte = match &self.content {
            Some(Ok(_)) if self.hex => self.scroll * HEX_WIDTH,
            Some(Ok(c)) => c.line_starts.get(self.scroll).copied().unwrap_or(0),
            _ => 0,
        };
        self.hex = !self.hex;
        self.scroll = match &self.content {
            Some(Ok(_)) if self.hex => byte / HEX_WIDTH,
            Some(Ok(c)) => c.line_starts.partition_point(|&s| s <= byte).saturating_sub(1),
            _ => 0,
        };
        self.scroll_by(0);
    }
}

/// A text line: tabs expanded, control characters and invalid UTF-8 escaped.
fn text_line(bytes: &[u8]) -> String {
    let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
    let mut expanded = Vec::with_capacity(bytes.len());
    for &b in bytes {
        if b == b'\t' {
            let pad = 8 - expanded.len() % 8;
            expanded.resize(expanded.len() + pad, b' ');
        } else {
            expanded.push(b);
        }
    }
    escape_bytes(&expanded)
}

/// `00000010  41 42 ...  |AB..|`
fn hex_line(offset: usize, chunk: &[u8]) -> String {
    let mut out = format!("{offset:08x}  ");
    for i in 0..HEX_WIDTH {
        match chunk.get(i) {
            Some(b) => out.push_str(&format!("{b:02x} ")),
            None => out.push_str("   "),
        }
        if i == 7 {
            out.push(' ');
        }
    }
    out.push_str(" |");
    out.extend(chunk.iter().map(|&b| if b.is_ascii_graphic() || b == b' ' { b as char } else { '.' }));
    out.push('|');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn viewer(bytes: &[u8], total: u64) -> Viewer {
        let mut v = Viewer::new("t".into(), 1);
        v.content = Some(Ok(ViewContent::new(bytes.to_vec(), total)));
        v.rows = 2;
        v
    }

    #[test]
    fn text_lines_escape_controls_and_expand_tabs() {
        let v = viewer(b"a\tb\r\n\x1b[2Jx\nlast", 15);
        assert_eq!(v.line_count(), 3);
        assert_eq!(v.line(0).unwrap(), "a       b");
        assert!(!v.line(1).unwrap().contains('\x1b'));
        assert_eq!(v.line(2).unwrap(), "last");
        assert_eq!(v.line(3), None);
    }

    #[test]
    fn binary_is_detected_and_dumped_in_hex() {
        let mut v = viewer(b"\x00\x01ABCDEFGHIJKLMNOPQ", 100);
        let Some(Ok(c)) = &v.content else { panic!() };
        assert!(c.binary && c.truncated());
        v.toggle_hex();
        assert_eq!(v.line_count(), 2);
        assert_eq!(
            v.line(0).unwrap(),
            "00000000  00 01 41 42 43 44 45 46  47 48 49 4a 4b 4c 4d 4e  |..ABCDEFGHIJKLMN|"
        );
        assert!(v.line(1).unwrap().starts_with("00000010  4f 50 51"));
    }

    #[test]
    fn scrolling_stops_at_the_last_page() {
        let mut v = viewer(b"1\n2\n3\n4\n5\n", 10);
        v.scroll_by(10);
        assert_eq!(v.scroll, 3);
        v.scroll_by(-1);
        assert_eq!(v.scroll, 2);
    }
}
