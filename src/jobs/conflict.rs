//! Overwrite decisions and "keep both" names (pure).

use std::collections::HashSet;
use std::ffi::{OsStr, OsString};

use super::item::DestInfo;
use super::spec::OverwritePolicy;
use crate::fs::Kind;
use crate::fs::place::keep_both_candidate;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Decision {
    Copy,
    Skip(String),
    KeepBoth,
    Ask,
    /// The destination is of another kind (a directory where a file goes).
    Clash(String),
}

/// What to do with a file whose destination already holds `existing`.
pub(super) fn decide(
    policy: OverwritePolicy,
    size: u64,
    mtime: Option<i64>,
    existing: &DestInfo,
) -> Decision {
    if existing.kind == Kind::Dir {
        return Decision::Clash("a directory with this name exists at the destination".into());
    }
    match policy {
        OverwritePolicy::Ask => Decision::Ask,
        OverwritePolicy::Overwrite => Decision::Copy,
        OverwritePolicy::Skip => Decision::Skip("exists at the destination".into()),
        OverwritePolicy::KeepBoth => Decision::KeepBoth,
        OverwritePolicy::IfNewer => match (mtime, existing.mtime) {
            (Some(src), Some(dst)) if src > dst => Decision::Copy,
            (Some(_), Some(_)) => Decision::Skip("the destination is as new or newer".into()),
            _ => Decision::Skip("modification times unknown; cannot tell which is newer".into()),
        },
        OverwritePolicy::IfSizeDiffers => {
            if existing.size != size {
                Decision::Copy
            } else {
                Decision::Skip("exists with the same size".into())
            }
        }
    }
}

/// The first "keep both" name not in `taken` (`name (1).ext`, `name (2).ext`…)
/// and its number.
pub fn keep_both_name(name: &OsStr, taken: &HashSet<OsString>) -> (u32, OsString) {
    (1u32..u32::MAX)
        .map(|n| (n, keep_both_candidate(name, n)))
        .find(|(_, candidate)| !taken.contains(candidate))
        .unwrap_or_else(|| (0, name.to_os_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(size: u64, mtime: i64) -> DestInfo {
        DestInfo { kind: Kind::File, size, mtime: Some(mtime), link: false }
    }

    #[test]
    fn policies() {
        let existing = file(10, 100);
        assert_eq!(decide(OverwritePolicy::Ask, 10, Some(1), &existing), Decision::Ask);
        assert_eq!(decide(OverwritePolicy::Overwrite, 10, Some(1), &existing), Decision::Copy);
        assert!(matches!(decide(OverwritePolicy::Skip, 1, Some(1), &existing), Decision::Skip(_)));
        assert_eq!(decide(OverwritePolicy::IfNewer, 10, Some(101), &existing), Decision::Copy);
        assert!(matches!(decide(OverwritePolicy::IfNewer, 10, Some(100), &existing), Decision::Skip(_)));
        assert!(matches!(decide(OverwritePolicy::IfNewer, 10, None, &existing), Decision::Skip(_)));
        assert_eq!(decide(OverwritePolicy::IfSizeDiffers, 11, Some(1), &existing), Decision::Copy);
        assert!(matches!(decide(OverwritePolicy::IfSizeDiffers, 10, Some(1), &existing), Decision::Skip(_)));
        assert_eq!(decide(OverwritePolicy::KeepBoth, 10, Some(1), &existing), Decision::KeepBoth);
        let dir = DestInfo { kind: Kind::Dir, size: 0, mtime: None, link: false };
        assert!(matches!(decide(OverwritePolicy::Overwrite, 1, None, &dir), Decision::Clash(_)));
    }

    #[test]
    fn keep_both_names() {
        let taken: HashSet<OsString> = ["a.txt", "a (1).txt"].iter().map(OsString::from).collect();
        assert_eq!(keep_both_name(OsStr::new("a.txt"), &taken), (2, "a (2).txt".into()));
        assert_eq!(keep_both_name(OsStr::new("x.tar.gz"), &taken), (1, "x (1).tar.gz".into()));
    }
}
