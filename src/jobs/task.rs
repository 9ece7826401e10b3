//! Work the reducer hands to workers, and what workers report back. Workers
//! never touch job state: every effect of their work arrives as an
//! [`Update`] at the single reducer ([`super::Queue`]).

use std::ffi::OsString;
use std::fmt;
use std::path::PathBuf;

use super::item::{DestInfo, ItemId, Scan};
use super::spec::JobId;
use crate::fs::Location;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaskId(pub u64);

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "task {}", self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    pub id: TaskId,
    pub job: JobId,
    pub work: Work,
}

/// How a file that arrived complete (and verified, when asked) takes its
/// destination's name. Decided when the destination is listed, carried out
/// by the worker in one step that nothing else can come between.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Place {
    /// Replace whatever is there, atomically (rename over it).
    #[default]
    Replace,
    /// Only while the name is free; when something took it meanwhile, the
    /// item is skipped and the copy discarded ("skip" decided at placement).
    NoReplace,
    /// Keep both: the first free name among `dest` and `name (N).ext` for N
    /// from `from` on (0 is `dest` itself).
    KeepBoth { from: u32 },
    /// Write into the existing destination as scp does (a device, a named
    /// pipe): no temporary file, nothing renamed.
    Into,
}

/// A copy that stopped before it was complete and was kept to be
/// resumed: its temporary file on the destination's side, and what the
/// source was when the copy began (a source changed since then is copied
/// from its start again).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Partial {
    /// The temporary file, on the destination's host (or this machine).
    pub temp: PathBuf,
    /// The source's size and modification time (seconds) when the copy began.
    pub size: u64,
    pub mtime: Option<i64>,
}

/// One file of a transfer batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchItem {
    pub item: ItemId,
    pub source: Location,
    /// The final name; the engine writes a temporary name and renames.
    pub dest: Location,
    pub size: u64,
    pub mode: u32,
    pub mtime: Option<i64>,
    pub place: Place,
    /// The destination was an existing regular file when listed: only such
    /// a file may be rewritten in place when no temporary copy is possible.
    pub replaces: bool,
    /// A partial copy left by an earlier attempt: continued where it
    /// stopped when it still matches the source, else started over.
    pub resume: Option<Partial>,
    /// Skip the file when the destination already has the source's
    /// content (equal sha256), found out before anything is sent: `cp
    /// --resume --verify` on a destination of the same size.
    pub skip_if_equal: bool,
}

/// What became of a file of a transfer, mkdir, delete or rmdir that
/// succeeded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Done,
    /// Placed under another name than asked (keep both).
    PlacedAs(Location),
    /// Not placed: the name was taken when the file was ready
    /// ([`Place::NoReplace`]); the copy was discarded.
    Skipped(String),
}

/// Files sent over one session and one channel: a large selection is cut
/// into several batches so that several sessions carry it in parallel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    pub items: Vec<BatchItem>,
    pub preserve: bool,
    /// Remote to remote: scp runs on the source host towards the destination.
    pub direct: bool,
    /// Compare sha256 of each source and its temporary copy before the copy
    /// is placed: a mismatch leaves the destination untouched.
    pub verify: bool,
}

impl Batch {
    /// From one remote host to the same host: the host copies by itself.
    pub fn within_one_host(&self) -> bool {
        self.items.first().is_some_and(|i| i.source.host().is_some() && i.source.host() == i.dest.host())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Work {
    /// Walk these sources (on the source side): `Update::Scanned` per root.
    /// With `follow`, symbolic links are followed at every depth (`cp -L`);
    /// otherwise every link, a selected one too, is copied as a link.
    Scan { roots: Vec<(ItemId, Location)>, follow: bool },
    /// Look at these destination directories: `Update::Probed` per
    /// directory. `names[k]` are the names in `dirs[k]` the job needs to
    /// know about: where a listing costs a command (a host), only those
    /// are looked up, whatever else the directory holds, unless `whole`
    /// (`cp --resume`, which also names the temporary files a crash left
    /// there).
    Probe { dirs: Vec<Location>, names: Vec<Vec<OsString>>, whole: bool },
    /// Create these destination directories, parents first: `ItemDone` each.
    MakeDirs { dirs: Vec<(ItemId, Location, u32)> },
    /// `Started`, `Progress`, `ItemDone` per file.
    Transfer(Batch),
    /// Delete moved source files: `ItemDone` each.
    Delete { files: Vec<(ItemId, Location)> },
    /// Remove moved (now empty) source directories, deepest first.
    RemoveDirs { dirs: Vec<(ItemId, Location)> },
    /// Remove the partial copies of cancelled or cleared items (on the
    /// destination's side): `ItemDone` each.
    Discard { files: Vec<(ItemId, Location)> },
    /// Recreate symbolic links at the destination with the same targets:
    /// `ItemDone` each.
    MakeLinks { links: Vec<LinkItem> },
    /// Set copied directories' modification times (with "preserve"), once
    /// everything in them is written: deepest first. Failures are logged
    /// as warnings; no item changes.
    DirTimes { dirs: Vec<(Location, i64)> },
}

/// A symbolic link to recreate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkItem {
    pub item: ItemId,
    pub dest: Location,
    /// The target, exactly as the source link holds it.
    pub target: PathBuf,
    pub place: Place,
}

impl Work {
    pub fn name(&self) -> &'static str {
        match self {
            Work::Scan { .. } => "scan",
            Work::Probe { .. } => "probe",
            Work::MakeDirs { .. } => "mkdir",
            Work::Transfer(_) => "transfer",
            Work::Delete { .. } => "delete",
            Work::RemoveDirs { .. } => "rmdir",
            Work::Discard { .. } => "discard",
            Work::MakeLinks { .. } => "link",
            Work::DirTimes { .. } => "dirtimes",
        }
    }
}

/// What a destination directory turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DirProbe {
    /// A directory with these entries.
    Listing(Vec<(OsString, DestInfo)>),
    /// A directory in which the names `looked` were looked up: `found`
    /// are those of them that exist (nothing is known of other names).
    Named {
        looked: Vec<OsString>,
        found: Vec<(OsString, DestInfo)>,
    },
    Missing,
    /// Exists but is not a directory.
    NotADir(DestInfo),
    Error(String),
}

pub type Digest = [u8; 32];

/// The verdict on a copy: its sha256 and the source's.
pub(super) fn compare_digests(source: &Digest, copy: &Digest) -> Result<(), String> {
    if source == copy {
        return Ok(());
    }
    let hex = |d: &Digest| d.iter().map(|b| format!("{b:02x}")).collect::<String>();
    Err(format!(
        "checksum mismatch (source sha256 {}, copy {}): the copy was discarded and the destination left as it was",
        hex(source),
        hex(copy)
    ))
}

/// The verdict on a copy from the two sha256 computations, either of
/// which may have failed.
pub(super) fn verdict<E: fmt::Display, F: fmt::Display>(
    source: Result<Digest, E>,
    copy: Result<Digest, F>,
) -> Result<(), String> {
    match (source, copy) {
        (Ok(a), Ok(b)) => compare_digests(&a, &b),
        (Err(e), _) => Err(format!("cannot checksum the source: {e}")),
        (_, Err(e)) => Err(format!("cannot checksum the copy: {e}")),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Update {
    /// The task has its connection(s) and is working.
    Connected {
        task: TaskId,
    },
    Scanned {
        task: TaskId,
        item: ItemId,
        result: Result<Scan, String>,
    },
    Probed {
        task: TaskId,
        dir: Location,
        probe: DirProbe,
    },
    /// A file of a transfer started.
    Started {
        task: TaskId,
        item: ItemId,
    },
    /// A file's partial copy: kept at this temporary file, or (`None`)
    /// removed, so that nothing is left to resume.
    Partial {
        task: TaskId,
        item: ItemId,
        partial: Option<Partial>,
    },
    /// A file continues from its partial copy at `offset` bytes.
    Resumed {
        task: TaskId,
        item: ItemId,
        offset: u64,
    },
    /// Bytes of a file done so far (for a resumed file, from its start).
    Progress {
        task: TaskId,
        item: ItemId,
        bytes: u64,
    },
    /// An item of a transfer, mkdir, delete or rmdir finished.
    ItemDone {
        task: TaskId,
        item: ItemId,
        result: Result<Outcome, String>,
    },
    /// The item's failure (reported with it) is a permission denied.
    Denied {
        task: TaskId,
        item: ItemId,
    },
    /// The task ended; items it did not report on take `result`'s reason.
    Finished {
        task: TaskId,
        result: Result<(), TaskError>,
    },
}

impl Update {
    pub fn task(&self) -> TaskId {
        match self {
            Update::Connected { task }
            | Update::Scanned { task, .. }
            | Update::Probed { task, .. }
            | Update::Started { task, .. }
            | Update::Partial { task, .. }
            | Update::Resumed { task, .. }
            | Update::Progress { task, .. }
            | Update::ItemDone { task, .. }
            | Update::Denied { task, .. }
            | Update::Finished { task, .. } => *task,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TaskError {
    /// Stopped by cancel or pause; the destination is unchanged.
    #[error("interrupted")]
    Interrupted,
    /// No connection could be made (after the pool's own retries); the
    /// message says why. The task's items fail with it.
    #[error("{0}")]
    Connection(String),
    /// The connection dropped while the task ran. Its unfinished items go
    /// back in line for another connection (a bounded number of times).
    #[error("{0}")]
    Dropped(String),
    #[error("{0}")]
    Failed(String),
}
