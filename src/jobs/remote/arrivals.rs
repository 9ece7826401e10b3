//! What one run of the SCP engine did for each file of a batch: the engine's
//! events turned into progress for the scheduler (as they come) and into a
//! record of what arrived and what failed (for the placement that follows).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;

use super::banners::Seen;
use crate::eventlog::{Event, Level};
use crate::jobs::backend::Reporter;
use crate::jobs::item::ItemId;
use crate::jobs::task::{BatchItem, Partial, TaskError};
use crate::scp::{self, Cause, Diagnostic, Landed, ScpError};

/// How a file of the run arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Arrived {
    /// Complete (an upload acknowledged by the remote scp, in its temporary
    /// place; a download renamed by the engine).
    Complete,
    /// A download left complete at this temporary path.
    Temp(std::path::PathBuf),
    /// A download written into its destination (a device, a pipe).
    Into,
    /// A download written into its existing destination, for this reason.
    InPlace(&'static str),
}

/// Per-file results of one engine run, by index in the request.
pub(super) struct Arrivals<'a> {
    r: &'a Reporter,
    items: Vec<ItemId>,
    /// The sources' modification times when listed (what a partial copy
    /// is checked against when it resumes).
    mtimes: Vec<Option<i64>>,
    /// Where an upload writes each file on the host (empty: not known,
    /// or not to be resumed).
    temps: Vec<PathBuf>,
    /// Files with a partial copy reported (kept when the run stops).
    partial: HashSet<usize>,
    /// Each file's size as sent.
    sizes: HashMap<usize, u64>,
    /// A download's temporary files on this machine, as the engine made
    /// them (kept with what arrived when the run stops).
    local_temps: HashMap<usize, PathBuf>,
    pub arrived: HashMap<usize, Arrived>,
    pub failed: BTreeMap<usize, (String, Cause)>,
    /// Login banners the run saw, for [`super::banners::seen`]
    /// once the run is over (the note needs the host's probe, which cannot
    /// run while the engine holds the session).
    pub banners: Vec<Seen>,
}

impl<'a> Arrivals<'a> {
    pub(super) fn new(r: &'a Reporter, items: &[&BatchItem]) -> Self {
        Arrivals {
            r,
            items: items.iter().map(|i| i.item).collect(),
            mtimes: items.iter().map(|i| i.mtime).collect(),
            temps: Vec::new(),
            partial: HashSet::new(),
            sizes: HashMap::new(),
            arrived: HashMap::new(),
            failed: BTreeMap::new(),
            banners: Vec::new(),
            local_temps: HashMap::new(),
        }
    }

    /// An upload whose files arrive at `temps` (by index), each a partial
    /// copy to resume should the run stop.
    pub(super) fn writing_to(mut self, temps: Vec<PathBuf>) -> Self {
        self.temps = temps;
        self
    }

    /// The files with a partial copy (reported, and not failed alone).
    pub(super) fn partials(&self) -> impl Iterator<Item = usize> + '_ {
        self.partial.iter().copied()
    }

    /// The run went on to its end (it did not stop as a whole): the files
    /// that failed lost their temporary files (a download's removed by the
    /// engine, an upload's with its private directory). A run that stopped
    /// as a whole fails its file in flight too, but that one's partial copy
    /// stays, to be resumed.
    pub(super) fn failures_lose_partials(&mut self) {
        for index in self.failed.keys() {
            if self.partial.remove(index)
                && let Some(&item) = self.items.get(*index)
            {
                self.r.partial(item, None);
            }
        }
    }

    fn partial(&mut self, index: usize, temp: PathBuf, size: u64) {
        if let Some(&item) = self.items.get(index) {
            let mtime = self.mtimes.get(index).copied().flatten();
            self.r.partial(item, Some(Partial { temp, size, mtime }));
            self.partial.insert(index);
        }
    }

    pub(super) fn on(&mut self, event: scp::Event) {
        let r = self.r;
        match event {
            scp::Event::Started { file, dir: false, size } => {
                if let Some(&item) = self.items.get(file.source) {
                    r.started(item);
                }
                self.sizes.insert(file.source, size);
                if let Some(temp) = self.temps.get(file.source).cloned() {
                    self.partial(file.source, temp, size);
                }
            }
            scp::Event::Temp { file, path } => {
                let size = self.sizes.get(&file.source).copied().unwrap_or_default();
                self.local_temps.insert(file.source, path.clone());
                self.partial(file.source, path, size);
            }
            scp::Event::Kept { .. } => {}
            scp::Event::Progress { file, bytes, .. } => {
                if let Some(&item) = self.items.get(file.source) {
                    r.progress(item, bytes);
                }
            }
            scp::Event::Landed { file, at } => {
                let arrived = match at {
                    Landed::Temp(path) => Arrived::Temp(path),
                    Landed::Into => Arrived::Into,
                    Landed::InPlace(why) => Arrived::InPlace(why),
                };
                self.arrived.insert(file.source, arrived);
            }
            scp::Event::Finished { file, dir: false, .. } => {
                self.arrived.entry(file.source).or_insert(Arrived::Complete);
            }
            scp::Event::Failed { file, reason, cause } => {
                self.arrived.remove(&file.source);
                self.failed.insert(file.source, (reason, cause));
            }
            scp::Event::Diagnostic(Diagnostic::Banner { host, stdout, stderr }) => {
                self.banners.push(Seen { host, stdout, stderr })
            }
            scp::Event::Diagnostic(diagnostic) => log_diagnostic(r, &diagnostic),
            scp::Event::Started { .. } | scp::Event::Finished { .. } => {}
        }
    }
}

impl Arrivals<'_> {
    /// After a run in which the server broke the protocol (`error`), as
    /// OpenSSH's scp ends with "protocol error": nothing of the run is kept.
    /// Every file fails with the offence; the temporary copies go.
    pub(super) fn distrust(&mut self, error: Option<&ScpError>) {
        let Some(offence) = error.filter(|e| e.is_protocol_violation()).map(ToString::to_string) else {
            return;
        };
        for (index, how) in std::mem::take(&mut self.arrived) {
            let reason = match how {
                Arrived::Temp(path) => {
                    let _ = std::fs::remove_file(path);
                    offence.clone()
                }
                Arrived::Complete => offence.clone(),
                Arrived::Into | Arrived::InPlace(_) => {
                    format!("{offence} (it had already been written into its destination)")
                }
            };
            self.failed.insert(index, (reason, Cause::Other));
        }
        for index in 0..self.items.len() {
            self.failed.entry(index).or_insert_with(|| (offence.clone(), Cause::Other));
        }
        // Partial copies too: none is resumed from such a server.
        for (_, path) in self.local_temps.drain() {
            let _ = std::fs::remove_file(path);
        }
    }
}

fn log_diagnostic(r: &Reporter, diagnostic: &Diagnostic) {
    let (host, level) = match diagnostic {
        Diagnostic::Banner { host, .. } => (host, Level::Warn),
        Diagnostic::Stderr { host, .. } => (host, Level::Error),
        Diagnostic::Exit { host, .. } => (host, Level::Warn),
    };
    r.log(Event::new(level, &diagnostic.lines().join(" / ")).host(host));
}

/// What stopped a whole run: a reason for the files it did not report on
/// (`Ok`), or a stop for the task (cancelled, connection lost).
pub(super) fn stopped(error: ScpError) -> Result<String, TaskError> {
    match error {
        ScpError::Cancelled => Err(TaskError::Interrupted),
        ScpError::Connection { .. } => Err(TaskError::Dropped(error.to_string())),
        other => Ok(other.to_string()),
    }
}
