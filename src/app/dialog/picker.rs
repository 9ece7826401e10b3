//! The host picker: hosts from ~/.ssh/config, recent connections and
//! bookmarks, each with the `user@host:port` it resolves to, filtered as
//! you type.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

use super::input::LineInput;
use crate::app::side::Side;
use crate::app::target::Target;
use crate::ssh::destination;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    Local,
    Bookmark,
    /// A recent connection to a host picked from ssh_config or the list.
    Recent,
    /// A recent connection to a host typed by hand.
    Typed,
    SshConfig,
}

impl Source {
    pub fn label(self) -> &'static str {
        match self {
            Source::Local => "local",
            Source::Bookmark => "bookmark",
            Source::Recent => "recent",
            Source::Typed => "typed",
            Source::SshConfig => "ssh config",
        }
    }

    /// Recent and typed entries can be edited; the others cannot.
    pub fn editable(self) -> bool {
        matches!(self, Source::Recent | Source::Typed)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickItem {
    /// What the list shows (a bookmark's name, or the target).
    pub label: String,
    /// Where it goes: a local path or `[user@]host[:path]`.
    pub target: String,
    pub source: Source,
    /// Where it is written (ssh_config's `file:line`), when known.
    pub origin: Option<String>,
    /// A recent host's last directory: the host opens there.
    pub dir: Option<std::path::PathBuf>,
}

impl PickItem {
    pub fn new(label: impl Into<String>, target: impl Into<String>, source: Source) -> Self {
        PickItem { label: label.into(), target: target.into(), source, origin: None, dir: None }
    }

    /// Where it comes from, for the list: `~/.ssh/config:12`, `recent`...
    pub fn source_text(&self) -> String {
        self.origin.clone().unwrap_or_else(|| self.source.label().to_owned())
    }
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
    /// `(host, user@host:port)`: where the items' hosts resolve to, once
    /// known.
    pub addresses: Vec<(String, String)>,
}

impl HostPicker {
    pub fn new(side: Side, token: u64, items: Vec<PickItem>) -> Self {
        let mut picker = HostPicker {
            side,
            input: LineInput::default(),
            items,
            matches: Vec::new(),
            selected: 0,
            token,
            addresses: Vec::new(),
        };
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

    /// The hosts of the items that are remote, once each.
    pub fn remote_hosts(&self) -> Vec<String> {
        let mut hosts: Vec<String> = Vec::new();
        for item in &self.items {
            if let Ok(Target::Remote { host, .. }) = Target::parse(&item.target, true)
                && !hosts.contains(&host)
            {
                hosts.push(host);
            }
        }
        hosts
    }

    pub fn set_addresses(&mut self, addresses: Vec<(String, String)>) {
        self.addresses = addresses;
        self.refilter();
    }

    /// Where an item goes, as shown: `user@host:port` (and its path) once
    /// resolved, the target as written until then.
    pub fn shown(&self, item: &PickItem) -> String {
        let Ok(Target::Remote { host, path }) = Target::parse(&item.target, true) else {
            return item.target.clone();
        };
        let Some((_, address)) = self.addresses.iter().find(|(h, _)| *h == host) else {
            return match (&path, &item.dir) {
                (None, Some(dir)) => format!("{}  {}", item.target, dir.to_string_lossy()),
                _ => item.target.clone(),
            };
        };
        match path.or_else(|| item.dir.clone()) {
            Some(path) => format!("{address}  {}", path.to_string_lossy()),
            None => address.clone(),
        }
    }

    /// The typed text when Enter goes there rather than to an item.
    pub fn typed(&self) -> Option<&str> {
        let typed = self.input.text().trim();
        (self.matches.is_empty() && !typed.is_empty()).then_some(typed)
    }

    pub fn chosen(&self) -> Option<&PickItem> {
        self.matches.get(self.selected).map(|&i| &self.items[i])
    }

    pub fn move_by(&mut self, delta: isize) {
        let last = self.matches.len().saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }

    /// Recomputes the matches for the current input; keeps the source order
    /// (bookmarks, recent, ssh config) when the input is empty. A typed
    /// destination with a port, or a URI, matches nothing: Enter goes there.
    pub fn refilter(&mut self) {
        let query = self.input.text();
        if names_a_place(query) {
            self.matches.clear();
        } else if query.is_empty() {
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
                    let text = format!("{} {} {}", item.label, item.target, self.shown(item));
                    pattern.score(Utf32Str::new(&text, &mut buf), &mut matcher).map(|s| (s, i))
                })
                .collect();
            scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            self.matches = scored.into_iter().map(|(_, i)| i).collect();
        }
        self.selected = self.selected.min(self.matches.len().saturating_sub(1));
    }
}

/// Whether `text` says more than a filter would: `ssh://`, `scp://`, or a
/// host with its port.
fn names_a_place(text: &str) -> bool {
    let text = text.trim();
    text.starts_with("ssh://")
        || text.starts_with("scp://")
        || matches!(destination::parse_host(text.as_bytes()), Ok(Some(d)) if d.target.port.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(label: &str, source: Source) -> PickItem {
        PickItem::new(label, label, source)
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

    #[test]
    fn items_show_and_match_where_they_resolve_to() {
        let items = vec![
            item("/home/me", Source::Local),
            PickItem::new("logs", "alice@web1:/var/log", Source::Bookmark),
            item("web1", Source::SshConfig),
            item("alice@web1", Source::Recent),
            item("[::1]:2222", Source::Recent),
        ];
        let mut picker = HostPicker::new(Side::Left, 1, items);
        assert_eq!(picker.remote_hosts(), ["alice@web1", "web1", "[::1]:2222"]);
        assert_eq!(picker.shown(&picker.items[2]), "web1", "until resolved");
        picker.set_addresses(vec![
            ("alice@web1".into(), "alice@10.0.0.5:2200".into()),
            ("web1".into(), "deploy@10.0.0.5:2200".into()),
        ]);
        let shown: Vec<String> = picker.items.iter().map(|i| picker.shown(i)).collect();
        assert_eq!(
            shown,
            [
                "/home/me",
                "alice@10.0.0.5:2200  /var/log",
                "deploy@10.0.0.5:2200",
                "alice@10.0.0.5:2200",
                "[::1]:2222"
            ]
        );
        picker.input.set("deploy");
        picker.refilter();
        assert_eq!(picker.chosen().unwrap().label, "web1");
        // A port typed: no item, the typed text is where Enter goes.
        for typed in ["web1:2200", "alice@web1:22", "ssh://web1", "[::1]:22"] {
            picker.input.set(typed);
            picker.refilter();
            assert_eq!(picker.chosen(), None, "{typed}");
        }
    }
}
