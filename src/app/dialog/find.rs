//! The find dialog (Alt-?): the search form, then the results streaming in
//! below it. Its keys are in `update/find.rs`, its drawing in
//! `ui/dialogs/find.rs`.

use std::collections::BTreeSet;

use super::input::LineInput;
use crate::app::side::Side;
use crate::fs::{FindQuery, Found, KindFilter, Location};

/// The form's rows that take the focus, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindField {
    Name,
    Glob,
    Case,
    Kind,
    Larger,
    Smaller,
    Within,
    Contains,
}

impl FindField {
    pub const ALL: [FindField; 8] = [
        FindField::Name,
        FindField::Glob,
        FindField::Case,
        FindField::Kind,
        FindField::Larger,
        FindField::Smaller,
        FindField::Within,
        FindField::Contains,
    ];
}

/// A search under way or finished, and the user's place in its results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindResults {
    pub token: u64,
    pub found: Vec<Found>,
    pub cursor: usize,
    pub scroll: usize,
    /// Indexes into `found`.
    pub selected: BTreeSet<usize>,
    pub running: bool,
    /// How it ended: the tool and warnings, "cancelled", or the error; escaped.
    pub outcome: Option<String>,
}

impl FindResults {
    pub fn new(token: u64) -> Self {
        FindResults {
            token,
            found: Vec::new(),
            cursor: 0,
            scroll: 0,
            selected: BTreeSet::new(),
            running: true,
            outcome: None,
        }
    }

    /// The selected results, or the one under the cursor.
    pub fn targets(&self) -> Vec<&Found> {
        if self.selected.is_empty() {
            self.found.get(self.cursor).into_iter().collect()
        } else {
            self.selected.iter().filter_map(|&i| self.found.get(i)).collect()
        }
    }

    /// Moves the cursor by `delta`, keeping it within `rows` visible rows.
    pub fn move_by(&mut self, delta: isize, rows: usize) {
        let last = self.found.len().saturating_sub(1);
        self.cursor = self.cursor.saturating_add_signed(delta).min(last);
        let rows = rows.max(1);
        if self.cursor < self.scroll {
            self.scroll = self.cursor;
        } else if self.cursor >= self.scroll + rows {
            self.scroll = self.cursor + 1 - rows;
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindDialog {
    pub side: Side,
    /// Where the search starts: the pane's directory when it opened.
    pub root: Location,
    pub name: LineInput,
    pub glob: bool,
    pub case_sensitive: bool,
    pub kind: KindFilter,
    pub larger: LineInput,
    pub smaller: LineInput,
    pub within: LineInput,
    pub contains: LineInput,
    pub field: FindField,
    pub error: Option<String>,
    /// `None` while the form is being filled in.
    pub results: Option<FindResults>,
}

impl FindDialog {
    pub fn new(side: Side, root: Location) -> Self {
        FindDialog {
            side,
            root,
            name: LineInput::new(""),
            glob: false,
            case_sensitive: false,
            kind: KindFilter::Any,
            larger: LineInput::new(""),
            smaller: LineInput::new(""),
            within: LineInput::new(""),
            contains: LineInput::new(""),
            field: FindField::Name,
            error: None,
            results: None,
        }
    }

    /// The text field with the focus, if the focus is on one.
    pub fn input_mut(&mut self) -> Option<&mut LineInput> {
        match self.field {
            FindField::Name => Some(&mut self.name),
            FindField::Larger => Some(&mut self.larger),
            FindField::Smaller => Some(&mut self.smaller),
            FindField::Within => Some(&mut self.within),
            FindField::Contains => Some(&mut self.contains),
            FindField::Glob | FindField::Case | FindField::Kind => None,
        }
    }

    /// The search the form describes, or what is wrong with it.
    pub fn query(&self) -> Result<FindQuery, String> {
        let size = |input: &LineInput, what: &str| {
            let text = input.text().trim();
            if text.is_empty() {
                Ok(None)
            } else {
                parse_size(text)
                    .map(Some)
                    .ok_or_else(|| format!("{what}: not a size (like 100, 10k, 2M, 1G)"))
            }
        };
        let within = self.within.text().trim();
        let minutes = if within.is_empty() {
            None
        } else {
            Some(parse_age(within).ok_or("modified within: not a time (like 30m, 12h, 7d, 2w)")?)
        };
        let contains = self.contains.text();
        Ok(FindQuery {
            root: self.root.path().to_path_buf(),
            name: self.name.text().to_owned(),
            glob: self.glob,
            case_sensitive: self.case_sensitive,
            kind: self.kind,
            larger_than: size(&self.larger, "larger than")?,
            smaller_than: size(&self.smaller, "smaller than")?,
            modified_within_minutes: minutes,
            contains: (!contains.is_empty()).then(|| contains.to_owned()),
        })
    }
}

/// Bytes from `100`, `10k`, `2M`, `1G`, `3T` (powers of 1024; a final
/// `B`/`iB` is allowed).
pub fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let text = text.strip_suffix("iB").or_else(|| text.strip_suffix(['B', 'b'])).unwrap_or(text);
    let digits = text.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let unit = text[digits.len()..].to_ascii_lowercase();
    let shift = match unit.as_str() {
        "" => 0,
        "k" => 10,
        "m" => 20,
        "g" => 30,
        "t" => 40,
        _ => return None,
    };
    digits.trim().parse::<u64>().ok()?.checked_mul(1 << shift)
}

/// Minutes from `30m`, `12h`, `7d`, `2w` (a bare number is days).
pub fn parse_age(text: &str) -> Option<u64> {
    let text = text.trim();
    let digits = text.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let per = match text[digits.len()..].to_ascii_lowercase().as_str() {
        "m" | "min" => 1,
        "h" => 60,
        "" | "d" => 24 * 60,
        "w" => 7 * 24 * 60,
        _ => return None,
    };
    let n: u64 = digits.trim().parse().ok()?;
    (n > 0).then_some(n)?.checked_mul(per)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_ages_parse() {
        assert_eq!(parse_size("100"), Some(100));
        assert_eq!(parse_size("10k"), Some(10 * 1024));
        assert_eq!(parse_size("2MiB"), Some(2 << 20));
        assert_eq!(parse_size("1G"), Some(1 << 30));
        assert_eq!(parse_size("x"), None);
        assert_eq!(parse_size("5q"), None);
        assert_eq!(parse_age("30m"), Some(30));
        assert_eq!(parse_age("2h"), Some(120));
        assert_eq!(parse_age("1"), Some(1440));
        assert_eq!(parse_age("2w"), Some(2 * 7 * 1440));
        assert_eq!(parse_age("0d"), None);
        assert_eq!(parse_age("3y"), None);
    }

    #[test]
    fn the_form_becomes_a_query_or_says_what_is_wrong() {
        let mut d = FindDialog::new(Side::Left, Location::Local("/r".into()));
        d.name.set("*.log");
        d.glob = true;
        d.larger.set("1k");
        d.within.set("2h");
        let q = d.query().unwrap();
        assert_eq!(
            (q.name.as_str(), q.glob, q.larger_than, q.modified_within_minutes),
            ("*.log", true, Some(1024), Some(120))
        );
        assert_eq!(q.contains, None);
        d.smaller.set("big");
        assert!(d.query().unwrap_err().starts_with("smaller than"));
    }

    #[test]
    fn targets_are_the_selection_or_the_cursor() {
        let found = |p: &str| Found {
            path: p.into(),
            kind: crate::fs::Kind::File,
            size: 1,
            mtime: Default::default(),
        };
        let mut r = FindResults::new(1);
        r.found = vec![found("/a"), found("/b"), found("/c")];
        r.move_by(1, 2);
        assert_eq!(r.targets()[0].path, std::path::PathBuf::from("/b"));
        r.selected.extend([0, 2]);
        assert_eq!(r.targets().len(), 2);
        r.move_by(10, 2);
        assert_eq!((r.cursor, r.scroll), (2, 1));
    }
}
