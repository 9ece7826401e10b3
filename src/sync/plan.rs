//! What to do about each difference, for a direction (pure).

use std::path::PathBuf;

use super::diff::{Difference, Why};
use super::options::{End, SyncOptions};
use crate::fs::Kind;

/// What an action does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    /// A file or whole directory the target does not have.
    Copy,
    /// A file the target has, replaced.
    Update,
    /// A file or whole directory only the target has (with delete on).
    Delete,
    /// Left alone: no side can be said to win (a file here and a directory
    /// there; both ways, a different file changed in the same second).
    Conflict,
}

impl Op {
    pub fn label(self) -> &'static str {
        match self {
            Op::Copy => "copy",
            Op::Update => "update",
            Op::Delete => "delete",
            Op::Conflict => "conflict",
        }
    }
}

/// One step of a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    pub op: Op,
    /// Relative to both synchronized directories.
    pub path: PathBuf,
    /// Where the content comes from (for a delete: the end deleted on).
    pub from: End,
    pub dir: bool,
    /// Bytes the action moves (a directory's: unknown, 0).
    pub size: u64,
    pub why: Why,
    /// Unticked in the preview: not run.
    pub ticked: bool,
}

impl Action {
    /// The end the action changes.
    pub fn changes(&self) -> End {
        match self.op {
            Op::Delete => self.from,
            _ => self.from.other(),
        }
    }
}

/// The actions for a set of differences, in path order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    pub actions: Vec<Action>,
}

impl Plan {
    /// Nothing to run (conflicts are reported, never run).
    pub fn is_empty(&self) -> bool {
        self.actions.iter().all(|a| a.op == Op::Conflict)
    }

    /// Ticked actions that change something.
    pub fn runnable(&self) -> impl Iterator<Item = &Action> {
        self.actions.iter().filter(|a| a.ticked && a.op != Op::Conflict)
    }

    pub fn count(&self, op: Op) -> usize {
        self.actions.iter().filter(|a| a.op == op).count()
    }
}

/// The plan for `differences` under `options` (direction and delete).
pub fn plan(differences: &[Difference], options: &SyncOptions) -> Plan {
    let actions = differences.iter().filter_map(|d| action(d, options)).collect();
    Plan { actions }
}

fn action(d: &Difference, options: &SyncOptions) -> Option<Action> {
    let (op, from) = match (options.direction.source(), d.why) {
        (_, Why::KindDiffers) => (Op::Conflict, options.direction.source().unwrap_or(End::Left)),
        (Some(source), Why::OnlyIn(end)) if end == source => (Op::Copy, source),
        (Some(_), Why::OnlyIn(end)) if options.delete => (Op::Delete, end),
        (Some(_), Why::OnlyIn(_)) => return None,
        (Some(source), _) => (Op::Update, source),
        (None, Why::OnlyIn(end)) => (Op::Copy, end),
        (None, _) => match d.newer() {
            Some(end) => (Op::Update, end),
            None => (Op::Conflict, End::Left),
        },
    };
    let node = match op {
        Op::Delete => d.node(from),
        _ => d.node(from).or(d.node(from.other())),
    };
    let dir = node.is_some_and(|n| n.kind == Kind::Dir);
    // Without recursion only files are synchronized (as scp without -r).
    if dir && !options.recursive && op != Op::Conflict {
        return None;
    }
    let size = if op == Op::Delete || dir { 0 } else { node.map_or(0, |n| n.size) };
    // Links and special files are never copied: scp would follow a link.
    let plain = node.is_some_and(|n| matches!(n.kind, Kind::File | Kind::Dir));
    let op = if plain || op == Op::Delete { op } else { Op::Conflict };
    Some(Action { op, path: d.path.clone(), from, dir, size, why: d.why, ticked: op != Op::Conflict })
}

/// Plans by direction: what a second look at the same trees would do.
#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    use super::super::diff::compare;
    use super::super::diff::tests::{dir, file, tree};
    use super::super::options::{Criterion, Direction};
    use super::*;

    fn ops(plan: &Plan) -> Vec<(String, Op, End)> {
        plan.actions.iter().map(|a| (a.path.display().to_string(), a.op, a.from)).collect()
    }

    fn fixture() -> Vec<Difference> {
        let left = tree(&[
            ("new", file(1, 1)),
            ("newer_left", file(2, 9)),
            ("newer_right", file(2, 1)),
            ("tie", file(2, 5)),
            ("kind", file(1, 1)),
            ("ldir", dir()),
            ("ldir/x", file(4, 1)),
        ]);
        let right = tree(&[
            ("extra", file(1, 1)),
            ("newer_left", file(2, 1)),
            ("newer_right", file(2, 9)),
            ("tie", file(3, 5)),
            ("kind", dir()),
            ("rdir", dir()),
        ]);
        compare(&left, &right, Criterion::TimeAndSize, &BTreeSet::new())
    }

    #[test]
    fn one_way_copies_updates_and_deletes_only_when_asked() {
        let to_right = SyncOptions::default();
        assert_eq!(
            ops(&plan(&fixture(), &to_right)),
            [
                ("kind".into(), Op::Conflict, End::Left),
                ("ldir".into(), Op::Copy, End::Left),
                ("new".into(), Op::Copy, End::Left),
                ("newer_left".into(), Op::Update, End::Left),
                ("newer_right".into(), Op::Update, End::Left),
                ("tie".into(), Op::Update, End::Left),
            ]
        );
        let deleting = SyncOptions { delete: true, ..SyncOptions::default() };
        let p = plan(&fixture(), &deleting);
        assert!(ops(&p).contains(&("extra".into(), Op::Delete, End::Right)));
        assert!(ops(&p).contains(&("rdir".into(), Op::Delete, End::Right)));
        let rdir = p.actions.iter().find(|a| a.path == Path::new("rdir")).unwrap();
        assert!(rdir.dir && rdir.changes() == End::Right);
        let ldir = p.actions.iter().find(|a| a.path == Path::new("ldir")).unwrap();
        assert!(ldir.dir && ldir.changes() == End::Right);
        let to_left = SyncOptions { direction: Direction::ToLeft, delete: true, ..SyncOptions::default() };
        let p = plan(&fixture(), &to_left);
        assert!(ops(&p).contains(&("extra".into(), Op::Copy, End::Right)));
        assert!(ops(&p).contains(&("new".into(), Op::Delete, End::Left)));
        assert!(ops(&p).contains(&("newer_left".into(), Op::Update, End::Right)));
        assert!(!p.actions.iter().find(|a| a.op == Op::Conflict).unwrap().ticked);
        assert_eq!(p.runnable().count(), p.actions.len() - 1);
    }

    #[test]
    fn both_ways_newest_wins_and_ties_conflict_never_deleting() {
        let both = SyncOptions { direction: Direction::Both, delete: true, ..SyncOptions::default() };
        assert_eq!(
            ops(&plan(&fixture(), &both)),
            [
                ("extra".into(), Op::Copy, End::Right),
                ("kind".into(), Op::Conflict, End::Left),
                ("ldir".into(), Op::Copy, End::Left),
                ("new".into(), Op::Copy, End::Left),
                ("newer_left".into(), Op::Update, End::Left),
                ("newer_right".into(), Op::Update, End::Right),
                ("rdir".into(), Op::Copy, End::Right),
                ("tie".into(), Op::Conflict, End::Left),
            ]
        );
    }

    #[test]
    fn links_are_never_copied_and_equal_trees_plan_nothing() {
        let link = crate::sync::Node { kind: Kind::Symlink, size: 3, mtime: 1, mode: 0o777 };
        let d = compare(&tree(&[("l", link)]), &tree(&[]), Criterion::TimeAndSize, &BTreeSet::new());
        let p = plan(&d, &SyncOptions::default());
        assert_eq!(ops(&p), [("l".into(), Op::Conflict, End::Left)]);
        assert!(p.is_empty());
        let flat = SyncOptions { recursive: false, delete: true, ..SyncOptions::default() };
        assert_eq!(ops(&plan(&fixture(), &flat)).iter().filter(|(p, ..)| p.ends_with("dir")).count(), 0);
        let same = tree(&[("a", file(1, 1))]);
        assert!(
            plan(&compare(&same, &same, Criterion::Checksum, &BTreeSet::new()), &SyncOptions::default())
                .is_empty()
        );
    }
}
