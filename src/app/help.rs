//! What the help (F1) lists: the keys of the place that has the focus (the
//! panes, the jobs or the log panel, the viewer, a dialog with a place in
//! the keymap) from the keymap in effect, or the fixed keys of the other
//! dialogs when one of those is open; descriptions wrapped
//! to the help's width, never cut. Pure, so that `update` knows how far
//! the help scrolls and `ui` draws the same lines.

use crate::choices::{Action, KeyContext};
use crate::config::Keymap;
use crate::text::wrap;

/// Which keys the help lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HelpTopic {
    Keys(KeyContext),
    /// The fixed keys inside dialogs.
    Dialogs,
}

impl HelpTopic {
    pub fn title(self) -> String {
        match self {
            HelpTopic::Keys(context) => format!("Help: keys of the {} (Esc closes)", context.label()),
            HelpTopic::Dialogs => "Help: keys in dialogs (Esc closes)".to_owned(),
        }
    }
}

/// The keys of the dialogs that have no place in the keymap (forms whose
/// keys mostly edit text), and those every dialog shares.
const DIALOG_KEYS: &[(&str, &str)] = &[
    (
        "Enter / Esc",
        "confirm / cancel in every dialog; f10 and ctrl-c close a dialog too, and ctrl-c never quits from one",
    ),
    (
        "text fields",
        "← → Home End Backspace Delete edit, ctrl-u clears to the start, ctrl-w deletes a word or path component, \
         ctrl-a / ctrl-e go to the start / end",
    ),
    ("Tab ↑ ↓", "go to: complete, choose a completion"),
    ("↑ ↓ Enter Esc", "filter: move, keep the filter, clear it"),
    ("Tab ↑ ↓ Space", "owner, symlink, host entry: next field; owner: Space toggles recursive"),
    (
        "Tab ↑ ↓ Space ← →",
        "compare, synchronize and the find form: next or previous field, change an option; Enter starts",
    ),
    (
        "F1",
        "in the host picker, the copy dialog, the questions, the menu, the synchronize plan, the find results, \
         change mode, the viewer, the message views, a job's details and the panels: their own keys, which the keymap can change",
    ),
];

/// Keys that every panel has and the keymap does not change.
const PANEL_KEYS: &[(&str, &str)] = &[("esc, tab", "Back to the panes (alt-j / alt-l hide the panel)")];

/// The (keys, description) rows of `topic`.
pub fn rows(keymap: &Keymap, topic: HelpTopic) -> Vec<(String, String)> {
    let HelpTopic::Keys(context) = topic else {
        return DIALOG_KEYS.iter().map(|(k, d)| ((*k).to_owned(), (*d).to_owned())).collect();
    };
    let mut rows: Vec<(String, String)> = Action::in_context(context)
        .map(|action| {
            let keys = keymap.describe(action);
            (if keys.is_empty() { "(unbound)".to_owned() } else { keys }, action.description().to_owned())
        })
        .collect();
    if matches!(context, KeyContext::Jobs | KeyContext::Log) {
        rows.extend(PANEL_KEYS.iter().map(|(k, d)| ((*k).to_owned(), (*d).to_owned())));
    }
    if context == KeyContext::Messages {
        rows.push((
            "alt-l, alt-j".to_owned(),
            "From the message view: on to the log panel, the jobs panel".to_owned(),
        ));
    }
    if context.is_dialog() {
        rows.push(("esc, f10, ctrl-c".to_owned(), "Close (these keys are fixed)".to_owned()));
    }
    match context {
        KeyContext::Picker => rows.push((
            "typing".to_owned(),
            "Filters the list, or types a host (the text field's keys are fixed)".to_owned(),
        )),
        KeyContext::CopyDialog => rows.push((
            "typing".to_owned(),
            "Edits the target, the new name or the bandwidth limit (the text field's keys are fixed)"
                .to_owned(),
        )),
        _ => {}
    }
    if context == KeyContext::Panes {
        rows.push((
            "F1".to_owned(),
            "in a focused jobs or log panel, the viewer or a dialog: its keys".to_owned(),
        ));
    }
    rows
}

/// The width of the keys column in a help `width` cells wide.
pub fn key_width(width: usize) -> usize {
    (width / 3).clamp(8, 24)
}

/// The help's lines, `(keys, description)`, for an inner width of `width`:
/// a row whose keys or description do not fit goes on over more lines.
pub fn lines(keymap: &Keymap, topic: HelpTopic, width: usize) -> Vec<(String, String)> {
    let keys_width = key_width(width);
    let text_width = width.saturating_sub(keys_width + 1).max(1);
    let mut out = Vec::new();
    for (keys, description) in rows(keymap, topic) {
        let keys = wrap(&keys, keys_width);
        let text = wrap(&description, text_width);
        for i in 0..keys.len().max(text.len()) {
            out.push((keys.get(i).cloned().unwrap_or_default(), text.get(i).cloned().unwrap_or_default()));
        }
    }
    out
}

/// The help box's inner size on a screen of `screen` (width, height) for
/// `count` lines: at most 76 wide, as high as the lines or the screen.
pub fn inner_size(screen: (u16, u16), count: usize) -> (u16, u16) {
    let width = 76.min(screen.0.saturating_sub(4)).max(10);
    let height = screen.1.saturating_sub(4).min(u16::try_from(count).unwrap_or(u16::MAX));
    (width, height)
}

/// How far the help scrolls at most: the last line at the bottom.
pub fn max_scroll(keymap: &Keymap, topic: HelpTopic, screen: (u16, u16)) -> usize {
    let width = inner_size(screen, 0).0;
    let count = lines(keymap, topic, usize::from(width)).len();
    count.saturating_sub(usize::from(inner_size(screen, count).1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_place_lists_its_own_keys() {
        let keymap = Keymap::default();
        let jobs = rows(&keymap, HelpTopic::Keys(KeyContext::Jobs));
        assert!(jobs.iter().any(|(k, d)| k == "c, delete" && d == "Cancel the selected job"), "{jobs:?}");
        assert!(!jobs.iter().any(|(_, d)| d == "Quit"));
        let log = rows(&keymap, HelpTopic::Keys(KeyContext::Log));
        assert!(log.iter().any(|(k, _)| k == "enter"), "{log:?}");
        let viewer = rows(&keymap, HelpTopic::Keys(KeyContext::Viewer));
        assert!(viewer.iter().any(|(k, d)| k == "/" && d.starts_with("Search forward")), "{viewer:?}");
    }

    #[test]
    fn long_descriptions_wrap_whole() {
        let keymap = Keymap::default();
        let lines = lines(&keymap, HelpTopic::Dialogs, 40);
        let text: Vec<&str> = lines.iter().map(|(_, d)| d.as_str()).collect();
        let joined = text.join(" ");
        assert!(
            joined.contains("the message views, a job's details and the panels: their own keys"),
            "{joined}"
        );
        assert!(lines.iter().all(|(_, d)| crate::text::width(d) < 40 - 13), "{lines:?}");
    }
}
