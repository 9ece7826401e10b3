//! One pane: where it is, what it lists, what is visible in which order,
//! where the cursor is. The visible order is an index vector built when the
//! listing, sort, filter or hidden setting changes, never per frame.

use std::collections::{HashMap, HashSet};
use std::ffi::{OsStr, OsString};

use super::filter::retain_matching;
use super::history::{History, Nav};
use super::sort::{Sort, sort_indices};
use crate::app::WorkError;
use crate::fs::{Entry, Location};

/// What a pane knows of the free space of the file system it shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FreeSpace {
    /// Asked for (the pane moved), no answer yet.
    Asked,
    /// Bytes available.
    Known(u64),
    /// The read failed (`df` on the host, `statvfs` here): why, escaped.
    Unknown(String),
}

/// A listing the pane asked for and has not received yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub generation: u64,
    pub location: Location,
    /// Put the cursor on this name when the listing arrives.
    pub focus: Option<OsString>,
    pub nav: Nav,
    /// The watcher saw a change meanwhile, perhaps after the directory was
    /// read: list it again once this arrives.
    pub changed: bool,
    /// Where to go instead when this cannot be listed (a remote pane's
    /// start path that does not exist: the host's home).
    pub fallback: Option<Location>,
}

/// What a listing result did to the pane.
#[derive(Debug)]
pub enum Received {
    /// For a request the pane no longer waits for: dropped.
    Stale,
    /// Not listed: the pane stays where it was, unless the request had a
    /// place to go instead.
    Failed { location: Location, error: Box<WorkError>, fallback: Option<Location> },
    /// Shown; `moved` when the pane changed directory, `changed` when it
    /// changed while being listed (see `Pending::changed`).
    Shown { moved: bool, changed: bool },
}

#[derive(Debug, Clone)]
pub struct Pane {
    pub location: Location,
    /// Entries as listed.
    pub entries: Vec<Entry>,
    /// All entries in sort order, as indices into `entries`.
    order: Vec<usize>,
    /// Visible entries (hidden files and the filter applied) in display order.
    view: Vec<usize>,
    /// Per entry: selected or not.
    selected: Vec<bool>,
    pub selected_count: usize,
    pub selected_bytes: u64,
    /// Cursor position within the visible entries.
    pub cursor: usize,
    /// First visible row.
    pub offset: usize,
    /// Number of entry rows visible; set from the terminal size.
    pub rows: usize,
    pub pending: Option<Pending>,
    /// Last listing error for this pane, shown until the next success.
    pub error: Option<String>,
    /// Generation counter: results tagged with an older one are stale.
    pub generation: u64,
    pub sort: Sort,
    pub show_hidden: bool,
    /// The active fuzzy filter (empty: none).
    pub filter: String,
    /// Directory sizes computed on request, by name.
    pub dir_sizes: HashMap<OsString, u64>,
    /// Free space of the file system shown.
    pub free_space: FreeSpace,
    pub history: History,
    /// A listing has been shown at least once.
    pub loaded: bool,
    /// The last comparison with the other pane (until the pane moves).
    pub compare: Option<super::compare::CompareMarks>,
    /// The `..` row at the top (every directory but the root, once
    /// listed): it goes up, and is never selected, copied or counted.
    up: Option<Entry>,
}

/// The `..` row: a directory entry with nothing else known.
fn up_entry() -> Entry {
    Entry {
        name: OsString::from(".."),
        kind: crate::fs::Kind::Dir,
        size: 0,
        mode: 0o755,
        mtime: crate::fs::Mtime { secs: 0, nanos: 0 },
        owner: String::new(),
        group: String::new(),
        link: None,
    }
}

impl Pane {
    pub fn new(location: Location) -> Self {
        Self {
            location,
            entries: Vec::new(),
            order: Vec::new(),
            view: Vec::new(),
            selected: Vec::new(),
            selected_count: 0,
            selected_bytes: 0,
            cursor: 0,
            offset: 0,
            rows: 1,
            pending: None,
            error: None,
            generation: 0,
            sort: Sort::default(),
            show_hidden: false,
            filter: String::new(),
            dir_sizes: HashMap::new(),
            free_space: FreeSpace::Asked,
            history: History::default(),
            loaded: false,
            compare: None,
            up: None,
        }
    }

    /// Number of rows: the visible entries and the `..` row.
    pub fn len(&self) -> usize {
        self.view.len() + self.up_rows()
    }

    /// No visible entry (the `..` row does not count).
    pub fn is_empty(&self) -> bool {
        self.view.is_empty()
    }

    /// Number of visible entries, without the `..` row.
    pub fn shown(&self) -> usize {
        self.view.len()
    }

    /// 1 when the pane has a `..` row, else 0.
    pub fn up_rows(&self) -> usize {
        usize::from(self.up.is_some())
    }

    /// Whether `row` is the `..` row.
    pub fn is_up_row(&self, row: usize) -> bool {
        self.up.is_some() && row == 0
    }

    /// Whether the cursor is on the `..` row.
    pub fn on_up_row(&self) -> bool {
        self.is_up_row(self.cursor)
    }

    /// The row at `row` (0 = the first row: `..` when there is one) and
    /// whether it is selected.
    pub fn row(&self, row: usize) -> Option<(&Entry, bool)> {
        if let Some(up) = self.up.as_ref().filter(|_| row == 0) {
            return Some((up, false));
        }
        self.entry_index(row).map(|i| (&self.entries[i], self.selected[i]))
    }

    /// Index in `entries` of the entry at `row`, not for the `..` row.
    fn entry_index(&self, row: usize) -> Option<usize> {
        row.checked_sub(self.up_rows()).and_then(|r| self.view.get(r).copied())
    }

    /// The entry under the cursor; `None` on the `..` row.
    pub fn current(&self) -> Option<&Entry> {
        self.entry_index(self.cursor).map(|i| &self.entries[i])
    }

    /// Starts loading `location`; returns the generation to tag the request with.
    pub fn request(&mut self, location: Location, focus: Option<OsString>, nav: Nav) -> u64 {
        self.generation += 1;
        self.pending = Some(Pending {
            generation: self.generation,
            location,
            focus,
            nav,
            changed: false,
            fallback: None,
        });
        self.generation
    }

    /// Applies a listing result.
    pub fn receive(&mut self, generation: u64, result: Result<Vec<Entry>, WorkError>) -> Received {
        let Some(pending) = self.pending.take_if(|p| p.generation == generation) else {
            return Received::Stale;
        };
        let entries = match result {
            Ok(entries) => entries,
            Err(error) => {
                self.error = Some(error.shown());
                return Received::Failed {
                    location: pending.location,
                    error: Box::new(error),
                    fallback: pending.fallback,
                };
            }
        };
        let moved = pending.location != self.location;
        let first = !std::mem::replace(&mut self.loaded, true);
        let (focus, keep_selected) = if moved {
            let old = std::mem::replace(&mut self.location, pending.location);
            self.history.record(old, pending.nav);
            self.filter.clear();
            self.dir_sizes.clear();
            self.free_space = FreeSpace::Asked;
            self.compare = None;
            self.cursor = 0;
            (pending.focus, HashSet::new())
        } else {
            let focus = pending.focus.or_else(|| self.current().map(|e| e.name.clone()));
            (focus, self.selected_names())
        };
        self.selected = entries.iter().map(|e| keep_selected.contains(e.name.as_os_str())).collect();
        self.entries = entries;
        self.up = self.location.parent().map(|_| up_entry());
        self.error = None;
        self.resort(focus.as_deref());
        if moved {
            self.offset = 0;
            self.scroll_into_view();
        }
        Received::Shown { moved: moved || first, changed: pending.changed }
    }

    fn selected_names(&self) -> HashSet<OsString> {
        self.entries.iter().zip(&self.selected).filter(|(_, s)| **s).map(|(e, _)| e.name.clone()).collect()
    }

    /// Sorts again (new entries or a new sort order), then rebuilds the view.
    pub fn resort(&mut self, focus: Option<&OsStr>) {
        let mut order: Vec<usize> = (0..self.entries.len()).collect();
        sort_indices(&self.entries, &mut order, self.sort);
        self.order = order;
        self.rebuild(focus);
    }

    /// Sorts again keeping the cursor on the entry it is on now.
    pub fn resort_keeping_cursor(&mut self) {
        let focus = self.current().map(|e| e.name.clone());
        self.resort(focus.as_deref());
    }

    /// Rebuilds the visible entries from the sorted order (hidden files and
    /// the filter applied), keeping the cursor on `focus` when it is visible
    /// and on the same row otherwise.
    pub fn rebuild(&mut self, focus: Option<&OsStr>) {
        let mut view: Vec<usize> = self
            .order
            .iter()
            .copied()
            .filter(|&i| self.show_hidden || !self.entries[i].is_hidden())
            .collect();
        retain_matching(&self.entries, &mut view, &self.filter);
        self.view = view;
        if let Some(row) = focus.and_then(|name| self.position_of(name)) {
            self.cursor = row;
        }
        self.cursor = self.cursor.min(self.len().saturating_sub(1));
        self.recount();
        self.scroll_into_view();
    }

    /// Rebuilds keeping the cursor on the entry it is on now.
    pub fn rebuild_keeping_cursor(&mut self) {
        let focus = self.current().map(|e| e.name.clone());
        self.rebuild(focus.as_deref());
    }

    /// Row of the visible entry called `name`.
    pub fn position_of(&self, name: &OsStr) -> Option<usize> {
        self.view.iter().position(|&i| self.entries[i].name == name).map(|row| row + self.up_rows())
    }

    /// Moves the cursor by `delta` rows, clamped to the listing.
    pub fn move_by(&mut self, delta: isize) {
        let Some(last) = self.len().checked_sub(1) else { return };
        self.cursor = self.cursor.saturating_add_signed(delta).min(last);
        self.scroll_into_view();
    }

    pub fn move_to(&mut self, row: usize) {
        self.cursor = row.min(self.len().saturating_sub(1));
        self.scroll_into_view();
    }

    /// Scrolls the view by `delta` rows, dragging the cursor along when it
    /// would leave the screen (the mouse wheel).
    pub fn scroll_by(&mut self, delta: isize) {
        let max_offset = self.len().saturating_sub(self.rows);
        self.offset = self.offset.saturating_add_signed(delta).min(max_offset);
        let last_visible = (self.offset + self.rows).saturating_sub(1);
        self.cursor = self.cursor.clamp(self.offset, last_visible).min(self.len().saturating_sub(1));
    }

    pub fn set_rows(&mut self, rows: usize) {
        self.rows = rows.max(1);
        self.scroll_into_view();
    }

    fn scroll_into_view(&mut self) {
        if self.cursor < self.offset {
            self.offset = self.cursor;
        } else if self.cursor >= self.offset + self.rows {
            self.offset = self.cursor + 1 - self.rows;
        }
        let max_offset = self.len().saturating_sub(self.rows);
        self.offset = self.offset.min(max_offset);
    }

    /// Recomputes the selection totals over the visible entries.
    pub fn recount(&mut self) {
        let (mut count, mut bytes) = (0, 0u64);
        for &i in &self.view {
            if self.selected[i] {
                count += 1;
                bytes = bytes.saturating_add(self.entry_bytes(i));
            }
        }
        self.selected_count = count;
        self.selected_bytes = bytes;
    }

    /// The size an entry counts for: a directory's once computed.
    fn entry_bytes(&self, index: usize) -> u64 {
        let entry = &self.entries[index];
        if entry.is_dir_like() { self.dir_sizes.get(&entry.name).copied().unwrap_or(0) } else { entry.size }
    }

    /// Selects or unselects the visible entries for which `pick` is true.
    pub fn select_where(&mut self, on: bool, mut pick: impl FnMut(&Entry) -> bool) {
        for &i in &self.view {
            if pick(&self.entries[i]) {
                self.selected[i] = on;
            }
        }
        self.recount();
    }

    /// Toggles the entry under the cursor.
    pub fn toggle_current(&mut self) {
        if let Some(i) = self.entry_index(self.cursor) {
            self.selected[i] = !self.selected[i];
            self.recount_one(i);
        }
    }

    fn recount_one(&mut self, index: usize) {
        let bytes = self.entry_bytes(index);
        if self.selected[index] {
            self.selected_count += 1;
            self.selected_bytes = self.selected_bytes.saturating_add(bytes);
        } else {
            self.selected_count -= 1;
            self.selected_bytes = self.selected_bytes.saturating_sub(bytes);
        }
    }

    pub fn invert_selection(&mut self) {
        for &i in &self.view {
            self.selected[i] = !self.selected[i];
        }
        self.recount();
    }

    pub fn clear_selection(&mut self) {
        self.selected.iter_mut().for_each(|s| *s = false);
        self.recount();
    }

    /// What an operation acts on: the visible selected entries, or the one
    /// under the cursor when nothing is selected (never the `..` row).
    pub fn targets(&self) -> Vec<&Entry> {
        if self.selected_count > 0 {
            self.view.iter().filter(|&&i| self.selected[i]).map(|&i| &self.entries[i]).collect()
        } else {
            self.current().into_iter().collect()
        }
    }

    /// Records a computed directory size.
    pub fn set_dir_size(&mut self, name: OsString, bytes: u64) {
        self.dir_sizes.insert(name, bytes);
        self.recount();
    }
}
