//! Sort orders. Directories always come first; within each group the chosen
//! key decides, in either direction, with the name as the tie-breaker.

use std::cmp::{Ordering, Reverse};
use std::os::unix::ffi::OsStrExt;

use serde::Deserialize;

use crate::fs::Entry;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortKey {
    Name,
    Size,
    Mtime,
    Extension,
}

impl SortKey {
    pub fn label(self) -> &'static str {
        match self {
            SortKey::Name => "name",
            SortKey::Size => "size",
            SortKey::Mtime => "mtime",
            SortKey::Extension => "ext",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub key: SortKey,
    pub reverse: bool,
}

impl Default for Sort {
    fn default() -> Self {
        Sort { key: SortKey::Name, reverse: false }
    }
}

/// The comparable form of a name: lowercased once per entry, not once per comparison.
fn name_key(entry: &Entry) -> (String, &[u8]) {
    (String::from_utf8_lossy(entry.name.as_bytes()).to_lowercase(), entry.name.as_bytes())
}

fn extension(name: &[u8]) -> &[u8] {
    match name.iter().rposition(|&b| b == b'.') {
        Some(0) | None => b"",
        Some(dot) => &name[dot + 1..],
    }
}

/// Orders `indices` (into `entries`) by `sort`, directories first.
pub fn sort_indices(entries: &[Entry], indices: &mut [usize], sort: Sort) {
    let names: Vec<(String, &[u8])> = entries.iter().map(name_key).collect();
    let by_name = |a: usize, b: usize| names[a].cmp(&names[b]);
    let by_key = |a: usize, b: usize| -> Ordering {
        let (ea, eb) = (&entries[a], &entries[b]);
        let primary = match sort.key {
            SortKey::Name => Ordering::Equal,
            SortKey::Size => ea.size.cmp(&eb.size),
            SortKey::Mtime => ea.mtime.cmp(&eb.mtime),
            SortKey::Extension => {
                let (xa, xb) = (extension(ea.name.as_bytes()), extension(eb.name.as_bytes()));
                xa.to_ascii_lowercase().cmp(&xb.to_ascii_lowercase())
            }
        };
        let ordered = primary.then_with(|| by_name(a, b));
        if sort.reverse { ordered.reverse() } else { ordered }
    };
    indices.sort_by(|&a, &b| {
        Reverse(entries[a].is_dir_like()).cmp(&Reverse(entries[b].is_dir_like())).then_with(|| by_key(a, b))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::{Kind, Mtime};

    fn entry(name: &str, kind: Kind, size: u64, secs: i64) -> Entry {
        Entry {
            name: name.into(),
            kind,
            size,
            mode: 0o644,
            mtime: Mtime { secs, nanos: 0 },
            owner: String::new(),
            group: String::new(),
            link: None,
        }
    }

    fn sorted(entries: &[Entry], key: SortKey, reverse: bool) -> Vec<String> {
        let mut indices: Vec<usize> = (0..entries.len()).collect();
        sort_indices(entries, &mut indices, Sort { key, reverse });
        indices.iter().map(|&i| entries[i].display_name()).collect()
    }

    #[test]
    fn every_key_both_ways_with_directories_first() {
        let entries = vec![
            entry("b.txt", Kind::File, 30, 1),
            entry("A.rs", Kind::File, 10, 3),
            entry("zdir", Kind::Dir, 0, 2),
            entry("c", Kind::File, 20, 2),
            entry("adir", Kind::Dir, 0, 5),
        ];
        assert_eq!(sorted(&entries, SortKey::Name, false), ["adir", "zdir", "A.rs", "b.txt", "c"]);
        assert_eq!(sorted(&entries, SortKey::Name, true), ["zdir", "adir", "c", "b.txt", "A.rs"]);
        assert_eq!(sorted(&entries, SortKey::Size, false), ["adir", "zdir", "A.rs", "c", "b.txt"]);
        assert_eq!(sorted(&entries, SortKey::Size, true), ["zdir", "adir", "b.txt", "c", "A.rs"]);
        assert_eq!(sorted(&entries, SortKey::Mtime, false), ["zdir", "adir", "b.txt", "c", "A.rs"]);
        assert_eq!(sorted(&entries, SortKey::Extension, false), ["adir", "zdir", "c", "A.rs", "b.txt"]);
        assert_eq!(sorted(&entries, SortKey::Extension, true), ["zdir", "adir", "b.txt", "A.rs", "c"]);
    }
}
