//! The built-in viewer (F3): text with escaped control characters, or a hex
//! dump for binary data. Only line starts are computed up front; lines are
//! formatted when drawn. Search (`viewer_search.rs`), go to line, wrapping
//! and following a growing file (as `tail -f`) live here too.

use std::sync::Arc;

use super::input::LineInput;
use super::viewer_search::Search;
use crate::fs::Location;
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
    /// The file shown (for following it).
    pub location: Option<Location>,
    /// Long lines wrap instead of being cut (`w`).
    pub wrap: bool,
    /// The last search, repeated by `n` and `N`.
    pub search: Option<Search>,
    /// The line the last search stopped on.
    pub found: Option<usize>,
    /// A search or a line number being typed.
    pub prompt: Option<ViewerPrompt>,
    /// A short note on the key line: a search that wrapped or found
    /// nothing, why following stopped.
    pub note: Option<String>,
    /// Following the file as it grows (`F`).
    pub follow: Option<Follow>,
}

/// What the viewer's bottom line is asking for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ViewerPrompt {
    Search { backward: bool, input: LineInput },
    GoTo { input: LineInput },
}

/// Following a growing file: what was read up to, and which poll is the
/// current one (a result of an older one is dropped).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Follow {
    pub offset: u64,
    pub generation: u64,
    /// The first read replaces the content (the view showed only the start
    /// of a file longer than the viewer reads): it reads the file's end.
    pub replace: bool,
}

/// What the viewer read: at most the configured limit of bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewContent {
    pub bytes: Arc<[u8]>,
    /// Offset in the file of the first byte held (past 0 when following
    /// dropped the oldest lines).
    pub base: u64,
    /// Size of the whole file.
    pub total: u64,
    /// Byte offsets where text lines start.
    pub line_starts: Vec<usize>,
    /// Looks binary (NUL bytes or mostly invalid UTF-8).
    pub binary: bool,
}

impl ViewContent {
    pub fn new(bytes: Vec<u8>, total: u64) -> Self {
        Self::at(bytes, 0, total)
    }

    /// Bytes read from offset `base` of a file of `total` bytes.
    pub fn at(bytes: Vec<u8>, base: u64, total: u64) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(bytes.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i + 1));
        if line_starts.len() > 1 && line_starts.last() == Some(&bytes.len()) {
            line_starts.pop();
        }
        let sample = &bytes[..bytes.len().min(8192)];
        let binary = sample.contains(&0)
            || std::str::from_utf8(sample).is_err_and(|e| e.valid_up_to() + 4 < sample.len());
        ViewContent { bytes: bytes.into(), base, total, line_starts, binary }
    }

    /// Less of the file is held than there is (its start or its end).
    pub fn truncated(&self) -> bool {
        (self.bytes.len() as u64) < self.total
    }

    /// The file offset just past the bytes held.
    pub fn end(&self) -> u64 {
        self.base + self.bytes.len() as u64
    }

    /// `more` bytes that follow the ones held, the file now `size` bytes;
    /// at most `limit` bytes are kept, the oldest whole lines dropped.
    pub fn appended(&self, more: &[u8], size: u64, limit: u64) -> ViewContent {
        let mut bytes = Vec::with_capacity(self.bytes.len() + more.len());
        bytes.extend_from_slice(&self.bytes);
        bytes.extend_from_slice(more);
        let mut base = self.base;
        let excess = bytes.len().saturating_sub(usize::try_from(limit).unwrap_or(usize::MAX));
        if excess > 0 {
            let cut = bytes[excess..].iter().position(|&b| b == b'\n').map_or(excess, |i| excess + i + 1);
            bytes.drain(..cut);
            base += cut as u64;
        }
        let total = size.max(base + bytes.len() as u64);
        ViewContent::at(bytes, base, total)
    }
}

impl Viewer {
    pub fn new(title: String, token: u64) -> Self {
        Viewer {
            title,
            host: None,
            token,
            content: None,
            hex: false,
            scroll: 0,
            rows: 1,
            location: None,
            wrap: false,
            search: None,
            found: None,
            prompt: None,
            note: None,
            follow: None,
        }
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
            let offset = content.base as usize + start;
            return (!chunk.is_empty()).then(|| hex_line(offset, chunk));
        }
        let start = *content.line_starts.get(n)?;
        let end = content.line_starts.get(n + 1).map_or(content.bytes.len(), |&next| next - 1);
        let line = &content.bytes[start..end.max(start)];
        Some(text_line(line.strip_suffix(b"\n").unwrap_or(line)))
    }

    pub fn scroll_by(&mut self, delta: isize) {
        // Wrapped lines take more rows than one: the last line may be the top.
        let room = if self.wrap { 1 } else { self.rows };
        let max = self.line_count().saturating_sub(room);
        self.scroll = self.scroll.saturating_add_signed(delta).min(max);
    }

    /// Shows line `n` (0-based) at the top, as far as the end allows.
    pub fn go_to_line(&mut self, n: usize) {
        self.scroll = n;
        self.scroll_by(0);
    }

    /// Wrap on/off (`w`).
    pub fn toggle_wrap(&mut self) {
        self.wrap = !self.wrap;
        self.scroll_by(0);
    }

    /// Searches for `search` from the view (`/`, `?`) and remembers it.
    pub fn start_search(&mut self, search: Search) {
        self.found = None;
        let forward = !search.backward;
        self.search = Some(search);
        self.search_next(forward);
    }

    /// The next match of the last search (`forward`: down), wrapping
    /// around the end with a note; the line found goes to the top.
    pub fn search_next(&mut self, forward: bool) {
        let Some(search) = self.search.clone() else {
            self.note = Some("no search yet: / or ? starts one".into());
            return;
        };
        let count = self.line_count();
        if count == 0 {
            return;
        }
        let visible = |n: usize| n >= self.scroll && n < self.scroll + self.rows.max(1);
        let start = match (self.found.filter(|&f| visible(f)), forward) {
            (Some(f), true) => (f + 1) % count,
            (Some(f), false) => (f + count - 1) % count,
            (None, _) => self.scroll.min(count - 1),
        };
        for step in 0..count {
            let n = if forward { (start + step) % count } else { (start + count - step % count) % count };
            if self.line(n).is_some_and(|line| search.is_match(&line)) {
                let wrapped = if forward { n < start } else { n > start };
                self.note = wrapped.then(|| {
                    if forward {
                        "search wrapped to the top".into()
                    } else {
                        "search wrapped to the end".into()
                    }
                });
                self.found = Some(n);
                self.go_to_line(n);
                return;
            }
        }
        self.note = Some(format!("not found: {}", crate::text::escape_str(&search.pattern)));
    }

    /// A follow poll's result, the `bytes` from the offset asked for and
    /// the file's `size` now: new bytes are added (the view kept at the
    /// end); a file that shrank stops following, with a note. Returns
    /// whether to poll again.
    pub fn follow_read(&mut self, bytes: Vec<u8>, size: u64, limit: u64) -> bool {
        let Some(follow) = self.follow else { return false };
        let Some(Ok(content)) = &self.content else { return false };
        let content = if follow.replace {
            ViewContent::at(bytes, follow.offset, size)
        } else if size < follow.offset {
            self.follow = None;
            self.note = Some("follow stopped: the file shrank (F3 again reads it anew)".into());
            return false;
        } else {
            content.appended(&bytes, size, limit)
        };
        self.follow = Some(Follow { offset: content.end(), replace: false, ..follow });
        self.content = Some(Ok(content));
        self.scroll_by(isize::MAX);
        true
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
    fn search_finds_forward_and_backward_and_wraps_with_a_note() {
        let mut v = viewer(b"alpha\nbeta\nError one\ngamma\nerror two\ndelta\n", 40);
        v.rows = 2;
        v.start_search(Search { pattern: "error".into(), backward: false });
        assert_eq!((v.found, v.scroll, v.note.as_deref()), (Some(2), 2, None));
        v.search_next(true);
        assert_eq!(v.found, Some(4));
        v.search_next(true);
        assert_eq!((v.found, v.note.as_deref()), (Some(2), Some("search wrapped to the top")));
        v.search_next(false);
        assert_eq!((v.found, v.note.as_deref()), (Some(4), Some("search wrapped to the end")));
        v.start_search(Search { pattern: "Error".into(), backward: true });
        assert_eq!(v.found, Some(2));
        v.start_search(Search { pattern: "zeta".into(), backward: false });
        assert_eq!(v.note.as_deref(), Some("not found: zeta"));
    }

    #[test]
    fn go_to_line_and_wrap_change_how_far_it_scrolls() {
        let mut v = viewer(b"1\n2\n3\n4\n5\n", 10);
        v.go_to_line(4);
        assert_eq!(v.scroll, 3);
        v.toggle_wrap();
        v.go_to_line(4);
        assert_eq!(v.scroll, 4);
    }

    #[test]
    fn following_appends_keeps_the_end_and_stops_when_the_file_shrinks() {
        let mut v = viewer(b"one\ntwo\n", 8);
        v.rows = 1;
        v.follow = Some(Follow { offset: 8, generation: 1, replace: false });
        assert!(v.follow_read(b"three\nfour\n".to_vec(), 19, 12));
        let Some(Ok(c)) = &v.content else { panic!() };
        // At most 12 bytes kept, whole lines dropped from the front.
        assert_eq!((&c.bytes[..], c.base, c.end()), (&b"three\nfour\n"[..], 8, 19));
        assert_eq!(v.follow.unwrap().offset, 19);
        assert_eq!(v.scroll, 1);
        assert!(!v.follow_read(Vec::new(), 5, 12));
        assert_eq!(v.follow, None);
        assert!(v.note.as_deref().unwrap().contains("shrank"), "{:?}", v.note);
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
