//! An in-process backend for the scheduler's unit tests: an in-memory file
//! system per host, transfers that take (virtual) time, connections that
//! take time to open and can drop, unreadable files, corrupted copies. It
//! records what ran concurrently so tests can check the limits.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::future::BoxFuture;
use sha2::{Digest as _, Sha256};

use super::backend::{Backend, Reporter};
use super::item::{DestInfo, ItemKind, Scan, ScanEntry, ScanError};
use super::task::{
    Batch, BatchItem, DirProbe, Outcome, Partial, Place, Task, TaskError, Work, compare_digests,
};
use crate::fs::place::keep_both_candidate;
use crate::fs::{Kind, Location};

type Key = (Option<String>, PathBuf);

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Node {
    Dir,
    File { data: Vec<u8>, mtime: i64 },
}

#[derive(Debug, Clone)]
pub(super) struct Config {
    /// Bytes per second of one transfer task.
    pub rate: u64,
    pub chunk: u64,
    pub connect: Duration,
    /// Time per file on top of its bytes (a round trip per file).
    pub per_file: Duration,
    /// Sources that cannot be read ("Permission denied").
    pub denied: HashSet<PathBuf>,
    /// Copies of these sources arrive corrupted (for verification).
    pub corrupt: HashSet<PathBuf>,
    /// Destination directories that cannot be created ("Permission denied").
    pub mkdir_denied: HashSet<PathBuf>,
    /// The connection to this host drops once that many bytes went through
    /// it (as many times as the second number says).
    pub drop_host_after: Option<(String, u64)>,
    pub drops: u32,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            rate: 1_000_000,
            chunk: 10_000,
            connect: Duration::from_millis(100),
            per_file: Duration::from_millis(1),
            denied: HashSet::new(),
            corrupt: HashSet::new(),
            mkdir_denied: HashSet::new(),
            drop_host_after: None,
            drops: 1,
        }
    }
}

#[derive(Debug, Default)]
pub(super) struct Stats {
    active: HashMap<Option<String>, usize>,
    pub max_active: HashMap<Option<String>, usize>,
    global: usize,
    pub max_global: usize,
    /// (job, work name, files in the task) in start order.
    pub started: Vec<(u64, &'static str, usize)>,
    pub concurrent_transfers: HashMap<u64, usize>,
    pub max_concurrent_transfers: HashMap<u64, usize>,
    /// Deletions of sources whose copy was not in place, if any.
    pub unsafe_deletes: Vec<PathBuf>,
    pub deleted: Vec<PathBuf>,
    /// Partial copies removed by discard tasks.
    pub discarded: Vec<PathBuf>,
    /// File bytes copied, by every transfer.
    pub copied_bytes: u64,
    moved_bytes: HashMap<String, u64>,
    pub dropped: u32,
}

pub(super) struct Fake {
    pub fs: Mutex<BTreeMap<Key, Node>>,
    pub config: Mutex<Config>,
    pub stats: Mutex<Stats>,
}

pub(super) fn key(location: &Location) -> Key {
    (location.host().map(String::from), location.path().to_path_buf())
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Fake {
    pub(super) fn new(config: Config) -> Arc<Self> {
        Arc::new(Self { fs: Mutex::default(), config: Mutex::new(config), stats: Mutex::default() })
    }

    pub(super) fn dir(&self, at: &Location) {
        let mut fs = lock(&self.fs);
        for ancestor in at.path().ancestors() {
            fs.insert((at.host().map(String::from), ancestor.to_path_buf()), Node::Dir);
        }
    }

    pub(super) fn file(&self, at: &Location, data: &[u8], mtime: i64) {
        if let Some(parent) = at.parent() {
            self.dir(&parent);
        }
        lock(&self.fs).insert(key(at), Node::File { data: data.to_vec(), mtime });
    }

    pub(super) fn get(&self, at: &Location) -> Option<Node> {
        lock(&self.fs).get(&key(at)).cloned()
    }

    pub(super) fn data(&self, at: &Location) -> Option<Vec<u8>> {
        match self.get(at) {
            Some(Node::File { data, .. }) => Some(data),
            _ => None,
        }
    }

    /// Every path on a host under `dir`, for checking leftovers.
    pub(super) fn paths_under(&self, dir: &Location) -> Vec<PathBuf> {
        let host = dir.host().map(String::from);
        lock(&self.fs)
            .keys()
            .filter(|(h, p)| *h == host && p.starts_with(dir.path()) && p != dir.path())
            .map(|(_, p)| p.clone())
            .collect()
    }

    fn hosts(task: &Task) -> Vec<Option<String>> {
        let (source, dest) = match &task.work {
            Work::Scan { roots, .. } => (roots.first().map(|r| r.1.clone()), None),
            Work::Probe { dirs, .. } => (None, dirs.first().cloned()),
            Work::MakeDirs { dirs } => (None, dirs.first().map(|d| d.1.clone())),
            Work::Transfer(batch) => {
                let first = batch.items.first();
                (
                    first.map(|i| i.source.clone()),
                    if batch.direct || batch.within_one_host() {
                        None
                    } else {
                        first.map(|i| i.dest.clone())
                    },
                )
            }
            Work::Delete { files } => (files.first().map(|f| f.1.clone()), None),
            Work::RemoveDirs { dirs } => (dirs.first().map(|d| d.1.clone()), None),
            Work::Discard { files } => (None, files.first().map(|f| f.1.clone())),
            Work::MakeLinks { links } => (None, links.first().map(|l| l.dest.clone())),
            Work::DirTimes { dirs } => (None, dirs.first().map(|d| d.0.clone())),
        };
        [source, dest].into_iter().flatten().map(|l| l.host().map(String::from)).collect()
    }

    fn enter(&self, task: &Task, hosts: &[Option<String>]) {
        let mut stats = lock(&self.stats);
        let files = match &task.work {
            Work::Transfer(batch) => batch.items.len(),
            _ => 0,
        };
        stats.started.push((task.job.0, task.work.name(), files));
        for host in hosts {
            let n = stats.active.entry(host.clone()).or_default();
            *n += 1;
            let n = *n;
            let max = stats.max_active.entry(host.clone()).or_default();
            *max = (*max).max(n);
            if host.is_some() {
                stats.global += 1;
                stats.max_global = stats.max_global.max(stats.global);
            }
        }
        if files > 0 {
            let n = stats.concurrent_transfers.entry(task.job.0).or_default();
            *n += 1;
            let n = *n;
            let max = stats.max_concurrent_transfers.entry(task.job.0).or_default();
            *max = (*max).max(n);
        }
    }

    fn leave(&self, task: &Task, hosts: &[Option<String>]) {
        let mut stats = lock(&self.stats);
        for host in hosts {
            if let Some(n) = stats.active.get_mut(host) {
                *n -= 1;
            }
            if host.is_some() {
                stats.global -= 1;
            }
        }
        if let (Work::Transfer(_), Some(n)) = (&task.work, stats.concurrent_transfers.get_mut(&task.job.0)) {
            *n -= 1;
        }
    }

    /// Waits `d`, or returns early with `Interrupted` when cancelled.
    async fn pause(r: &Reporter, d: Duration) -> Result<(), TaskError> {
        tokio::select! {
            _ = tokio::time::sleep(d) => Ok(()),
            _ = r.cancel.cancelled() => Err(TaskError::Interrupted),
        }
    }

    async fn work(self: Arc<Self>, task: Task, r: Reporter) -> Result<(), TaskError> {
        let connect = lock(&self.config).connect;
        Self::pause(&r, connect).await?;
        r.connected();
        match task.work {
            Work::Scan { roots, .. } => {
                for (item, root) in roots {
                    r.scanned(item, self.scan(&root));
                }
            }
            Work::Probe { dirs, names, whole } => {
                for (dir, names) in dirs.into_iter().zip(names) {
                    let probe = self.probe(&dir, (!whole).then_some(&names));
                    r.probed(dir, probe);
                }
            }
            Work::MakeDirs { dirs } => {
                for (item, dir, _) in dirs {
                    let parent_ok = dir.parent().is_some_and(|p| self.get(&p) == Some(Node::Dir));
                    let denied = lock(&self.config).mkdir_denied.contains(dir.path());
                    let result = if denied {
                        Err(format!("mkdir: {}: Permission denied", dir.path().display()))
                    } else if parent_ok {
                        lock(&self.fs).insert(key(&dir), Node::Dir);
                        Ok(())
                    } else {
                        Err(format!("mkdir: {}: No such file or directory", dir.path().display()))
                    };
                    r.item_done(item, result);
                }
            }
            Work::Transfer(batch) => {
                for file in &batch.items {
                    self.transfer_one(&r, file, &batch).await?;
                }
            }
            Work::Delete { files } => {
                for (item, source) in files {
                    let result = self.delete(&source);
                    r.item_done(item, result);
                }
            }
            Work::Discard { files } => {
                for (item, temp) in files {
                    let under = self.paths_under(&temp);
                    let mut fs = lock(&self.fs);
                    for path in under {
                        fs.remove(&key(&temp.with_path(path)));
                    }
                    fs.remove(&key(&temp));
                    drop(fs);
                    lock(&self.stats).discarded.push(temp.path().to_path_buf());
                    r.item_done(item, Ok(()));
                }
            }
            // The fake's trees hold no links; times are not modelled.
            Work::MakeLinks { links } => {
                for link in links {
                    r.item_done(link.item, Ok(()));
                }
            }
            Work::DirTimes { .. } => {}
            Work::RemoveDirs { dirs } => {
                for (item, dir) in dirs {
                    let busy = !self.paths_under(&dir).is_empty();
                    let result = if busy {
                        Err("rmdir: Directory not empty".to_string())
                    } else {
                        lock(&self.fs).remove(&key(&dir));
                        lock(&self.stats).deleted.push(dir.path().to_path_buf());
                        Ok(())
                    };
                    r.item_done(item, result);
                }
            }
        }
        Ok(())
    }

    async fn transfer_one(&self, r: &Reporter, file: &BatchItem, batch: &Batch) -> Result<(), TaskError> {
        let (source, dest, item) = (&file.source, &file.dest, file.item);
        let config = lock(&self.config).clone();
        let (data, mtime) = match self.get(source) {
            Some(Node::File { data, mtime }) if !config.denied.contains(source.path()) => (data, mtime),
            Some(Node::File { .. }) => {
                // As the real backends report a typed permission denied.
                r.denied(item);
                r.item_done(item, Err(format!("scp: {}: Permission denied", source.path().display())));
                return Ok(());
            }
            _ => {
                r.item_done(item, Err(format!("scp: {}: Permission denied", source.path().display())));
                return Ok(());
            }
        };
        r.started(item);
        Self::pause(r, config.per_file).await?;
        let (temp, mut done) = self.partial_for(r, file, &data, mtime);
        while done < data.len() as u64 {
            let step = config.chunk.min(data.len() as u64 - done);
            let waited = Self::pause(r, Duration::from_secs_f64(step as f64 / config.rate as f64)).await;
            // An interrupted copy keeps what arrived, for a resume.
            waited.and_then(|()| self.count_bytes(&[source, dest], step))?;
            if let Some(Node::File { data: copy, .. }) = lock(&self.fs).get_mut(&key(&temp)) {
                copy.extend_from_slice(&data[done as usize..(done + step) as usize]);
            }
            lock(&self.stats).copied_bytes += step;
            done += step;
            r.progress(item, done);
        }
        let expected: [u8; 32] = Sha256::digest(&data).into();
        let mut data = data;
        if config.corrupt.contains(source.path())
            && let Some(b) = data.first_mut()
        {
            *b ^= 0xff;
        }
        let mut fs = lock(&self.fs);
        fs.remove(&key(&temp));
        if batch.verify {
            let copied: [u8; 32] = Sha256::digest(&data).into();
            if let Err(reason) = compare_digests(&expected, &copied) {
                drop(fs);
                r.partial(item, None);
                r.item_done(item, Err(reason));
                return Ok(());
            }
        }
        let node = Node::File { data, mtime: if batch.preserve { mtime } else { 9_999 } };
        let outcome = match file.place {
            Place::Replace | Place::Into => {
                fs.insert(key(dest), node);
                Outcome::Done
            }
            Place::NoReplace if fs.contains_key(&key(dest)) => Outcome::Skipped("exists".into()),
            Place::NoReplace => {
                fs.insert(key(dest), node);
                Outcome::Done
            }
            Place::KeepBoth { from } => {
                let (Some(dir), Some(name)) = (dest.parent(), dest.path().file_name()) else {
                    return Err(TaskError::Failed("no name".into()));
                };
                let free = (from..)
                    .map(|n| dir.join(keep_both_candidate(name, n)))
                    .find(|candidate| !fs.contains_key(&key(candidate)))
                    .unwrap_or_else(|| dest.clone());
                fs.insert(key(&free), node);
                if free == *dest { Outcome::Done } else { Outcome::PlacedAs(free) }
            }
        };
        drop(fs);
        r.finished_item(item, Ok(outcome));
        Ok(())
    }

    /// The temporary copy to write into and how much of it is there: a
    /// partial copy that still matches its source is continued (reported
    /// as resumed), anything else starts over beside the destination.
    fn partial_for(&self, r: &Reporter, file: &BatchItem, data: &[u8], mtime: i64) -> (Location, u64) {
        if let Some(partial) = &file.resume {
            let temp = file.dest.with_path(partial.temp.clone());
            let unchanged = partial.size == data.len() as u64 && partial.mtime == Some(mtime);
            match self.get(&temp) {
                Some(Node::File { data: copy, .. }) if unchanged && data.starts_with(&copy) => {
                    r.resumed(file.item, copy.len() as u64);
                    return (temp, copy.len() as u64);
                }
                _ => {
                    lock(&self.fs).remove(&key(&temp));
                    r.partial(file.item, None);
                }
            }
        }
        let temp = file.dest.with_path(PathBuf::from(format!("{}.scpdeck-tmp", file.dest.path().display())));
        lock(&self.fs).insert(key(&temp), Node::File { data: Vec::new(), mtime: 0 });
        let partial =
            Partial { temp: temp.path().to_path_buf(), size: data.len() as u64, mtime: Some(mtime) };
        r.partial(file.item, Some(partial));
        (temp, 0)
    }

    fn count_bytes(&self, ends: &[&Location], bytes: u64) -> Result<(), TaskError> {
        let (drop_after, drops) = {
            let config = lock(&self.config);
            (config.drop_host_after.clone(), config.drops)
        };
        let mut stats = lock(&self.stats);
        for host in ends.iter().filter_map(|l| l.host()) {
            let moved = stats.moved_bytes.entry(host.to_string()).or_default();
            *moved += bytes;
            let moved = *moved;
            if let Some((h, limit)) = &drop_after
                && h == host
                && moved > *limit
                && stats.dropped < drops
            {
                stats.dropped += 1;
                stats.moved_bytes.clear();
                return Err(TaskError::Dropped(format!("connection to {host} lost: Broken pipe")));
            }
        }
        Ok(())
    }

    fn scan(&self, root: &Location) -> Result<Scan, String> {
        let denied = lock(&self.config).denied.clone();
        let fs = lock(&self.fs);
        let host = root.host().map(String::from);
        let mut scan = Scan::default();
        let Some(node) = fs.get(&key(root)) else {
            return Err(format!("{}: No such file or directory", root.path().display()));
        };
        scan.entries.push(entry(Path::new(""), node));
        if *node != Node::Dir {
            return Ok(scan);
        }
        for ((h, path), node) in fs.range(key(root)..) {
            if *h != host || !path.starts_with(root.path()) {
                break;
            }
            let Ok(rel) = path.strip_prefix(root.path()) else { continue };
            if rel.as_os_str().is_empty()
                || rel.ancestors().skip(1).any(|a| denied.contains(&root.path().join(a)))
            {
                continue;
            }
            if *node == Node::Dir && denied.contains(path) {
                scan.errors.push(ScanError { rel: rel.to_path_buf(), reason: "Permission denied".into() });
            } else {
                scan.entries.push(entry(rel, node));
            }
        }
        Ok(scan)
    }

    /// As the real file systems answer: a directory on this machine is
    /// listed whole, on a host only `names` are looked up (unless listed
    /// whole, without them).
    fn probe(&self, dir: &Location, names: Option<&Vec<std::ffi::OsString>>) -> DirProbe {
        let fs = lock(&self.fs);
        match fs.get(&key(dir)) {
            None => DirProbe::Missing,
            Some(Node::File { data, mtime }) => DirProbe::NotADir(DestInfo {
                kind: Kind::File,
                size: data.len() as u64,
                mtime: Some(*mtime),
                link: false,
            }),
            Some(Node::Dir) => {
                let host = dir.host().map(String::from);
                let entries = fs
                    .iter()
                    .filter(|((h, p), _)| *h == host && p.parent() == Some(dir.path()))
                    .filter_map(|((_, p), node)| {
                        let info = match node {
                            Node::Dir => DestInfo { kind: Kind::Dir, size: 0, mtime: Some(1), link: false },
                            Node::File { data, mtime } => DestInfo {
                                kind: Kind::File,
                                size: data.len() as u64,
                                mtime: Some(*mtime),
                                link: false,
                            },
                        };
                        Some((p.file_name()?.to_os_string(), info))
                    })
                    .collect::<Vec<_>>();
                match (dir.host(), names) {
                    (None, _) | (_, None) => DirProbe::Listing(entries),
                    (Some(_), Some(names)) => DirProbe::Named {
                        looked: names.to_vec(),
                        found: entries.into_iter().filter(|(n, _)| names.contains(n)).collect(),
                    },
                }
            }
        }
    }

    fn delete(&self, source: &Location) -> Result<(), String> {
        let mut stats = lock(&self.stats);
        stats.deleted.push(source.path().to_path_buf());
        // The scheduler must only delete a source whose copy is in place:
        // check that some file with the same content exists elsewhere.
        let fs = lock(&self.fs);
        let Some(Node::File { data, .. }) = fs.get(&key(source)) else {
            return Err("No such file".into());
        };
        let copied =
            fs.iter().any(|(k, n)| *k != key(source) && matches!(n, Node::File { data: d, .. } if d == data));
        if !copied {
            stats.unsafe_deletes.push(source.path().to_path_buf());
        }
        drop(fs);
        lock(&self.fs).remove(&key(source));
        Ok(())
    }
}

fn entry(rel: &Path, node: &Node) -> ScanEntry {
    match node {
        Node::Dir => ScanEntry {
            rel: rel.to_path_buf(),
            kind: ItemKind::Dir,
            size: 0,
            mode: 0o755,
            mtime: None,
            link: None,
        },
        Node::File { data, mtime } => ScanEntry {
            rel: rel.to_path_buf(),
            kind: ItemKind::File,
            size: data.len() as u64,
            mode: 0o644,
            mtime: Some(*mtime),
            link: None,
        },
    }
}

/// Runs the fake; the Arc is kept so tests can look inside afterwards.
pub(super) struct FakeBackend(pub Arc<Fake>);

impl Backend for FakeBackend {
    fn run(&self, task: Task, reporter: Reporter) -> BoxFuture<'static, Result<(), TaskError>> {
        let fake = self.0.clone();
        Box::pin(async move {
            let hosts = Fake::hosts(&task);
            fake.enter(&task, &hosts);
            let result = fake.clone().work(task.clone(), reporter).await;
            fake.leave(&task, &hosts);
            result
        })
    }
}
