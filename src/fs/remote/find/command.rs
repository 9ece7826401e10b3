//! The remote search commands, one per tool, every user word (root,
//! pattern, text) a quoted argument. Each runs in the background under a
//! watchdog that kills it when the channel's input ends: closing the
//! channel (cancel) stops the search on the host at once, even while it
//! prints nothing.

use super::records::FIND_FORMAT;
use crate::fs::error::FsError;
use crate::fs::find::{FindQuery, KindFilter, glob_to_regex};
use crate::fs::remote::caps::{Capabilities, StatFlavor};
use crate::fs::remote::script::{PRELUDE, path_word};
use crate::shell::{Command, QuoteError, quote};

/// How a host is searched, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    /// GNU find: every filter and the record in one process.
    FindPrintf,
    /// A find without `-printf` (BusyBox, BSD): find filters, a small `sh`
    /// loop with `stat` prints the records.
    FindStat(StatFlavor),
    /// perl's File::Find, filters in perl.
    Perl,
}

impl Tool {
    /// The best tool the probe found, if any.
    pub fn best(caps: &Capabilities) -> Option<Tool> {
        if caps.find_printf {
            Some(Tool::FindPrintf)
        } else if let (true, Some(flavor)) = (caps.find_exec_plus, caps.stat) {
            Some(Tool::FindStat(flavor))
        } else if caps.perl {
            Some(Tool::Perl)
        } else {
            None
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Tool::FindPrintf => "find -printf",
            Tool::FindStat(_) => "find + stat",
            Tool::Perl => "perl",
        }
    }
}

/// The loop printing a record per path for [`Tool::FindStat`] (a path
/// that vanished before `stat` is skipped).
fn stat_loop(flavor: StatFlavor) -> String {
    let stat = match flavor {
        StatFlavor::Gnu => "stat -c '%s %Y'",
        StatFlavor::Bsd => "stat -f '%z %m'",
    };
    format!(
        r#"for f do if [ -L "$f" ]; then k=l; elif [ -d "$f" ]; then k=d; elif [ -f "$f" ]; then k=f; else k=u; fi; m=$({stat} -- "$f" 2>/dev/null) || continue; printf '%s\0%s\0%s\0%s\0' "$f" "$k" "${{m% *}}" "${{m#* }}"; done"#
    )
}

/// The perl search: arguments root, regex (empty: any name), case
/// insensitive (1/0), kind (a f d l), larger than, smaller than, minutes
/// (-1: no filter), text (empty: none).
const PERL: &str = r#"use strict;use File::Find;use warnings "File::Find";binmode STDOUT;
my($root,$re,$ic,$k,$gt,$lt,$mm,$tx)=@ARGV;my $rx=$re eq ""?undef:($ic?qr/$re/si:qr/$re/s);
my $now=time;my $ltx=$ic?lc $tx:$tx;
find({no_chdir=>1,wanted=>sub{my $p=$File::Find::name;return if $p eq $root;
my @s=lstat($p);return unless @s;my $m=$s[2]&0170000;
my $y=$m==0100000?"f":$m==0040000?"d":$m==0120000?"l":$m==0010000?"p":$m==0140000?"s":"u";
if(defined $rx){my $n=$p;$n=~s{.*/}{}s;return unless $n=~$rx}
return if $k ne "a" && $y ne $k;return if $gt>=0 && $s[7]<=$gt;return if $lt>=0 && $s[7]>=$lt;
return if $mm>=0 && $s[9]<=$now-$mm*60;
if($tx ne ""){open(my $h,"<",$p) or return;binmode $h;local $/;my $c=<$h>;close $h;return unless defined $c;$c=lc $c if $ic;return if index($c,$ltx)<0}
print $p,"\0",$y,"\0",$s[7],"\0",$s[9],"\0";}},$root);"#;

fn quoted(text: &str) -> Result<String, QuoteError> {
    Ok(String::from_utf8_lossy(&quote(text.as_bytes())?).into_owned())
}

fn letter(kind: KindFilter) -> Option<&'static str> {
    match kind {
        KindFilter::Any => None,
        KindFilter::File => Some("f"),
        KindFilter::Dir => Some("d"),
        KindFilter::Symlink => Some("l"),
    }
}

/// `find ROOT -mindepth 1` and the filters, shared by both find tools.
fn find_filters(query: &FindQuery) -> Result<Command, QuoteError> {
    let mut cmd = Command::new("find").arg(path_word(&query.root))?.lit("-mindepth 1");
    if let Some(glob) = query.name_glob() {
        cmd = cmd.lit(if query.case_sensitive { "-name" } else { "-iname" }).arg(&glob)?;
    }
    if let Some(letter) = letter(query.effective_kind()) {
        cmd = cmd.lit("-type").lit(letter);
    }
    if let Some(n) = query.larger_than {
        cmd = cmd.lit(&format!("-size +{n}c"));
    }
    if let Some(n) = query.smaller_than {
        cmd = cmd.lit(&format!("-size -{n}c"));
    }
    if let Some(m) = query.modified_within_minutes {
        cmd = cmd.lit(&format!("-mmin -{m}"));
    }
    if let Some(text) = &query.contains {
        cmd = cmd.lit("-exec grep -q -F");
        if !query.case_sensitive {
            cmd = cmd.lit("-i");
        }
        cmd = cmd.lit("-e").arg(text)?.lit("-- {} ';'");
    }
    Ok(cmd)
}

/// The search itself, without the watchdog.
pub(super) fn search(query: &FindQuery, tool: Tool) -> Result<Command, QuoteError> {
    Ok(match tool {
        Tool::FindPrintf => find_filters(query)?.lit("-printf").lit(&quoted(FIND_FORMAT)?),
        Tool::FindStat(flavor) => {
            find_filters(query)?.lit("-exec sh -c").lit(&quoted(&stat_loop(flavor))?).lit("sh {} +")
        }
        Tool::Perl => {
            let number = |n: Option<u64>| n.map_or("-1".to_owned(), |n| n.to_string());
            let regex = query.name_glob().map(|g| glob_to_regex(&g)).unwrap_or_default();
            Command::new("perl -e")
                .lit(&quoted(PERL)?)
                .lit("--")
                .arg(path_word(&query.root))?
                .arg(&regex)?
                .lit(if query.case_sensitive { "0" } else { "1" })
                .lit(letter(query.effective_kind()).unwrap_or("a"))
                .lit(&number(query.larger_than))
                .lit(&number(query.smaller_than))
                .lit(&number(query.modified_within_minutes))
                .arg(query.contains.as_deref().unwrap_or(""))?
        }
    })
}

/// The complete script: the search in the background, and a watchdog that
/// kills it when standard input ends (the channel closed), so a cancel
/// stops the host's work too. The script's status is the search's.
pub(super) fn script(query: &FindQuery, tool: Tool, action: &str) -> Result<Command, FsError> {
    let search = search(query, tool).map_err(|source| FsError::Quote { action: action.into(), source })?;
    Ok(Command::new(PRELUDE)
        .lit("exec 3<&0;")
        .append(&search)
        .lit("& p=$!; ( read -r x; kill $p ) <&3 >/dev/null 2>&1 & w=$!; wait $p; s=$?; kill $w 2>/dev/null; exit $s"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn text(cmd: Command) -> String {
        String::from_utf8(cmd.as_bytes().to_vec()).unwrap()
    }

    fn query() -> FindQuery {
        FindQuery { root: PathBuf::from("/srv/it's"), ..FindQuery::default() }
    }

    #[test]
    fn tools_in_order_of_preference() {
        let caps = |s: &[u8]| Capabilities::parse(s).unwrap();
        assert_eq!(Tool::best(&caps(b"find_printf\x001\0perl\x001\0")), Some(Tool::FindPrintf));
        let busybox = caps(b"find_exec_plus\x001\0stat\0gnu\0perl\x001\0");
        assert_eq!(Tool::best(&busybox), Some(Tool::FindStat(StatFlavor::Gnu)));
        assert_eq!(Tool::best(&caps(b"find_exec_plus\x001\0perl\x001\0")), Some(Tool::Perl));
        assert_eq!(Tool::best(&caps(b"")), None);
    }

    #[test]
    fn gnu_find_with_every_filter() {
        let q = FindQuery {
            name: "*.log".into(),
            glob: true,
            case_sensitive: true,
            kind: KindFilter::Dir,
            larger_than: Some(10),
            smaller_than: Some(2048),
            modified_within_minutes: Some(90),
            ..query()
        };
        assert_eq!(
            text(search(&q, Tool::FindPrintf).unwrap()),
            r"find '/srv/it'\''s' -mindepth 1 -name '*.log' -type d -size +10c -size -2048c -mmin -90 -printf '%p\0%y\0%s\0%T@\0'"
        );
    }

    #[test]
    fn substring_case_insensitive_and_content() {
        let q = FindQuery { name: "a'b*".into(), contains: Some("-x $(rm) `y`".into()), ..query() };
        assert_eq!(
            text(search(&q, Tool::FindPrintf).unwrap()),
            r"find '/srv/it'\''s' -mindepth 1 -iname '*a'\''b\**' -type f -exec grep -q -F -i -e '-x $(rm) `y`' -- {} ';' -printf '%p\0%y\0%s\0%T@\0'"
        );
        let q = FindQuery { contains: Some("T".into()), case_sensitive: true, ..query() };
        assert!(text(search(&q, Tool::FindPrintf).unwrap()).contains("-exec grep -q -F -e 'T' -- {} ';'"));
    }

    #[test]
    fn find_without_printf_prints_records_with_stat() {
        let q = FindQuery { kind: KindFilter::Symlink, ..query() };
        let gnu = text(search(&q, Tool::FindStat(StatFlavor::Gnu)).unwrap());
        assert!(gnu.starts_with(r"find '/srv/it'\''s' -mindepth 1 -type l -exec sh -c 'for f do"), "{gnu}");
        assert!(gnu.contains("stat -c '\\''%s %Y'\\'' -- \"$f\"") && gnu.ends_with("' sh {} +"), "{gnu}");
        let bsd = text(search(&q, Tool::FindStat(StatFlavor::Bsd)).unwrap());
        assert!(bsd.contains("stat -f '\\''%z %m'\\''"), "{bsd}");
    }

    #[test]
    fn perl_takes_everything_as_arguments() {
        let q = FindQuery { name: "x.[ch]".into(), glob: true, larger_than: Some(5), ..query() };
        let perl = text(search(&q, Tool::Perl).unwrap());
        assert!(perl.starts_with("perl -e 'use strict;"), "{perl}");
        assert!(perl.ends_with(r"-- '/srv/it'\''s' '^x\.[ch]$' 1 a 5 -1 -1 ''"), "{perl}");
    }

    #[test]
    fn relative_roots_cannot_become_options_and_nul_is_refused() {
        let q = FindQuery { root: PathBuf::from("-delete"), ..FindQuery::default() };
        assert!(text(search(&q, Tool::FindPrintf).unwrap()).starts_with("find './-delete' -mindepth 1"));
        let q = FindQuery { name: "a\0b".into(), ..query() };
        assert!(matches!(script(&q, Tool::FindPrintf, "search"), Err(FsError::Quote { .. })));
    }

    #[test]
    fn the_watchdog_wraps_the_search() {
        let s = text(script(&query(), Tool::FindPrintf, "search").unwrap());
        assert!(s.contains("exec 3<&0; find '/srv/it'\\''s' -mindepth 1 -printf"), "{s}");
        assert!(s.ends_with("& p=$!; ( read -r x; kill $p ) <&3 >/dev/null 2>&1 & w=$!; wait $p; s=$?; kill $w 2>/dev/null; exit $s"));
    }
}
