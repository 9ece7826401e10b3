//! Messages: everything that can change the state arrives as one of these.

use std::path::PathBuf;

use crossterm::event::{Event, KeyEvent, KeyEventKind, MouseEvent};

use super::dialog::{Counts, Question, Reply, ViewContent};
use super::messages::Note;
use super::side::Side;
use super::work_error::WorkError;
use crate::fs::{Entry, Location};

/// What a finished file operation was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    Mkdir(Location),
    Rename {
        sources: Vec<Location>,
        target: Location,
    },
    Delete(Vec<Location>),
    Edit(Location),
    Chmod(Vec<Location>),
    Chown(Vec<Location>),
    /// The link created.
    Symlink(Location),
    Touch(Location),
}

/// Input, results of background work, and signals.
#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize {
        width: u16,
        height: u16,
    },
    /// A directory listing finished. `generation` tells whether the pane still wants it.
    Listed {
        side: Side,
        generation: u64,
        result: Result<Vec<Entry>, WorkError>,
    },
    /// A watched local directory changed.
    DirChanged {
        side: Side,
        dir: PathBuf,
    },
    FreeSpace {
        side: Side,
        location: Location,
        result: Result<u64, WorkError>,
    },
    DirSize {
        side: Side,
        location: Location,
        result: Result<u64, WorkError>,
    },
    Counted {
        token: u64,
        result: Result<Counts, WorkError>,
    },
    /// The permission bits of what a symlink points at (`None`: it dangles).
    ModeOf {
        token: u64,
        result: Result<Option<u32>, WorkError>,
    },
    /// A file operation finished; `Ok` carries a note for the status line.
    Done {
        op: Op,
        result: Result<String, WorkError>,
    },
    Completed {
        token: u64,
        result: Vec<String>,
    },
    /// Two trees compared (`Effect::Scan`).
    Scanned {
        token: u64,
        result: Result<Vec<crate::sync::Difference>, WorkError>,
    },
    Viewed {
        token: u64,
        result: Result<ViewContent, WorkError>,
    },
    /// The kind of the copy dialog's typed target (`None`: nothing there).
    TargetProbed {
        token: u64,
        result: Result<Option<crate::fs::Kind>, WorkError>,
    },
    /// A copy's target directory was created (or not): the job goes on.
    TargetCreated {
        side: Side,
        spec: Box<crate::jobs::JobSpec>,
        result: Result<(), WorkError>,
    },
    /// A follow poll (`Effect::Follow`): the bytes read and the size.
    Followed {
        token: u64,
        generation: u64,
        result: Result<(Vec<u8>, u64), WorkError>,
    },
    SshHosts {
        token: u64,
        /// `(alias, file:line)`.
        hosts: Vec<(String, String)>,
    },
    /// `(host, user@host:port)` for the hosts that could be resolved.
    HostAddresses {
        token: u64,
        addresses: Vec<(String, String)>,
    },
    /// A connection reached a new stage (resolving, authenticating...).
    ConnectStage {
        id: u64,
        stage: String,
    },
    /// A connection asks something; answer through `reply`.
    Prompt {
        question: Question,
        reply: Reply,
    },
    /// What the probe of a host just opened found that the interface acts
    /// on: its login shell prints text on standard output before every
    /// command, which breaks the host's part in a direct copy (scp on
    /// another host logging in to it).
    HostProbed {
        host: String,
        talkative: bool,
    },
    /// The rung of the protocol ladder files travel by to a host just
    /// opened (shown in its panes' titles when it is not SCP).
    HostRung {
        host: String,
        protocol: crate::fs::remote::Protocol,
    },
    /// A connection is up (`Ok` carries the remote home) or failed.
    Connected {
        id: u64,
        result: Result<PathBuf, WorkError>,
    },
    /// A remote file was downloaded for editing (or could not be).
    EditFetched {
        location: Location,
        editor: String,
        result: Result<PathBuf, WorkError>,
    },
    /// Results of the search `token`, as they arrived.
    Found {
        token: u64,
        batch: Vec<crate::fs::Found>,
    },
    /// The search `token` ended (`Ok`: the tool, and its warnings).
    FindEnded {
        token: u64,
        result: Result<crate::fs::FindEnd, WorkError>,
    },
    /// Something to tell the user from the background (a server's login
    /// banner, a reconnect, bookmarks that could not be saved...): shown
    /// and logged like the app's own messages.
    Report(Note),
    /// A message of the app's, as written to the log file (with its time).
    Logged(crate::eventlog::Event),
    /// The spinner timer.
    Tick,
    /// The scheduler published a new state of the queue.
    Jobs(std::sync::Arc<crate::jobs::QueueView>),
    /// Log events from the other layers (transfers, connections, remote
    /// errors).
    Log(Vec<crate::eventlog::Event>),
    /// SIGTERM, SIGHUP or SIGINT: leave cleanly.
    Terminate,
}

impl Msg {
    /// The message for a terminal event, if it matters to us.
    pub fn from_event(event: Event) -> Option<Msg> {
        match event {
            Event::Key(key) if key.kind != KeyEventKind::Release => Some(Msg::Key(key)),
            Event::Mouse(mouse) => Some(Msg::Mouse(mouse)),
            Event::Resize(width, height) => Some(Msg::Resize { width, height }),
            _ => None,
        }
    }
}
