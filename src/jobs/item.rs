//! One item of a job: a file or a directory, with its own state, so that a
//! failure, a question or a retry concerns that item only.

use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

use super::task::{Partial, Place};
use crate::fs::{Kind, Location};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ItemId(pub u32);

impl ItemId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ItemKind {
    File,
    Dir,
    /// A symbolic link copied as a link: recreated at the destination with
    /// the same target (`Item::link`), nothing read through it.
    Link,
}

impl ItemKind {
    /// Copied as one thing (a file's content or a link), not created as a
    /// directory that holds others.
    pub fn is_leaf(self) -> bool {
        self != ItemKind::Dir
    }
}

/// The stage an item failed in, which says where a retry starts again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    Scan,
    Resolve,
    Create,
    Transfer,
    Delete,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ItemState {
    /// A source not yet walked (its kind and contents are unknown).
    Unscanned,
    Scanning,
    /// Known; waits for its destination directory's listing.
    Unresolved,
    /// Exists at the destination; waits for the user's answer.
    Asking,
    /// May be created (directory) or transferred (file).
    Ready,
    Creating,
    /// Sent, checked (when verification is on) and placed by one task.
    Transferring,
    /// Copy confirmed (and verified); a move still has to delete the source.
    Confirmed,
    Deleting,
    Done,
    Skipped(String),
    Failed {
        stage: Stage,
        reason: String,
    },
    /// Cancelled; a retry resumes at the stage.
    Cancelled(Stage),
}

impl ItemState {
    /// The copy is at its destination: transferred (a move may still have
    /// its source to delete, or have been stopped before deleting it).
    pub fn is_copied(&self) -> bool {
        matches!(
            self,
            ItemState::Confirmed
                | ItemState::Deleting
                | ItemState::Done
                | ItemState::Cancelled(Stage::Delete)
                | ItemState::Failed { stage: Stage::Delete, .. }
        )
    }

    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            ItemState::Done | ItemState::Skipped(_) | ItemState::Failed { .. } | ItemState::Cancelled(_)
        )
    }

    pub fn is_busy(&self) -> bool {
        matches!(
            self,
            ItemState::Scanning | ItemState::Creating | ItemState::Transferring | ItemState::Deleting
        )
    }

    pub fn failed(stage: Stage, reason: impl Into<String>) -> Self {
        ItemState::Failed { stage, reason: reason.into() }
    }
}

impl Stage {
    /// Where an item failed or cancelled at this stage starts again.
    pub fn resume(self) -> ItemState {
        match self {
            Stage::Scan => ItemState::Unscanned,
            Stage::Resolve => ItemState::Unresolved,
            Stage::Create | Stage::Transfer => ItemState::Ready,
            Stage::Delete => ItemState::Confirmed,
        }
    }
}

/// What exists at an item's destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DestInfo {
    pub kind: Kind,
    pub size: u64,
    /// Seconds since the epoch.
    pub mtime: Option<i64>,
    /// The name is a symbolic link (`kind` is what it points to): a link
    /// copied as a link may replace it, even when it points to a directory.
    pub link: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Item {
    /// Path relative to the directory holding the selected source, e.g.
    /// `photos/2024/a.jpg`: what the jobs and log panes show.
    pub rel: PathBuf,
    pub source: Location,
    /// Known once the target is resolved (may get a new name: keep both).
    pub dest: Option<Location>,
    pub kind: ItemKind,
    pub size: u64,
    pub mode: u32,
    pub mtime: Option<i64>,
    /// A link's target, exactly as the link holds it (`ItemKind::Link`).
    pub link: Option<PathBuf>,
    /// The directory item this one is in, if it belongs to a scanned tree.
    pub parent: Option<ItemId>,
    pub state: ItemState,
    /// Bytes transferred in the current attempt.
    pub bytes: u64,
    /// The most of the file any attempt sent: what the progress counts as
    /// done, so that it never goes back (a pause, a cancel, a retry).
    pub sent: u64,
    /// What the destination held when it was listed.
    pub existing: Option<DestInfo>,
    /// How the copy takes its destination's name.
    pub place: Place,
    /// Another item of the job bound for the same destination, which goes
    /// first (scp's "the last one wins").
    pub after: Option<ItemId>,
    /// Tasks of this item stopped by a dropped connection so far.
    pub drops: u32,
    /// A partial copy kept for a resume.
    pub partial: Option<Partial>,
    /// Bytes that were there before this run moved any (a resumed file's
    /// offset, a restored job's finished files): done, but not counted
    /// towards the rate.
    pub base: u64,
    /// Where the file continued from its partial copy in this run.
    pub resumed_at: Option<u64>,
}

impl Item {
    /// A selected source, before it is scanned.
    pub fn source(source: Location) -> Self {
        let rel = source.path().file_name().map(PathBuf::from).unwrap_or_else(|| source.path().to_path_buf());
        Self {
            rel,
            source,
            dest: None,
            kind: ItemKind::File,
            size: 0,
            mode: 0o644,
            mtime: None,
            link: None,
            parent: None,
            state: ItemState::Unscanned,
            bytes: 0,
            sent: 0,
            existing: None,
            place: Place::Replace,
            after: None,
            drops: 0,
            partial: None,
            base: 0,
            resumed_at: None,
        }
    }

    /// The path shown to the user, escaped.
    pub fn shown(&self) -> String {
        crate::text::escape_bytes(self.rel.as_os_str().as_bytes())
    }
}

/// One entry found by walking a source, relative to the walked root (the
/// root itself has an empty `rel`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanEntry {
    pub rel: PathBuf,
    pub kind: ItemKind,
    pub size: u64,
    pub mode: u32,
    pub mtime: Option<i64>,
    /// A link's target (`ItemKind::Link`).
    pub link: Option<PathBuf>,
}

/// Something under a walked root that cannot be copied (unreadable
/// directory, device file...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanError {
    pub rel: PathBuf,
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scan {
    pub entries: Vec<ScanEntry>,
    pub errors: Vec<ScanError>,
    /// What is left out on purpose, with a notice rather than a failure:
    /// special files (a fifo, a socket, a device), dangling links and link
    /// loops when links are followed.
    pub skipped: Vec<ScanError>,
}
