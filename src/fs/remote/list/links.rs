//! The symlink section that the `stat` and `ls` listers print before their
//! main output: for every symlink, its name, the kind of what it points to
//! (tested by `sh` itself) and its target from `readlink`, NUL-separated.
//! An empty name ends the section.

use std::collections::HashMap;

use super::fields::{LOOP_LETTER, NulSplitter, target_kind_of_letter};
use crate::fs::Kind;

/// The `sh` code that prints one symlink record for `"$f"`.
pub(super) const LINK_RECORD: &str = r#"printf '%s\0' "$f"; if [ -d "$f" ]; then k=d; elif [ -f "$f" ]; then k=f; elif [ -p "$f" ]; then k=p; elif [ -S "$f" ]; then k=s; elif [ -c "$f" ]; then k=c; elif [ -b "$f" ]; then k=b; elif [ -e "$f" ]; then k=u; elif ls -dL -- "$f" 2>&1 | grep -qi 'symbolic link'; then k=L; else k=N; fi; printf '%s\0' "$k"; readlink "$f" 2>/dev/null; printf '\0'"#;

/// What the section says about one symlink.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct LinkInfo {
    /// `None` when the link dangles or loops.
    pub kind: Option<Kind>,
    /// It loops (`ls -L` says "Too many levels of symbolic links", or
    /// musl's "Symbolic link loop").
    pub loops: bool,
    /// Empty when the host has no `readlink`.
    pub target: Vec<u8>,
}

/// Streaming reader of the section.
#[derive(Debug, Default)]
pub(super) struct LinkSection {
    splitter: NulSplitter,
    record: Vec<Vec<u8>>,
    done: bool,
    pub links: HashMap<Vec<u8>, LinkInfo>,
}

impl LinkSection {
    /// Reads section bytes from `input` and returns what follows the
    /// section's end (empty while the section goes on).
    pub(super) fn feed<'a>(&mut self, mut input: &'a [u8]) -> &'a [u8] {
        if self.done {
            return input;
        }
        while let Some(field) = self.splitter.next_field(&mut input) {
            if self.record.is_empty() && field.is_empty() {
                self.done = true;
                return input;
            }
            self.record.push(field);
            if let [name, kind, target] = self.record.as_mut_slice() {
                let mut name = std::mem::take(name);
                if name.starts_with(b"./") {
                    name.drain(..2);
                }
                let mut target = std::mem::take(target);
                if target.last() == Some(&b'\n') {
                    target.pop();
                }
                let letter = kind.first().copied().unwrap_or(b'N');
                let (kind, loops) = (target_kind_of_letter(letter), letter == LOOP_LETTER);
                self.links.insert(name, LinkInfo { kind, target, loops });
                self.record.clear();
            }
        }
        &[]
    }

    pub(super) fn done(&self) -> bool {
        self.done
    }
}

/// Splits `input` at each `delim`, continuing the piece left in `partial`
/// by the previous chunk; hands each complete piece to `on_piece` and keeps
/// the unfinished tail in `partial`.
pub(super) fn split_pieces(
    partial: &mut Vec<u8>,
    mut input: &[u8],
    delim: u8,
    mut on_piece: impl FnMut(Vec<u8>),
) {
    while let Some(i) = input.iter().position(|&b| b == delim) {
        partial.extend_from_slice(&input[..i]);
        on_piece(std::mem::take(partial));
        input = &input[i + 1..];
    }
    partial.extend_from_slice(input);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_records_until_the_empty_name() {
        let mut s = LinkSection::default();
        let input = b"./a\nb\0d\0../x -> y\n\n\0c\0N\0t\n\0l\0L\0l\n\0\0rest/";
        let mut rest = Vec::new();
        for chunk in input.chunks(4) {
            rest.extend_from_slice(s.feed(chunk));
        }
        assert!(s.done());
        assert_eq!(rest, b"rest/");
        assert_eq!(
            s.links[&b"a\nb"[..]],
            LinkInfo { kind: Some(Kind::Dir), target: b"../x -> y\n".to_vec(), loops: false }
        );
        assert_eq!((s.links[&b"c"[..]].kind, s.links[&b"c"[..]].loops), (None, false));
        assert_eq!((s.links[&b"l"[..]].kind, s.links[&b"l"[..]].loops), (None, true));
    }
}
