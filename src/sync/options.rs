//! What a synchronization is asked to do.

use super::excludes::Excludes;

/// One of the two trees: the left pane (or `sync`'s SOURCE) or the right
/// pane (TARGET).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum End {
    Left,
    Right,
}

impl End {
    pub fn other(self) -> End {
        match self {
            End::Left => End::Right,
            End::Right => End::Left,
        }
    }
}

/// Which way files go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Direction {
    /// Left is the source, right the target.
    #[default]
    ToRight,
    ToLeft,
    /// Each file goes from where it is newer; what only one side has goes
    /// to the other. Never deletes.
    Both,
}

impl Direction {
    pub fn label(self) -> &'static str {
        match self {
            Direction::ToRight => "left → right",
            Direction::ToLeft => "right → left",
            Direction::Both => "both ways (newest wins)",
        }
    }

    /// The source of a one-way synchronization.
    pub fn source(self) -> Option<End> {
        match self {
            Direction::ToRight => Some(End::Left),
            Direction::ToLeft => Some(End::Right),
            Direction::Both => None,
        }
    }
}

/// What makes two files with the same name different.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Criterion {
    /// Size or modification time (whole seconds: what `scp -p` keeps).
    #[default]
    TimeAndSize,
    SizeOnly,
    /// Size, then sha256 computed on each side for files of equal size.
    Checksum,
}

impl Criterion {
    pub fn label(self) -> &'static str {
        match self {
            Criterion::TimeAndSize => "time and size",
            Criterion::SizeOnly => "size only",
            Criterion::Checksum => "checksum (sha256)",
        }
    }
}

/// The synchronize dialog's and `scpdeck sync`'s choices.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    pub direction: Direction,
    /// Into subdirectories; otherwise only the files directly in the two
    /// directories are compared.
    pub recursive: bool,
    pub criterion: Criterion,
    /// Delete what only the target has (one-way only).
    pub delete: bool,
    pub excludes: Excludes,
    /// Keep modification times and modes on the copies (without times, a
    /// second run by time and size finds the copies different again).
    pub preserve: bool,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            direction: Direction::ToRight,
            recursive: true,
            criterion: Criterion::TimeAndSize,
            delete: false,
            excludes: Excludes::default(),
            preserve: true,
        }
    }
}
