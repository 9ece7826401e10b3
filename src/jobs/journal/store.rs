//! The journal on disk: one file per job in the state directory
//! (`$XDG_STATE_HOME/scpdeck/jobs/KEY.jsonl`), each line one JSON record:
//! the job (the first line, and again whenever it changes) or items that
//! changed. Lines are only ever appended, then the file is fsynced, so a
//! crash, SIGKILL or power loss at any moment leaves every line written
//! before the last fsync, and at worst a torn last line, which loading
//! ignores. A file that grew well past its content is rewritten whole
//! (written beside it, fsynced, renamed over it, the directory fsynced).
//!
//! A process owns the jobs it writes: it holds an exclusive `flock` on
//! `KEY.lock` for as long as the job lives, so another scpdeck started
//! meanwhile (a commander, a `cp`) never takes a job that is running. The
//! lock goes with the process, however it ends. A writer thread does the
//! disk work; the scheduler's driver never waits for it, but on [`sync`].
//!
//! [`sync`]: Journal::sync

use std::collections::{HashMap, HashSet};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, mpsc};

use nix::fcntl::{Flock, FlockArg};
use serde::{Deserialize, Serialize};

use super::record::{ItemRecord, JobRecord};

/// One line of a job's file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Line {
    Job(Box<JobRecord>),
    /// Items by index; a later record of an index replaces an earlier one.
    Items(Vec<(u32, ItemRecord)>),
}

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error(
        "cannot use the job journal in {dir}: {source}; unfinished jobs will not be kept (set XDG_STATE_HOME to a writable directory)"
    )]
    Dir { dir: PathBuf, source: io::Error },
}

/// A job read back from its file, locked for this process.
pub struct Saved {
    pub key: String,
    pub job: JobRecord,
    pub items: Vec<ItemRecord>,
    lock: Flock<File>,
}

impl std::fmt::Debug for Saved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Saved").field("key", &self.key).field("job", &self.job).finish_non_exhaustive()
    }
}

enum Op {
    /// Take over the job (its lock).
    Own {
        key: String,
        lock: Flock<File>,
    },
    /// Lines for the job's file; fsynced at once when `durable`, else
    /// with the next durable write or sync.
    Append {
        key: String,
        bytes: Vec<u8>,
        durable: bool,
    },
    Rewrite {
        key: String,
        bytes: Vec<u8>,
    },
    /// The job is over: its file and lock go.
    Remove {
        key: String,
    },
    Sync(mpsc::Sender<()>),
}

/// The journal of one process: where it is and its writer thread.
#[derive(Clone)]
pub struct Journal {
    dir: PathBuf,
    ops: mpsc::Sender<Op>,
    /// Jobs whose last write failed (a full disk, say): written whole
    /// the next time.
    failed: Failed,
}

type Failed = Arc<Mutex<HashSet<String>>>;

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal").field("dir", &self.dir).finish()
    }
}

/// The journal directory: `jobs/` in the state directory the log uses.
pub fn default_dir() -> Option<PathBuf> {
    crate::eventlog::default_log_dir().map(|d| d.join("jobs"))
}

fn file_of(dir: &Path, key: &str) -> PathBuf {
    dir.join(format!("{key}.jsonl"))
}

fn lock_of(dir: &Path, key: &str) -> PathBuf {
    dir.join(format!("{key}.lock"))
}

/// Takes the job's lock, unless another process holds it.
fn try_lock(dir: &Path, key: &str) -> Option<Flock<File>> {
    let file = OpenOptions::new().create(true).truncate(false).write(true).open(lock_of(dir, key)).ok()?;
    Flock::lock(file, FlockArg::LockExclusiveNonblock).ok()
}

impl Journal {
    /// The journal in `dir` (created if need be), with its writer thread.
    pub fn open(dir: &Path) -> Result<Self, JournalError> {
        fs::create_dir_all(dir).map_err(|source| JournalError::Dir { dir: dir.to_path_buf(), source })?;
        let (ops, rx) = mpsc::channel();
        let failed = Failed::default();
        let writer = Writer {
            dir: dir.to_path_buf(),
            owned: HashMap::new(),
            files: HashMap::new(),
            failed: failed.clone(),
            unsynced: HashSet::new(),
        };
        std::thread::Builder::new()
            .name("scpdeck-journal".into())
            .spawn(move || writer.run(rx))
            .map_err(|source| JournalError::Dir { dir: dir.to_path_buf(), source })?;
        Ok(Self { dir: dir.to_path_buf(), ops, failed })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// A key for a new job, its lock taken.
    pub fn create(&self) -> Option<String> {
        for _ in 0..8 {
            let key = format!("{:016x}", rand::random::<u64>());
            if file_of(&self.dir, &key).exists() {
                continue;
            }
            let lock = try_lock(&self.dir, &key)?;
            let _ = self.ops.send(Op::Own { key: key.clone(), lock });
            return Some(key);
        }
        None
    }

    /// Jobs that no running process owns, each locked for this one until
    /// it is [adopted](Journal::adopt) or dropped. Files that do not read
    /// as a job are left alone.
    pub fn unowned(&self) -> Vec<Saved> {
        let Ok(entries) = fs::read_dir(&self.dir) else { return Vec::new() };
        let names: Vec<String> = entries.flatten().filter_map(|e| e.file_name().into_string().ok()).collect();
        let mut keys: Vec<String> =
            names.iter().filter_map(|name| name.strip_suffix(".jsonl").map(String::from)).collect();
        keys.sort();
        // A lock whose job file is gone (a process ended between removing
        // the two) is nobody's: it goes too.
        for key in names.iter().filter_map(|n| n.strip_suffix(".lock")) {
            if !keys.iter().any(|k| k == key)
                && let Some(lock) = try_lock(&self.dir, key)
            {
                let _ = fs::remove_file(lock_of(&self.dir, key));
                drop(lock);
            }
        }
        let mut saved = Vec::new();
        for key in keys {
            let Some(lock) = try_lock(&self.dir, &key) else { continue };
            let Ok(bytes) = fs::read(file_of(&self.dir, &key)) else { continue };
            if let Some((job, items)) = parse(&bytes) {
                saved.push(Saved { key, job, items, lock });
            }
        }
        saved
    }

    /// The partial copies (and their private directories) that any job
    /// file names, whichever process owns it: `(host, path)`.
    pub fn named_temps(&self) -> HashSet<(Option<String>, PathBuf)> {
        let mut named = HashSet::new();
        let Ok(entries) = fs::read_dir(&self.dir) else { return named };
        for entry in entries.flatten() {
            if entry.path().extension().is_none_or(|e| e != "jsonl") {
                continue;
            }
            let Some((_, items)) = fs::read(entry.path()).ok().and_then(|b| parse(&b)) else { continue };
            for item in items.iter().filter_map(ItemRecord::item) {
                let (Some(partial), Some(dest)) = (item.partial, item.dest) else { continue };
                let host = dest.host().map(String::from);
                if let Some(dir) = crate::jobs::fs_tasks::private_dir(&partial.temp) {
                    named.insert((host.clone(), dir.to_path_buf()));
                }
                named.insert((host, partial.temp));
            }
        }
        named
    }

    /// Takes over a job read back: this process writes it from now on.
    pub fn adopt(&self, saved: Saved) -> String {
        let key = saved.key.clone();
        let _ = self.ops.send(Op::Own { key: key.clone(), lock: saved.lock });
        key
    }

    /// Adds lines ([`serialize`]d) to the job's file, fsynced at once when
    /// `durable` (a change of state), else with the next fsync of the file
    /// or [`Journal::sync`] (progress alone: a crash of the process keeps
    /// it, a power loss may take it).
    pub fn append(&self, key: &str, bytes: Vec<u8>, durable: bool) {
        let _ = self.ops.send(Op::Append { key: key.into(), bytes, durable });
    }

    /// Replaces the job's file with these lines ([`serialize`]d).
    pub fn rewrite(&self, key: &str, bytes: Vec<u8>) {
        let _ = self.ops.send(Op::Rewrite { key: key.into(), bytes });
    }

    /// Whether a write of the job failed since this was last asked: its
    /// file may lack changes, and is to be written whole.
    pub fn write_failed(&self, key: &str) -> bool {
        self.failed.lock().unwrap_or_else(|e| e.into_inner()).remove(key)
    }

    pub fn remove(&self, key: &str) {
        let _ = self.ops.send(Op::Remove { key: key.into() });
    }

    /// Waits until everything sent so far is on disk.
    pub fn sync(&self) {
        let (tx, rx) = mpsc::channel();
        if self.ops.send(Op::Sync(tx)).is_ok() {
            let _ = rx.recv();
        }
    }
}

/// JSON lines, each ending with a newline.
pub fn serialize(lines: &[Line]) -> Vec<u8> {
    let mut bytes = Vec::new();
    for line in lines {
        // Serializing these plain records cannot fail.
        if serde_json::to_writer(&mut bytes, line).is_ok() {
            bytes.push(b'\n');
        }
    }
    bytes
}

/// A job's file read back: the last job record and the latest record of
/// each item, up to the first line that does not read (a torn last line).
pub fn parse(bytes: &[u8]) -> Option<(JobRecord, Vec<ItemRecord>)> {
    let mut job = None;
    let mut items: Vec<Option<ItemRecord>> = Vec::new();
    for line in bytes.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        match serde_json::from_slice::<Line>(line) {
            Ok(Line::Job(record)) => job = Some(*record),
            Ok(Line::Items(records)) => {
                for (index, record) in records {
                    let index = index as usize;
                    if index >= items.len() {
                        items.resize(index + 1, None);
                    }
                    items[index] = Some(record);
                }
            }
            Err(_) => break,
        }
    }
    Some((job?, items.into_iter().collect::<Option<Vec<_>>>()?))
}

struct Writer {
    dir: PathBuf,
    owned: HashMap<String, Flock<File>>,
    files: HashMap<String, File>,
    failed: Failed,
    /// Files appended to without an fsync since their last one.
    unsynced: HashSet<String>,
}

impl Writer {
    fn run(mut self, ops: mpsc::Receiver<Op>) {
        while let Ok(op) = ops.recv() {
            let mut dirty: Vec<String> = Vec::new();
            let mut waiting = Vec::new();
            self.apply(op, &mut dirty, &mut waiting);
            // Everything queued meanwhile goes with one fsync per file.
            while let Ok(op) = ops.try_recv() {
                self.apply(op, &mut dirty, &mut waiting);
            }
            for key in dirty {
                self.unsynced.remove(&key);
                if let Some(file) = self.files.get(&key) {
                    let _ = file.sync_data();
                }
            }
            for done in waiting {
                let _ = done.send(());
            }
        }
    }

    fn apply(&mut self, op: Op, dirty: &mut Vec<String>, waiting: &mut Vec<mpsc::Sender<()>>) {
        match op {
            Op::Own { key, lock } => {
                self.owned.insert(key, lock);
            }
            Op::Append { key, bytes, durable } => match self.append(&key, &bytes) {
                Ok(()) if durable && !dirty.contains(&key) => dirty.push(key),
                Ok(()) if !durable => {
                    self.unsynced.insert(key);
                }
                Ok(()) => {}
                Err(_) => self.failed(key),
            },
            Op::Rewrite { key, bytes } => {
                self.files.remove(&key);
                if self.rewrite(&key, &bytes).is_err() {
                    self.failed(key);
                }
            }
            Op::Remove { key } => {
                self.files.remove(&key);
                self.unsynced.remove(&key);
                dirty.retain(|k| *k != key);
                let _ = fs::remove_file(file_of(&self.dir, &key));
                let _ = fs::remove_file(lock_of(&self.dir, &key));
                self.owned.remove(&key);
            }
            Op::Sync(done) => {
                // Everything on disk: progress appended without an fsync too.
                for key in self.unsynced.drain() {
                    if !dirty.contains(&key) {
                        dirty.push(key);
                    }
                }
                waiting.push(done);
            }
        }
    }

    fn failed(&mut self, key: String) {
        self.failed.lock().unwrap_or_else(|e| e.into_inner()).insert(key);
    }

    fn append(&mut self, key: &str, bytes: &[u8]) -> io::Result<()> {
        if !self.owned.contains_key(key) {
            return Ok(());
        }
        if !self.files.contains_key(key) {
            let file = OpenOptions::new().create(true).append(true).open(file_of(&self.dir, key))?;
            self.files.insert(key.to_owned(), file);
        }
        let Some(file) = self.files.get_mut(key) else { return Ok(()) };
        let end = file.metadata()?.len();
        let written = file.write_all(bytes);
        if written.is_err() {
            // A line written in part (a full disk) would hide every line
            // after it from loading: it goes, and the record stays whole.
            let _ = file.set_len(end);
        }
        written
    }

    /// The whole file anew, in one step nothing can see half done.
    fn rewrite(&mut self, key: &str, bytes: &[u8]) -> io::Result<()> {
        if !self.owned.contains_key(key) {
            return Ok(());
        }
        let path = file_of(&self.dir, key);
        let temp = self.dir.join(format!(".{key}.jsonl.new"));
        let mut file = File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&temp, &path)?;
        File::open(&self.dir)?.sync_all()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> (JobRecord, ItemRecord) {
        let text = r#"{"job":{"spec":{"mode":"copy","sources":[{"host":"h","path":"/s/f"}],"target":{"path":"/d"},"target_kind":"dir","options":{"preserve":false,"overwrite":"overwrite","verify":false,"direct":false,"limit_kbit":null,"files_only":false}},"policy":"overwrite","paused":false,"cancelled":false,"error":null,"target":"into"}}"#;
        let Ok(Line::Job(job)) = serde_json::from_str::<Line>(text) else { panic!("job line") };
        let job = *job;
        let item = r#"{"items":[[0,{"rel":"f","source":{"host":"h","path":"/s/f"},"dest":{"path":"/d/f"},"dir":false,"size":10,"mode":420,"mtime":5,"state":"ready","bytes":4,"place":"replace","partial":{"temp":"/d/.f.x.scpdeck","size":10,"mtime":5}}]]}"#;
        let Ok(Line::Items(mut items)) = serde_json::from_str::<Line>(item) else { panic!("items line") };
        (job, items.remove(0).1)
    }

    #[test]
    fn a_torn_last_line_is_ignored_and_later_records_win() {
        let (job, item) = sample();
        let mut done = item.clone();
        done.state = "done".into();
        let mut bytes = serialize(&[Line::Job(Box::new(job.clone())), Line::Items(vec![(0, item.clone())])]);
        let whole = bytes.clone();
        bytes.extend_from_slice(&serialize(&[Line::Items(vec![(0, done.clone())])]));
        assert_eq!(parse(&bytes), Some((job.clone(), vec![done])));
        // Power lost while the last line was written.
        let mut torn = whole.clone();
        torn.extend_from_slice(br#"{"items":[[0,{"rel":"f","sou"#);
        assert_eq!(parse(&torn), Some((job.clone(), vec![item])));
        assert_eq!(parse(b""), None);
        // An item missing in the middle: not a job this version wrote.
        let mut gap = serialize(&[Line::Job(Box::new(job))]);
        gap.extend_from_slice(&serialize(&[Line::Items(vec![(1, done_item())])]));
        assert_eq!(parse(&gap), None);
    }

    #[test]
    fn a_write_that_fails_is_said_so_that_the_job_is_written_whole_next() {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::open(dir.path()).unwrap();
        let (job, item) = sample();
        let key = journal.create().unwrap();
        journal.rewrite(&key, serialize(&[Line::Job(Box::new(job.clone()))]));
        journal.sync();
        assert!(!journal.write_failed(&key));
        // The disk is full.
        fs::remove_file(file_of(dir.path(), &key)).unwrap();
        std::os::unix::fs::symlink("/dev/full", file_of(dir.path(), &key)).unwrap();
        journal.append(&key, serialize(&[Line::Items(vec![(0, item.clone())])]), true);
        journal.sync();
        assert!(journal.write_failed(&key), "the failure is told");
        assert!(!journal.write_failed(&key), "once");
        // Written whole, it is all there again.
        let whole = serialize(&[Line::Job(Box::new(job.clone())), Line::Items(vec![(0, item.clone())])]);
        journal.rewrite(&key, whole);
        journal.sync();
        assert!(!journal.write_failed(&key));
        let bytes = fs::read(file_of(dir.path(), &key)).unwrap();
        assert_eq!(parse(&bytes), Some((job, vec![item])));
    }

    fn done_item() -> ItemRecord {
        let (_, mut item) = sample();
        item.state = "done".into();
        item
    }

    #[test]
    fn a_job_owned_by_a_process_is_not_taken_and_goes_when_removed() {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::open(dir.path()).unwrap();
        let (job, item) = sample();
        let key = journal.create().unwrap();
        journal.rewrite(&key, serialize(&[Line::Job(Box::new(job.clone()))]));
        // Progress alone: not fsynced at once, but on disk after a sync.
        journal.append(&key, serialize(&[Line::Items(vec![(0, item.clone())])]), false);
        journal.sync();
        // This process holds the lock: not unowned.
        assert!(journal.unowned().is_empty());
        let text = fs::read_to_string(file_of(dir.path(), &key)).unwrap();
        assert_eq!(text.lines().count(), 2, "{text}");
        // Another process (a second open file description) after this one
        // died: the lock is free.
        let other = Journal::open(dir.path()).unwrap();
        // The first journal's writer thread lets go of its locks once its
        // channel closes, as a process that ends does.
        drop(journal);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        let mut found = other.unowned();
        while found.is_empty() && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(20));
            found = other.unowned();
        }
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].job.clone(), found[0].items.clone()), (job, vec![item]));
        let key = other.adopt(found.into_iter().next().unwrap());
        other.remove(&key);
        other.sync();
        assert!(!file_of(dir.path(), &key).exists() && !lock_of(dir.path(), &key).exists());
    }
}
