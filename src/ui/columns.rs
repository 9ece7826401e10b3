//! The columns of a pane and how each entry fills them.

use humansize::{BINARY, FormatSizeOptions, format_size};
use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::fs::{Entry, Kind};
use crate::text::{escape_bytes, pad_to};

const SIZE_WIDTH: usize = 10;
const TIME_WIDTH: usize = 16;

/// Which columns fit in a pane of a given inner width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Columns {
    pub name: usize,
    pub size: bool,
    pub time: bool,
}

impl Columns {
    /// Drops the time column, then the size column, when the pane is narrow.
    pub fn for_width(width: usize) -> Self {
        let with_both = SIZE_WIDTH + TIME_WIDTH + 2;
        if width >= with_both + 12 {
            Columns { name: width - with_both, size: true, time: true }
        } else if width >= SIZE_WIDTH + 1 + 8 {
            Columns { name: width - SIZE_WIDTH - 1, size: true, time: false }
        } else {
            Columns { name: width, size: false, time: false }
        }
    }

    /// The header line.
    pub fn header(&self) -> String {
        self.line("Name", "Size", "Modified")
    }

    /// The line for one entry.
    pub fn row(&self, entry: &Entry, tz: &TimeZone) -> String {
        self.line(&name_cell(entry), &size_cell(entry), &time_cell(entry, tz))
    }

    fn line(&self, name: &str, size: &str, time: &str) -> String {
        let mut out = pad_to(name, self.name, false);
        if self.size {
            out.push(' ');
            out.push_str(&pad_to(size, SIZE_WIDTH, true));
        }
        if self.time {
            out.push(' ');
            out.push_str(&pad_to(time, TIME_WIDTH, false));
        }
        out
    }
}

/// The name, escaped, with a marker for its kind and a symlink's target.
pub fn name_cell(entry: &Entry) -> String {
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

fn size_cell(entry: &Entry) -> String {
    if entry.is_dir_like() {
        return "<DIR>".to_owned();
    }
    match entry.kind {
        Kind::File | Kind::Symlink => human_size(entry.size),
        Kind::CharDevice | Kind::BlockDevice => "<DEV>".to_owned(),
        Kind::Fifo => "<FIFO>".to_owned(),
        Kind::Socket => "<SOCK>".to_owned(),
        Kind::Dir | Kind::Unknown => String::new(),
    }
}

/// A size like `1.5 KiB`.
pub fn human_size(bytes: u64) -> String {
    let options = FormatSizeOptions::from(BINARY).decimal_places(1).decimal_zeroes(0);
    format_size(bytes, options)
}

fn time_cell(entry: &Entry, tz: &TimeZone) -> String {
    match Timestamp::new(entry.mtime.secs, 0) {
        Ok(ts) => ts.to_zoned(tz.clone()).strftime("%Y-%m-%d %H:%M").to_string(),
        Err(_) => "?".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_short() {
        assert_eq!(human_size(0), "0 B");
        assert_eq!(human_size(1536), "1.5 KiB");
        assert_eq!(human_size(5 * 1024 * 1024 * 1024), "5 GiB");
    }

    #[test]
    fn narrow_panes_drop_columns() {
        assert!(Columns::for_width(60).time);
        assert!(!Columns::for_width(30).time && Columns::for_width(30).size);
        assert!(!Columns::for_width(12).size);
    }
}
