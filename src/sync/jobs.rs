//! A plan as work: ordinary copy jobs for the scheduler (so pause, resume,
//! cancel, retry, the log and verification apply to a synchronization as
//! to any copy), and the deletions, for the file system of their end.

use std::path::Path;

use super::options::{End, SyncOptions};
use super::plan::{Op, Plan};
use crate::fs::Location;
use crate::jobs::{JobSpec, Mode, Options, OverwritePolicy, TargetKind};

/// A file or tree to delete (the plan's delete actions, ticked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deletion {
    pub end: End,
    pub location: Location,
}

/// One copy job per source directory and direction (its files and whole
/// new directories go into the same directory on the other end, replacing
/// what is there), and the deletions. Only ticked actions; conflicts never.
pub fn jobs_for(
    plan: &Plan,
    left: &Location,
    right: &Location,
    options: &SyncOptions,
    verify: bool,
) -> (Vec<JobSpec>, Vec<Deletion>) {
    let root = |end| if end == End::Left { left } else { right };
    let job_options = Options {
        preserve: options.preserve,
        overwrite: OverwritePolicy::Overwrite,
        verify,
        direct: false,
        limit_kbit: None,
        files_only: false,
        resume: false,
        follow_links: false,
    };
    let mut jobs: Vec<(End, &Path, JobSpec)> = Vec::new();
    let mut deletions = Vec::new();
    for action in plan.runnable() {
        if action.op == Op::Delete {
            deletions.push(Deletion { end: action.from, location: root(action.from).join(&action.path) });
            continue;
        }
        let parent = action.path.parent().unwrap_or(Path::new(""));
        let source = root(action.from).join(&action.path);
        match jobs.iter_mut().find(|(end, p, _)| *end == action.from && *p == parent) {
            Some((_, _, spec)) => spec.sources.push(source),
            None => {
                let target = root(action.from.other()).join(parent);
                let spec = JobSpec {
                    mode: Mode::Copy,
                    sources: vec![source],
                    target,
                    target_kind: TargetKind::Dir,
                    options: job_options.clone(),
                };
                jobs.push((action.from, parent, spec));
            }
        }
    }
    (jobs.into_iter().map(|(_, _, spec)| spec).collect(), deletions)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::super::diff::compare;
    use super::super::diff::tests::{dir, file, tree};
    use super::super::options::{Criterion, Direction};
    use super::super::plan::plan;
    use super::*;

    #[test]
    fn one_job_per_directory_and_direction_and_deletions_apart() {
        let left =
            tree(&[("a", file(1, 9)), ("b", file(1, 9)), ("d", dir()), ("d/c", file(1, 9)), ("n", dir())]);
        let right = tree(&[("d", dir()), ("d/c", file(1, 1)), ("old", file(1, 1)), ("z", file(5, 20))]);
        let differences = compare(&left, &right, Criterion::TimeAndSize, &BTreeSet::new());
        let (l, r) = (Location::Local("/l".into()), Location::Remote { host: "h".into(), path: "/r".into() });
        let options = SyncOptions { delete: true, ..SyncOptions::default() };
        let mut p = plan(&differences, &options);
        p.actions.iter_mut().filter(|a| a.path == Path::new("z")).for_each(|a| a.ticked = false);
        let (jobs, deletions) = jobs_for(&p, &l, &r, &options, true);
        let shape: Vec<(Vec<Location>, Location)> =
            jobs.iter().map(|j| (j.sources.clone(), j.target.clone())).collect();
        assert_eq!(
            shape,
            [(vec![l.join("a"), l.join("b"), l.join("n")], r.clone()), (vec![l.join("d/c")], r.join("d")),]
        );
        assert!(
            jobs.iter().all(|j| j.options.preserve && j.options.verify && j.target_kind == TargetKind::Dir)
        );
        assert!(jobs.iter().all(|j| j.options.overwrite == OverwritePolicy::Overwrite));
        assert_eq!(deletions, [Deletion { end: End::Right, location: r.join("old") }]);
        let both = SyncOptions { direction: Direction::Both, ..SyncOptions::default() };
        let (jobs, deletions) = jobs_for(&plan(&differences, &both), &l, &r, &both, false);
        assert!(deletions.is_empty());
        assert!(jobs.iter().any(|j| j.sources == [r.join("old"), r.join("z")] && j.target == l));
    }
}
