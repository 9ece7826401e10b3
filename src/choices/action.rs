//! Actions: what a key asks for, independent of which key it was. Each action
//! has a name (used in the keymap file), the place its keys work (the panes,
//! the jobs or log panel, the viewer, the help, a dialog), a description
//! (help, menu, docs) and its default keys.

/// Where a key is read: one key may mean different actions in different
/// places (`j` is down in the panes and in the jobs panel).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyContext {
    /// The file panes (and anything a panel does not take).
    Panes,
    /// The jobs panel with the focus.
    Jobs,
    /// The log panel with the focus.
    Log,
    /// The viewer (F3).
    Viewer,
    /// The message view (alt-h) and the log entry view.
    Messages,
    /// A job's details.
    Details,
    /// The help (F1).
    Help,
    /// The host picker (F2).
    Picker,
    /// The copy and move dialog (F5, F6).
    CopyDialog,
    /// A yes/no question: delete, an unknown host key, a host key warning.
    Confirm,
    /// The overwrite question of a job.
    Overwrite,
    /// The question when quitting with jobs unfinished.
    Quit,
    /// The synchronize plan's preview.
    SyncPlan,
    /// The find dialog's results.
    FindResults,
    /// The command menu (F9).
    Menu,
    /// The change-mode dialog (alt-m).
    Mode,
}

impl KeyContext {
    pub const ALL: [KeyContext; 16] = [
        KeyContext::Panes,
        KeyContext::Jobs,
        KeyContext::Log,
        KeyContext::Viewer,
        KeyContext::Messages,
        KeyContext::Details,
        KeyContext::Help,
        KeyContext::Picker,
        KeyContext::CopyDialog,
        KeyContext::Confirm,
        KeyContext::Overwrite,
        KeyContext::Quit,
        KeyContext::SyncPlan,
        KeyContext::FindResults,
        KeyContext::Menu,
        KeyContext::Mode,
    ];

    /// A dialog's place: Esc, f10 and ctrl-c close the dialog before the
    /// keymap is asked, so they cannot be bound there.
    pub fn is_dialog(self) -> bool {
        !matches!(
            self,
            KeyContext::Panes
                | KeyContext::Jobs
                | KeyContext::Log
                | KeyContext::Viewer
                | KeyContext::Messages
                | KeyContext::Details
                | KeyContext::Help
        )
    }

    /// Its name in help and docs.
    pub fn label(self) -> &'static str {
        match self {
            KeyContext::Panes => "file panes",
            KeyContext::Jobs => "jobs panel",
            KeyContext::Log => "log panel",
            KeyContext::Viewer => "viewer",
            KeyContext::Messages => "message and log entry views",
            KeyContext::Details => "job details",
            KeyContext::Help => "help",
            KeyContext::Picker => "host picker",
            KeyContext::CopyDialog => "copy and move dialog",
            KeyContext::Confirm => "yes/no questions (delete, host keys)",
            KeyContext::Overwrite => "overwrite question",
            KeyContext::Quit => "quit question",
            KeyContext::SyncPlan => "synchronize plan",
            KeyContext::FindResults => "find results",
            KeyContext::Menu => "menu",
            KeyContext::Mode => "change mode dialog",
        }
    }
}

macro_rules! actions {
    ($($variant:ident $context:ident $name:literal [$($key:literal),*] $description:literal;)*) => {
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

            /// Where its keys work.
            pub fn context(self) -> KeyContext {
                match self {
                    $(Action::$variant => KeyContext::$context,)*
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
    Help Panes "help" ["f1", "?"] "Show the keys in effect";
    Up Panes "up" ["up", "k", "ctrl-p"] "Cursor up";
    Down Panes "down" ["down", "j", "ctrl-n"] "Cursor down";
    PageUp Panes "page_up" ["pageup", "ctrl-b"] "One page up";
    PageDown Panes "page_down" ["pagedown", "ctrl-f"] "One page down";
    Top Panes "top" ["home", "g"] "First entry";
    Bottom Panes "bottom" ["end", "G"] "Last entry";
    Open Panes "open" ["enter", "right", "l"] "Enter the directory under the cursor";
    Parent Panes "parent" ["backspace", "left", "h"] "Go to the parent directory";
    SwitchPane Panes "switch_pane" ["tab", "shift-tab"] "Switch to the other pane";
    SwapPanes Panes "swap_panes" ["ctrl-u"] "Swap the two panes (the focus stays on its side)";
    OtherToThis Panes "other_to_this" ["alt-o"] "Show this pane's directory in the other pane too";
    ThisToOther Panes "this_to_other" ["alt-i"] "Show the other pane's directory in this pane too";
    Back Panes "back" ["alt-left", "["] "Back in this pane's history";
    Forward Panes "forward" ["alt-right", "]"] "Forward in this pane's history";
    GoTo Panes "go_to" ["ctrl-g"] "Go to a path (Tab completes; local:PATH is on this machine)";
    Refresh Panes "refresh" ["ctrl-r"] "Reload both panes";
    SyncBrowsing Panes "sync_browsing" ["ctrl-s"] "Synchronized browsing of both panes on/off";
    ToggleSelect Panes "toggle_select" ["insert", "space"] "Select or unselect the entry and move down";
    SelectGlob Panes "select_glob" ["+"] "Select entries matching a glob";
    UnselectGlob Panes "unselect_glob" ["-"] "Unselect entries matching a glob";
    InvertSelection Panes "invert_selection" ["*"] "Invert the selection";
    Filter Panes "filter" ["/"] "Filter entries as you type (fuzzy)";
    ToggleHidden Panes "toggle_hidden" ["."] "Show or hide dot files";
    SortName Panes "sort_name" ["alt-n"] "Sort by name (again: reverse)";
    SortSize Panes "sort_size" ["alt-s"] "Sort by size (again: reverse)";
    SortMtime Panes "sort_mtime" ["alt-t"] "Sort by modification time (again: reverse)";
    SortExtension Panes "sort_extension" ["alt-e"] "Sort by extension (again: reverse)";
    ReverseSort Panes "reverse_sort" ["alt-r"] "Reverse the sort order";
    NaturalSort Panes "natural_sort" ["alt-v"] "Natural name order (img_2 before img_10) on/off";
    Compare Panes "compare" ["alt-c"] "Compare the panes' directories: select and mark what differs";
    Synchronize Panes "synchronize" ["alt-y"] "Synchronize the panes' directories: plan, preview, run";
    DirSize Panes "dir_size" ["ctrl-space", "alt-d"] "Compute the size of the selected or current directories";
    HostPicker Panes "host_picker" ["f2", "ctrl-t"] "Open a host: ssh config, recent, bookmarks";
    Disconnect Panes "disconnect" ["alt-x"] "Disconnect this pane's host; the pane goes back to the last local directory";
    AsRoot Panes "as_root" ["alt-a"] "This pane's host as root through sudo on/off";
    AddBookmark Panes "add_bookmark" ["b"] "Bookmark this pane's directory";
    View Panes "view" ["f3"] "View the file under the cursor";
    Edit Panes "edit" ["f4"] "Edit the file under the cursor with $EDITOR";
    Copy Panes "copy" ["f5"] "Copy the selected or current entries to the other pane";
    Move Panes "move" ["f6"] "Move the selected or current entries to the other pane";
    Rename Panes "rename" ["shift-f6"] "Rename or move within this host";
    Mkdir Panes "mkdir" ["f7"] "Create a directory";
    Touch Panes "touch" ["shift-f4"] "Create an empty file";
    Symlink Panes "symlink" ["alt-k"] "Create a symlink (to the other pane's entry)";
    Delete Panes "delete" ["f8", "delete"] "Delete the selected or current entries";
    Chmod Panes "chmod" ["alt-m"] "Change the mode (permissions), recursively too";
    Chown Panes "chown" ["alt-u"] "Change the owner and group, recursively too";
    Find Panes "find" ["alt-?"] "Find files under this pane's directory (on its host)";
    Menu Panes "menu" ["f9"] "Command menu";
    Jobs Panes "jobs" ["alt-j"] "Show the transfers (again: focus it, then hide it)";
    Log Panes "log" ["alt-l"] "Show the log (again: focus it, then hide it)";
    Messages Panes "messages" ["alt-h"] "Show the latest message whole, and the earlier ones";
    Quit Panes "quit" ["f10", "q", "ctrl-c"] "Quit";
    // The jobs panel, when it has the focus.
    JobsUp Jobs "jobs_up" ["up", "k"] "Previous job";
    JobsDown Jobs "jobs_down" ["down", "j"] "Next job";
    JobsFirst Jobs "jobs_first" ["home"] "First job";
    JobsLast Jobs "jobs_last" ["end"] "Last job";
    JobsPause Jobs "jobs_pause" ["p", "space"] "Pause the selected job (again: resume it)";
    JobsPauseAll Jobs "jobs_pause_all" ["P"] "Pause all jobs (again: resume them)";
    JobsCancel Jobs "jobs_cancel" ["c", "delete"] "Cancel the selected job";
    JobsRetry Jobs "jobs_retry" ["r"] "Retry the selected job's failed items";
    JobsMoveUp Jobs "jobs_move_up" ["K", "+", "shift-up"] "Move the selected job up the queue";
    JobsMoveDown Jobs "jobs_move_down" ["J", "-", "shift-down"] "Move the selected job down the queue";
    JobsDetails Jobs "jobs_details" ["enter", "a"] "The selected job's failed items and events, or its overwrite question";
    JobsClearFinished Jobs "jobs_clear_finished" ["x"] "Remove the finished jobs from the list";
    JobsRemoveLeftovers Jobs "jobs_remove_leftovers" ["D"] "Remove the leftover temporary files listed under the jobs";
    JobsShowLog Jobs "jobs_show_log" ["l"] "Show the log in the panel instead";
    // The log panel, when it has the focus.
    LogUp Log "log_up" ["up", "k"] "Scroll up (older entries)";
    LogDown Log "log_down" ["down", "j"] "Scroll down (newer entries)";
    LogPageUp Log "log_page_up" ["pageup"] "Up by the panel's height";
    LogPageDown Log "log_page_down" ["pagedown"] "Down by the panel's height";
    LogOldest Log "log_oldest" ["home", "g"] "Oldest entry";
    LogNewest Log "log_newest" ["end", "G"] "Newest entry, following new ones";
    LogDetail Log "log_detail" ["enter"] "The entry at the bottom whole, with its time, host and job";
    LogWrap Log "log_wrap" ["w"] "Wrap long entries over several rows on/off";
    LogLevel Log "log_level" ["L"] "Minimum level shown: debug, info, warn, error";
    LogHost Log "log_host" ["H"] "Only one host's entries (cycles through the hosts, then all)";
    LogJob Log "log_job" ["J"] "Only the selected job's entries (again: all)";
    LogShowJobs Log "log_show_jobs" ["l"] "Show the jobs in the panel instead";
    // The viewer (F3).
    ViewerUp Viewer "viewer_up" ["up", "k"] "Scroll up a line";
    ViewerDown Viewer "viewer_down" ["down", "j", "enter"] "Scroll down a line";
    ViewerPageUp Viewer "viewer_page_up" ["pageup", "b"] "One page up";
    ViewerPageDown Viewer "viewer_page_down" ["pagedown", "space"] "One page down";
    ViewerTop Viewer "viewer_top" ["home", "g"] "Start of the file";
    ViewerBottom Viewer "viewer_bottom" ["end", "G"] "End of the file";
    ViewerSearch Viewer "viewer_search" ["/"] "Search forward (case-insensitive unless the text has a capital)";
    ViewerSearchBack Viewer "viewer_search_back" ["?"] "Search backward";
    ViewerNext Viewer "viewer_next" ["n"] "Next match, in the search's direction (wraps around)";
    ViewerPrevious Viewer "viewer_previous" ["N"] "Previous match";
    ViewerGoTo Viewer "viewer_go_to" [":", "ctrl-g"] "Go to a line number";
    ViewerWrap Viewer "viewer_wrap" ["w"] "Wrap long lines on/off";
    ViewerFollow Viewer "viewer_follow" ["F", "f"] "Follow the file as it grows (as tail -f); any key stops";
    ViewerHex Viewer "viewer_hex" ["f4", "h"] "Text or hex dump";
    ViewerHelp Viewer "viewer_help" ["f1"] "The viewer's keys";
    ViewerClose Viewer "viewer_close" ["q", "f3", "esc", "f10"] "Close the viewer";
    // The message view (alt-h) and the log entry view (Enter in the log).
    MessagesOlder Messages "messages_older" ["up", "k"] "The entry before (older)";
    MessagesNewer Messages "messages_newer" ["down", "j"] "The entry after (newer)";
    MessagesPageOlder Messages "messages_page_older" ["pageup"] "Ten entries older";
    MessagesPageNewer Messages "messages_page_newer" ["pagedown"] "Ten entries newer";
    MessagesOldest Messages "messages_oldest" ["home", "g"] "The oldest entry";
    MessagesNewest Messages "messages_newest" ["end", "G"] "The newest entry";
    MessagesClose Messages "messages_close" ["enter", "q", "esc", "f10"] "Close the view";
    // A job's details (Enter on a job without a question).
    DetailsUp Details "details_up" ["up", "k"] "The failed item before";
    DetailsDown Details "details_down" ["down", "j"] "The failed item after";
    DetailsRetry Details "details_retry" ["r"] "Retry the failed item selected";
    DetailsRetryAll Details "details_retry_all" ["R"] "Retry every failed item of the job";
    DetailsRetryAsRoot Details "details_retry_as_root" ["u"] "Retry the failed item selected as root through sudo (after a permission denied)";
    DetailsEventsUp Details "details_events_up" ["pageup"] "Scroll the job's events up (older)";
    DetailsEventsDown Details "details_events_down" ["pagedown"] "Scroll the job's events down (newer)";
    DetailsClose Details "details_close" ["q", "esc", "f10"] "Close the details";
    // The help (F1).
    HelpUp Help "help_up" ["up", "k"] "Scroll up";
    HelpDown Help "help_down" ["down", "j"] "Scroll down";
    HelpPageUp Help "help_page_up" ["pageup"] "One page up";
    HelpPageDown Help "help_page_down" ["pagedown", "space"] "One page down";
    HelpTop Help "help_top" ["home", "g"] "Top";
    HelpBottom Help "help_bottom" ["end", "G"] "Bottom";
    // The host picker (F2); typing filters the list (or types a host).
    PickerOpen Picker "picker_open" ["enter"] "Open the highlighted host, or the typed [user@]host[:port], host:path or ssh:// URI (a typed port or URI always opens what it names)";
    PickerUp Picker "picker_up" ["up"] "Previous entry";
    PickerDown Picker "picker_down" ["down", "tab"] "Next entry";
    PickerPageUp Picker "picker_page_up" ["pageup"] "Ten entries up";
    PickerPageDown Picker "picker_page_down" ["pagedown"] "Ten entries down";
    PickerEdit Picker "picker_edit" ["f4"] "Edit a recent or typed host: host with port, and the directory it opens in";
    PickerRemove Picker "picker_remove" ["delete", "f8"] "Remove a bookmark or a recent or typed host (ssh_config entries are read-only: the status line names their file and line)";
    PickerAsRoot Picker "picker_as_root" ["alt-a"] "As root through sudo on/off for the highlighted (or typed) host, marked [sudo]";
    // The copy and move dialog (F5, F6); typing edits the field under the cursor.
    CopyStart CopyDialog "copy_start" ["enter"] "Start (an edited target is looked at first)";
    CopyNextField CopyDialog "copy_next_field" ["tab", "down"] "Next field";
    CopyPreviousField CopyDialog "copy_previous_field" ["shift-tab", "up"] "Previous field";
    CopyOptionNext CopyDialog "copy_option_next" ["space", "right"] "Change the option under the cursor (also \"Create DIR\" for a target that does not exist); on a text field the key edits the text";
    CopyOptionPrevious CopyDialog "copy_option_previous" ["left"] "Change the option under the cursor the other way; on a text field the key edits the text";
    // Yes/no questions: delete, an unknown host key, a host key warning.
    ConfirmYes Confirm "confirm_yes" ["y", "Y"] "Yes: delete, accept and record the host key, go on connecting";
    ConfirmNo Confirm "confirm_no" ["n", "N"] "No: keep the entries, refuse the host key";
    ConfirmDefault Confirm "confirm_default" ["enter"] "The question's default answer: yes for a delete, no for a host key question";
    // The overwrite question of a job.
    OverwriteOverwrite Overwrite "overwrite_overwrite" ["o", "O"] "Overwrite";
    OverwriteSkip Overwrite "overwrite_skip" ["s", "S"] "Skip";
    OverwriteIfNewer Overwrite "overwrite_if_newer" ["n", "N"] "Overwrite if newer";
    OverwriteIfSizeDiffers Overwrite "overwrite_if_size_differs" ["z", "Z"] "Overwrite if the size differs";
    OverwriteKeepBoth Overwrite "overwrite_keep_both" ["k", "K"] "Keep both: the copy under a new name";
    OverwriteCancelJob Overwrite "overwrite_cancel_job" ["c", "C"] "Cancel the job";
    OverwriteAll Overwrite "overwrite_all" ["a", "space"] "Apply the answer to every other existing item of the job on/off";
    OverwritePrevious Overwrite "overwrite_previous" ["up", "left", "shift-tab"] "Highlight the answer before";
    OverwriteNext Overwrite "overwrite_next" ["down", "right", "tab"] "Highlight the answer after";
    OverwriteAnswer Overwrite "overwrite_answer" ["enter"] "Give the highlighted answer";
    // The question when quitting with jobs unfinished.
    QuitWait Quit "quit_wait" ["w", "W"] "Wait until the jobs end, then quit";
    QuitPause Quit "quit_pause" ["p", "P"] "Pause the jobs and quit (they come back paused at the next start)";
    QuitCancel Quit "quit_cancel" ["c", "C"] "Cancel the jobs and quit";
    QuitStay Quit "quit_stay" ["s", "S"] "Stay";
    QuitPrevious Quit "quit_previous" ["up", "left", "shift-tab"] "Highlight the answer before";
    QuitNext Quit "quit_next" ["down", "right", "tab"] "Highlight the answer after";
    QuitChoose Quit "quit_choose" ["enter"] "Give the highlighted answer";
    // The synchronize plan's preview.
    PlanUp SyncPlan "plan_up" ["up", "k"] "Previous action";
    PlanDown SyncPlan "plan_down" ["down", "j"] "Next action";
    PlanPageUp SyncPlan "plan_page_up" ["pageup"] "One page up";
    PlanPageDown SyncPlan "plan_page_down" ["pagedown"] "One page down";
    PlanTop SyncPlan "plan_top" ["home"] "First action";
    PlanBottom SyncPlan "plan_bottom" ["end"] "Last action";
    PlanTick SyncPlan "plan_tick" ["space", "insert"] "Tick or untick the action and move down";
    PlanRun SyncPlan "plan_run" ["enter"] "Run the ticked actions";
    // The find dialog's results.
    FindUp FindResults "find_up" ["up", "k"] "Previous result";
    FindDown FindResults "find_down" ["down", "j"] "Next result";
    FindPageUp FindResults "find_page_up" ["pageup"] "One page up";
    FindPageDown FindResults "find_page_down" ["pagedown"] "One page down";
    FindFirst FindResults "find_first" ["home"] "First result";
    FindLast FindResults "find_last" ["end"] "Last result";
    FindSelect FindResults "find_select" ["space", "insert"] "Select or unselect the result and move down";
    FindInvert FindResults "find_invert" ["*"] "Invert the selection";
    FindGo FindResults "find_go" ["enter"] "Go to the result's directory, the cursor on it";
    FindCopy FindResults "find_copy" ["f5"] "Copy the selected results (or the one under the cursor) to the other pane";
    FindNewSearch FindResults "find_new_search" ["backspace"] "Back to the form for a new search (a running one stops)";
    // The command menu (F9).
    MenuUp Menu "menu_up" ["up", "k"] "Previous entry (from the first: the last)";
    MenuDown Menu "menu_down" ["down", "j"] "Next entry (from the last: the first)";
    MenuTop Menu "menu_top" ["home", "pageup"] "First entry";
    MenuBottom Menu "menu_bottom" ["end", "pagedown"] "Last entry";
    MenuRun Menu "menu_run" ["enter"] "Run the highlighted entry";
    MenuClose Menu "menu_close" ["f9"] "Close the menu";
    // The change-mode dialog (alt-m); in its octal field characters are typed.
    ModeApply Mode "mode_apply" ["enter"] "Apply the mode";
    ModeNextField Mode "mode_next_field" ["tab"] "Next part: octal field, grid, recursive";
    ModePreviousField Mode "mode_previous_field" ["shift-tab"] "Previous part";
    ModeUp Mode "mode_up" ["up", "k"] "In the grid: up (from \"recursive\": back to the grid)";
    ModeDown Mode "mode_down" ["down", "j"] "In the grid: down (from the octal field: to the grid)";
    ModeLeft Mode "mode_left" ["left", "h"] "In the grid: left (on \"recursive\": on/off)";
    ModeRight Mode "mode_right" ["right", "l"] "In the grid: right (on \"recursive\": on/off)";
    ModeToggle Mode "mode_toggle" ["space"] "Toggle the bit under the cursor, or \"recursive\"";
}

impl Action {
    /// The action with this keymap-file name.
    pub fn from_name(name: &str) -> Option<Action> {
        Action::ALL.iter().copied().find(|a| a.name() == name)
    }

    /// The actions whose keys work in `context`.
    pub fn in_context(context: KeyContext) -> impl Iterator<Item = Action> {
        Action::ALL.iter().copied().filter(move |a| a.context() == context)
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
