//! Why two trees differ, path by path (pure).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::options::{Criterion, End};
use super::tree::{Node, Tree};
use crate::fs::Kind;

/// Why a path differs between the two trees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Why {
    /// Only this end has it (a directory: with all it holds).
    OnlyIn(End),
    /// Same size, this end's copy is newer.
    NewerIn(End),
    SizeDiffers,
    /// Same size, different sha256 (the checksum criterion only).
    ContentDiffers,
    /// A file here, a directory (or a link...) there.
    KindDiffers,
}

impl Why {
    /// How the pane of `end` marks the entry.
    pub fn mark(self, end: End) -> &'static str {
        match self {
            Why::OnlyIn(e) if e == end => "only here",
            Why::OnlyIn(_) => "only there",
            Why::NewerIn(e) if e == end => "newer here",
            Why::NewerIn(_) => "older here",
            Why::SizeDiffers => "size differs",
            Why::ContentDiffers => "content differs",
            Why::KindDiffers => "kind differs",
        }
    }
}

/// One path that differs, with what each end has there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    pub path: PathBuf,
    pub left: Option<Node>,
    pub right: Option<Node>,
    pub why: Why,
}

impl Difference {
    pub fn node(&self, end: End) -> Option<&Node> {
        match end {
            End::Left => self.left.as_ref(),
            End::Right => self.right.as_ref(),
        }
    }

    /// The end whose copy is newer (`None`: same second, or one is missing).
    pub fn newer(&self) -> Option<End> {
        let (l, r) = (self.left?, self.right?);
        match l.mtime.cmp(&r.mtime) {
            std::cmp::Ordering::Greater => Some(End::Left),
            std::cmp::Ordering::Less => Some(End::Right),
            std::cmp::Ordering::Equal => None,
        }
    }
}

/// The differences between `left` and `right` in path order. A directory
/// only one end has, or a path that is a directory on one end and not on
/// the other, is one difference: what lies below it is not listed again.
/// `content` holds the files whose sha256 differ (the checksum criterion;
/// see [`super::content_differs`]). Links and special files compare by
/// kind only.
pub fn compare(
    left: &Tree,
    right: &Tree,
    criterion: Criterion,
    content: &BTreeSet<PathBuf>,
) -> Vec<Difference> {
    let paths: BTreeSet<&PathBuf> = left.keys().chain(right.keys()).collect();
    let mut differences = Vec::new();
    // The last path reported as a whole: what is below it is covered.
    let mut covered: Option<&Path> = None;
    for path in paths {
        if covered.is_some_and(|c| path.starts_with(c)) {
            continue;
        }
        let (l, r) = (left.get(path).copied(), right.get(path).copied());
        let why = match (l, r) {
            (Some(_), None) => Some(Why::OnlyIn(End::Left)),
            (None, Some(_)) => Some(Why::OnlyIn(End::Right)),
            (Some(l), Some(r)) if l.kind != r.kind => Some(Why::KindDiffers),
            (Some(l), Some(r)) if l.kind == Kind::File => files(path, l, r, criterion, content),
            _ => None,
        };
        if let Some(why) = why {
            if !matches!(why, Why::NewerIn(_) | Why::SizeDiffers | Why::ContentDiffers) {
                covered = Some(path);
            }
            differences.push(Difference { path: path.clone(), left: l, right: r, why });
        }
    }
    differences
}

fn files(path: &Path, l: Node, r: Node, criterion: Criterion, content: &BTreeSet<PathBuf>) -> Option<Why> {
    if l.size != r.size {
        return Some(Why::SizeDiffers);
    }
    match criterion {
        Criterion::SizeOnly => None,
        Criterion::Checksum => content.contains(path).then_some(Why::ContentDiffers),
        Criterion::TimeAndSize => match l.mtime.cmp(&r.mtime) {
            std::cmp::Ordering::Greater => Some(Why::NewerIn(End::Left)),
            std::cmp::Ordering::Less => Some(Why::NewerIn(End::Right)),
            std::cmp::Ordering::Equal => None,
        },
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    pub(in crate::sync) fn file(size: u64, mtime: i64) -> Node {
        Node { kind: Kind::File, size, mtime, mode: 0o644 }
    }

    pub(in crate::sync) fn dir() -> Node {
        Node { kind: Kind::Dir, size: 0, mtime: 0, mode: 0o755 }
    }

    pub(in crate::sync) fn tree(entries: &[(&str, Node)]) -> Tree {
        entries.iter().map(|(p, n)| (PathBuf::from(p), *n)).collect()
    }

    fn whys(differences: &[Difference]) -> Vec<(String, Why)> {
        differences.iter().map(|d| (d.path.display().to_string(), d.why)).collect()
    }

    #[test]
    fn every_kind_of_difference() {
        let left = tree(&[
            ("d", dir()),
            ("d/only_left", file(1, 5)),
            ("d/same", file(3, 5)),
            ("left_newer", file(2, 9)),
            ("right_newer", file(2, 5)),
            ("sized", file(2, 5)),
            ("kind", file(1, 1)),
            ("new_dir", dir()),
            ("new_dir/inside", file(1, 1)),
        ]);
        let right = tree(&[
            ("d", dir()),
            ("d/same", file(3, 5)),
            ("d/only_right", file(1, 5)),
            ("left_newer", file(2, 5)),
            ("right_newer", file(2, 9)),
            ("sized", file(3, 5)),
            ("kind", dir()),
            ("kind/inside", file(1, 1)),
        ]);
        let none = BTreeSet::new();
        let found = compare(&left, &right, Criterion::TimeAndSize, &none);
        assert_eq!(
            whys(&found),
            [
                ("d/only_left".into(), Why::OnlyIn(End::Left)),
                ("d/only_right".into(), Why::OnlyIn(End::Right)),
                ("kind".into(), Why::KindDiffers),
                ("left_newer".into(), Why::NewerIn(End::Left)),
                ("new_dir".into(), Why::OnlyIn(End::Left)),
                ("right_newer".into(), Why::NewerIn(End::Right)),
                ("sized".into(), Why::SizeDiffers),
            ]
        );
        let by_size = compare(&left, &right, Criterion::SizeOnly, &none);
        assert!(!by_size.iter().any(|d| matches!(d.why, Why::NewerIn(_))));
        assert!(by_size.iter().any(|d| d.why == Why::SizeDiffers));
        let content: BTreeSet<PathBuf> = [PathBuf::from("d/same")].into();
        let by_sum = compare(&left, &right, Criterion::Checksum, &content);
        assert!(by_sum.iter().any(|d| d.path == Path::new("d/same") && d.why == Why::ContentDiffers));
        assert!(!by_sum.iter().any(|d| matches!(d.why, Why::NewerIn(_))));
    }

    #[test]
    fn equal_trees_and_awkward_names() {
        let names = ["a b", "-n", "new\nline", "$(x)", "ü", "it's"];
        let entries: Vec<(&str, Node)> = names.iter().map(|n| (*n, file(1, 1))).collect();
        let t = tree(&entries);
        assert!(compare(&t, &t, Criterion::TimeAndSize, &BTreeSet::new()).is_empty());
        let mut other = t.clone();
        other.insert(PathBuf::from("new\nline"), file(1, 2));
        let found = compare(&t, &other, Criterion::TimeAndSize, &BTreeSet::new());
        assert_eq!(whys(&found), [("new\nline".into(), Why::NewerIn(End::Right))]);
        assert_eq!(found[0].newer(), Some(End::Right));
        assert_eq!(Why::NewerIn(End::Right).mark(End::Right), "newer here");
        assert_eq!(Why::NewerIn(End::Right).mark(End::Left), "older here");
    }
}
