//! When a partial copy may be continued, and where (pure): the source's
//! size and modification time are those it had when the partial copy
//! began, the copy is no longer than the source, and the sha256 of its
//! last [`CHECK`] bytes (all of it when smaller) equals that of the same
//! range of the source, which the caller compares. The check range starts
//! on a [`BLOCK`] boundary, so that `dd` can read it on any host.

use crate::fs::remote::BLOCK;
use crate::fs::{Kind, Stat};
use crate::jobs::task::Partial;
use crate::text::human_size;

/// How much of the end of a partial copy is compared with its source.
pub const CHECK: u64 = 1024 * 1024;

/// Where a partial copy continues: `offset`, after comparing its `check`
/// range (start, length) with the source's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    pub offset: u64,
    pub check: (u64, u64),
}

/// The plan for a partial copy of `have` bytes that would continue at
/// `offset` (at most `have`), given the source as it is now; or why the
/// file must start over.
pub fn plan(partial: &Partial, source: Option<&Stat>, have: u64, offset: u64) -> Result<Plan, String> {
    let Some(source) = source.filter(|s| s.kind == Kind::File) else {
        return Err("the source is no longer a regular file".into());
    };
    if source.size != partial.size || source.mtime != partial.mtime {
        return Err(format!(
            "the source changed since the partial copy began ({} then, {} now{})",
            human_size(partial.size),
            human_size(source.size),
            if source.mtime != partial.mtime { ", modified since" } else { "" }
        ));
    }
    if have > source.size {
        return Err("the partial copy is longer than the source".into());
    }
    if offset == 0 {
        return Err(format!("too little was copied to keep ({})", human_size(have)));
    }
    let start = offset.saturating_sub(CHECK) / BLOCK * BLOCK;
    Ok(Plan { offset, check: (start, offset - start) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn partial(size: u64) -> Partial {
        Partial { temp: "/t".into(), size, mtime: Some(100) }
    }

    fn file(size: u64, mtime: i64) -> Stat {
        Stat { kind: Kind::File, size, mode: 0o644, mtime: Some(mtime) }
    }

    #[test]
    fn a_matching_partial_copy_continues_after_checking_its_last_mebibyte() {
        let size = 100 * CHECK;
        let have = 40 * CHECK + 12_345;
        let offset = have / BLOCK * BLOCK;
        let plan = plan(&partial(size), Some(&file(size, 100)), have, offset).unwrap();
        assert_eq!(plan.offset, 40 * CHECK);
        assert_eq!(plan.check, (39 * CHECK, CHECK));
        // Smaller than the checked length: all of it, from the start.
        let small = super::plan(&partial(size), Some(&file(size, 100)), 3 * BLOCK, 3 * BLOCK).unwrap();
        assert_eq!(small.check, (0, 3 * BLOCK));
        // `cat >>` goes on at the very end: the check starts on a block.
        let cat = super::plan(&partial(size), Some(&file(size, 100)), have, have).unwrap();
        assert_eq!(cat.check.0 % BLOCK, 0);
        assert_eq!(cat.check.0 + cat.check.1, have);
        assert!(cat.check.1 >= CHECK);
    }

    #[test]
    fn a_changed_source_or_an_odd_partial_copy_starts_over() {
        let p = partial(1000 * BLOCK);
        let why = plan(&p, Some(&file(999 * BLOCK, 100)), BLOCK, BLOCK).unwrap_err();
        assert!(why.contains("changed"), "{why}");
        let why = plan(&p, Some(&file(1000 * BLOCK, 101)), BLOCK, BLOCK).unwrap_err();
        assert!(why.contains("modified"), "{why}");
        assert!(plan(&p, None, BLOCK, BLOCK).is_err());
        assert!(plan(&p, Some(&file(1000 * BLOCK, 100)), 1001 * BLOCK, BLOCK).is_err());
        let why = plan(&p, Some(&file(1000 * BLOCK, 100)), 100, 0).unwrap_err();
        assert!(why.contains("too little"), "{why}");
    }
}
