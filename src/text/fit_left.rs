//! Cutting text from the left: a long path keeps its end (the directory
//! the pane is in), with `…` where the start was.

use unicode_width::UnicodeWidthChar;

use super::width::width;

/// Cuts `s` to at most `max` cells by dropping characters from its start,
/// beginning with `…` when something was cut. Widths are display widths
/// (a CJK character takes two cells and is dropped whole).
pub fn fit_left(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_owned();
    }
    if max == 0 {
        return String::new();
    }
    let mut kept: Vec<char> = Vec::new();
    let mut used = 0;
    for c in s.chars().rev() {
        let w = c.width().unwrap_or(0);
        if used + w > max - 1 {
            break;
        }
        kept.push(c);
        used += w;
    }
    std::iter::once('…').chain(kept.into_iter().rev()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_end_and_counts_display_width() {
        assert_eq!(fit_left("/home/alice/projects", 10), "…/projects");
        assert_eq!(fit_left("/home/alice/projects", 11), "…e/projects");
        assert_eq!(fit_left("short", 5), "short");
        assert_eq!(fit_left("/文件/名字", 6), "…/名字");
        assert_eq!(fit_left("/文件/名字", 5), "…名字");
        assert_eq!(width(&fit_left("/文件/名字", 4)), 3, "a wide character is never cut in half");
        assert_eq!(fit_left("abc", 0), "");
        assert_eq!(fit_left("abc", 1), "…");
    }
}
