//! The records every remote search tool prints: `path NUL kind NUL size
//! NUL mtime NUL`, the kind a `find -printf %y` letter, the time seconds
//! with an optional fraction. Paths are exact whatever bytes they hold.

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::path::PathBuf;

use crate::fs::find::Found;
use crate::fs::remote::list::fields::{NulSplitter, kind_of_letter, parse_mtime, parse_u64};

/// The `find -printf` format printing these records.
pub(super) const FIND_FORMAT: &str = r"%p\0%y\0%s\0%T@\0";

const FIELDS: usize = 4;

/// Streaming parser: feed chunks, take what is complete.
#[derive(Debug, Default)]
pub(super) struct FoundParser {
    splitter: NulSplitter,
    fields: Vec<Vec<u8>>,
    ready: Vec<Found>,
    pub count: usize,
    error: Option<String>,
}

impl FoundParser {
    pub(super) fn feed(&mut self, mut input: &[u8]) {
        while let Some(field) = self.splitter.next_field(&mut input) {
            self.fields.push(field);
            if self.fields.len() == FIELDS {
                let fields = std::mem::take(&mut self.fields);
                match found(fields) {
                    Ok(f) => {
                        self.count += 1;
                        self.ready.push(f);
                    }
                    Err(e) => {
                        self.error.get_or_insert(e);
                    }
                }
            }
        }
    }

    /// The records completed since the last call.
    pub(super) fn take(&mut self) -> Vec<Found> {
        std::mem::take(&mut self.ready)
    }

    /// Whether the output ended cleanly (no cut record, no bad field).
    pub(super) fn finish(&self) -> Result<(), String> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        if !self.fields.is_empty() || !self.splitter.leftover().is_empty() {
            return Err("the output ended inside a record".into());
        }
        Ok(())
    }
}

fn found(mut f: Vec<Vec<u8>>) -> Result<Found, String> {
    let bad = |what: &str, v: &[u8]| format!("bad {what} {:?}", String::from_utf8_lossy(v));
    let path = std::mem::take(&mut f[0]);
    if path.is_empty() {
        return Err("an empty path".into());
    }
    let kind = match f[1].as_slice() {
        [letter] => kind_of_letter(*letter),
        other => return Err(bad("kind", other)),
    };
    Ok(Found {
        path: PathBuf::from(OsString::from_vec(path)),
        kind,
        size: parse_u64(&f[2]).ok_or_else(|| bad("size", &f[2]))?,
        mtime: parse_mtime(&f[3]).ok_or_else(|| bad("time", &f[3]))?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::{Kind, Mtime};

    #[test]
    fn parses_records_fed_byte_by_byte() {
        let out =
            b"/r/a\nb \xff\0f\x0012\x001700000000.5000000000\0/r/d\0d\x004096\x001\0/r/l\0l\x003\x002.25\0";
        let mut p = FoundParser::default();
        let mut all = Vec::new();
        for b in out {
            p.feed(&[*b]);
            all.extend(p.take());
        }
        p.finish().unwrap();
        assert_eq!(all.len(), 3);
        assert_eq!(all[0].path, PathBuf::from(OsString::from_vec(b"/r/a\nb \xff".to_vec())));
        assert_eq!((all[0].kind, all[0].size), (Kind::File, 12));
        assert_eq!(all[0].mtime, Mtime { secs: 1_700_000_000, nanos: 500_000_000 });
        assert_eq!((all[1].kind, all[2].kind), (Kind::Dir, Kind::Symlink));
        assert_eq!(p.count, 3);
    }

    #[test]
    fn cut_and_bad_records_are_errors() {
        let mut p = FoundParser::default();
        p.feed(b"/r/a\0f\x001");
        assert!(p.finish().is_err());
        let mut p = FoundParser::default();
        p.feed(b"/r/a\0f\0x\x001\0");
        assert!(p.finish().unwrap_err().contains("size"));
        let mut p = FoundParser::default();
        p.feed(b"/r/a\0ff\x001\x001\0");
        assert!(p.finish().unwrap_err().contains("kind"));
    }
}
