//! Turning untrusted bytes (remote file names, error lines, banners) into text
//! that is safe to put on a terminal, in the log or in a message.
//!
//! Control characters would let a hostile server move the cursor or rewrite the
//! screen (CVE-2019-6109/6110); bidirectional overrides can make a name read
//! differently from what it is. Both are shown as visible escapes instead.

use std::fmt::Write;

/// Escapes `bytes` for display: valid UTF-8 is kept, except control characters
/// (C0, DEL, C1) and bidirectional-formatting characters, which are written as
/// `\n`, `\t`, `\r`, `\e`, `\xNN` or `\u{NNNN}`. Bytes that are not UTF-8 are
/// written as `\xNN`.
pub fn escape_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            push_char(&mut out, c);
        }
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    out
}

/// Escapes a string that is already UTF-8 but may hold control characters.
pub fn escape_str(s: &str) -> String {
    escape_bytes(s.as_bytes())
}

/// True when `c` must not reach a terminal as it is.
pub fn is_unsafe(c: char) -> bool {
    c.is_control() || is_bidi_control(c)
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn push_char(out: &mut String, c: char) {
    if !is_unsafe(c) {
        out.push(c);
        return;
    }
    match c {
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        '\r' => out.push_str("\\r"),
        '\u{1b}' => out.push_str("\\e"),
        c if (c as u32) < 0x80 => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c => {
            let _ = write!(out, "\\u{{{:04x}}}", c as u32);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_unchanged() {
        assert_eq!(escape_bytes("héllo wörld 文件 🚀".as_bytes()), "héllo wörld 文件 🚀");
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(escape_bytes(b"a\nb\tc\rd\x1b[2Je\x07\x7f"), "a\\nb\\tc\\rd\\e[2Je\\x07\\x7f");
    }

    #[test]
    fn c1_and_bidi_controls_are_escaped() {
        assert_eq!(escape_str("x\u{9b}y"), "x\\u{009b}y");
        assert_eq!(escape_str("evil\u{202e}txt.exe"), "evil\\u{202e}txt.exe");
    }

    #[test]
    fn invalid_utf8_is_shown_as_hex() {
        assert_eq!(escape_bytes(b"caf\xe9 \xff"), "caf\\xe9 \\xff");
    }

    #[test]
    fn output_never_contains_control_characters() {
        let all: Vec<u8> = (0u8..=255).collect();
        let escaped = escape_bytes(&all);
        assert!(!escaped.chars().any(is_unsafe), "{escaped:?}");
    }
}
