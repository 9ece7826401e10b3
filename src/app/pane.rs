//! One pane: where it is, what it lists, where the cursor is.

use std::cmp::Ordering;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;

use crate::fs::{Entry, Location};

/// A listing the pane asked for and has not received yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub generation: u64,
    pub location: Location,
    /// Put the cursor on this name when the listing arrives.
    pub focus: Option<OsString>,
}

#[derive(Debug, Clone)]
pub struct Pane {
    pub location: Location,
    /// Entries in display order.
    pub entries: Vec<Entry>,
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
}

impl Pane {
    pub fn new(location: Location) -> Self {
        Self {
            location,
            entries: Vec::new(),
            cursor: 0,
            offset: 0,
            rows: 1,
            pending: None,
            error: None,
            generation: 0,
        }
    }

    pub fn current(&self) -> Option<&Entry> {
        self.entries.get(self.cursor)
    }

    /// Starts loading `location`; returns the generation to tag the request with.
    pub fn request(&mut self, location: Location, focus: Option<OsString>) -> u64 {
        self.generation += 1;
        self.pending = Some(Pending { generation: self.generation, location, focus });
        self.generation
    }

    /// Applies a listing result. Returns false when it was stale.
    pub fn receive(&mut self, generation: u64, result: Result<Vec<Entry>, String>) -> bool {
        let Some(pending) = self.pending.take_if(|p| p.generation == generation) else {
            return false;
        };
        match result {
            Ok(mut entries) => {
                sort_entries(&mut entries);
                let focus = pending.focus.or_else(|| self.keep_focus(&pending.location));
                self.location = pending.location;
                self.entries = entries;
                self.error = None;
                self.cursor = focus.and_then(|name| self.position_of(&name)).unwrap_or(0);
                self.cursor = self.cursor.min(self.entries.len().saturating_sub(1));
                self.offset = 0;
                self.scroll_into_view();
            }
            Err(message) => self.error = Some(message),
        }
        true
    }

    /// On a refresh of the same directory, the cursor stays on the same name.
    fn keep_focus(&self, location: &Location) -> Option<OsString> {
        (location == &self.location).then(|| self.current().map(|e| e.name.clone())).flatten()
    }

    fn position_of(&self, name: &OsStr) -> Option<usize> {
        self.entries.iter().position(|e| e.name == name)
    }

    /// Moves the cursor by `delta` rows, clamped to the listing.
    pub fn move_by(&mut self, delta: isize) {
        if self.entries.is_empty() {
            return;
        }
        let last = self.entries.len() - 1;
        self.cursor = self.cursor.saturating_add_signed(delta).min(last);
        self.scroll_into_view();
    }

    pub fn move_to(&mut self, index: usize) {
        self.cursor = index.min(self.entries.len().saturating_sub(1));
        self.scroll_into_view();
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
        let max_offset = self.entries.len().saturating_sub(self.rows);
        self.offset = self.offset.min(max_offset);
    }
}

/// Directories first, then names compared case-insensitively, then exactly.
pub fn sort_entries(entries: &mut [Entry]) {
    entries.sort_by(|a, b| {
        b.is_dir_like()
            .cmp(&a.is_dir_like())
            .then_with(|| compare_names(a.name.as_bytes(), b.name.as_bytes()))
    });
}

fn compare_names(a: &[u8], b: &[u8]) -> Ordering {
    let lower = |s: &[u8]| String::from_utf8_lossy(s).to_lowercase();
    lower(a).cmp(&lower(b)).then_with(|| a.cmp(b))
}
