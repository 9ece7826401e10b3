//! What a copy will really copy, counted on the host in one command: the
//! same counts as the copy's own walk (`jobs::walk_tally`), which lists
//! one directory per command and would keep the browsing connection busy
//! for a round trip per directory.
//!
//! Without following links, GNU `find -printf '%y %s'` or `find -exec
//! stat` prints one short line per entry, never a name, and `awk` sums
//! them by kind on the host; what `find` or `stat` complains about on its
//! standard error is counted as unreadable. Following links, only a perl
//! walk with the copy's own loop rule counts: `find -L` sees a loop only
//! where a link leads to a directory it came through, not to one that
//! holds the selection (a link to `..` in a selected directory), and
//! would count that directory's whole tree. A host without perl counts
//! followed links with the walk.

use std::path::PathBuf;

use super::Remote;
use super::caps::{Capabilities, StatFlavor};
use super::script::{self, PRELUDE, shown, with_path};
use crate::fs::{FsError, MAX_FOLLOWED, Tally};
use crate::shell::Command;
use crate::text::escape_bytes;

/// How a [`Tally`] is counted on a host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TallyMethod {
    /// GNU `find -printf`, summed by `awk`; not with `follow`.
    FindPrintf,
    /// `find -exec stat`, summed by `awk`; not with `follow`.
    FindStat(StatFlavor),
    /// A perl walk: with `follow`, a link into a directory being walked
    /// (or one that holds it) is a loop exactly as in the copy's walk,
    /// and links are followed at most [`MAX_FOLLOWED`] deep, as there.
    Perl,
}

impl TallyMethod {
    /// The best method a host has (`None`: only the walk can count).
    pub fn choose(caps: &Capabilities, follow: bool) -> Option<TallyMethod> {
        let find_printf = caps.find_printf && caps.awk;
        let find_stat = caps.find_exec_plus && caps.awk;
        match caps.stat {
            _ if follow => caps.perl.then_some(TallyMethod::Perl),
            _ if find_printf => Some(TallyMethod::FindPrintf),
            Some(flavor) if find_stat => Some(TallyMethod::FindStat(flavor)),
            _ if caps.perl => Some(TallyMethod::Perl),
            _ => None,
        }
    }
}

/// The perl walk; `MAX` is [`MAX_FOLLOWED`]. Prints the same summary line
/// as the `awk` of the `find` methods.
const PERL: &str = r#"use strict; use Cwd qw(abs_path);
my $follow = shift; my ($f, $d, $l, $s, $u, $b) = (0) x 6; my @chain;
sub back { my $t = shift; for my $c (@chain) { return 1 if defined $c && ($t eq "/" || $c eq $t || index($c, "$t/") == 0) } return 0 }
sub walk { my ($p, $c, $n) = @_; my $h;
  if (!opendir($h, $p)) { $u++; return }
  my @e = grep { $_ ne "." && $_ ne ".." } readdir $h; closedir $h; push @chain, $c;
  for my $e (@e) { my $q = "$p/$e";
    if (!lstat $q) { $u++; next }
    if (-l _) {
      if (!$follow) { $l++; next }
      if (!stat $q) { $s++; next }
      if (-f _) { $f++; $b += (stat _)[7]; next }
      if (!-d _) { $s++; next }
      my $t = abs_path($q);
      if ((defined $t && back($t)) || $n >= MAX) { $s++; next }
      $d++; walk($q, $t, $n + 1); next }
    if (-d _) { $d++; walk($q, defined $c ? "$c/$e" : undef, $n); next }
    if (-f _) { $f++; $b += (stat _)[7]; next }
    $s++ }
  pop @chain }
for my $r (@ARGV) {
  if (!lstat $r) { $u++; next }
  if (-l _ && !$follow) { $l++; next }
  if (!stat $r) { if (-l $r) { $s++ } else { $u++ } next }
  if (-d _) { $d++; walk($r, $follow ? abs_path($r) : undef, 0); next }
  if (-f _) { $f++; $b += (stat _)[7]; next }
  $s++ }
printf "tally %.0f %.0f %.0f %.0f %.0f %.0f 0\n", $f, $d, $l, $s, $u, $b;
"#;

/// `awk` code setting `k` to f, d, l or o (other) from a `stat` line's mode.
const GNU_KIND: &str =
    r#"t=substr($1,1,1); k=(length($1)!=4)?"o":((t=="8")?"f":((t=="4")?"d":((t=="a")?"l":"o")))"#;
const BSD_KIND: &str = r#"n=length($1); t=substr($1,1,2); k=(n==6&&t=="10")?"f":((n==5&&substr($1,1,1)=="4")?"d":((n==6&&t=="12")?"l":"o"))"#;

impl Remote<'_> {
    /// Counts what a copy of `roots` will copy in one command, with the
    /// best method the host has; `None` where it has none.
    pub fn tally(&self, roots: &[PathBuf], follow: bool) -> Result<Option<Tally>, FsError> {
        match TallyMethod::choose(self.caps, follow) {
            Some(method) => self.tally_with(roots, follow, method).map(Some),
            None => Ok(None),
        }
    }

    /// Counts with a given method (for tests).
    pub fn tally_with(&self, roots: &[PathBuf], follow: bool, method: TallyMethod) -> Result<Tally, FsError> {
        let action = match roots {
            [one] => format!("count {}", shown(one)),
            many => format!("count {} items", many.len()),
        };
        if roots.is_empty() {
            return Ok(Tally::default());
        }
        let cmd = command(roots, follow, method, &action)?;
        let reply = script::run(self.link, &action, &cmd)?;
        parse(&reply.value, &reply.warnings)
            .ok_or_else(|| FsError::Malformed { action, detail: escape_bytes(&reply.value) })
    }
}

fn command(roots: &[PathBuf], follow: bool, method: TallyMethod, action: &str) -> Result<Command, FsError> {
    let quote = |source| FsError::Quote { action: action.into(), source };
    let (program, kind) = match method {
        TallyMethod::Perl => {
            // One line: no login shell's quoting has to carry a newline.
            let script = PERL.replace("MAX", &MAX_FOLLOWED.to_string()).replace('\n', " ");
            let mut cmd = Command::new(PRELUDE).lit("perl -e").arg(&script).map_err(quote)?;
            cmd = cmd.lit(if follow { "1" } else { "0" });
            for root in roots {
                cmd = with_path(cmd, root, action)?;
            }
            return Ok(cmd.lit("</dev/null"));
        }
        _ if follow => {
            let reason = "find cannot follow links as a copy does".into();
            return Err(FsError::Refused { action: action.into(), reason });
        }
        TallyMethod::FindPrintf => ("-printf '%y %s\\n'", "k=$1"),
        TallyMethod::FindStat(StatFlavor::Gnu) => ("-exec stat -c '%f %s' {} +", GNU_KIND),
        TallyMethod::FindStat(StatFlavor::Bsd) => ("-exec stat -f '%p %z' {} +", BSD_KIND),
    };
    let mut cmd = Command::new(PRELUDE).lit("{ find");
    for root in roots {
        cmd = with_path(cmd, root, action)?;
    }
    let awk = format!(
        r#"$1=="status"{{s=$2;next}} {{{kind}}} k=="f"{{f++;b+=$2;next}} k=="d"{{d++;next}} k=="l"{{l++;next}} {{o++}} END{{printf "tally %.0f %.0f %.0f %.0f 0 %.0f %d\n",f,d,l,o,b,s}}"#
    );
    cmd.lit(program).lit("</dev/null; echo \"status $?\"; } | awk").arg(&awk).map_err(quote)
}

/// The summary line `tally FILES DIRS LINKS SKIPPED UNREADABLE BYTES
/// STATUS` and the command's warnings (escaped stderr lines) as a tally:
/// each complaint of `find` or `stat` is something unreadable, and a
/// failure without a word is one.
fn parse(out: &[u8], warnings: &[String]) -> Option<Tally> {
    let text = std::str::from_utf8(out).ok()?;
    let line = text.lines().rev().find(|l| l.starts_with("tally "))?;
    let numbers: Vec<u64> =
        line.split_ascii_whitespace().skip(1).map(str::parse).collect::<Result<_, _>>().ok()?;
    let [files, dirs, links, skipped, unreadable, bytes, status] = numbers[..] else {
        return None;
    };
    let complaints =
        warnings.iter().filter(|w| w.starts_with("find:") || w.starts_with("stat:")).count() as u64;
    let unexplained = u64::from(status != 0 && complaints == 0);
    Some(Tally { files, dirs, links, skipped, unreadable: unreadable + complaints + unexplained, bytes })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caps() -> Capabilities {
        Capabilities {
            find_printf: true,
            find_exec_plus: true,
            awk: true,
            perl: true,
            stat: Some(StatFlavor::Gnu),
            ..Capabilities::default()
        }
    }

    #[test]
    fn methods_by_what_the_host_has() {
        let gnu = caps();
        assert_eq!(TallyMethod::choose(&gnu, false), Some(TallyMethod::FindPrintf));
        assert_eq!(TallyMethod::choose(&gnu, true), Some(TallyMethod::Perl));
        let no_perl = Capabilities { perl: false, ..caps() };
        assert_eq!(TallyMethod::choose(&no_perl, true), None);
        let busybox = Capabilities { find_printf: false, perl: false, ..caps() };
        assert_eq!(TallyMethod::choose(&busybox, false), Some(TallyMethod::FindStat(StatFlavor::Gnu)));
        assert_eq!(TallyMethod::choose(&busybox, true), None);
        let bsd_perl = Capabilities { find_printf: false, stat: Some(StatFlavor::Bsd), ..caps() };
        assert_eq!(TallyMethod::choose(&bsd_perl, false), Some(TallyMethod::FindStat(StatFlavor::Bsd)));
        assert_eq!(TallyMethod::choose(&bsd_perl, true), Some(TallyMethod::Perl));
        let only_perl = Capabilities { awk: false, ..caps() };
        assert_eq!(TallyMethod::choose(&only_perl, false), Some(TallyMethod::Perl));
        assert_eq!(TallyMethod::choose(&Capabilities::default(), false), None);
    }

    #[test]
    fn summaries_and_complaints() {
        let quiet = parse(b"tally 3 4 5 1 0 9 0\n", &[]).unwrap();
        assert_eq!(quiet, Tally { files: 3, dirs: 4, links: 5, skipped: 1, unreadable: 0, bytes: 9 });
        let warnings = [
            "find: './t/locked': Permission denied".into(),
            "stat: cannot stat './t/gone': No such file or directory".into(),
            "a line of the profile".into(),
        ];
        let complained = parse(b"tally 7 8 1 1 0 20 1\n", &warnings).unwrap();
        assert_eq!(complained, Tally { files: 7, dirs: 8, links: 1, skipped: 1, unreadable: 2, bytes: 20 });
        // A failure find did not explain is one thing unreadable.
        assert_eq!(parse(b"tally 0 0 0 0 0 0 2\n", &[]).unwrap().unreadable, 1);
        assert_eq!(parse(b"noise\ntally 1 1 1 1 1 1 0\n", &[]).unwrap().bytes, 1);
        assert!(parse(b"tally 1 2\n", &[]).is_none());
        assert!(parse(b"tally 1 2 3 4 5 x 0\n", &[]).is_none());
        assert!(parse(b"", &[]).is_none());
    }
}
