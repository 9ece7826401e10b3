//! `--overwrite ask`: the copy dialog's question on the terminal, one item
//! at a time, with "for all" as a capital letter.

use std::io::{BufRead, IsTerminal, Write};

use indicatif::ProgressBar;

use crate::jobs::{OverwriteAnswer, OverwritePolicy, Question};
use crate::text::human_size;

pub(super) const CHOICES: &str = "[o]verwrite, [s]kip, only if [n]ewer, only if the size [d]iffers, [r]ename (keep both); \
     a capital letter answers for all the others too";

/// Whether questions can be asked: stdin and stderr are a terminal.
pub(super) fn can_ask() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// Reads an answer: a letter of [`CHOICES`] (an empty line skips). `None`
/// for anything else.
pub(super) fn parse(line: &str) -> Option<OverwriteAnswer> {
    let line = line.trim();
    let letter = match line.chars().count() {
        0 => 's',
        1 => line.chars().next()?,
        _ => return None,
    };
    let policy = match letter.to_ascii_lowercase() {
        'o' | 'y' => OverwritePolicy::Overwrite,
        's' => OverwritePolicy::Skip,
        'n' => OverwritePolicy::IfNewer,
        'd' => OverwritePolicy::IfSizeDiffers,
        'r' | 'k' => OverwritePolicy::KeepBoth,
        _ => return None,
    };
    Some(OverwriteAnswer { policy, all: letter.is_ascii_uppercase() })
}

fn when(mtime: Option<i64>) -> String {
    mtime
        .and_then(|t| jiff::Timestamp::from_second(t).ok())
        .map(|t| t.to_zoned(jiff::tz::TimeZone::system()).strftime("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_else(|| "unknown time".into())
}

/// The question's text (all of it already escaped).
pub(super) fn describe(q: &Question) -> String {
    let mut text = format!(
        "{} exists: {} ({}, {}); the source: {}, {}",
        q.name,
        q.dest,
        human_size(q.dest_size),
        when(q.dest_mtime),
        human_size(q.source_size),
        when(q.source_mtime)
    );
    if q.more > 0 {
        text += &format!(" ({} more exist)", q.more);
    }
    text
}

/// Asks on the terminal until the answer is understood; end of input
/// skips this item and all the others (nothing is overwritten unasked).
pub(super) fn ask(question: &Question, bar: Option<&ProgressBar>) -> OverwriteAnswer {
    let run = || {
        let mut stderr = std::io::stderr();
        let _ = writeln!(stderr, "scpdeck: {}", describe(question));
        loop {
            let _ = write!(stderr, "scpdeck: {CHOICES} [s]: ");
            let _ = stderr.flush();
            let mut line = String::new();
            match std::io::stdin().lock().read_line(&mut line) {
                Ok(0) | Err(_) => return OverwriteAnswer { policy: OverwritePolicy::Skip, all: true },
                Ok(_) => {
                    if let Some(answer) = parse(&line) {
                        return answer;
                    }
                }
            }
        }
    };
    match bar {
        Some(bar) => bar.suspend(run),
        None => run(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers() {
        let answer = |policy, all| Some(OverwriteAnswer { policy, all });
        assert_eq!(parse("o\n"), answer(OverwritePolicy::Overwrite, false));
        assert_eq!(parse("O"), answer(OverwritePolicy::Overwrite, true));
        assert_eq!(parse(""), answer(OverwritePolicy::Skip, false));
        assert_eq!(parse("S"), answer(OverwritePolicy::Skip, true));
        assert_eq!(parse("n"), answer(OverwritePolicy::IfNewer, false));
        assert_eq!(parse("D"), answer(OverwritePolicy::IfSizeDiffers, true));
        assert_eq!(parse("r"), answer(OverwritePolicy::KeepBoth, false));
        assert_eq!(parse("x"), None);
        assert_eq!(parse("overwrite"), None);
    }

    #[test]
    fn the_question_names_both_sides() {
        let q = Question {
            job: crate::jobs::JobId(1),
            item: crate::jobs::ItemId(0),
            name: "a\\e[31m".into(),
            dest: "host:/d/a\\e[31m".into(),
            source_size: 2048,
            source_mtime: None,
            dest_size: 10,
            dest_mtime: None,
            more: 2,
        };
        let text = describe(&q);
        assert!(text.starts_with("a\\e[31m exists: host:/d/a\\e[31m (10 B, unknown time)"), "{text}");
        assert!(text.contains("the source: 2 KiB") && text.ends_with("(2 more exist)"), "{text}");
    }
}
