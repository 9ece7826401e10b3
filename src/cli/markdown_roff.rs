//! The little Markdown that docs/keybindings.md uses (headings, pipe
//! tables, paragraphs, `code`, [links](...)) as man-page roff, so that
//! `scpdeck man` shows the same tables as the docs.

/// Converts `markdown` to roff: `##` headings become subsections, table
/// rows tagged paragraphs (a three-column row `action | keys | what` reads
/// "keys: what (action)"), paragraphs paragraphs. HTML comments and the
/// `#` title are left out.
pub(super) fn to_roff(markdown: &str) -> String {
    let mut out = String::new();
    let mut in_paragraph = false;
    let mut header_seen = false;
    for line in markdown.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with("<!--") {
            in_paragraph = false;
            header_seen = false;
            continue;
        }
        if let Some(title) = trimmed.strip_prefix("## ") {
            out.push_str(&format!(".SS \"{}\"\n", escape(&inline(title)).replace('"', "\\(dq")));
            in_paragraph = false;
        } else if trimmed.starts_with("# ") {
            continue;
        } else if trimmed.starts_with('|') {
            in_paragraph = false;
            let cells = cells(trimmed);
            if cells.iter().all(|c| c.chars().all(|ch| ch == '-' || ch == ':')) {
                continue;
            }
            // The first row of a table names its columns.
            if !header_seen {
                header_seen = true;
                continue;
            }
            out.push_str(&row(&cells));
        } else {
            if !in_paragraph {
                out.push_str(".PP\n");
                in_paragraph = true;
            }
            out.push_str(&line_start(&escape(&inline(trimmed))));
            out.push('\n');
        }
    }
    out
}

fn cells(row: &str) -> Vec<String> {
    let inner = row.trim().trim_start_matches('|').trim_end_matches('|');
    inner.split('|').map(|c| c.trim().to_owned()).collect()
}

fn row(cells: &[String]) -> String {
    let (tag, body) = match cells {
        [action, keys, what] => (keys.clone(), format!("{what} ({action})")),
        [first, rest @ ..] => (first.clone(), rest.join("; ")),
        [] => return String::new(),
    };
    format!(".TP\n{}\n{}\n", line_start(&escape(&inline(&tag))), line_start(&escape(&inline(&body))))
}

/// `code` in bold, links as their text; markers the escaping keeps apart.
fn inline(text: &str) -> String {
    let mut out = String::new();
    let mut code = false;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c == '`' {
            out.push(if code { END_BOLD } else { BOLD });
            code = !code;
            rest = &rest[1..];
        } else if c == '['
            && let Some(close) = rest.find("](")
            && let Some(end) = rest[close..].find(')')
        {
            out.push_str(&rest[1..close]);
            rest = &rest[close + end + 1..];
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    if code {
        out.push(END_BOLD);
    }
    out
}

const BOLD: char = '\u{e000}';
const END_BOLD: char = '\u{e001}';

/// Backslashes, hyphens and characters beyond ASCII as roff wants them,
/// the bold markers as fonts.
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\e"),
            '-' => out.push_str("\\-"),
            BOLD => out.push_str("\\fB"),
            END_BOLD => out.push_str("\\fR"),
            c if c.is_ascii() => out.push(c),
            // Any roff reads `\[uXXXX]`; raw UTF-8 needs a preprocessor.
            c => out.push_str(&format!("\\[u{:04X}]", u32::from(c))),
        }
    }
    out
}

/// A line starting with `.` or `'` would be read as a request.
pub(super) fn line_start(line: &str) -> String {
    if line.starts_with('.') || line.starts_with('\'') { format!("\\&{line}") } else { line.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_headings_and_paragraphs() {
        let md = "# Title\n\nSome `code` and [a link](x.md#y).\n\n<!-- c -->\n## Keys (fixed)\n\n\
                  | action | keys | what it does |\n|---|---|---|\n| `help` | `f1` `?` | Show the keys |\n\n\
                  | where | keys |\n|---|---|\n| viewer | `q` closes \\ quits ↑ |\n.dot line\n";
        let roff = to_roff(md);
        assert_eq!(
            roff,
            ".PP\nSome \\fBcode\\fR and a link.\n.SS \"Keys (fixed)\"\n\
             .TP\n\\fBf1\\fR \\fB?\\fR\nShow the keys (\\fBhelp\\fR)\n\
             .TP\nviewer\n\\fBq\\fR closes \\e quits \\[u2191]\n.PP\n\\&.dot line\n"
        );
    }
}
