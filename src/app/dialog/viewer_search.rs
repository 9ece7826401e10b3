//! Searching the viewer's text (`/` forward, `?` backward, `n` and `N` to
//! repeat): a plain substring of the line as shown (escapes and expanded
//! tabs included), case-insensitive unless the pattern has a capital letter
//! (as `less -i` and vim's `smartcase`).

use std::ops::Range;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search {
    pub pattern: String,
    /// Started with `?`: `n` goes up, `N` down.
    pub backward: bool,
}

impl Search {
    /// Case matters only when the pattern has a capital.
    pub fn ignores_case(&self) -> bool {
        !self.pattern.chars().any(char::is_uppercase)
    }

    /// Byte ranges of the non-overlapping matches in `line`.
    pub fn matches(&self, line: &str) -> Vec<Range<usize>> {
        let pattern: Vec<char> = self.pattern.chars().collect();
        if pattern.is_empty() {
            return Vec::new();
        }
        let fold = self.ignores_case();
        let same = |a: char, b: char| a == b || (fold && a.to_lowercase().eq(b.to_lowercase()));
        let chars: Vec<(usize, char)> = line.char_indices().collect();
        let mut found = Vec::new();
        let mut i = 0;
        while i + pattern.len() <= chars.len() {
            if pattern.iter().zip(&chars[i..]).all(|(p, (_, c))| same(*c, *p)) {
                let end = chars.get(i + pattern.len()).map_or(line.len(), |(at, _)| *at);
                found.push(chars[i].0..end);
                i += pattern.len();
            } else {
                i += 1;
            }
        }
        found
    }

    pub fn is_match(&self, line: &str) -> bool {
        !self.matches(line).is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn search(pattern: &str) -> Search {
        Search { pattern: pattern.into(), backward: false }
    }

    #[test]
    fn lower_case_patterns_ignore_case_and_capitals_do_not() {
        assert_eq!(search("error").matches("Error: an ERROR"), [0..5, 10..15]);
        assert_eq!(search("Error").matches("Error: an ERROR"), vec![0..5]);
        assert!(!search("x").is_match("abc"));
    }

    #[test]
    fn matches_are_byte_ranges_in_utf8_text() {
        let line = "größe: Größe";
        let ranges = search("größe").matches(line);
        assert_eq!(ranges.len(), 2);
        assert_eq!(&line[ranges[1].clone()], "Größe");
        assert_eq!(search("aa").matches("aaa"), vec![0..2]);
        assert!(search("").matches("abc").is_empty());
    }
}
