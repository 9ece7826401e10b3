//! Sort orders. Directories always come first; within each group the chosen
//! key decides, in either direction, with the name as the tie-breaker.
//! Names compare naturally by default (`img_2` before `img_10`: runs of
//! digits as numbers, the alphanumeric-sort crate), or bytewise.

use std::cmp::Ordering;
use std::os::unix::ffi::OsStrExt;

use crate::choices::SortKey;
use crate::fs::Entry;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub key: SortKey,
    pub reverse: bool,
    /// Digits in names compare as numbers (`natural_sort` in config.toml).
    pub natural: bool,
}

impl Default for Sort {
    fn default() -> Self {
        Sort { key: SortKey::Name, reverse: false, natural: true }
    }
}

/// Folded names in natural order (digit runs as numbers), or bytewise.
/// Folded names are always UTF-8 (see [`folded`]); were one not, bytes decide.
pub(crate) fn compare_names(a: &[u8], b: &[u8], natural: bool) -> Ordering {
    if natural && let (Ok(a), Ok(b)) = (std::str::from_utf8(a), std::str::from_utf8(b)) {
        alphanumeric_sort::compare_str(a, b)
    } else {
        a.cmp(b)
    }
}

fn extension(name: &[u8]) -> &[u8] {
    match name.iter().rposition(|&b| b == b'.') {
        Some(0) | None => b"",
        Some(dot) => &name[dot + 1..],
    }
}

/// The name folded to lower case, compared bytewise (memcmp) or naturally.
/// Computed once per entry and sort, so comparisons never allocate.
fn folded(name: &[u8]) -> Box<[u8]> {
    if name.is_ascii() {
        name.to_ascii_lowercase().into_boxed_slice()
    } else {
        String::from_utf8_lossy(name).to_lowercase().into_bytes().into_boxed_slice()
    }
}

/// Orders `indices` (into `entries`) by `sort`, directories first, then the
/// key, then the name case-insensitively, then the exact bytes (a total order).
pub fn sort_indices(entries: &[Entry], indices: &mut [usize], sort: Sort) {
    struct Key {
        dir: bool,
        primary: u64,
        tie: u32,
        name: Box<[u8]>,
        index: usize,
    }
    let mut keys: Vec<Key> = indices
        .iter()
        .map(|&index| {
            let entry = &entries[index];
            let name = folded(entry.name.as_bytes());
            let (primary, tie) = match sort.key {
                SortKey::Name | SortKey::Extension => (0, 0),
                SortKey::Size => (entry.size, 0),
                // Shifted so that times before 1970 order before later ones.
                SortKey::Mtime => ((entry.mtime.secs as u64) ^ (1 << 63), entry.mtime.nanos),
            };
            Key { dir: entry.is_dir_like(), primary, tie, name, index }
        })
        .collect();
    keys.sort_unstable_by(|a, b| {
        let within = || {
            let by_extension = || match sort.key {
                SortKey::Extension => extension(&a.name).cmp(extension(&b.name)),
                _ => Ordering::Equal,
            };
            let ordered = a
                .primary
                .cmp(&b.primary)
                .then(a.tie.cmp(&b.tie))
                .then_with(by_extension)
                .then_with(|| compare_names(&a.name, &b.name, sort.natural))
                .then_with(|| entries[a.index].name.as_bytes().cmp(entries[b.index].name.as_bytes()));
            if sort.reverse { ordered.reverse() } else { ordered }
        };
        b.dir.cmp(&a.dir).then_with(within)
    });
    for (slot, key) in indices.iter_mut().zip(keys) {
        *slot = key.index;
    }
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
        sort_indices(entries, &mut indices, Sort { key, reverse, natural: false });
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

    #[test]
    fn natural_order_counts_digits_as_numbers() {
        let names = ["img_10.jpg", "img_2.jpg", "IMG_1.jpg", "img_02b", "v1.10", "v1.9", "x"];
        let entries: Vec<Entry> = names.iter().map(|n| entry(n, Kind::File, 0, 0)).collect();
        let mut indices: Vec<usize> = (0..entries.len()).collect();
        sort_indices(&entries, &mut indices, Sort::default());
        let natural: Vec<&str> = indices.iter().map(|&i| names[i]).collect();
        assert_eq!(natural, ["IMG_1.jpg", "img_2.jpg", "img_02b", "img_10.jpg", "v1.9", "v1.10", "x"]);
        let bytewise = sorted(&entries, SortKey::Name, false);
        assert_eq!(bytewise, ["img_02b", "IMG_1.jpg", "img_10.jpg", "img_2.jpg", "v1.10", "v1.9", "x"]);
        // Names that are not UTF-8 still order, totally.
        assert_eq!(compare_names(b"a\xff", b"a1", true), Ordering::Greater);
    }
}
