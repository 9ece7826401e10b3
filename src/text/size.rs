//! Byte counts as people read them, for panes, dialogs, progress and `cp`.

use humansize::{BINARY, FormatSizeOptions, format_size};

/// A size like `1.5 KiB`.
pub fn human_size(bytes: u64) -> String {
    let options = FormatSizeOptions::from(BINARY).decimal_places(1).decimal_zeroes(0);
    format_size(bytes, options)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_short() {
        assert_eq!(human_size(0), "0 B");
        assert_eq!(human_size(1536), "1.5 KiB");
        assert_eq!(human_size(5 * 1024 * 1024 * 1024), "5 GiB");
    }
}
