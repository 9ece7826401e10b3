//! One lease's share of a ranged transfer, on the thread that owns its
//! session: ranges taken from a shared queue, several at once on channels
//! of the session (`scp::lanes`), each streamed through `dd` at its offset
//! (`dd skip= count=` on the host into the local temporary file with
//! `pwrite`, or the local file into `dd seek= conv=notrunc` on the host).
//! A range that fails goes back to the queue (at most [`ATTEMPTS`] times
//! in all) while the others keep their bytes.

use std::collections::{HashMap, VecDeque};
use std::fs::File;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use crate::eventlog::Event;
use crate::fs::{ByteRange, RemoteFs};
use crate::jobs::ItemId;
use crate::jobs::backend::Reporter;
use crate::jobs::segment_plan::Range;
use crate::scp::ScpError;
use crate::scp::lanes::{self, Driven, Lane, LaneSet, LaneWay, Lanes};
use crate::shell::Command;
use crate::ssh::Link;
use crate::text::human_size;

/// How often one range is tried before the file fails.
pub(super) const ATTEMPTS: u32 = 3;

/// Which way the bytes go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Way {
    /// From the host into a local temporary file.
    Down,
    /// From a local file into a temporary file on the host.
    Up,
}

/// What every worker of one file shares.
pub(super) struct Ranged {
    pub(super) way: Way,
    pub(super) host: String,
    /// The file's name as shown in the log.
    pub(super) name: String,
    /// The remote file read (down) or written (up).
    pub(super) remote: PathBuf,
    /// The local file written (down: the temporary copy) or read (up).
    pub(super) local: PathBuf,
    pub(super) file: File,
    pub(super) ranges: Vec<Range>,
    /// Bytes of each range written so far (by its latest attempt).
    pub(super) done: Vec<AtomicU64>,
    /// Ranges still to send, with the attempts each has had.
    pub(super) queue: Mutex<VecDeque<(usize, u32)>>,
    /// Why the file failed for good (a range out of attempts, a local
    /// error, a source that changed).
    pub(super) failure: Mutex<Option<String>>,
    /// The progress last reported: it never goes back.
    reported: Mutex<u64>,
    pub(super) item: ItemId,
    pub(super) r: Reporter,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// How a worker stopped.
#[derive(Debug)]
pub(super) enum End {
    /// Nothing left in the queue (or the file failed).
    Idle,
    /// Cancelled (pause, cancel).
    Stopped,
    /// Its session is gone: the lease is not to be used again.
    Lost(String),
    /// Its server takes one channel per connection: the ranges left are
    /// for other sessions.
    OneChannel,
}

impl Ranged {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn new(
        way: Way,
        host: &str,
        name: String,
        (remote, local): (PathBuf, PathBuf),
        file: File,
        ranges: Vec<Range>,
        item: ItemId,
        r: &Reporter,
    ) -> Self {
        Ranged {
            way,
            host: host.to_owned(),
            name,
            remote,
            local,
            file,
            done: ranges.iter().map(|_| AtomicU64::new(0)).collect(),
            queue: Mutex::new((0..ranges.len()).map(|k| (k, 0)).collect()),
            ranges,
            failure: Mutex::new(None),
            reported: Mutex::new(0),
            item,
            r: r.clone(),
        }
    }

    /// "range 2 of 4 (bytes 16 MiB to 32 MiB)".
    pub(super) fn describe(&self, k: usize) -> String {
        let range = self.ranges[k];
        format!(
            "range {} of {} (bytes {} to {})",
            k + 1,
            self.ranges.len(),
            human_size(range.start),
            human_size(range.end())
        )
    }

    pub(super) fn done(&self) -> Vec<u64> {
        self.done.iter().map(|d| d.load(Ordering::Relaxed)).collect()
    }

    pub(super) fn left(&self) -> bool {
        !lock(&self.queue).is_empty()
    }

    pub(super) fn failure(&self) -> Option<String> {
        lock(&self.failure).clone()
    }

    fn fail(&self, reason: String) {
        lock(&self.failure).get_or_insert(reason);
    }

    /// Range `k` has reached `at`: the item's bytes are the sum over the
    /// ranges, reported only when they grew.
    fn progress(&self, k: usize, at: u64) {
        self.done[k].store(at.saturating_sub(self.ranges[k].start), Ordering::Relaxed);
        let sum: u64 = self.done.iter().map(|d| d.load(Ordering::Relaxed)).sum();
        let mut reported = lock(&self.reported);
        if sum > *reported {
            *reported = sum;
            self.r.progress(self.item, sum);
        }
    }
}

/// Takes ranges from the queue until none is left, running up to
/// `channels` of them at once on channels of this lease's session
/// (`scp::lanes`); runs on the lease's connection thread.
pub(super) fn work(link: Link<'_>, ranged: &Ranged, channels: usize) -> End {
    let fs = match RemoteFs::open(link) {
        Ok(fs) => fs,
        Err(e) if e.is_connection_lost() => return End::Lost(e.to_string()),
        Err(e) => {
            ranged.fail(e.to_string());
            return End::Idle;
        }
    };
    let set = LaneSet {
        host: &ranged.host,
        way: match ranged.way {
            Way::Down => LaneWay::Pull,
            Way::Up => LaneWay::Push,
        },
        file: (&ranged.file, ranged.local.as_path()),
        limit: ranged.r.throttle.clone(),
        shares: u32::try_from(ranged.ranges.len()).unwrap_or(u32::MAX),
        channels,
    };
    let mut feed = Feed { ranged, fs: &fs, attempts: HashMap::new(), lost: None };
    match lanes::drive(fs.link(), &set, &mut feed, &ranged.r.cancel) {
        Driven::Idle => End::Idle,
        Driven::Stopped => End::Stopped,
        Driven::OneChannel => End::OneChannel,
        Driven::Lost => End::Lost(feed.lost.unwrap_or_else(|| "the connection was lost".into())),
    }
}

/// The ranges of one worker, as `scp::lanes` asks for them.
struct Feed<'a> {
    ranged: &'a Ranged,
    fs: &'a RemoteFs<'a>,
    /// The attempts of each range running.
    attempts: HashMap<usize, u32>,
    /// Why the session was lost, when it was.
    lost: Option<String>,
}

impl Feed<'_> {
    /// The command of range `k`: `dd` at its offset.
    fn command(&self, k: usize) -> Result<Command, ScpError> {
        let ranged = self.ranged;
        let range = ranged.ranges[k];
        let last = k + 1 == ranged.ranges.len();
        let command = match ranged.way {
            // The last range reads to the end: its length need not be whole blocks.
            Way::Down => self.fs.read_command(&ByteRange {
                path: &ranged.remote,
                start: range.start,
                len: (!last).then_some(range.len),
            }),
            Way::Up => self.fs.append_command(&ranged.remote, range.start),
        };
        command.map_err(|e| ScpError::Command { host: ranged.host.clone(), message: e.to_string() })
    }
}

impl Lanes for Feed<'_> {
    fn next(&mut self) -> Option<Lane> {
        let ranged = self.ranged;
        loop {
            if ranged.r.is_cancelled() || ranged.failure().is_some() {
                return None;
            }
            let (k, attempt) = lock(&ranged.queue).pop_front()?;
            ranged.done[k].store(0, Ordering::Relaxed);
            self.attempts.insert(k, attempt);
            match self.command(k) {
                Ok(command) => {
                    let range = ranged.ranges[k];
                    return Some(Lane { key: k, command, start: range.start, end: range.end() });
                }
                Err(e) => {
                    if !self.ended(k, Err(e)) {
                        return None;
                    }
                }
            }
        }
    }

    fn progress(&mut self, k: usize, at: u64) {
        self.ranged.progress(k, at);
    }

    fn ended(&mut self, k: usize, result: Result<u64, ScpError>) -> bool {
        let ranged = self.ranged;
        let attempt = self.attempts.remove(&k).unwrap_or(0);
        let range = ranged.ranges[k];
        let error = match result {
            Ok(end) if ranged.way == Way::Down && end != range.end() => {
                let changed = std::io::Error::other(format!(
                    "the source changed while it was copied ({} of {} arrived)",
                    human_size(end.saturating_sub(range.start)),
                    human_size(range.len)
                ));
                ScpError::Local { path: ranged.remote.clone(), source: changed }
            }
            Ok(_) => {
                log::debug!("{}: {} done", ranged.name, ranged.describe(k));
                return true;
            }
            Err(e) => e,
        };
        let lost = matches!(error, ScpError::Connection { .. });
        if lost {
            self.lost = Some(error.to_string());
        }
        let retry =
            matches!(error, ScpError::Connection { .. } | ScpError::Command { .. } | ScpError::Start { .. });
        let what = ranged.describe(k);
        if !retry || attempt + 1 >= ATTEMPTS {
            ranged.fail(format!("{what} failed: {error}"));
            if lost {
                lock(&ranged.queue).push_back((k, attempt + 1));
            }
            return false;
        }
        let text = format!(
            "{}: {what} failed ({error}); retried alone (attempt {} of {ATTEMPTS})",
            ranged.name,
            attempt + 2
        );
        log::warn!("{text}");
        ranged.r.log(Event::warn(&text).host(&ranged.host));
        lock(&ranged.queue).push_back((k, attempt + 1));
        true
    }

    fn put_back(&mut self, k: usize) {
        let attempt = self.attempts.remove(&k).unwrap_or(0);
        lock(&self.ranged.queue).push_front((k, attempt));
    }
}
