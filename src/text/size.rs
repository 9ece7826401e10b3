//! Byte counts as people read them, for panes, dialogs, progress and `cp`.

use humansize::{BINARY, FormatSizeOptions, format_size};

/// A size like `1.5 KiB`.
pub fn human_size(bytes: u64) -> String {
    let options = FormatSizeOptions::from(BINARY).decimal_places(1).decimal_zeroes(0);
    format_size(bytes, options)
}

/// A size to the byte, with thousands separators, and the short size:
/// `1,536 bytes (1.5 KiB)`.
pub fn exact_size(bytes: u64) -> String {
    let digits = bytes.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    let unit = if bytes == 1 { "byte" } else { "bytes" };
    if bytes < 1024 {
        format!("{grouped} {unit}")
    } else {
        format!("{grouped} {unit} ({})", human_size(bytes))
    }
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

    #[test]
    fn exact_sizes_group_thousands() {
        assert_eq!(exact_size(0), "0 bytes");
        assert_eq!(exact_size(1), "1 byte");
        assert_eq!(exact_size(999), "999 bytes");
        assert_eq!(exact_size(1536), "1,536 bytes (1.5 KiB)");
        assert_eq!(exact_size(734_003_200), "734,003,200 bytes (700 MiB)");
        assert_eq!(exact_size(u64::MAX), "18,446,744,073,709,551,615 bytes (16 EiB)");
    }
}
