//! Small pieces the listing parsers share: NUL-separated fields read from a
//! stream, and the field formats (kind letters, decimal times, numbers).

use crate::fs::{Kind, Mtime};

/// Splits a byte stream into NUL-terminated fields as chunks arrive. Each
/// byte is looked at once, so a huge listing costs linear time.
#[derive(Debug, Default)]
pub(in crate::fs::remote) struct NulSplitter {
    partial: Vec<u8>,
}

impl NulSplitter {
    /// The next complete field from `input` (advancing it past the NUL), or
    /// `None` after keeping an unfinished field for the next chunk.
    pub(in crate::fs::remote) fn next_field(&mut self, input: &mut &[u8]) -> Option<Vec<u8>> {
        match input.iter().position(|&b| b == 0) {
            Some(i) => {
                let field = if self.partial.is_empty() {
                    input[..i].to_vec()
                } else {
                    let mut f = std::mem::take(&mut self.partial);
                    f.extend_from_slice(&input[..i]);
                    f
                };
                *input = &input[i + 1..];
                Some(field)
            }
            None => {
                self.partial.extend_from_slice(input);
                *input = &[];
                None
            }
        }
    }

    /// Bytes of an unfinished field (non-empty only when output was cut).
    pub(in crate::fs::remote) fn leftover(&self) -> &[u8] {
        &self.partial
    }
}

/// The kind for a `find -printf %y` letter (the letters scpdeck's own
/// scripts print too). `D` (a Solaris door) and `u` are `Unknown`.
pub(in crate::fs::remote) fn kind_of_letter(letter: u8) -> Kind {
    match letter {
        b'f' => Kind::File,
        b'd' => Kind::Dir,
        b'l' => Kind::Symlink,
        b'p' => Kind::Fifo,
        b's' => Kind::Socket,
        b'c' => Kind::CharDevice,
        b'b' => Kind::BlockDevice,
        _ => Kind::Unknown,
    }
}

/// The `%Y` letter of a symlink whose chain of links loops (GNU find's;
/// the other listers print it too).
pub(super) const LOOP_LETTER: u8 = b'L';

/// A symlink target's kind from its `%Y` letter: `N` (dangling), `L` (a
/// loop) and `?` (cannot tell) are `None`.
pub(super) fn target_kind_of_letter(letter: u8) -> Option<Kind> {
    match letter {
        b'N' | b'L' | b'?' => None,
        other => Some(kind_of_letter(other)),
    }
}

/// `1700000000`, `1700000000.1234567890` or `-12.5`: seconds since the epoch
/// with an optional fraction (digits beyond nanoseconds are dropped).
pub(in crate::fs::remote) fn parse_mtime(text: &[u8]) -> Option<Mtime> {
    let (negative, text) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    let (int, frac) = match text.iter().position(|&b| b == b'.') {
        Some(i) => (&text[..i], &text[i + 1..]),
        None => (text, &b""[..]),
    };
    let secs = i64::try_from(parse_u64(int)?).ok()?;
    if !frac.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut nanos: u32 = 0;
    for i in 0..9 {
        nanos = nanos * 10 + frac.get(i).map_or(0, |d| u32::from(d - b'0'));
    }
    Some(match (negative, nanos) {
        (false, _) => Mtime { secs, nanos },
        (true, 0) => Mtime { secs: -secs, nanos: 0 },
        (true, n) => Mtime { secs: -secs - 1, nanos: 1_000_000_000 - n },
    })
}

/// A decimal number of ASCII digits only.
pub(in crate::fs::remote) fn parse_u64(text: &[u8]) -> Option<u64> {
    if text.is_empty() || !text.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(text).ok()?.parse().ok()
}

/// A number in base 8 or 16.
pub(super) fn parse_radix(text: &[u8], radix: u32) -> Option<u32> {
    if text.is_empty() {
        return None;
    }
    u32::from_str_radix(std::str::from_utf8(text).ok()?, radix).ok()
}

/// The fraction of a `%y` time (`2024-01-02 03:04:05.123456789 +0000`'s
/// middle word) as nanoseconds; 0 when the tool printed none.
pub(super) fn nanos_of_clock(clock: &[u8]) -> u32 {
    let Some(dot) = clock.iter().position(|&b| b == b'.') else { return 0 };
    parse_mtime(&[b"0", &clock[dot..]].concat()).map_or(0, |m| m.nanos)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_split_across_chunks() {
        let mut s = NulSplitter::default();
        let mut got = Vec::new();
        for chunk in [&b"ab"[..], b"c\0\0d", b"e\0f"] {
            let mut input = chunk;
            while let Some(f) = s.next_field(&mut input) {
                got.push(f);
            }
        }
        assert_eq!(got, [b"abc".to_vec(), b"".to_vec(), b"de".to_vec()]);
        assert_eq!(s.leftover(), b"f");
    }

    #[test]
    fn times_with_and_without_fractions() {
        assert_eq!(parse_mtime(b"1700000000"), Some(Mtime { secs: 1_700_000_000, nanos: 0 }));
        assert_eq!(
            parse_mtime(b"1795260094.7474636950"),
            Some(Mtime { secs: 1_795_260_094, nanos: 747_463_695 })
        );
        assert_eq!(parse_mtime(b"12.5"), Some(Mtime { secs: 12, nanos: 500_000_000 }));
        assert_eq!(parse_mtime(b"-1.25"), Some(Mtime { secs: -2, nanos: 750_000_000 }));
        assert_eq!(parse_mtime(b"-3"), Some(Mtime { secs: -3, nanos: 0 }));
        assert_eq!(parse_mtime(b"x"), None);
        assert_eq!(parse_mtime(b"1.2e3"), None);
        assert_eq!(nanos_of_clock(b"11:12:42.205610481"), 205_610_481);
        assert_eq!(nanos_of_clock(b"11:12:42"), 0);
    }

    #[test]
    fn letters() {
        assert_eq!(kind_of_letter(b'p'), Kind::Fifo);
        assert_eq!(kind_of_letter(b'D'), Kind::Unknown);
        assert_eq!(target_kind_of_letter(b'N'), None);
        assert_eq!(target_kind_of_letter(b'd'), Some(Kind::Dir));
    }
}
