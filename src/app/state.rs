//! The whole application state. Only `update` changes it; `ui::render` reads it.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;

use jiff::tz::TimeZone;

use super::dialog::Dialog;
use super::jobs::JobsUi;
use super::messages::{Messages, Note, Status, Subject};
use super::pane::Pane;
use super::side::Side;
use super::sort::Sort;
use crate::config::{Bookmark, Config, Keymap, Recent, Settings, Theme};
use crate::fs::Location;

/// A connection being opened for a pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connecting {
    pub id: u64,
    pub side: Side,
    pub host: String,
    /// Where to go once connected; `None`: the remote home.
    pub path: Option<PathBuf>,
    /// Typed by hand (not picked from ssh_config or the recent list).
    pub typed: bool,
}

#[derive(Debug, Clone)]
pub struct State {
    pub panes: [Pane; 2],
    pub focus: Side,
    /// Terminal size in cells.
    pub size: (u16, u16),
    /// Time zone for showing modification times.
    pub tz: TimeZone,
    pub settings: Settings,
    pub keymap: Keymap,
    pub theme: Theme,
    /// Where bookmarks and recent connections are saved (`None`: nowhere).
    pub config_dir: Option<PathBuf>,
    /// The local home directory (`~` in go-to).
    pub home: PathBuf,
    pub bookmarks: Vec<Bookmark>,
    pub recent: Recent,
    /// Where the last directory visited on each host is kept (`None`: nowhere).
    pub state_dir: Option<PathBuf>,
    /// The last directory visited on each host, by host as named.
    pub recent_dirs: BTreeMap<String, PathBuf>,
    /// The last local directory a pane showed (where "this machine",
    /// `local:` and disconnecting go back to).
    pub last_local: Option<PathBuf>,
    /// Open dialogs; the last one is on top and gets the keys.
    pub dialogs: Vec<Dialog>,
    /// The latest message, in the status line.
    pub status: Option<Status>,
    /// Messages to log, and the history of those logged.
    pub messages: Messages,
    /// Entering or leaving a directory does the same in the other pane.
    pub sync_browsing: bool,
    /// Hosts with an open connection, and their remote home directories.
    pub connected: HashMap<String, PathBuf>,
    /// Hosts whose login shell prints text on standard output (probed when
    /// opened): no direct copy goes to them.
    pub talkative: HashSet<String>,
    /// Hosts not on the SCP rung of the protocol ladder, and their rung
    /// (shown in the pane title).
    pub rungs: HashMap<String, crate::fs::remote::Protocol>,
    pub connecting: Option<Connecting>,
    /// Source of tokens and connection ids.
    pub next_token: u64,
    /// Transfers: the queue as last published, the bottom panel, the log.
    pub jobs: JobsUi,
    /// Set when the screen must be redrawn; cleared by the runtime after drawing.
    pub needs_render: bool,
    pub quit: bool,
    /// The user chose to quit once every job has ended.
    pub quit_when_done: bool,
}

impl State {
    /// Both panes local, with the default configuration.
    pub fn new(left: PathBuf, right: PathBuf, tz: TimeZone) -> Self {
        Self::with_config(Location::Local(left), Location::Local(right), tz, Config::default())
    }

    pub fn with_config(left: Location, right: Location, tz: TimeZone, config: Config) -> Self {
        let sort = Sort {
            key: config.settings.sort,
            reverse: config.settings.sort_reverse,
            natural: config.settings.natural_sort,
        };
        let make_pane = |location| {
            let mut pane = Pane::new(location);
            pane.sort = sort;
            pane.show_hidden = config.settings.show_hidden;
            pane
        };
        let mut state = Self {
            panes: [make_pane(left), make_pane(right)],
            focus: Side::Left,
            size: (80, 24),
            tz,
            settings: config.settings,
            keymap: config.keymap,
            theme: config.theme,
            config_dir: config.dir,
            home: std::path::PathBuf::from("/"),
            bookmarks: config.bookmarks,
            recent: config.recent,
            state_dir: None,
            recent_dirs: BTreeMap::new(),
            last_local: None,
            dialogs: Vec::new(),
            status: None,
            messages: Messages::default(),
            sync_browsing: false,
            connected: HashMap::new(),
            talkative: HashSet::new(),
            rungs: HashMap::new(),
            connecting: None,
            next_token: 0,
            jobs: JobsUi::default(),
            needs_render: true,
            quit: false,
            quit_when_done: false,
        };
        // Each problem is logged; the status line shows the first.
        for problem in &config.problems {
            state.messages.post(Note::error(&problem.to_string()));
        }
        if let Some(first) = config.problems.first() {
            let more = match config.problems.len() {
                1 => String::new(),
                n => format!(" (and {} more problems: alt-h shows them)", n - 1),
            };
            state.status = Some(Status::of(&Note::error(&format!("{first}{more}"))));
        }
        state
    }

    /// Whether `host` (with the root mark or without) is set to be used
    /// as root through sudo (config.toml's `[hosts."ALIAS"] sudo`, or
    /// toggled since).
    pub fn wants_root(&self, host: &str) -> bool {
        self.settings.hosts.get(crate::ssh::plain_host(host)).is_some_and(|h| h.sudo)
    }

    pub fn pane(&self, side: Side) -> &Pane {
        &self.panes[side.index()]
    }

    pub fn pane_mut(&mut self, side: Side) -> &mut Pane {
        &mut self.panes[side.index()]
    }

    pub fn focused(&self) -> &Pane {
        self.pane(self.focus)
    }

    pub fn focused_mut(&mut self) -> &mut Pane {
        self.pane_mut(self.focus)
    }

    pub fn token(&mut self) -> u64 {
        self.next_token += 1;
        self.next_token
    }

    /// Shows `note` in the status line and logs it.
    pub fn report(&mut self, note: Note) {
        self.status = Some(Status::of(&note));
        self.messages.post(note);
        self.needs_render = true;
    }

    /// Like [`State::report`], for a message that goes when `about` does.
    pub fn report_about(&mut self, note: Note, about: Subject) {
        self.report(note);
        if let Some(status) = &mut self.status {
            status.about = Some(about);
        }
    }

    /// A notice: something done, something to know.
    pub fn info(&mut self, text: impl AsRef<str>) {
        self.report(Note::info(text.as_ref()));
    }

    pub fn warn(&mut self, text: impl AsRef<str>) {
        self.report(Note::warn(text.as_ref()));
    }

    pub fn error(&mut self, text: impl AsRef<str>) {
        self.report(Note::error(text.as_ref()));
    }

    /// An echo of what a key did (logged at debug only).
    pub fn hint(&mut self, text: impl AsRef<str>) {
        self.report(Note::debug(text.as_ref()));
    }

    /// Why some work failed, about `host` (`None`: this machine).
    pub fn failed(&mut self, host: Option<&str>, error: &super::WorkError) {
        self.report(Note::error(&error.logged()).on(host));
    }

    /// The last local directory a pane showed, else the home.
    pub fn last_local_dir(&self) -> PathBuf {
        self.last_local.clone().unwrap_or_else(|| self.home.clone())
    }

    /// The editor command for F4: the setting, $VISUAL, $EDITOR, then vi.
    /// The environment is read once at start-up into `settings.editor`.
    pub fn editor(&self) -> String {
        if self.settings.editor.trim().is_empty() { "vi".to_owned() } else { self.settings.editor.clone() }
    }
}
