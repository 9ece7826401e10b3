//! The job journal: every job, its items and their progress, kept in the
//! state directory so that a crash loses at most the bytes in flight. The
//! reducer stays pure: the scheduler's driver hands the [`Keeper`] the
//! queue after it changed, and the keeper writes what changed since it last
//! looked (the job, or items whose record differs), through the journal's
//! writer thread ([`store`]). A job's file goes once the job is over and
//! holds no partial copy.

pub mod record;
pub mod store;

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;

pub use record::{ItemRecord, JobRecord, restore};
pub use store::{Journal, JournalError, Line, Saved, default_dir};

use super::item::{DestInfo, Item, ItemKind, ItemState};
use super::job::{Adopted, AdoptedMap, Job};
use super::queue::Queue;
use super::spec::{JobId, JobSpec};
use crate::fs::{Kind, Location};

/// What a job read back from the journal asked for, and what it left for
/// a new run of the same copy to take over: its partial copies and the
/// files it placed, by (source, destination).
pub fn adopted_from(saved: &Saved) -> Option<(JobSpec, AdoptedMap)> {
    let spec = saved.job.spec.spec()?;
    let mut adopted = AdoptedMap::new();
    for record in &saved.items {
        let Some(item) = record.item() else { continue };
        let (Some(dest), ItemKind::File) = (item.dest.clone(), item.kind) else { continue };
        let found = match (&item.partial, &item.state) {
            (Some(partial), _) => Adopted::Partial(partial.clone(), item.bytes),
            (None, ItemState::Done | ItemState::Confirmed) => {
                Adopted::Placed { size: item.size, mtime: item.mtime }
            }
            _ => continue,
        };
        adopted.insert((item.source, dest), found);
    }
    Some((spec, adopted))
}

/// Whether a job read back has anything left to do (it comes back paused);
/// else it is kept only for its failed files' partial copies (to retry) or
/// for a cancelled job's, to remove.
pub fn unfinished(saved: &Saved) -> bool {
    saved.items.iter().filter_map(ItemRecord::item).any(|item| !item.state.is_terminal())
}

/// scpdeck's temporary files in this machine's directories that the saved
/// jobs copied into: where a crash may have left one before the journal
/// named it (the scheduler keeps those no job owns as leftovers).
pub fn temps_beside(saved: &[Saved]) -> Vec<(Location, DestInfo)> {
    let mut dirs: Vec<PathBuf> = saved
        .iter()
        .flat_map(|s| s.items.iter().filter_map(ItemRecord::item))
        .filter_map(|item| match item.dest? {
            Location::Local(path) => path.parent().map(PathBuf::from),
            Location::Remote { .. } => None,
        })
        .collect();
    dirs.sort();
    dirs.dedup();
    let mut found = Vec::new();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            if !super::leftovers::is_temp_name(&entry.file_name()) {
                continue;
            }
            let Ok(meta) = entry.metadata() else { continue };
            let kind = if meta.is_dir() { Kind::Dir } else { Kind::File };
            let info = DestInfo { kind, size: meta.len(), mtime: Some(meta.mtime()), link: false };
            found.push((Location::Local(entry.path()), info));
        }
    }
    found
}

/// A file may grow to this many times its content (and at least
/// [`MIN_REWRITE`]) before it is rewritten whole.
const GROWTH: usize = 3;
const MIN_REWRITE: usize = 1024 * 1024;

/// What was written of one job.
struct Written {
    key: String,
    /// The job's record as last written.
    job: String,
    /// Each item's fingerprint as last written, whole and without its
    /// progress (empty: write them all).
    items: Vec<(u64, u64)>,
    /// Bytes in the file, and in its last full write.
    size: usize,
    full: usize,
}

/// Writes the queue's jobs to the journal as they change.
pub struct Keeper {
    journal: Journal,
    jobs: HashMap<JobId, Written>,
}

fn fingerprint(item: &Item) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    item.hash(&mut hasher);
    hasher.finish()
}

/// The fingerprint of what an item is, without how far it got: a change
/// of it (a state, a partial copy, a decision) is worth an fsync; progress
/// alone is not (a partial copy is measured on disk when it resumes).
fn state_print(item: &Item) -> u64 {
    let mut quiet = item.clone();
    (quiet.bytes, quiet.sent, quiet.base, quiet.resumed_at) = (0, 0, 0, None);
    fingerprint(&quiet)
}

/// Whether the journal keeps a job: anything left to do, or a partial
/// copy on disk (a failed file to retry, or one to remove).
fn kept(job: &Job) -> bool {
    !job.state(false).is_finished() || job.items.iter().any(|i| i.partial.is_some())
}

impl Keeper {
    pub fn new(journal: Journal) -> Self {
        Self { journal, jobs: HashMap::new() }
    }

    pub fn journal(&self) -> &Journal {
        &self.journal
    }

    /// A job restored from the journal under `key`: written whole at the
    /// next flush.
    pub fn adopted(&mut self, id: JobId, key: String) {
        self.jobs.insert(id, Written { key, job: String::new(), items: Vec::new(), size: 0, full: 0 });
    }

    /// Writes what changed in `queue` since the last flush.
    pub fn flush(&mut self, queue: &Queue) {
        let mut seen = HashSet::new();
        for job in queue.jobs() {
            seen.insert(job.id);
            if !kept(job) {
                if let Some(gone) = self.jobs.remove(&job.id) {
                    self.journal.remove(&gone.key);
                }
                continue;
            }
            if !self.jobs.contains_key(&job.id) {
                let Some(key) = self.journal.create() else { continue };
                self.jobs
                    .insert(job.id, Written { key, job: String::new(), items: Vec::new(), size: 0, full: 0 });
            }
            if let Some(written) = self.jobs.get_mut(&job.id) {
                write_job(&self.journal, written, job);
            }
        }
        let gone: Vec<JobId> = self.jobs.keys().filter(|id| !seen.contains(id)).copied().collect();
        for id in gone {
            if let Some(gone) = self.jobs.remove(&id) {
                self.journal.remove(&gone.key);
            }
        }
    }
}

/// Appends the job's changes, or writes it whole (the first time, and when
/// the file grew too much).
fn write_job(journal: &Journal, written: &mut Written, job: &Job) {
    let record = JobRecord::of(job);
    let text = serde_json::to_string(&record).unwrap_or_default();
    // A write that failed may have left out changes: all of it again.
    let whole = written.items.is_empty() || journal.write_failed(&written.key);
    if whole {
        written.items.clear();
    }
    let mut changed = Vec::new();
    written.items.resize(job.items.len(), (0, 0));
    let mut durable = whole;
    for (n, item) in job.items.iter().enumerate() {
        let print = fingerprint(item);
        if whole || written.items[n].0 != print {
            let state = state_print(item);
            durable |= written.items[n].1 != state;
            written.items[n] = (print, state);
            changed.push((n as u32, ItemRecord::of(item)));
        }
    }
    let mut lines = Vec::new();
    if whole || text != written.job {
        lines.push(Line::Job(Box::new(record)));
        written.job = text;
        durable = true;
    }
    if !changed.is_empty() {
        lines.push(Line::Items(changed));
    }
    if lines.is_empty() {
        return;
    }
    let bytes = store::serialize(&lines);
    if whole || written.size + bytes.len() > (GROWTH * written.full).max(MIN_REWRITE) {
        let all = if whole {
            bytes
        } else {
            let items = job.items.iter().enumerate().map(|(n, i)| (n as u32, ItemRecord::of(i))).collect();
            store::serialize(&[Line::Job(Box::new(JobRecord::of(job))), Line::Items(items)])
        };
        written.size = all.len();
        written.full = all.len();
        journal.rewrite(&written.key, all);
    } else {
        written.size += bytes.len();
        journal.append(&written.key, bytes, durable);
    }
}
