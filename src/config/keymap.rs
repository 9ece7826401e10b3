//! Which key does what: the defaults from [`Action::default_keys`], changed
//! by the keymap file (`keymap.toml` in the config dir):
//!
//! ```toml
//! [bindings]
//! refresh = ["ctrl-r", "f5"]   # replaces the default keys of `refresh`
//! sync_browsing = []           # unbinds it
//! jobs_cancel = ["c"]          # the panels' and the viewer's actions too
//! picker_edit = ["e"]          # and the dialogs': picker_, copy_, confirm_...
//! ```
//!
//! A key belongs to one action per place ([`KeyContext`]): binding it to
//! another action of the same place takes it away from the first, with a
//! warning that names that action (and says when it has no key left).
//! Esc, f10 and ctrl-c close a dialog before its keys are looked up, so
//! binding them in a dialog's place is refused with a warning.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::error::ConfigError;
use super::key::Key;
use crate::choices::{Action, KeyContext};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    lookup: HashMap<(KeyContext, Key), Action>,
    keys: BTreeMap<Action, Vec<Key>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeymapFile {
    #[serde(default)]
    bindings: BTreeMap<Spanned<String>, Spanned<Vec<Spanned<String>>>>,
}

impl Default for Keymap {
    fn default() -> Self {
        let mut keymap = Keymap { lookup: HashMap::new(), keys: BTreeMap::new() };
        for &action in Action::ALL {
            // The built-in notation is checked by a test, so nothing is dropped here.
            let keys = action.default_keys().iter().filter_map(|k| Key::parse(k).ok()).collect();
            keymap.bind(action, keys);
        }
        keymap
    }
}

/// A key that `bind` took from another action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taken {
    pub key: Key,
    pub from: Action,
}

impl Keymap {
    /// The action bound to `key` in the panes.
    pub fn action(&self, key: &Key) -> Option<Action> {
        self.action_in(KeyContext::Panes, key)
    }

    /// The action bound to `key` in `context`.
    pub fn action_in(&self, context: KeyContext, key: &Key) -> Option<Action> {
        self.lookup.get(&(context, *key)).copied()
    }

    /// The keys bound to `action`, in the order they were given.
    pub fn keys(&self, action: Action) -> &[Key] {
        self.keys.get(&action).map_or(&[], Vec::as_slice)
    }

    /// `keys(action)` as text, e.g. `f1, ?`.
    pub fn describe(&self, action: Action) -> String {
        self.keys(action).iter().map(Key::to_string).collect::<Vec<_>>().join(", ")
    }

    /// Binds `keys` to `action`, replacing its previous keys. A key taken
    /// from another action of the same place leaves that action; those
    /// are returned.
    pub fn bind(&mut self, action: Action, keys: Vec<Key>) -> Vec<Taken> {
        let context = action.context();
        if let Some(old) = self.keys.remove(&action) {
            for key in old {
                self.lookup.remove(&(context, key));
            }
        }
        let mut taken = Vec::new();
        for key in &keys {
            if let Some(previous) = self.lookup.insert((context, *key), action)
                && previous != action
                && let Some(list) = self.keys.get_mut(&previous)
            {
                list.retain(|k| k != key);
                taken.push(Taken { key: *key, from: previous });
            }
        }
        self.keys.insert(action, keys);
        taken
    }

    /// The defaults changed by the keymap file `text` (read from `path`).
    /// Bad entries are reported and skipped (`lenient.rs`); a file that is
    /// not valid TOML leaves the defaults.
    pub fn from_file(path: &Path, text: &str) -> (Keymap, Vec<ConfigError>) {
        let mut keymap = Keymap::default();
        let (file, mut problems) = super::lenient::read::<KeymapFile>(path, text);
        let Some(file) = file else { return (keymap, problems) };
        let mut taken = Vec::new();
        for (name, keys) in file.bindings {
            let Some(action) = Action::from_name(name.get_ref()) else {
                let message = format!("unknown action {:?} (see docs/keybindings.md)", name.get_ref());
                problems.push(ConfigError::entry(path, text, name.span().start, message));
                continue;
            };
            let mut parsed = Vec::new();
            let mut spans = Vec::new();
            for key in keys.into_inner() {
                match Key::parse(key.get_ref()) {
                    Ok(k) if action.context().is_dialog() && closes_dialogs(&k) => {
                        let label = action.context().label();
                        let message =
                            format!("{k} closes the {label} and cannot be bound to {}", action.name());
                        problems.push(ConfigError::entry(path, text, key.span().start, message));
                    }
                    Ok(k) => {
                        parsed.push(k);
                        spans.push((k, key.span().start));
                    }
                    Err(message) => problems.push(ConfigError::entry(path, text, key.span().start, message)),
                }
            }
            taken.extend(keymap.bind(action, parsed).into_iter().map(|t| (t, action, spans.clone())));
        }
        // Said once every binding is in (an action given keys later in the
        // file is not "left without a key"), in the file's order.
        taken.sort_by_key(|(t, _, spans)| spans.iter().find(|(k, _)| *k == t.key).map_or(0, |(_, at)| *at));
        for (Taken { key, from }, to, spans) in taken {
            let offset = spans.iter().find(|(k, _)| *k == key).map_or(0, |(_, at)| *at);
            let left = keymap.describe(from);
            let (line, column) = super::error::line_column(text, offset);
            let left = if left.is_empty() { "no key now".to_owned() } else { format!("only {left} now") };
            let (from, to) = (from.name(), to.name());
            let message = format!("{key} was the key of {from}, now of {to}; {from} has {left}");
            problems.push(ConfigError::Rebound { path: path.to_path_buf(), line, column, message });
        }
        (keymap, problems)
    }

    /// The bindings of every place as Markdown tables, the panes' first,
    /// then one section per other place (docs/keybindings.md holds them).
    pub fn markdown_tables(&self) -> String {
        let mut out = self.markdown_table(KeyContext::Panes);
        for context in KeyContext::ALL.into_iter().filter(|c| *c != KeyContext::Panes) {
            out.push_str(&format!("\n## Keys in the {}\n\n", context.label()));
            out.push_str(&self.markdown_table(context));
        }
        out
    }

    /// The bindings of `context` as a Markdown table.
    pub fn markdown_table(&self, context: KeyContext) -> String {
        let mut out = String::from("| action | keys | what it does |\n|---|---|---|\n");
        for action in Action::in_context(context) {
            let keys: Vec<String> = self.keys(action).iter().map(|k| format!("`{k}`")).collect();
            out.push_str(&format!(
                "| `{}` | {} | {} |\n",
                action.name(),
                keys.join(" "),
                action.description()
            ));
        }
        out
    }
}

/// Esc, f10 and ctrl-c: they close any dialog (`dialog_keys::is_close`).
fn closes_dialogs(key: &Key) -> bool {
    ["esc", "f10", "ctrl-c"].iter().filter_map(|k| Key::parse(k).ok()).any(|k| k == *key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_key_parses_and_no_key_is_bound_twice() {
        let keymap = Keymap::default();
        let mut total = 0;
        for &action in Action::ALL {
            for text in action.default_keys() {
                let key = Key::parse(text).unwrap();
                let bound = keymap.action_in(action.context(), &key);
                assert_eq!(bound, Some(action), "{text} is taken by another action");
                total += 1;
            }
        }
        assert_eq!(keymap.lookup.len(), total);
    }

    #[test]
    fn the_file_rebinds_unbinds_and_reports_bad_entries_with_lines() {
        let text = "[bindings]\nrefresh = [\"f5\"]\nsync_browsing = []\nfly = [\"x\"]\nquit = [\"hyper-q\", \"f10\"]\n";
        let (keymap, problems) = Keymap::from_file(Path::new("/c/keymap.toml"), text);
        assert_eq!(keymap.action(&Key::parse("f5").unwrap()), Some(Action::Refresh));
        assert_eq!(keymap.action(&Key::parse("ctrl-r").unwrap()), None);
        assert!(keymap.keys(Action::SyncBrowsing).is_empty());
        assert_eq!(keymap.describe(Action::Quit), "f10");
        let messages: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(messages.len(), 3, "{messages:?}");
        assert!(messages[0].starts_with("/c/keymap.toml:4:1: unknown action \"fly\""), "{}", messages[0]);
        assert!(messages[1].starts_with("/c/keymap.toml:5:9: unknown key \"hyper-q\""), "{}", messages[1]);
        // f5 was copy's only key.
        assert_eq!(
            messages[2],
            "/c/keymap.toml:2:12: f5 was the key of copy, now of refresh; copy has no key now"
        );
    }

    #[test]
    fn a_key_moved_to_another_action_leaves_the_first_with_a_warning() {
        let text = "[bindings]\nview = [\"q\"]\n";
        let (keymap, problems) = Keymap::from_file(Path::new("k.toml"), text);
        assert_eq!(keymap.action(&Key::parse("q").unwrap()), Some(Action::View));
        assert_eq!(keymap.describe(Action::Quit), "f10, ctrl-c");
        let messages: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            ["k.toml:2:9: q was the key of quit, now of view; quit has only f10, ctrl-c now"]
        );
    }

    #[test]
    fn an_action_left_without_a_key_is_named_and_places_do_not_clash() {
        let text = "[bindings]\nviewer_wrap = [\"n\"]\njobs_cancel = [\"x\", \"c\"]\nlog_detail = [\"d\"]\n";
        let (keymap, problems) = Keymap::from_file(Path::new("k.toml"), text);
        let n = Key::parse("n").unwrap();
        assert_eq!(keymap.action_in(KeyContext::Viewer, &n), Some(Action::ViewerWrap));
        // `n` in the panes is not the viewer's: nothing taken there.
        assert_eq!(keymap.action(&n), None);
        assert_eq!(keymap.action_in(KeyContext::Jobs, &Key::parse("x").unwrap()), Some(Action::JobsCancel));
        assert_eq!(keymap.action_in(KeyContext::Log, &Key::parse("d").unwrap()), Some(Action::LogDetail));
        let messages: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            [
                "k.toml:2:16: n was the key of viewer_next, now of viewer_wrap; viewer_next has no key now",
                "k.toml:3:16: x was the key of jobs_clear_finished, now of jobs_cancel; \
                 jobs_clear_finished has no key now",
            ]
        );
    }

    #[test]
    fn a_dialog_key_taken_by_another_action_of_its_dialog_is_named() {
        let text =
            "[bindings]\noverwrite_overwrite = [\"s\"]\npicker_edit = [\"delete\"]\nquit_stay = [\"w\"]\n";
        let (keymap, problems) = Keymap::from_file(Path::new("k.toml"), text);
        let key = |k| Key::parse(k).unwrap();
        assert_eq!(keymap.action_in(KeyContext::Overwrite, &key("s")), Some(Action::OverwriteOverwrite));
        assert_eq!(keymap.action_in(KeyContext::Picker, &key("delete")), Some(Action::PickerEdit));
        assert_eq!(keymap.action_in(KeyContext::Quit, &key("w")), Some(Action::QuitStay));
        // Other places keep their `delete` and `w`.
        assert_eq!(keymap.action_in(KeyContext::Jobs, &key("delete")), Some(Action::JobsCancel));
        assert_eq!(keymap.action(&key("delete")), Some(Action::Delete));
        assert_eq!(keymap.action_in(KeyContext::Log, &key("w")), Some(Action::LogWrap));
        let messages: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            [
                "k.toml:2:24: s was the key of overwrite_skip, now of overwrite_overwrite; \
                 overwrite_skip has only S now",
                "k.toml:3:16: delete was the key of picker_remove, now of picker_edit; picker_remove has only f8 now",
                "k.toml:4:14: w was the key of quit_wait, now of quit_stay; quit_wait has only W now",
            ]
        );
    }

    #[test]
    fn the_keys_that_close_a_dialog_cannot_be_bound_in_it() {
        let text = "[bindings]\nquit_stay = [\"s\", \"esc\"]\nviewer_close = [\"esc\"]\n";
        let (keymap, problems) = Keymap::from_file(Path::new("k.toml"), text);
        assert_eq!(keymap.describe(Action::QuitStay), "s");
        assert_eq!(keymap.describe(Action::ViewerClose), "esc", "the viewer reads its own esc");
        let messages: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            [
                "k.toml:2:19: esc closes the quit question and cannot be bound to quit_stay; this entry is ignored"
            ]
        );
    }

    /// docs/keybindings.md holds the default table between markers.
    #[test]
    fn docs_keybindings_match_the_default_keymap() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/keybindings.md");
        let doc = std::fs::read_to_string(&path).unwrap();
        let (start, end) = ("<!-- keymap:start -->\n", "<!-- keymap:end -->");
        let (before, rest) = doc.split_once(start).unwrap();
        let (table, after) = rest.split_once(end).unwrap();
        let expected = Keymap::default().markdown_tables();
        if std::env::var_os("SCPDECK_BLESS_DOCS").is_some() {
            std::fs::write(&path, format!("{before}{start}{expected}{end}{after}")).unwrap();
            return;
        }
        assert_eq!(
            table, expected,
            "docs/keybindings.md is stale: run SCPDECK_BLESS_DOCS=1 cargo test --lib docs_keybindings"
        );
    }

    #[test]
    fn an_unknown_table_or_a_bad_entry_costs_only_itself() {
        let text = "[bindngs]\nquit = [\"x\"]\n[bindings]\nrefresh = \"f11\"\nmkdir = [\"f11\"]\n";
        let (keymap, problems) = Keymap::from_file(Path::new("k.toml"), text);
        assert_eq!(keymap.describe(Action::Mkdir), "f11");
        assert_eq!(keymap.describe(Action::Refresh), "ctrl-r");
        let messages: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(messages[0].starts_with("k.toml:1:2: unknown setting \"bindngs\""), "{}", messages[0]);
        assert!(messages[1].starts_with("k.toml:4:11: invalid type"), "{}", messages[1]);
    }

    #[test]
    fn broken_toml_names_the_line_and_keeps_the_defaults() {
        let (keymap, problems) = Keymap::from_file(Path::new("k.toml"), "[bindings]\nquit = [\"f10\"\n");
        assert_eq!(keymap, Keymap::default());
        assert!(matches!(&problems[0], ConfigError::Parse { line: 2, .. }), "{problems:?}");
    }
}
