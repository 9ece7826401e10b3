//! What one run of the SCP engine did for each file of a batch: the engine's
//! events turned into progress for the scheduler (as they come) and into a
//! record of what arrived and what failed (for the placement that follows).

use std::collections::{BTreeMap, HashMap};

use super::banners::Seen;
use crate::eventlog::{Event, Level};
use crate::jobs::backend::Reporter;
use crate::jobs::item::ItemId;
use crate::jobs::task::TaskError;
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
    pub arrived: HashMap<usize, Arrived>,
    pub failed: BTreeMap<usize, (String, Cause)>,
    /// Login banners the run saw, for [`super::banners::seen`]
    /// once the run is over (the note needs the host's probe, which cannot
    /// run while the engine holds the session).
    pub banners: Vec<Seen>,
}

impl<'a> Arrivals<'a> {
    pub(super) fn new(r: &'a Reporter, items: Vec<ItemId>) -> Self {
        Arrivals { r, items, arrived: HashMap::new(), failed: BTreeMap::new(), banners: Vec::new() }
    }

    pub(super) fn on(&mut self, event: scp::Event) {
        let r = self.r;
        match event {
            scp::Event::Started { file, dir: false, .. } => {
                if let Some(&item) = self.items.get(file.source) {
                    r.started(item);
                }
            }
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
