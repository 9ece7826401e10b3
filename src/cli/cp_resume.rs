//! `scpdeck cp --resume`: what an interrupted run of the same copy left in
//! the journal (its partial copies, the files it placed) is taken over by
//! the new jobs, and the old records go.

use crate::jobs::journal::{Journal, adopted_from};
use crate::jobs::{AdoptedMap, JobSpec};

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
