//! The host picker: hosts from ~/.ssh/config, recent connections and
//! bookmarks, filtered as you type.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

use super::input::LineInput;
use crate::app::side::Side;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    Local,
    Bookmark,
    Recent,
    SshConfig,
}

impl Source {
    pub fn label(self) -> &'static str {
        match self {
            Source::Local => "local",
            Source::Bookmark => "bookmark",
            Source::Recent => "recent",
            Source::SshConfig => "ssh config",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickItem {
    /// What the list shows (a bookmark's name, or the target).
    pub label: String,
    /// Where it goes: a local path or `[user@]host[:path]`.
    pub target: String,
    pub source: Source,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostPicker {
    /// The pane that will show the chosen host.
    pub side: Side,
    pub input: LineInput,
    pub items: Vec<PickItem>,
    /// Indices of the items matching the input, best first.
    pub matches: Vec<usize>,
    pub selected: usize,
    /// Token of the ~/.ssh/config request; hosts arrive later.
    pub token: u64,
}

impl HostPicker {
    pub fn new(side: Side, token: u64, items: Vec<PickItem>) -> Self {
        let mut picker =
            HostPicker { side, input: LineInput::default(), items, matches: Vec::new(), selected: 0, token };
        picker.refilter();
        picker
    }

    /// Adds items (the ssh config hosts when they arrive), skipping targets already listed.
    pub fn add(&mut self, items: impl IntoIterator<Item = PickItem>) {
        for item in items {
            if !self.items.iter().any(|i| i.target == item.target) {
                self.items.push(item);
            }
        }
        self.refilter();
    }

    pub fn chosen(&self) -> Option<&PickItem> {
        self.matches.get(self.selected).map(|&i| &self.items[i])
    }

    pub fn move_by(&mut self, delta: isize) {
        let last = self.matches.len().saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }

    /// Recomputes the matches for the current input; keeps the source order
    /// (bookmarks, recent, ssh config) when the input is empty.
    pub fn refilter(&mut self) {
        let query = self.input.text();
        if query.is_empty() {
            self.matches = (0..self.items.len()).collect();
        } else {
            let pattern = Pattern::parse(query, CaseMatching::Smart, Normalization::Smart);
            let mut matcher = Matcher::new(Config::DEFAULT);
            let mut buf = Vec::new();
            let mut scored: Vec<(u32, usize)> = self
                .items
                .iter()
                .enumerate()
                .filter_map(|(i, item)| {
                    let text = format!("{} {}", item.label, item.target);
                    pattern.score(Utf32Str::new(&text, &mut buf), &mut matcher).map(|s| (s, i))
                })
                .collect();
            scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            self.matches = scored.into_iter().map(|(_, i)| i).collect();
        }
        self.selected = self.selected.min(self.matches.len().saturating_sub(1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(label: &str, source: Source) -> PickItem {
        PickItem { label: label.into(), target: label.into(), source }
    }

    #[test]
    fn typing_filters_and_ranks() {
        let items = vec![
            item("db-prod", Source::SshConfig),
            item("web1", Source::Recent),
            item("webmail", Source::SshConfig),
        ];
        let mut picker = HostPicker::new(Side::Left, 1, items);
        assert_eq!(picker.matches, [0, 1, 2]);
        picker.input.set("web");
        picker.refilter();
        assert_eq!(picker.matches.len(), 2);
        picker.input.set("dbp");
        picker.refilter();
        assert_eq!(picker.chosen().unwrap().label, "db-prod");
        picker.add([item("web1", Source::SshConfig), item("new", Source::SshConfig)]);
        assert_eq!(picker.items.len(), 4);
    }
}
