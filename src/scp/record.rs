//! SCP control records and replies: parsing and formatting, no I/O.
//!
//! Records are lines: `C%04o SIZE NAME`, `D%04o 0 NAME`, `E`,
//! `T MTIME MTIME_USEC ATIME ATIME_USEC`. Replies are one byte: `\0` (ok), or
//! `\1`/`\2` followed by a message line (error / fatal error). The parser is
//! strict where OpenSSH's sink is strict (exactly four octal mode digits,
//! decimal sizes that fit an `off_t`, microseconds below one million) and
//! stricter where OpenSSH is loose (no signs, no leading blanks, nothing after
//! `E`): a record we do not understand exactly is a record we refuse.

use crate::text::escape_bytes;

/// The longest record line accepted. OpenSSH reads records into 2 KiB; names
/// are at most 255 bytes on common file systems.
pub const MAX_LINE: usize = 8192;

/// The largest size or time accepted: what fits a signed 64-bit `off_t` /
/// `time_t` on the other side.
pub const MAX_VALUE: u64 = i64::MAX as u64;

/// A modification and access time with microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Times {
    pub mtime: Timestamp,
    pub atime: Timestamp,
}

/// Seconds since the epoch and microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Timestamp {
    pub secs: u64,
    pub micros: u32,
}

/// One control record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Record {
    /// A regular file of `size` bytes follows.
    File { mode: u32, size: u64, name: Vec<u8> },
    /// Enter a directory.
    Dir { mode: u32, name: Vec<u8> },
    /// Leave the current directory.
    End,
    /// Times for the next `File` or `Dir`.
    Times(Times),
}

/// Why a record line was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason} in record \"{}\"", escape_bytes(.line))]
pub struct RecordError {
    pub line: Vec<u8>,
    pub reason: &'static str,
}

impl Record {
    /// Parses one record line, without its trailing newline.
    pub fn parse(line: &[u8]) -> Result<Record, RecordError> {
        let fail = |reason| RecordError { line: line.to_vec(), reason };
        let Some((&kind, rest)) = line.split_first() else { return Err(fail("empty record")) };
        match kind {
            b'C' | b'D' => {
                let (mode, rest) = parse_mode(rest).ok_or_else(|| fail("bad mode"))?;
                let (size, name) = parse_number(rest, b' ').ok_or_else(|| fail("bad size"))?;
                if size > MAX_VALUE {
                    return Err(fail("size out of range"));
                }
                if kind == b'C' {
                    Ok(Record::File { mode, size, name: name.to_vec() })
                } else if size != 0 {
                    Err(fail("directory record with a non-zero size"))
                } else {
                    Ok(Record::Dir { mode, name: name.to_vec() })
                }
            }
            b'E' if rest.is_empty() => Ok(Record::End),
            b'E' => Err(fail("text after an end-of-directory record")),
            b'T' => parse_times(rest).map(Record::Times).ok_or_else(|| fail("bad time record")),
            _ => Err(fail("unknown record type")),
        }
    }

    /// The record line, with its trailing newline. Names must hold no newline
    /// (see [`crate::scp::Source`], which refuses them before formatting).
    pub fn to_line(&self) -> Vec<u8> {
        let mut out = match self {
            Record::File { mode, size, name } => {
                let mut v = format!("C{:04o} {size} ", mode & 0o7777).into_bytes();
                v.extend_from_slice(name);
                v
            }
            Record::Dir { mode, name } => {
                let mut v = format!("D{:04o} 0 ", mode & 0o7777).into_bytes();
                v.extend_from_slice(name);
                v
            }
            Record::End => b"E".to_vec(),
            Record::Times(t) => {
                format!("T{} {} {} {}", t.mtime.secs, t.mtime.micros, t.atime.secs, t.atime.micros)
                    .into_bytes()
            }
        };
        out.push(b'\n');
        out
    }
}

/// Exactly four octal digits and a space.
fn parse_mode(bytes: &[u8]) -> Option<(u32, &[u8])> {
    let digits = bytes.get(..4)?;
    let mut mode = 0u32;
    for &d in digits {
        if !(b'0'..=b'7').contains(&d) {
            return None;
        }
        mode = mode << 3 | u32::from(d - b'0');
    }
    let rest = bytes.get(4..)?.strip_prefix(b" ")?;
    Some((mode, rest))
}

/// Decimal digits (at least one, no sign) followed by `delimiter`; returns the
/// value and what follows the delimiter.
fn parse_number(bytes: &[u8], delimiter: u8) -> Option<(u64, &[u8])> {
    let end = bytes.iter().position(|b| !b.is_ascii_digit()).unwrap_or(bytes.len());
    if end == 0 || bytes.get(end) != Some(&delimiter) {
        return None;
    }
    let mut value = 0u64;
    for &d in &bytes[..end] {
        value = value.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
    }
    Some((value, &bytes[end + 1..]))
}

fn parse_times(bytes: &[u8]) -> Option<Times> {
    let (msecs, rest) = parse_number(bytes, b' ')?;
    let (musec, rest) = parse_number(rest, b' ')?;
    let (asecs, rest) = parse_number(rest, b' ')?;
    let mut last = rest.to_vec();
    last.push(b'\n');
    let (ausec, tail) = parse_number(&last, b'\n')?;
    if !tail.is_empty() || musec > 999_999 || ausec > 999_999 || msecs > MAX_VALUE || asecs > MAX_VALUE {
        return None;
    }
    let stamp = |secs, micros: u64| Timestamp { secs, micros: micros as u32 };
    Some(Times { mtime: stamp(msecs, musec), atime: stamp(asecs, ausec) })
}

/// A reply to a record or to a file's data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    Ok,
    /// `\1`: this record or file failed; the transfer goes on.
    Error(Vec<u8>),
    /// `\2`: the other side gives up.
    Fatal(Vec<u8>),
}

impl Reply {
    /// The reply bytes. Newlines in a message are replaced by spaces, since a
    /// newline ends the message.
    pub fn to_bytes(&self) -> Vec<u8> {
        let (code, message) = match self {
            Reply::Ok => return vec![0],
            Reply::Error(m) => (1, m),
            Reply::Fatal(m) => (2, m),
        };
        let mut out = vec![code];
        out.extend(message.iter().map(|&b| if b == b'\n' { b' ' } else { b }));
        out.push(b'\n');
        out
    }
}

/// Encodes a name holding a newline the way OpenSSH's source does
/// (`strnvis(VIS_NL)`), so such a name can be carried in a record and matched
/// against one OpenSSH sent: `\` doubled, control bytes as `\^X`, bytes with
/// the high bit as `\M-x` / `\M^X`.
pub fn vis_newline_name(name: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(name.len() + 8);
    for &b in name {
        if b == b'\\' {
            out.extend_from_slice(b"\\\\");
        } else if b.is_ascii_graphic() || b == b' ' || b == b'\t' {
            out.push(b);
        } else {
            out.push(b'\\');
            let mut c = b;
            if c & 0x80 != 0 {
                c &= 0x7f;
                out.push(b'M');
            }
            if c.is_ascii_control() {
                out.push(b'^');
                out.push(if c == 0x7f { b'?' } else { c + b'@' });
            } else {
                out.push(b'-');
                out.push(c);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_what_openssh_sends() {
        assert_eq!(
            Record::parse(b"C0644 5 hello world").unwrap(),
            Record::File { mode: 0o644, size: 5, name: b"hello world".to_vec() }
        );
        assert_eq!(
            Record::parse(b"D4755 0 dir").unwrap(),
            Record::Dir { mode: 0o4755, name: b"dir".to_vec() }
        );
        assert_eq!(Record::parse(b"E").unwrap(), Record::End);
        let t = Record::parse(b"T1700000000 123456 1600000000 0").unwrap();
        assert_eq!(
            t,
            Record::Times(Times {
                mtime: Timestamp { secs: 1_700_000_000, micros: 123_456 },
                atime: Timestamp { secs: 1_600_000_000, micros: 0 },
            })
        );
    }

    #[test]
    fn sizes_beyond_4_gib_are_fine() {
        let r = Record::parse(b"C0600 5368709120 big").unwrap();
        assert_eq!(r, Record::File { mode: 0o600, size: 5 << 30, name: b"big".to_vec() });
    }

    #[test]
    fn malformed_records_are_refused_with_a_reason() {
        for (line, reason) in [
            (&b"C755 2 file"[..], "bad mode"),
            (b"C0855 2 file", "bad mode"),
            (b"C0644 -2 file", "bad size"),
            (b"C0644 2file", "bad size"),
            (b"C0644 99999999999999999999 f", "bad size"),
            (b"C0644 9223372036854775808 f", "size out of range"),
            (b"D0755 1 d", "directory record with a non-zero size"),
            (b"E x", "text after an end-of-directory record"),
            (b"T1 1000000 1 0", "bad time record"),
            (b"T1 0 1", "bad time record"),
            (b"T1 0 1 0 ", "bad time record"),
            (b"X", "unknown record type"),
            (b"", "empty record"),
        ] {
            assert_eq!(Record::parse(line).unwrap_err().reason, reason, "{}", escape_bytes(line));
        }
    }

    #[test]
    fn record_errors_show_the_line_escaped() {
        let e = Record::parse(b"C07\x1b[2J x").unwrap_err();
        assert_eq!(e.to_string(), "bad mode in record \"C07\\e[2J x\"");
    }

    #[test]
    fn replies_never_carry_a_newline_inside() {
        assert_eq!(Reply::Error(b"a\nb".to_vec()).to_bytes(), b"\x01a b\n");
        assert_eq!(Reply::Ok.to_bytes(), b"\0");
    }

    #[test]
    fn vis_matches_openssh() {
        // What OpenSSH 9.2's `scp -f` sends for a file named "a\nb\c".
        assert_eq!(vis_newline_name(b"a\nb\\c"), b"a\\^Jb\\\\c");
        assert_eq!(vis_newline_name(b"\x1b\xc3"), b"\\^[\\M-C");
    }

    fn record() -> impl Strategy<Value = Record> {
        let name = proptest::collection::vec(any::<u8>().prop_filter("no newline", |b| *b != b'\n'), 0..40);
        let stamp = (0..=MAX_VALUE, 0..1_000_000u32).prop_map(|(secs, micros)| Timestamp { secs, micros });
        prop_oneof![
            (0..=0o7777u32, 0..=MAX_VALUE, name.clone()).prop_map(|(mode, size, name)| Record::File {
                mode,
                size,
                name
            }),
            (0..=0o7777u32, name).prop_map(|(mode, name)| Record::Dir { mode, name }),
            Just(Record::End),
            (stamp.clone(), stamp).prop_map(|(mtime, atime)| Record::Times(Times { mtime, atime })),
        ]
    }

    proptest! {
        #[test]
        fn records_round_trip(r in record()) {
            let line = r.to_line();
            prop_assert_eq!(line.last(), Some(&b'\n'));
            prop_assert_eq!(Record::parse(&line[..line.len() - 1]).unwrap(), r);
        }

        #[test]
        fn arbitrary_lines_never_panic(line in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = Record::parse(&line);
        }

        #[test]
        fn near_miss_lines_never_panic(s in "[CDET][0-9 ]{0,30}[a-z]{0,3}") {
            let _ = Record::parse(s.as_bytes());
        }
    }
}
