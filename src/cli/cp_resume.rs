//! `scpdeck cp --resume`: what an interrupted run of the same copy left in
//! the journal (its partial copies, the files it placed) is taken over by
//! the new jobs, and the old records go. At the end of a run, the partial
//! copies of the files that failed are kept for the next run with
//! `--resume`, and removed without it, as a plain copy leaves nothing.

use std::time::Duration;

use super::cp_console::Console;
use super::printer::Tone;
use crate::jobs::journal::{Journal, adopted_from};
use crate::jobs::{AdoptedMap, Control, JobId, JobSpec, Scheduler};

/// How long the end of a run waits for failed files' partial copies to go.
const DISCARD_WAIT: Duration = Duration::from_secs(30);

/// For each of `specs`, what unfinished jobs of the journal with the same
/// sources and target left; those jobs' records are removed (the new jobs
/// own their partial copies now). Jobs another process runs are left alone.
pub(super) fn adopt(journal: &Journal, specs: &[JobSpec]) -> Vec<AdoptedMap> {
    let mut maps = vec![AdoptedMap::new(); specs.len()];
    for saved in journal.unowned() {
        let Some((old, adopted)) = adopted_from(&saved) else { continue };
        let same = |spec: &&JobSpec| {
            spec.sources == old.sources && spec.target == old.target && spec.target_kind == old.target_kind
        };
        let Some(index) = specs.iter().position(|s| same(&s)) else { continue };
        maps[index].extend(adopted);
        let key = journal.adopt(saved);
        journal.remove(&key);
    }
    maps
}

/// Once the jobs `ids` are over (not interrupted): the partial copies of
/// their failed files are kept, and said so, when `keep` (`--resume`);
/// otherwise they are removed, and the jobs leave the journal.
pub(super) async fn settle_failed(scheduler: &Scheduler, ids: &[JobId], keep: bool, console: &Console) {
    let view = scheduler.view();
    let partials: usize = ids.iter().filter_map(|id| view.job(*id)).map(|j| j.partials).sum();
    if partials == 0 {
        return;
    }
    if keep {
        let copies = if partials == 1 { "1 partial copy" } else { "partial copies" };
        console.line(
            Tone::Warning,
            &format!("{copies} of what failed kept: run the same command again to continue"),
        );
        return;
    }
    let mut views = scheduler.subscribe();
    scheduler.control(Control::ClearFinished);
    let gone = async {
        loop {
            if ids.iter().all(|id| views.borrow_and_update().job(*id).is_none()) {
                return;
            }
            if views.changed().await.is_err() {
                return;
            }
        }
    };
    if tokio::time::timeout(DISCARD_WAIT, gone).await.is_err() {
        console
            .line(Tone::Warning, "not every partial copy of what failed could be removed yet: see the log");
    }
}
