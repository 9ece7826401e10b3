//! Widths in terminal cells, measured the way the terminal (and ratatui's
//! buffer) draws text: by grapheme cluster (unicode-segmentation), each
//! cluster as wide as unicode-width says for the whole cluster. An emoji ZWJ
//! sequence (👩‍👩‍👧) or a flag (🏳️‍🌈) is one cluster of two cells, not the
//! sum of its code points, so columns and dialog borders stay aligned. Cuts
//! happen between clusters, never inside one. Every place that measures or
//! cuts a name uses these functions.

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// Display width of one grapheme cluster, as ratatui's buffer counts it.
fn cluster_width(cluster: &str) -> usize {
    if cluster.contains(char::is_control) { 0 } else { UnicodeWidthStr::width(cluster) }
}

/// Display width of `s` in terminal cells.
pub fn width(s: &str) -> usize {
    s.graphemes(true).map(cluster_width).sum()
}

/// Cuts `s` to at most `max` cells, ending with `…` when something was cut.
pub fn fit(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_owned();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = take_cells(s, max - 1);
    out.push('…');
    out
}

/// Cuts `s` to at most `max` cells by dropping clusters from its start,
/// beginning with `…` when something was cut: a long path keeps its end
/// (the directory the pane is in).
pub fn fit_left(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_owned();
    }
    if max == 0 {
        return String::new();
    }
    let mut kept: Vec<&str> = Vec::new();
    let mut used = 0;
    for cluster in s.graphemes(true).rev() {
        let w = cluster_width(cluster);
        if used + w > max - 1 {
            break;
        }
        kept.push(cluster);
        used += w;
    }
    std::iter::once("…").chain(kept.into_iter().rev()).collect()
}

/// The longest start of `s` at most `cells` wide, cut between clusters.
pub fn take_cells(s: &str, cells: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    for cluster in s.graphemes(true) {
        let w = cluster_width(cluster);
        if used + w > cells {
            break;
        }
        out.push_str(cluster);
        used += w;
    }
    out
}

/// `s` cut into pieces at most `cells` wide (at least one cell each), for
/// wrapping text that has no spaces to break at.
pub fn chunks(s: &str, cells: usize) -> Vec<String> {
    let cells = cells.max(1);
    let mut out = vec![String::new()];
    let mut used = 0;
    for cluster in s.graphemes(true) {
        let w = cluster_width(cluster);
        if used + w > cells && used > 0 {
            out.push(String::new());
            used = 0;
        }
        if let Some(last) = out.last_mut() {
            last.push_str(cluster);
        }
        used += w;
    }
    out
}

/// `s` wrapped at spaces into lines at most `cells` wide; a word wider
/// than a line is cut into pieces. Never loses text.
pub fn wrap(s: &str, cells: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in s.split(' ').filter(|w| !w.is_empty()) {
        let needed = if line.is_empty() { width(word) } else { width(&line) + 1 + width(word) };
        if needed <= cells {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
            continue;
        }
        if !line.is_empty() {
            out.push(std::mem::take(&mut line));
        }
        let mut pieces = chunks(word, cells);
        line = pieces.pop().unwrap_or_default();
        out.extend(pieces);
    }
    if !line.is_empty() || out.is_empty() {
        out.push(line);
    }
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
    fn fit_left_keeps_the_end_and_counts_display_width() {
        assert_eq!(fit_left("/home/alice/projects", 10), "…/projects");
        assert_eq!(fit_left("/home/alice/projects", 11), "…e/projects");
        assert_eq!(fit_left("short", 5), "short");
        assert_eq!(fit_left("/文件/名字", 6), "…/名字");
        assert_eq!(fit_left("/文件/名字", 5), "…名字");
        assert_eq!(width(&fit_left("/文件/名字", 4)), 3, "a wide character is never cut in half");
        assert_eq!(fit_left("/a/👩‍👩‍👧", 3), "…👩‍👩‍👧", "a ZWJ sequence is kept whole");
        assert_eq!(fit_left("abc", 0), "");
        assert_eq!(fit_left("abc", 1), "…");
    }

    #[test]
    fn wide_characters_count_twice() {
        assert_eq!(width("文件"), 4);
        assert_eq!(width("🚀a"), 3);
    }

    #[test]
    fn zwj_sequences_and_flags_are_one_cluster_of_two_cells() {
        assert_eq!(width("👩\u{200d}👩\u{200d}👧"), 2);
        assert_eq!(width("🏳\u{fe0f}\u{200d}🌈"), 2);
        assert_eq!(width("a👩\u{200d}👩\u{200d}👧b"), 4);
        // Cut between clusters, never inside the family.
        assert_eq!(fit("👩\u{200d}👩\u{200d}👧👩\u{200d}👩\u{200d}👧x", 4), "👩\u{200d}👩\u{200d}👧…");
        assert_eq!(width(&pad_to("👩\u{200d}👩\u{200d}👧 family", 6, false)), 6);
        assert_eq!(chunks("ab👩\u{200d}👩\u{200d}👧c", 3), ["ab", "👩\u{200d}👩\u{200d}👧c"]);
    }

    #[test]
    fn wrap_breaks_at_spaces_and_cuts_only_overlong_words() {
        assert_eq!(wrap("one two three four", 9), ["one two", "three", "four"]);
        assert_eq!(wrap("abcdefghij xy", 4), ["abcd", "efgh", "ij", "xy"]);
        assert_eq!(wrap("", 4), [""]);
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
