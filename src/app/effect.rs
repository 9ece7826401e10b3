//! Effects: work that `update` asks for and the runtime carries out off the
//! UI thread. Each result comes back as a [`super::Msg`] carrying the tag
//! (side and generation, or token) it was asked with.

use std::ffi::OsString;
use std::path::PathBuf;

use super::dialog::{PromptAnswer, Reply};
use super::side::Side;
use crate::config::Bookmark;
use crate::fs::Location;

#[derive(Debug, Clone)]
pub enum Effect {
    /// List a directory for a pane: `Msg::Listed` with the same generation.
    List {
        side: Side,
        generation: u64,
        location: Location,
    },
    /// Watch a local directory for a pane (`None`: stop): `Msg::DirChanged`.
    Watch {
        side: Side,
        dir: Option<PathBuf>,
    },
    /// Free space of the file system holding `location`: `Msg::FreeSpace`.
    FreeSpace {
        side: Side,
        location: Location,
    },
    /// Total size of a directory tree: `Msg::DirSize`.
    DirSize {
        side: Side,
        location: Location,
    },
    /// Count what deleting `targets` removes: `Msg::Counted`.
    Count {
        token: u64,
        targets: Vec<Location>,
    },
    /// Count what copying `targets` copies, links followed or not, as the
    /// copy will walk them: `Msg::Counted`.
    CountCopy {
        token: u64,
        targets: Vec<Location>,
        follow: bool,
    },
    Mkdir {
        location: Location,
    },
    /// Rename one entry, or move entries into the directory `target`.
    Rename {
        sources: Vec<Location>,
        target: Location,
    },
    Delete {
        targets: Vec<Location>,
    },
    /// Set the permission bits of `targets` (whole trees with `recursive`).
    Chmod {
        targets: Vec<Location>,
        mode: u32,
        recursive: bool,
    },
    /// Set the owner and/or the group of `targets` (names or numbers).
    Chown {
        targets: Vec<Location>,
        owner: Option<String>,
        group: Option<String>,
        recursive: bool,
    },
    /// Create the symlink `link` pointing at `target`, kept as typed.
    Symlink {
        target: OsString,
        link: Location,
    },
    /// Create an empty file; nothing may be there.
    Touch {
        location: Location,
    },
    /// The mode of what a symlink points at: `Msg::ModeOf`.
    ModeOf {
        token: u64,
        location: Location,
    },
    /// Names of the directories in `dir` that start with `prefix`: `Msg::Completed`.
    Complete {
        token: u64,
        dir: Location,
        prefix: String,
    },
    /// Read at most `limit` bytes of a file: `Msg::Viewed`.
    View {
        token: u64,
        location: Location,
        limit: u64,
    },
    /// Follow a viewed file as it grows: after `delay`, at most `limit`
    /// bytes from `offset` and the file's size: `Msg::Followed`.
    Follow {
        token: u64,
        generation: u64,
        location: Location,
        offset: u64,
        limit: u64,
        delay: std::time::Duration,
    },
    /// Edit a file with `editor`. A local file is edited in place. A remote
    /// one is first fetched into a private local `copy` (`Msg::EditFetched`);
    /// with the copy, the terminal goes to the editor and the copy is
    /// uploaded back only when it changed (`Msg::Done`).
    Edit {
        location: Location,
        editor: String,
        copy: Option<PathBuf>,
    },
    /// Host aliases from ~/.ssh/config: `Msg::SshHosts`.
    LoadSshHosts {
        token: u64,
    },
    /// The `user@host:port` each host (`[user@]host[:port]`, an alias)
    /// resolves to: `Msg::HostAddresses`.
    ResolveHosts {
        token: u64,
        hosts: Vec<String>,
    },
    SaveBookmarks {
        dir: PathBuf,
        bookmarks: Vec<Bookmark>,
    },
    SaveRecent {
        dir: PathBuf,
        recent: crate::config::Recent,
    },
    /// Save the last directory visited on each host (in the state dir).
    SaveRecentDirs {
        dir: PathBuf,
        dirs: std::collections::BTreeMap<String, PathBuf>,
    },
    /// Close the host's browsing connection and its idle transfer
    /// connections; transfers running keep theirs until they end.
    Disconnect {
        host: String,
    },
    /// Open a connection: `Msg::ConnectStage`, `Msg::Prompt`, `Msg::Connected`.
    Connect {
        id: u64,
        host: String,
    },
    CancelConnect {
        id: u64,
    },
    /// Answer a connection's question.
    Answer {
        reply: Reply,
        answer: PromptAnswer,
    },
    /// Start (or stop) the timer that animates the connecting spinner.
    Ticks {
        on: bool,
    },
    /// Read both trees (hash with the checksum criterion) and compare
    /// them: `Msg::Scanned`. `progress` counts and cancels.
    Scan {
        token: u64,
        left: Location,
        right: Location,
        options: crate::sync::SyncOptions,
        progress: std::sync::Arc<crate::sync::Progress>,
    },
    /// Search under `location` on its host: `Msg::Found` as results come,
    /// then `Msg::FindEnded`, all with `token`.
    Find {
        token: u64,
        location: Location,
        query: crate::fs::FindQuery,
    },
    /// Stop the search `token` (and its command on the host).
    CancelFind {
        token: u64,
    },
    /// Queue a copy or move job.
    Submit(crate::jobs::JobSpec),
    /// What the copy dialog's typed target is: `Msg::TargetProbed`.
    ProbeTarget {
        token: u64,
        location: Location,
    },
    /// Create a copy's target directory (with its parents), then queue the
    /// job: `Msg::TargetCreated`.
    CreateTarget {
        side: Side,
        location: Location,
        spec: Box<crate::jobs::JobSpec>,
    },
    /// Pause, resume, cancel, retry, reorder jobs, answer a question.
    Jobs(crate::jobs::Control),
}
