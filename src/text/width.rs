//! Column widths measured in terminal cells (unicode-width), so CJK and emoji
//! names line up, and cutting long text at a character boundary.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Display width of `s` in terminal cells.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Cuts `s` to at most `max` cells, ending with `…` when something was cut.
pub fn fit(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_owned();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > max - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// `fit`s `s` into exactly `cells` cells, padding with spaces on the right
/// (or on the left when `right_align`).
pub fn pad_to(s: &str, cells: usize, right_align: bool) -> String {
    let cut = fit(s, cells);
    let pad = " ".repeat(cells.saturating_sub(width(&cut)));
    if right_align { pad + &cut } else { cut + &pad }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_characters_count_twice() {
        assert_eq!(width("文件"), 4);
        assert_eq!(width("🚀a"), 3);
    }

    #[test]
    fn fit_cuts_at_a_character_boundary() {
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("文件名字", 5), "文件…");
        assert_eq!(fit("文件名字", 4), "文…");
        assert_eq!(fit("abc", 3), "abc");
        assert_eq!(fit("abc", 0), "");
    }

    #[test]
    fn pad_fills_exactly() {
        assert_eq!(pad_to("文件名字", 6, false), "文件… ");
        assert_eq!(width(&pad_to("文件名字", 5, false)), 5);
        assert_eq!(pad_to("12", 4, true), "  12");
    }
}
