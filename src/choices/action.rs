//! Actions: what a key asks for, independent of which key it was. Each action
//! has a name (used in the keymap file), a description (help, menu, docs) and
//! its default keys.

macro_rules! actions {
    ($($variant:ident $name:literal [$($key:literal),*] $description:literal;)*) => {
        /// A user command.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Action {
            $($variant,)*
        }

        impl Action {
            /// Every action, in the order help and docs list them.
            pub const ALL: &'static [Action] = &[$(Action::$variant,)*];

            /// The name used in the keymap file.
            pub fn name(self) -> &'static str {
                match self {
                    $(Action::$variant => $name,)*
                }
            }

            /// What it does, for help and the menu.
            pub fn description(self) -> &'static str {
                match self {
                    $(Action::$variant => $description,)*
                }
            }

            /// The keys bound by default, in keymap-file notation.
            pub fn default_keys(self) -> &'static [&'static str] {
                match self {
                    $(Action::$variant => &[$($key),*],)*
                }
            }
        }
    };
}

actions! {
    Help "help" ["f1", "?"] "Show the keys in effect";
    Up "up" ["up", "k", "ctrl-p"] "Cursor up";
    Down "down" ["down", "j", "ctrl-n"] "Cursor down";
    PageUp "page_up" ["pageup", "ctrl-b"] "One page up";
    PageDown "page_down" ["pagedown", "ctrl-f"] "One page down";
    Top "top" ["home", "g"] "First entry";
    Bottom "bottom" ["end", "G"] "Last entry";
    Open "open" ["enter", "right", "l"] "Enter the directory under the cursor";
    Parent "parent" ["backspace", "left", "h"] "Go to the parent directory";
    SwitchPane "switch_pane" ["tab", "shift-tab"] "Switch to the other pane";
    Back "back" ["alt-left", "["] "Back in this pane's history";
    Forward "forward" ["alt-right", "]"] "Forward in this pane's history";
    GoTo "go_to" ["ctrl-g"] "Go to a path (Tab completes)";
    Refresh "refresh" ["ctrl-r"] "Reload both panes";
    SyncBrowsing "sync_browsing" ["ctrl-s"] "Synchronized browsing of both panes on/off";
    ToggleSelect "toggle_select" ["insert", "space"] "Select or unselect the entry and move down";
    SelectGlob "select_glob" ["+"] "Select entries matching a glob";
    UnselectGlob "unselect_glob" ["-"] "Unselect entries matching a glob";
    InvertSelection "invert_selection" ["*"] "Invert the selection";
    Filter "filter" ["/"] "Filter entries as you type (fuzzy)";
    ToggleHidden "toggle_hidden" ["."] "Show or hide dot files";
    SortName "sort_name" ["alt-n"] "Sort by name (again: reverse)";
    SortSize "sort_size" ["alt-s"] "Sort by size (again: reverse)";
    SortMtime "sort_mtime" ["alt-t"] "Sort by modification time (again: reverse)";
    SortExtension "sort_extension" ["alt-e"] "Sort by extension (again: reverse)";
    ReverseSort "reverse_sort" ["alt-r"] "Reverse the sort order";
    NaturalSort "natural_sort" ["alt-v"] "Natural name order (img_2 before img_10) on/off";
    Compare "compare" ["alt-c"] "Compare the panes' directories: select and mark what differs";
    Synchronize "synchronize" ["alt-y"] "Synchronize the panes' directories: plan, preview, run";
    DirSize "dir_size" ["ctrl-space", "alt-d"] "Compute the size of the selected or current directories";
    HostPicker "host_picker" ["f2", "ctrl-t"] "Open a host: ssh config, recent, bookmarks";
    AsRoot "as_root" ["alt-u"] "This pane's host as root through sudo on/off";
    AddBookmark "add_bookmark" ["b"] "Bookmark this pane's directory";
    View "view" ["f3"] "View the file under the cursor";
    Edit "edit" ["f4"] "Edit the file under the cursor with $EDITOR";
    Copy "copy" ["f5"] "Copy the selected or current entries to the other pane";
    Move "move" ["f6"] "Move the selected or current entries to the other pane";
    Rename "rename" ["shift-f6"] "Rename or move within this host";
    Mkdir "mkdir" ["f7"] "Create a directory";
    Touch "touch" ["shift-f4"] "Create an empty file";
    Symlink "symlink" ["alt-k"] "Create a symlink (to the other pane's entry)";
    Delete "delete" ["f8", "delete"] "Delete the selected or current entries";
    Chmod "chmod" ["alt-m"] "Change the mode (permissions), recursively too";
    Chown "chown" ["alt-o"] "Change the owner and group, recursively too";
    Find "find" ["alt-?"] "Find files under this pane's directory (on its host)";
    Menu "menu" ["f9"] "Command menu";
    Jobs "jobs" ["alt-j"] "Show the transfers (again: focus it, then hide it)";
    Log "log" ["alt-l"] "Show the log (again: focus it, then hide it)";
    Messages "messages" ["alt-h"] "Show the latest message whole, and the earlier ones";
    Quit "quit" ["f10", "q", "ctrl-c"] "Quit";
}

impl Action {
    /// The action with this keymap-file name.
    pub fn from_name(name: &str) -> Option<Action> {
        Action::ALL.iter().copied().find(|a| a.name() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        for action in Action::ALL {
            assert_eq!(Action::from_name(action.name()), Some(*action));
        }
        let mut names: Vec<_> = Action::ALL.iter().map(|a| a.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Action::ALL.len());
    }
}
