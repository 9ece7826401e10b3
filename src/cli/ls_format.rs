//! How `scpdeck ls` prints entries: names, `-l` lines and JSON lines (pure).
//! Nothing it returns holds a raw control character.

use std::fmt::Write as _;
use std::os::unix::ffi::OsStrExt;

use jiff::tz::TimeZone;

use crate::fs::{Entry, Kind, Mtime};
use crate::text::{escape_bytes, escape_str, is_unsafe, width};

/// The entries `ls` shows, in the order it shows them: by name (bytes),
/// hidden ones only with `-a`.
pub(super) fn select(mut entries: Vec<Entry>, all: bool) -> Vec<Entry> {
    entries.retain(|e| all || !e.is_hidden());
    entries.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
    entries
}

/// One name per line.
pub(super) fn short(entries: &[Entry]) -> String {
    entries.iter().map(|e| e.display_name() + "\n").collect()
}

/// `-l`: mode, owner, group, size, time, name (and `-> target`), columns aligned.
pub(super) fn long(entries: &[Entry], tz: &TimeZone) -> String {
    let owners: Vec<String> = entries.iter().map(|e| escape_str(&e.owner)).collect();
    let groups: Vec<String> = entries.iter().map(|e| escape_str(&e.group)).collect();
    let widest = |v: &[String]| v.iter().map(|s| width(s)).max().unwrap_or(0);
    let (ow, gw) = (widest(&owners), widest(&groups));
    let sw = entries.iter().map(|e| e.size.to_string().len()).max().unwrap_or(0);
    let mut out = String::new();
    for ((e, owner), group) in entries.iter().zip(&owners).zip(&groups) {
        let _ = write!(
            out,
            "{} {owner}{} {group}{} {:>sw$} {} {}",
            e.permissions(),
            " ".repeat(ow - width(owner)),
            " ".repeat(gw - width(group)),
            e.size,
            local_time(e.mtime, tz),
            e.display_name(),
        );
        if let Some(link) = &e.link {
            let _ = write!(out, " -> {}", escape_bytes(link.path.as_bytes()));
        }
        out.push('\n');
    }
    out
}

fn local_time(mtime: Mtime, tz: &TimeZone) -> String {
    match jiff::Timestamp::from_second(mtime.secs) {
        Ok(ts) => ts.to_zoned(tz.clone()).strftime("%Y-%m-%d %H:%M").to_string(),
        Err(_) => "????-??-?? ??:??".into(),
    }
}

/// `--json`: one object per entry and line.
pub(super) fn json_line(e: &Entry) -> String {
    let name = e.name.as_bytes();
    let mut out = String::from("{\"name\":");
    json_string(&mut out, &escape_invalid(name));
    if std::str::from_utf8(name).is_err() {
        let _ = write!(out, ",\"name_bytes\":{:?}", name);
    }
    let _ = write!(out, ",\"kind\":\"{}\",\"size\":{},\"mode\":{}", kind_name(e.kind), e.size, e.mode);
    let _ = write!(out, ",\"mtime\":{}", json_time(e.mtime));
    out.push_str(",\"owner\":");
    json_string(&mut out, &e.owner);
    out.push_str(",\"group\":");
    json_string(&mut out, &e.group);
    if let Some(link) = &e.link {
        let target = link.path.as_bytes();
        out.push_str(",\"target\":");
        json_string(&mut out, &escape_invalid(target));
        if std::str::from_utf8(target).is_err() {
            let _ = write!(out, ",\"target_bytes\":{:?}", target);
        }
        match link.kind {
            Some(kind) => {
                let _ = write!(out, ",\"target_kind\":\"{}\"", kind_name(kind));
            }
            None => out.push_str(",\"target_kind\":null"),
        }
    }
    out.push('}');
    out
}

/// The JSON name of a kind.
pub(super) fn kind_name(kind: Kind) -> &'static str {
    kind.name()
}

/// Valid UTF-8 kept, every invalid byte written as the text `\xNN`.
pub(super) fn escape_invalid(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    out
}

/// A JSON string in which every control character (C0, DEL, C1) and
/// bidirectional control is a `\u` escape, so the line is safe on a terminal.
pub(super) fn json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if is_unsafe(c) => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Seconds since the epoch, with the fraction when there is one.
fn json_time(t: Mtime) -> String {
    if t.nanos == 0 {
        return t.secs.to_string();
    }
    let (sign, secs, nanos) =
        if t.secs < 0 { ("-", -(t.secs + 1), 1_000_000_000 - t.nanos) } else { ("", t.secs, t.nanos) };
    let frac = format!("{nanos:09}");
    format!("{sign}{secs}.{}", frac.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::LinkTarget;
    use std::ffi::OsString;
    use std::os::unix::ffi::OsStringExt;

    fn entry(name: &[u8]) -> Entry {
        Entry {
            name: OsString::from_vec(name.to_vec()),
            kind: Kind::File,
            size: 5,
            mode: 0o644,
            mtime: Mtime { secs: 1_700_000_000, nanos: 120_000_000 },
            owner: "root".into(),
            group: "wh\x1beel".into(),
            link: None,
        }
    }

    #[test]
    fn json_is_exact_and_terminal_safe() {
        let mut e = entry(b"a\"b\\c\n\x1b\x7f\xc2\x9b \xff");
        e.kind = Kind::Symlink;
        e.link = Some(LinkTarget { path: OsString::from("t\u{202e}"), kind: None, loops: false });
        let line = json_line(&e);
        assert_eq!(
            line,
            r#"{"name":"a\"b\\c\n\u001b\u007f\u009b \\xff","name_bytes":[97, 34, 98, 92, 99, 10, 27, 127, 194, 155, 32, 255],"kind":"symlink","size":5,"mode":420,"mtime":1700000000.12,"owner":"root","group":"wh\u001beel","target":"t\u202e","target_kind":null}"#
        );
        assert!(!line.chars().any(is_unsafe));
    }

    #[test]
    fn times() {
        assert_eq!(json_time(Mtime { secs: 5, nanos: 0 }), "5");
        assert_eq!(json_time(Mtime { secs: 5, nanos: 1 }), "5.000000001");
        assert_eq!(json_time(Mtime { secs: -2, nanos: 750_000_000 }), "-1.25");
    }

    #[test]
    fn selection_and_long_lines() {
        let entries = select(vec![entry(b"b"), entry(b".h"), entry(b"a\nx")], false);
        assert_eq!(short(&entries), "a\\nx\nb\n");
        let long = long(&entries, &TimeZone::UTC);
        assert_eq!(long.lines().next(), Some("-rw-r--r-- root wh\\eeel 5 2023-11-14 22:13 a\\nx"));
        assert_eq!(select(entries, true).len(), 2);
    }
}
