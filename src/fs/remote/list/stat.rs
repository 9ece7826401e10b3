//! The `stat` lister (GNU coreutils, BusyBox or BSD `stat` under `find
//! -exec ... {} +`), for hosts without GNU find, python3 or perl.
//!
//! `stat` cannot print NUL, so records are framed by `/`, which no file name
//! can hold: each record is `META ./NAME\n`, and `META` (numbers, a date,
//! `user:group`) holds neither `/` nor a newline. Splitting the stream at `/`
//! gives `NAME\nNEXT_META .` pieces, cut at their last newline.

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;

use super::fields::{nanos_of_clock, parse_radix, parse_u64};
use super::links::{LinkSection, split_pieces};
use crate::fs::remote::StatFlavor;
use crate::fs::{Entry, Kind, LinkTarget, Mtime};

/// `stat` arguments printing one record per file.
pub(super) fn stat_args(flavor: StatFlavor) -> &'static str {
    match flavor {
        StatFlavor::Gnu => "stat -c '%f %s %Y %y %u %g %U:%G %n'",
        StatFlavor::Bsd => "stat -f '%p %z %m %u %g %Su:%Sg %N'",
    }
}

/// Streaming parser: the symlink section, then the `stat` records.
#[derive(Debug)]
pub(super) struct StatParser {
    flavor: StatFlavor,
    links: LinkSection,
    meta: Option<Vec<u8>>,
    piece: Vec<u8>,
    pub entries: Vec<Entry>,
    error: Option<String>,
}

impl StatParser {
    pub(super) fn new(flavor: StatFlavor) -> Self {
        Self {
            flavor,
            links: LinkSection::default(),
            meta: None,
            piece: Vec::new(),
            entries: Vec::new(),
            error: None,
        }
    }

    pub(super) fn feed(&mut self, input: &[u8]) {
        let rest = self.links.feed(input);
        if !self.links.done() {
            return;
        }
        let mut piece = std::mem::take(&mut self.piece);
        split_pieces(&mut piece, rest, b'/', |piece| self.on_piece(piece));
        self.piece = piece;
    }

    fn on_piece(&mut self, piece: Vec<u8>) {
        let Some(meta) = self.meta.take() else {
            self.meta = Some(piece);
            return;
        };
        match piece.iter().rposition(|&b| b == b'\n') {
            Some(cut) => {
                self.emit(&meta, &piece[..cut]);
                self.meta = Some(piece[cut + 1..].to_vec());
            }
            None => self.fail("a record without a line end"),
        }
    }

    fn emit(&mut self, meta: &[u8], name: &[u8]) {
        match self.entry(meta, name) {
            Some(e) => self.entries.push(e),
            None => self.fail(&format!("an unreadable record {:?}", String::from_utf8_lossy(meta))),
        }
    }

    fn fail(&mut self, what: &str) {
        self.error.get_or_insert_with(|| what.to_owned());
    }

    fn entry(&self, meta: &[u8], name: &[u8]) -> Option<Entry> {
        let meta = meta.strip_suffix(b" .")?;
        let (fixed, radix, secs_at) = match self.flavor {
            StatFlavor::Gnu => (8, 16, 2),
            StatFlavor::Bsd => (5, 8, 2),
        };
        let words: Vec<&[u8]> = meta.splitn(fixed + 1, |&b| b == b' ').collect();
        if words.len() != fixed + 1 || name.is_empty() {
            return None;
        }
        let full_mode = parse_radix(words[0], radix)?;
        let nanos = if self.flavor == StatFlavor::Gnu { nanos_of_clock(words[4]) } else { 0 };
        let (uid, gid) = (words[fixed - 2], words[fixed - 1]);
        let colon = words[fixed].iter().position(|&b| b == b':')?;
        let (user, group) = (&words[fixed][..colon], &words[fixed][colon + 1..]);
        let named = |n: &[u8], id: &[u8]| {
            String::from_utf8_lossy(if n.is_empty() || n == b"UNKNOWN" { id } else { n }).into_owned()
        };
        let kind = Kind::from_mode(full_mode);
        let link = (kind == Kind::Symlink).then(|| match self.links.links.get(name) {
            Some(info) => LinkTarget {
                path: OsString::from_vec(info.target.clone()),
                kind: info.kind,
                loops: info.loops,
            },
            None => LinkTarget { path: OsString::new(), kind: None, loops: false },
        });
        Some(Entry {
            name: OsString::from_vec(name.to_vec()),
            kind,
            size: parse_u64(words[1])?,
            mode: full_mode & 0o7777,
            mtime: Mtime { secs: i64::try_from(parse_u64(words[secs_at])?).ok()?, nanos },
            owner: named(user, uid),
            group: named(group, gid),
            link,
        })
    }

    pub(super) fn finish(mut self) -> Result<Vec<Entry>, String> {
        if let Some(meta) = self.meta.take() {
            match std::mem::take(&mut self.piece).strip_suffix(b"\n") {
                Some(name) => self.emit(&meta, name),
                None => self.fail("the output ended inside an entry"),
            }
        } else if !self.piece.is_empty() {
            self.fail("output without a file name");
        }
        if !self.links.done() {
            self.fail("the output ended in the symlink section");
        }
        match self.error {
            Some(e) => Err(e),
            None => Ok(self.entries),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(flavor: StatFlavor, input: &[u8], chunk: usize) -> Result<Vec<Entry>, String> {
        let mut p = StatParser::new(flavor);
        input.chunks(chunk).for_each(|c| p.feed(c));
        p.finish()
    }

    #[test]
    fn gnu_records_with_awkward_names() {
        let mut input = b"./l -> x\0d\0/tmp/a b\n\0\0".to_vec();
        input.extend_from_slice(
            b"81a4 5 1700000000 2023-11-14 22:13:20.123456789 +0000 0 0 root:root ./a -> b\n\nc\n",
        );
        input.extend_from_slice(
            b"a1ff 10 1700000001 2023-11-14 22:13:21 +0000 1000 1000 UNKNOWN:domain users ./l -> x\n",
        );
        input.extend_from_slice(b"21b6 0 1700000002 2023-11-14 22:13:22.5 +0000 0 0 root:root ./\xff\n");
        for chunk in [1, 3, 1000] {
            let e = parse(StatFlavor::Gnu, &input, chunk).unwrap();
            assert_eq!(e.len(), 3);
            assert_eq!(e[0].name, OsString::from("a -> b\n\nc"));
            assert_eq!((e[0].kind, e[0].mode, e[0].size), (Kind::File, 0o644, 5));
            assert_eq!(e[0].mtime, Mtime { secs: 1_700_000_000, nanos: 123_456_789 });
            assert_eq!(e[1].owner, "1000");
            assert_eq!(e[1].group, "domain users");
            let link = e[1].link.as_ref().unwrap();
            assert_eq!((link.path.as_encoded_bytes(), link.kind), (&b"/tmp/a b"[..], Some(Kind::Dir)));
            assert_eq!((e[2].kind, e[2].mtime.nanos), (Kind::CharDevice, 500_000_000));
            assert_eq!(e[2].name, OsString::from_vec(b"\xff".to_vec()));
        }
    }

    #[test]
    fn bsd_records() {
        let input =
            b"\x0040755 512 1700000000 0 0 root:wheel ./d\n100644 3 1700000001 501 20 bob:staff ./f\n";
        let e = parse(StatFlavor::Bsd, input, 7).unwrap();
        assert_eq!((e[0].kind, e[0].mode), (Kind::Dir, 0o755));
        assert_eq!((e[1].owner.as_str(), e[1].group.as_str(), e[1].size), ("bob", "staff", 3));
    }

    #[test]
    fn empty_directory_and_cut_output() {
        assert_eq!(parse(StatFlavor::Gnu, b"\0", 1).unwrap(), []);
        assert!(parse(StatFlavor::Gnu, b"\x0081a4 5 1 x y z 0 0 a:b ./a", 1).is_err());
        assert!(parse(StatFlavor::Gnu, b"", 1).is_err());
    }
}
