//! The incremental filter (`/`): fuzzy matching of names with nucleo.

use std::os::unix::ffi::OsStrExt;

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

use crate::fs::Entry;

/// Keeps the indices whose entry names match `query` fuzzily (smart case:
/// an uppercase letter in the query makes it case-sensitive).
pub(super) fn retain_matching(entries: &[Entry], indices: &mut Vec<usize>, query: &str) {
    if query.is_empty() {
        return;
    }
    let pattern = Pattern::parse(query, CaseMatching::Smart, Normalization::Smart);
    let mut matcher = Matcher::new(Config::DEFAULT);
    let mut buf = Vec::new();
    indices.retain(|&i| {
        let name = String::from_utf8_lossy(entries[i].name.as_bytes());
        pattern.score(Utf32Str::new(&name, &mut buf), &mut matcher).is_some()
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::{Kind, Mtime};

    #[test]
    fn fuzzy_and_smart_case() {
        let entries: Vec<Entry> = ["Cargo.toml", "src", "README.md", "cargo-lock.txt"]
            .iter()
            .map(|n| Entry {
                name: n.into(),
                kind: Kind::File,
                size: 0,
                mode: 0,
                mtime: Mtime::default(),
                owner: String::new(),
                group: String::new(),
                link: None,
            })
            .collect();
        let run = |q: &str| {
            let mut indices: Vec<usize> = (0..entries.len()).collect();
            retain_matching(&entries, &mut indices, q);
            indices
        };
        assert_eq!(run("crgtml"), [0]);
        assert_eq!(run("cargo"), [0, 3]);
        assert_eq!(run("Cargo"), [0]);
        assert_eq!(run(""), [0, 1, 2, 3]);
        assert!(run("zzz").is_empty());
    }
}
