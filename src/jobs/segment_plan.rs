//! Large files split into byte ranges sent over several channels at once
//! (`segments` and `segment_threshold` in config.toml, `cp --segments N`):
//! when a file is split, and where its ranges start and end.

use crate::fs::remote::BLOCK;

/// The default number of ranges (see docs/benchmarks.md, "Ranged
/// transfers", run 6, for how it was chosen).
pub const DEFAULT_SEGMENTS: usize = 8;

/// The default size from which a file is split: 64 MiB.
pub const DEFAULT_THRESHOLD: u64 = 64 << 20;

/// How large files are split. Cheap to copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segments {
    /// Ranges per file at most; 0 or 1: never split.
    pub count: usize,
    /// Files of at least this many bytes are split.
    pub threshold: u64,
}

impl Default for Segments {
    fn default() -> Self {
        Segments { count: DEFAULT_SEGMENTS, threshold: DEFAULT_THRESHOLD }
    }
}

impl Segments {
    /// Whether a file of `size` bytes is to be split (it must hold at
    /// least two blocks, or there is nothing to split).
    pub fn applies(&self, size: u64) -> bool {
        self.count > 1 && size >= self.threshold && size >= 2 * BLOCK
    }
}

/// One range of a file: `len` bytes from `start`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    pub start: u64,
    pub len: u64,
}

impl Range {
    pub fn end(&self) -> u64 {
        self.start + self.len
    }
}

/// At most `count` ranges that cover `size` bytes: every one starts on a
/// [`BLOCK`] boundary and all but the last are whole blocks long (what
/// `dd skip=`/`seek=` can address), as even as blocks allow. Fewer when
/// the file has fewer blocks than `count`; one when `count` is 0 or 1.
pub fn plan(size: u64, count: usize) -> Vec<Range> {
    let blocks = size.div_ceil(BLOCK).max(1);
    let n = (count.max(1) as u64).min(blocks);
    let (each, extra) = (blocks / n, blocks % n);
    let mut ranges = Vec::with_capacity(n as usize);
    let mut start = 0;
    for k in 0..n {
        let len_blocks = each + u64::from(k < extra);
        let end = ((start / BLOCK + len_blocks) * BLOCK).min(size);
        ranges.push(Range { start, len: end - start });
        start = end;
    }
    ranges
}

/// How much of the file is there from its start, contiguously, when the
/// ranges hold `done[k]` bytes each from their starts: where a resume
/// could continue (a multiple of [`BLOCK`], so that `dd` can).
pub fn contiguous(ranges: &[Range], done: &[u64]) -> u64 {
    let mut have = 0;
    for (range, &got) in ranges.iter().zip(done) {
        if got >= range.len {
            have = range.end();
            continue;
        }
        have = range.start + got;
        break;
    }
    have / BLOCK * BLOCK
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(size: u64, count: usize) -> Vec<Range> {
        let ranges = plan(size, count);
        assert!(!ranges.is_empty() && ranges.len() <= count.max(1), "{size} {count}: {ranges:?}");
        assert_eq!(ranges[0].start, 0);
        assert_eq!(ranges.last().map(Range::end), Some(size), "{size} {count}: {ranges:?}");
        for pair in ranges.windows(2) {
            assert_eq!(pair[0].end(), pair[1].start);
            assert!(pair[1].start.is_multiple_of(BLOCK));
            assert!(pair[0].len.is_multiple_of(BLOCK) && pair[0].len > 0);
        }
        ranges
    }

    #[test]
    fn ranges_cover_the_file_on_block_boundaries() {
        for size in [1, BLOCK - 1, BLOCK, BLOCK + 1, 2 * BLOCK, (1 << 20) - 1, 1 << 20, (1 << 20) + 1] {
            for count in [0, 1, 2, 3, 4, 7, 16, 64] {
                check(size, count);
            }
        }
        // 3 does not divide 16 blocks: 6, 5, 5.
        let lens: Vec<u64> = check(1 << 20, 3).iter().map(|r| r.len / BLOCK).collect();
        assert_eq!(lens, [6, 5, 5]);
        // The last range takes the odd tail (5 blocks in 4: 2, 1, 1 and 7 bytes).
        let last = *check(4 * BLOCK + 7, 4).last().unwrap();
        assert_eq!(last, Range { start: 4 * BLOCK, len: 7 });
        assert_eq!(check(BLOCK + 1, 4).len(), 2);
        assert_eq!(check(100, 4), [Range { start: 0, len: 100 }]);
    }

    #[test]
    fn splitting_needs_two_ranges_and_the_threshold() {
        let s = Segments { count: 4, threshold: 1 << 20 };
        assert!(!s.applies((1 << 20) - 1));
        assert!(s.applies(1 << 20));
        assert!(!Segments { count: 1, ..s }.applies(1 << 30));
        assert!(!Segments { count: 0, ..s }.applies(1 << 30));
        assert!(!Segments { count: 4, threshold: 0 }.applies(BLOCK));
        assert_eq!(Segments::default(), Segments { count: 8, threshold: 64 << 20 });
    }

    #[test]
    fn the_contiguous_part_stops_at_the_first_gap() {
        let ranges = plan(10 * BLOCK + 3, 3);
        let lens: Vec<u64> = ranges.iter().map(|r| r.len).collect();
        assert_eq!(contiguous(&ranges, &lens), 10 * BLOCK + 3 - 3);
        assert_eq!(contiguous(&ranges, &[0, lens[1], lens[2]]), 0);
        assert_eq!(contiguous(&ranges, &[lens[0], BLOCK + 5, lens[2]]), ranges[1].start + BLOCK);
        assert_eq!(contiguous(&ranges, &[BLOCK - 1, 0, 0]), 0);
    }
}
