//! Dialogs and overlays. The top of `State::dialogs` receives the keys.

mod copy;
mod find;
mod host_edit;
mod input;
mod link;
mod mode;
mod overwrite;
mod owner;
mod picker;
mod prompt;
mod quit;
mod sync;
mod viewer;
mod viewer_search;

pub use copy::{CopyDialog, CopyField, CreateTarget, copy_name};
pub use find::{FindDialog, FindField, FindResults, parse_age, parse_size};
pub use host_edit::{HostEditDialog, HostEditField};
pub use input::LineInput;
pub use link::{LinkDialog, LinkField};
pub use mode::{GRID_COLS, GRID_ROWS, ModeDialog, ModeField, grid_bit, octal, parse_octal};
pub use overwrite::{CHOICES, Choice, OverwriteDialog};
pub use owner::{OwnerChange, OwnerDialog, OwnerField};
pub use picker::{HostPicker, PickItem, Source};
pub use prompt::{HostKeyQuestion, KbdPrompt, PromptAnswer, Question, Reply, fields, text_answer};
pub use quit::{QUIT_CHOICES, QuitChoice, QuitDialog, Unfinished};
pub use sync::{SyncDialog, SyncField, SyncPurpose, SyncStage};
pub use viewer::{Follow, HEX_WIDTH, ViewContent, Viewer, ViewerPrompt};
pub use viewer_search::Search;

use super::side::Side;
use crate::fs::Location;

#[derive(Debug, Clone)]
pub enum Dialog {
    /// The key bindings in effect for one place.
    Help {
        scroll: usize,
        topic: crate::app::help::HelpTopic,
    },
    /// The command menu (F9); `selected` indexes `MENU`.
    Menu {
        selected: usize,
    },
    /// A one-line question.
    Input(InputDialog),
    /// Delete confirmation, with counts computed in the background.
    Delete(DeleteDialog),
    Viewer(Viewer),
    HostPicker(HostPicker),
    /// Edit a recent host of the picker.
    HostEdit(HostEditDialog),
    /// A connection in progress; Esc cancels it.
    Connecting {
        id: u64,
        host: String,
        stage: String,
        frame: usize,
    },
    /// A question from a connection (password, passphrase, host key...).
    Prompt(PromptDialog),
    /// Copy or move to the other pane (F5/F6).
    Copy(Box<CopyDialog>),
    /// A job's overwrite question.
    Overwrite(OverwriteDialog),
    /// Change the mode: octal field and rwx grid.
    Mode(ModeDialog),
    /// Change the owner and group.
    Owner(OwnerDialog),
    /// Create a symlink.
    Link(LinkDialog),
    /// Compare directories, or synchronize them (options, scan, preview).
    Sync(SyncDialog),
    /// Find files on the pane's host, and the results.
    Find(Box<FindDialog>),
    /// A job's failed items and events; `cursor` is on a failed item.
    JobDetails {
        job: crate::jobs::JobId,
        cursor: usize,
        scroll: usize,
    },
    /// The messages, the selected one whole; `back` counts from the newest.
    Messages {
        back: usize,
    },
    /// One log entry whole (Enter in the log panel); `back` counts from
    /// the newest entry the panel's filter shows.
    LogEntry {
        back: usize,
    },
    /// Quit with jobs unfinished?
    Quit(QuitDialog),
}

/// What an input dialog is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Purpose {
    Mkdir {
        side: Side,
    },
    /// Create an empty file.
    Touch {
        side: Side,
    },
    /// Rename or move `sources` (all in the pane's directory) within the host.
    Rename {
        side: Side,
        sources: Vec<Location>,
    },
    /// Go to a path; completions arrive in the background.
    GoTo {
        side: Side,
    },
    SelectGlob {
        side: Side,
    },
    UnselectGlob {
        side: Side,
    },
    /// The pane's incremental filter, drawn in the pane's footer.
    Filter {
        side: Side,
    },
    /// Name a bookmark for `target`.
    Bookmark {
        target: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputDialog {
    pub purpose: Purpose,
    pub input: LineInput,
    /// Completions for the text as of `token` (GoTo only).
    pub completions: Vec<String>,
    pub token: u64,
    /// An error to show under the field (e.g. a bad glob).
    pub error: Option<String>,
}

impl InputDialog {
    pub fn new(purpose: Purpose, text: &str) -> Self {
        InputDialog { purpose, input: LineInput::new(text), completions: Vec::new(), token: 0, error: None }
    }

    pub fn title(&self) -> String {
        match &self.purpose {
            Purpose::Mkdir { .. } => "Create directory".into(),
            Purpose::Touch { .. } => "Create empty file".into(),
            Purpose::Rename { sources, .. } if sources.len() == 1 => "Rename / move".into(),
            Purpose::Rename { sources, .. } => format!("Move {} entries to directory", sources.len()),
            Purpose::GoTo { .. } => "Go to path".into(),
            Purpose::SelectGlob { .. } => "Select (glob)".into(),
            Purpose::UnselectGlob { .. } => "Unselect (glob)".into(),
            Purpose::Filter { .. } => "Filter".into(),
            Purpose::Bookmark { .. } => "Bookmark name".into(),
        }
    }
}

/// What a delete will remove, or a copy will copy.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub files: u64,
    pub dirs: u64,
    pub bytes: u64,
    /// Symbolic links a copy recreates as links (a delete counts them
    /// among the files).
    pub links: u64,
    /// What a copy leaves out with a notice: special files, and when
    /// following links, dangling links and loops.
    pub skipped: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteDialog {
    pub side: Side,
    pub targets: Vec<Location>,
    pub token: u64,
    /// `None` while counting.
    pub counts: Option<Result<Counts, String>>,
}

#[derive(Debug, Clone)]
pub struct PromptDialog {
    pub question: Question,
    pub inputs: Vec<LineInput>,
    pub field: usize,
    pub reply: Reply,
}

/// The field `step` places from `current` among `fields`, wrapping around
/// (counted from the first when `current` is not among them): Tab and
/// Shift-Tab in the dialogs with several fields.
pub(crate) fn cycle<T: Copy + PartialEq>(fields: &[T], current: T, step: isize) -> T {
    let at = fields.iter().position(|f| *f == current).unwrap_or(0) as isize;
    let n = fields.len().max(1) as isize;
    fields.get((at + step).rem_euclid(n) as usize).copied().unwrap_or(current)
}
