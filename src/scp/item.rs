//! The stream of files between the two halves of a transfer: the network
//! side and the disk side of a download or upload, or the two hosts of a
//! relay. A bounded queue of these overlaps disk and network I/O while
//! keeping memory bounded (at most [`QUEUE`] chunks of [`CHUNK`] bytes).

use std::ffi::OsString;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::event::FileRef;
use super::record::Times;

/// Size of the data chunks read from disk and from the network.
pub const CHUNK: usize = 256 * 1024;
/// Chunks in flight between the two halves.
pub const QUEUE: usize = 16;

/// One step of a stream of files: a file is `File`, its `Data` (exactly
/// `size` bytes in total), `FileEnd`; a directory is `Dir`, its contents,
/// `DirEnd`.
#[derive(Debug)]
pub(crate) enum Item {
    Dir {
        id: u64,
        file: FileRef,
        name: OsString,
        mode: u32,
        times: Option<Times>,
    },
    File {
        id: u64,
        file: FileRef,
        name: OsString,
        mode: u32,
        size: u64,
        times: Option<Times>,
    },
    Data(Vec<u8>),
    /// The producer's verdict: `Err` (escaped text) means the data is not
    /// the file's (it could not be read to the end) and must not be kept.
    FileEnd(Result<(), String>),
    DirEnd,
}

impl Item {
    /// Whether the other half must see this at once: everything but file
    /// data, which may wait to be handed over in batches.
    pub(crate) fn urgent(&self) -> bool {
        !matches!(self, Item::Data(_))
    }
}

/// A new item id, unique in this process (ids tag records in flight and
/// tell a producer which item to skip).
pub(crate) fn next_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// Limits progress events to one per [`PROGRESS_INTERVAL`] per file.
#[derive(Debug)]
pub(crate) struct ProgressPace {
    last: Option<Instant>,
}

/// The shortest time between two progress events for one file.
pub const PROGRESS_INTERVAL: Duration = Duration::from_millis(100);

impl ProgressPace {
    pub(super) fn new() -> Self {
        ProgressPace { last: None }
    }

    /// True when a progress event is due now.
    pub(super) fn due(&mut self) -> bool {
        let now = Instant::now();
        match self.last {
            Some(t) if now.duration_since(t) < PROGRESS_INTERVAL => false,
            _ => {
                self.last = Some(now);
                true
            }
        }
    }
}
