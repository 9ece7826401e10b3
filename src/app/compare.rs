//! What a comparison of the two panes' directories says about each entry
//! of one pane: a mark by name (why it differs), and the totals for the
//! footer.

use std::collections::HashMap;
use std::ffi::OsString;
use std::path::Component;

use crate::fs::Entry;
use crate::sync::{Difference, End};

/// Shown on an entry whose difference lies below it (recursive compare).
pub const INSIDE: &str = "differs inside";

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CompareMarks {
    /// Why each entry differs, by name (entries of this pane only).
    pub marks: HashMap<OsString, &'static str>,
    /// How many entries carry each mark, in a fixed order.
    pub totals: Vec<(&'static str, usize)>,
}

impl CompareMarks {
    /// The marks of the pane at `end` that lists `entries`.
    pub fn new(differences: &[Difference], end: End, entries: &[Entry]) -> CompareMarks {
        let mut marks: HashMap<OsString, &'static str> = HashMap::new();
        for difference in differences {
            let mut components = difference.path.components();
            let Some(Component::Normal(top)) = components.next() else { continue };
            if !entries.iter().any(|e| e.name == top) {
                continue;
            }
            let nested = components.next().is_some();
            let mark = if nested { INSIDE } else { difference.why.mark(end) };
            // A mark of the entry itself wins over "differs inside".
            match marks.get(top) {
                Some(&m) if m != INSIDE || nested => {}
                _ => {
                    marks.insert(top.to_os_string(), mark);
                }
            }
        }
        let order = [
            "only here",
            "newer here",
            "older here",
            "size differs",
            "content differs",
            "kind differs",
            INSIDE,
        ];
        let totals = order
            .iter()
            .map(|label| (*label, marks.values().filter(|m| *m == label).count()))
            .filter(|(_, n)| *n > 0)
            .collect();
        CompareMarks { marks, totals }
    }

    /// `3 only here · 1 newer here`, or `no differences`.
    pub fn summary(&self) -> String {
        if self.totals.is_empty() {
            return "no differences".into();
        }
        self.totals.iter().map(|(label, n)| format!("{n} {label}")).collect::<Vec<_>>().join(" · ")
    }
}
