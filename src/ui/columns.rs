//! The columns of a pane and how each entry fills them.

use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::app::Sort;
use crate::choices::SortKey;
use crate::fs::{Entry, Kind};
use crate::text::{escape_bytes, human_size, pad_to};

const SIZE_WIDTH: usize = 10;
const PERM_WIDTH: usize = 10;
const MIN_NAME: usize = 12;
/// The date format used when the configured one does not fit.
const SHORT_DATE: &str = "%m-%d %H:%M";

/// Cells a time formatted with `format` takes.
fn format_width(format: &str) -> usize {
    let sample = Timestamp::UNIX_EPOCH.to_zoned(TimeZone::UTC).strftime(format).to_string();
    crate::text::width(&sample).max(4)
}

/// Which columns fit in a pane of a given inner width.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Columns {
    pub name: usize,
    pub size: bool,
    /// Width of the time column (0: not shown).
    pub time: usize,
    pub perms: bool,
    /// strftime format of the time column.
    pub date_format: String,
}

impl Columns {
    /// Adds size, then time, then permissions while the name keeps at
    /// least `MIN_NAME` cells.
    pub fn for_width(width: usize, date_format: &str) -> Self {
        let mut columns =
            Columns { name: width, size: false, time: 0, perms: false, date_format: date_format.into() };
        if columns.name > MIN_NAME + SIZE_WIDTH {
            columns.size = true;
            columns.name -= SIZE_WIDTH + 1;
        }
        // A narrow pane gets a shorter date rather than none.
        for format in [date_format, SHORT_DATE] {
            let time_width = format_width(format);
            if columns.size && columns.name > MIN_NAME + time_width {
                columns.time = time_width;
                columns.name -= time_width + 1;
                columns.date_format = format.to_owned();
                break;
            }
        }
        if columns.time > 0 && columns.name > MIN_NAME + 8 + PERM_WIDTH {
            columns.perms = true;
            columns.name -= PERM_WIDTH + 1;
        }
        columns
    }

    /// The header line; `sorted` marks the sort column with an arrow.
    pub fn header(&self, sort: Sort) -> String {
        let arrow = if sort.reverse { "↓" } else { "↑" };
        let mark = |label: &str, key: SortKey| {
            if sort.key == key { format!("{label}{arrow}") } else { label.to_owned() }
        };
        let name = match sort.key {
            SortKey::Extension => format!("Name (ext{arrow})"),
            _ => mark("Name", SortKey::Name),
        };
        self.line(&name, &mark("Size", SortKey::Size), &mark("Modified", SortKey::Mtime), "Perms")
    }

    /// The line for one entry; `dir_size` is a directory's computed size.
    pub fn row(&self, entry: &Entry, dir_size: Option<u64>, tz: &TimeZone) -> String {
        let time = if self.time > 0 { time_cell(entry, tz, &self.date_format) } else { String::new() };
        let perms = if self.perms { entry.permissions() } else { String::new() };
        self.line(&name_cell(entry), &size_cell(entry, dir_size), &time, &perms)
    }

    /// The `..` row: its name, `UP--DIR` in the size column (as mc shows it).
    pub fn up_row(&self) -> String {
        self.line("..", "UP--DIR", "", "")
    }

    fn line(&self, name: &str, size: &str, time: &str, perms: &str) -> String {
        let mut out = pad_to(name, self.name, false);
        if self.size {
            out.push(' ');
            out.push_str(&pad_to(size, SIZE_WIDTH, true));
        }
        if self.time > 0 {
            out.push(' ');
            out.push_str(&pad_to(time, self.time, false));
        }
        if self.perms {
            out.push(' ');
            out.push_str(&pad_to(perms, PERM_WIDTH, false));
        }
        out
    }
}

/// The name, escaped, with a marker for its kind and a symlink's target.
pub(super) fn name_cell(entry: &Entry) -> String {
    let mut name = entry.display_name();
    match entry.kind {
        Kind::Dir => name.push('/'),
        Kind::Symlink => {
            if let Some(link) = &entry.link {
                name.push_str(" -> ");
                name.push_str(&escape_bytes(std::os::unix::ffi::OsStrExt::as_bytes(link.path.as_os_str())));
            }
        }
        _ => {}
    }
    name
}

fn size_cell(entry: &Entry, dir_size: Option<u64>) -> String {
    if entry.is_dir_like() {
        return dir_size.map_or_else(|| "<DIR>".to_owned(), human_size);
    }
    match entry.kind {
        Kind::File | Kind::Symlink => human_size(entry.size),
        Kind::CharDevice | Kind::BlockDevice => "<DEV>".to_owned(),
        Kind::Fifo => "<FIFO>".to_owned(),
        Kind::Socket => "<SOCK>".to_owned(),
        Kind::Dir | Kind::Unknown => String::new(),
    }
}

fn time_cell(entry: &Entry, tz: &TimeZone, format: &str) -> String {
    match Timestamp::new(entry.mtime.secs, 0) {
        Ok(ts) => ts.to_zoned(tz.clone()).strftime(format).to_string(),
        Err(_) => "?".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narrow_panes_drop_columns() {
        let f = "%Y-%m-%d %H:%M";
        assert!(Columns::for_width(60, f).perms);
        assert!(!Columns::for_width(45, f).perms && Columns::for_width(45, f).time == 16);
        let narrow = Columns::for_width(37, f);
        assert_eq!((narrow.time, narrow.date_format.as_str(), narrow.name), (11, SHORT_DATE, 14));
        assert!(Columns::for_width(30, f).time == 0 && Columns::for_width(30, f).size);
        assert!(!Columns::for_width(12, f).size);
    }
}
