//! The NUL-separated record format printed by GNU `find -printf` and by
//! scpdeck's python3 and perl listers: eight fields per entry, each ended by
//! NUL, so any name or target (newlines, " -> ", invalid UTF-8) is exact.
//!
//! `name, kind letter + target kind letter, size, mode (octal), mtime
//! (seconds[.fraction]), owner, group, symlink target`
//!
//! GNU find looks up `%u`/`%g` names for every file without a cache (three
//! times slower on 100,000 files), so the fast find script prints numeric
//! ids and, after an empty name, a name section of `u|g NUL id NUL name NUL`
//! triples for the ids it saw; the parser puts the names in at the end.

use std::collections::HashMap;
use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;

use super::fields::{
    LOOP_LETTER, NulSplitter, kind_of_letter, parse_mtime, parse_radix, parse_u64, target_kind_of_letter,
};
use crate::fs::{Entry, Kind, LinkTarget};

/// The `find -printf` format producing these records, with names (`%f`,
/// the last component: the same as `%P` one level down, and the name alone
/// for a file given on the command line).
pub(super) const FIND_FORMAT: &str = r"%f\0%y%Y\0%s\0%m\0%T@\0%u\0%g\0%l\0";

/// The same with numeric ids, followed by the name section (needs
/// `-fprintf /dev/fd/3`; see the module comment): `{ { find` + what to
/// list + this.
pub(super) const FIND_FAST_OPEN: &str = "{ { find";
pub(super) const FIND_FAST: &str = concat!(
    r#"-printf '%f\0%y%Y\0%s\0%m\0%T@\0%U\0%G\0%l\0' "#,
    r#"-fprintf /dev/fd/3 'u %U\ng %G\n'; echo "x $?" >&3; } 3>&1 >&4 "#,
    r#"| awk '{s[$0]=1} END{print "s"; for(k in s) print k}' "#,
    r#"| { st=0; while read t i; do case $t in "#,
    r#"s) printf '\0';; x) st=$i;; "#,
    r#"u) printf 'u\0%s\0%s\0' "$i" "$(getent passwd "$i" 2>/dev/null | cut -d: -f1)";; "#,
    r#"g) printf 'g\0%s\0%s\0' "$i" "$(getent group "$i" 2>/dev/null | cut -d: -f1)";; "#,
    r#"esac; done; exit $st; }; } 4>&1"#
);

const FIELDS: usize = 8;

/// Streaming parser for the record format.
#[derive(Debug, Default)]
pub(super) struct RecordParser {
    splitter: NulSplitter,
    fields: Vec<Vec<u8>>,
    pub entries: Vec<Entry>,
    error: Option<String>,
    /// In the name section after the records.
    names_section: bool,
    users: HashMap<String, String>,
    groups: HashMap<String, String>,
}

impl RecordParser {
    pub(super) fn feed(&mut self, mut input: &[u8]) {
        while let Some(field) = self.splitter.next_field(&mut input) {
            if self.names_section {
                self.on_name_field(field);
                continue;
            }
            if self.fields.is_empty() && field.is_empty() {
                self.names_section = true;
                continue;
            }
            self.fields.push(field);
            if self.fields.len() == FIELDS {
                let fields = std::mem::take(&mut self.fields);
                match entry(fields) {
                    Ok(e) => self.entries.push(e),
                    Err(e) => {
                        self.error.get_or_insert(e);
                    }
                }
            }
        }
    }

    fn on_name_field(&mut self, field: Vec<u8>) {
        self.fields.push(field);
        if let [kind, id, name] = self.fields.as_slice() {
            let (id, name) =
                (String::from_utf8_lossy(id).into_owned(), String::from_utf8_lossy(name).into_owned());
            if !name.is_empty() {
                match kind.as_slice() {
                    b"u" => self.users.insert(id, name),
                    _ => self.groups.insert(id, name),
                };
            }
            self.fields.clear();
        }
    }

    pub(super) fn finish(mut self) -> Result<Vec<Entry>, String> {
        if let Some(e) = self.error {
            return Err(e);
        }
        if !self.fields.is_empty() || !self.splitter.leftover().is_empty() {
            return Err("the output ended inside an entry".into());
        }
        if self.names_section {
            for e in &mut self.entries {
                if let Some(name) = self.users.get(&e.owner) {
                    e.owner.clone_from(name);
                }
                if let Some(name) = self.groups.get(&e.group) {
                    e.group.clone_from(name);
                }
            }
        }
        Ok(self.entries)
    }
}

fn entry(mut f: Vec<Vec<u8>>) -> Result<Entry, String> {
    let bad = |what: &str, v: &[u8]| format!("bad {what} {:?}", String::from_utf8_lossy(v));
    let target = std::mem::take(&mut f[7]);
    let name = std::mem::take(&mut f[0]);
    let (kind, target_kind, loops) = match f[1].as_slice() {
        [k, t] => (kind_of_letter(*k), target_kind_of_letter(*t), *t == LOOP_LETTER),
        other => return Err(bad("kind", other)),
    };
    if name.is_empty() {
        return Err("an empty name".into());
    }
    Ok(Entry {
        name: OsString::from_vec(name),
        kind,
        size: parse_u64(&f[2]).ok_or_else(|| bad("size", &f[2]))?,
        mode: parse_radix(&f[3], 8).ok_or_else(|| bad("mode", &f[3]))? & 0o7777,
        mtime: parse_mtime(&f[4]).ok_or_else(|| bad("time", &f[4]))?,
        owner: String::from_utf8_lossy(&f[5]).into_owned(),
        group: String::from_utf8_lossy(&f[6]).into_owned(),
        link: (kind == Kind::Symlink).then(|| LinkTarget {
            path: OsString::from_vec(target),
            kind: target_kind,
            loops,
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::Mtime;

    fn records() -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(b"a -> b\nc\0ff\x005\x004755\x001700000000.1234567890\0root\0wheel\0\0");
        out.extend_from_slice(b"ln\0ld\x004\x00777\x001\0u\0g\0x -> \xff\n\0");
        out.extend_from_slice(b"dang\0lN\x001\x00777\x002\0u\0g\0z\0");
        out
    }

    #[test]
    fn parses_records_fed_one_byte_at_a_time() {
        let mut p = RecordParser::default();
        for b in records() {
            p.feed(&[b]);
        }
        let e = p.finish().unwrap();
        assert_eq!(e.len(), 3);
        assert_eq!(e[0].name, OsString::from("a -> b\nc"));
        assert_eq!((e[0].kind, e[0].size, e[0].mode), (Kind::File, 5, 0o4755));
        assert_eq!(e[0].mtime, Mtime { secs: 1_700_000_000, nanos: 123_456_789 });
        assert_eq!((e[0].owner.as_str(), e[0].group.as_str()), ("root", "wheel"));
        assert_eq!(e[0].link, None);
        let link = e[1].link.as_ref().unwrap();
        assert_eq!(link.path, OsString::from_vec(b"x -> \xff\n".to_vec()));
        assert_eq!(link.kind, Some(Kind::Dir));
        assert_eq!(e[2].link.as_ref().unwrap().kind, None);
    }

    #[test]
    fn numeric_ids_are_named_from_the_name_section() {
        let mut p = RecordParser::default();
        p.feed(b"a\0ff\x005\x00644\x001\x000\x0042\0\0b\0ff\x005\x00644\x001\x00999\x000\0\0");
        p.feed(b"\0u\x000\0root\0g\x0042\0staff\0u\x00999\0\0g\x000\0root\0");
        let e = p.finish().unwrap();
        assert_eq!((e[0].owner.as_str(), e[0].group.as_str()), ("root", "staff"));
        assert_eq!((e[1].owner.as_str(), e[1].group.as_str()), ("999", "root"));
    }

    #[test]
    fn cut_output_and_bad_numbers_are_errors() {
        let mut p = RecordParser::default();
        p.feed(&records()[..20]);
        assert!(p.finish().is_err());
        let mut p = RecordParser::default();
        p.feed(b"n\0ff\0x\x00644\x001\0u\0g\0\0");
        assert!(p.finish().unwrap_err().contains("size"));
    }
}
