//! Listing a remote directory exactly, in one round trip, with the best
//! tool the host has (see [`Method`]), parsing the output as it streams.

pub(super) mod fields;
mod links;
mod ls;
mod records;
mod scripts;
mod stat;

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use crate::ssh::Link;

use self::links::LINK_RECORD;
use self::ls::LsParser;
use self::records::{FIND_FAST, FIND_FAST_OPEN, FIND_FORMAT, RecordParser};
use self::stat::{StatParser, stat_args};
use super::caps::{Capabilities, RemoteClock, StatFlavor};
use super::script::{PRELUDE, Reply, shown, warning_lines, with_path};
use crate::fs::Entry;
use crate::fs::FsError;
use crate::shell::{self, Command, ExecOptions, QuoteError, quote};

/// How a directory is listed, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// GNU `find -printf`: NUL-separated, nanosecond times, one process.
    FindPrintf,
    /// `python3` with `os.lstat`: NUL-separated, nanosecond times.
    Python,
    /// `perl` with `lstat` (`Time::HiRes` when present): NUL-separated,
    /// about microsecond times.
    Perl,
    /// `find -exec stat -c` (GNU coreutils or BusyBox): `/`-framed records,
    /// nanoseconds where `%y` shows them (GNU, BusyBox), symlinks via `sh`.
    GnuStat,
    /// `find -exec stat -f` (BSD): `/`-framed records, seconds.
    BsdStat,
    /// `ls -lan`: the last resort (minutes, numeric owners, heuristics for
    /// names with newlines).
    Ls,
}

/// How exact a method's modification times are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TimePrecision {
    Nanoseconds,
    Microseconds,
    Seconds,
    /// Minutes for recent files, days for files older than six months.
    Minutes,
}

impl Method {
    pub const ALL: [Method; 6] =
        [Method::FindPrintf, Method::Python, Method::Perl, Method::GnuStat, Method::BsdStat, Method::Ls];

    /// A short description for the log.
    pub fn describe(self) -> &'static str {
        match self {
            Method::FindPrintf => "GNU find -printf",
            Method::Python => "python3",
            Method::Perl => "perl",
            Method::GnuStat => "find + stat -c",
            Method::BsdStat => "find + stat -f (BSD)",
            Method::Ls => "ls -lan (last resort)",
        }
    }

    pub fn time_precision(self) -> TimePrecision {
        match self {
            Method::FindPrintf | Method::Python | Method::GnuStat => TimePrecision::Nanoseconds,
            Method::Perl => TimePrecision::Microseconds,
            Method::BsdStat => TimePrecision::Seconds,
            Method::Ls => TimePrecision::Minutes,
        }
    }

    /// The script body run inside the directory: every entry, or only
    /// those named in `names` (file names in that directory).
    fn body(self, caps: &Capabilities, names: &[&OsStr]) -> Result<Command, QuoteError> {
        let links_of = |select: Command| {
            let lp = format!("for f do {LINK_RECORD}; done");
            let quoted = String::from_utf8_lossy(&quote(lp.as_bytes()).unwrap_or_default()).into_owned();
            select.lit("-type l -exec sh -c").lit(&quoted).lit("sh {} +; printf '\\0';")
        };
        // What `find` starts from: the directory's entries, or the named ones
        // (as `./NAME`, so that none is taken for an option or expression).
        let select = |cmd: Command| -> Result<Command, QuoteError> {
            if names.is_empty() {
                return Ok(cmd.lit(". -mindepth 1 -maxdepth 1"));
            }
            let mut cmd = cmd;
            for name in names {
                let mut word = b"./".to_vec();
                word.extend_from_slice(name.as_bytes());
                cmd = cmd.arg(OsStr::from_bytes(&word))?;
            }
            Ok(cmd.lit("-maxdepth 0"))
        };
        // python3 passes every word after `-c PROGRAM` to the program (a `--`
        // too); perl reads switches until `--`.
        let args = |cmd: Command, end_of_options: bool| -> Result<Command, QuoteError> {
            match names {
                [] => Ok(cmd),
                _ if end_of_options => cmd.paths(names),
                _ => names.iter().try_fold(cmd, |cmd, name| cmd.arg(name)),
            }
        };
        Ok(match self {
            Method::FindPrintf if caps.find_fd3 && caps.awk => {
                select(Command::new(FIND_FAST_OPEN))?.lit(FIND_FAST)
            }
            Method::FindPrintf => select(Command::new("exec find"))?.lit("-printf").lit(&quoted(FIND_FORMAT)),
            Method::Python => args(Command::new("exec python3 -c").lit(&quoted(scripts::PYTHON)), false)?,
            Method::Perl => args(Command::new("exec perl -e").lit(&quoted(scripts::PERL)), true)?,
            Method::GnuStat | Method::BsdStat => {
                let flavor = if self == Method::GnuStat { StatFlavor::Gnu } else { StatFlavor::Bsd };
                links_of(select(Command::new("find"))?)
                    .append(&select(Command::new("exec find"))?)
                    .lit("-exec")
                    .lit(stat_args(flavor))
                    .lit("{} +")
            }
            Method::Ls => {
                // `ls -lan` of named entries is not needed: [`list_names`]
                // lists the whole directory with this last resort.
                let lp = format!(
                    "for f in .* *; do [ -L \"$f\" ] || continue; {LINK_RECORD}; done; printf '\\0';"
                );
                Command::new(&lp).lit("exec ls -lan")
            }
        })
    }
}

fn quoted(text: &str) -> String {
    // Only scpdeck's own constant scripts come here; they hold no NUL.
    String::from_utf8_lossy(&quote(text.as_bytes()).unwrap_or_default()).into_owned()
}

/// A listing and how it was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    /// Unsorted; never `.` or `..`.
    pub entries: Vec<Entry>,
    pub method: Method,
}

/// The parser matching a method.
enum Parser {
    Records(RecordParser),
    Stat(StatParser),
    Ls(LsParser),
}

impl Parser {
    fn new(method: Method, clock: RemoteClock) -> Self {
        match method {
            Method::FindPrintf | Method::Python | Method::Perl => Parser::Records(RecordParser::default()),
            Method::GnuStat => Parser::Stat(StatParser::new(StatFlavor::Gnu)),
            Method::BsdStat => Parser::Stat(StatParser::new(StatFlavor::Bsd)),
            Method::Ls => Parser::Ls(LsParser::new(clock)),
        }
    }

    fn feed(&mut self, bytes: &[u8]) {
        match self {
            Parser::Records(p) => p.feed(bytes),
            Parser::Stat(p) => p.feed(bytes),
            Parser::Ls(p) => p.feed(bytes),
        }
    }

    fn finish(self) -> Result<Vec<Entry>, String> {
        match self {
            Parser::Records(p) => p.finish(),
            Parser::Stat(p) => p.finish(),
            Parser::Ls(p) => p.finish(),
        }
    }
}

/// The complete script listing `dir` (or only the entries `names` in it)
/// with `method`.
pub(super) fn script(
    dir: &Path,
    method: Method,
    caps: &Capabilities,
    names: &[&OsStr],
    action: &str,
) -> Result<Command, FsError> {
    // A `cd` that fails says why in words every shell prints differently (or
    // not at all: dash says "can't cd"), so the reason is found out again
    // with `ls -dL`, whose message names the errno.
    let cmd = with_path(Command::new(PRELUDE).lit("cd"), dir, action)?.lit("2>/dev/null || { ls -dL");
    let cmd = with_path(cmd, dir, action)?.lit(">/dev/null || exit 2; if [ -d");
    let cmd = with_path(cmd, dir, action)?.lit(
        "]; then echo 'scpdeck: Permission denied' >&2; else echo 'scpdeck: Not a directory' >&2; fi; exit 2; };",
    );
    let body =
        method.body(caps, names).map_err(|source| FsError::Quote { action: action.to_owned(), source })?;
    Ok(cmd.append(&body))
}

/// Lists `dir` with `method` (use [`Capabilities::list_method`] unless
/// testing one). Entries that vanish while listing become warnings; a
/// directory that cannot be read is an error.
pub(super) fn list_with(
    link: Link<'_>,
    caps: &Capabilities,
    dir: &Path,
    method: Method,
) -> Result<Reply<Listing>, FsError> {
    let action = format!("list {}", shown(dir));
    run_lister(link, caps, dir, method, &[], action)
}

/// Lists only the entries `names` of `dir` (file names, not paths): one
/// round trip that reads none of the directory's other entries, however
/// many it holds (`ls`, the last resort, lists them all and keeps these).
/// A name that is not there is left out: with a warning, or as a failed
/// listing when no named entry is there (`ls` leaves it out silently).
pub(super) fn list_names(
    link: Link<'_>,
    caps: &Capabilities,
    dir: &Path,
    names: &[&OsStr],
    method: Method,
) -> Result<Reply<Listing>, FsError> {
    let action = format!("look at {} in {}", names.len(), shown(dir));
    if method == Method::Ls {
        let reply = run_lister(link, caps, dir, method, &[], action)?;
        return Ok(reply.map(|mut listing| {
            listing.entries.retain(|e| names.contains(&e.name.as_os_str()));
            listing
        }));
    }
    run_lister(link, caps, dir, method, names, action)
}

fn run_lister(
    link: Link<'_>,
    caps: &Capabilities,
    dir: &Path,
    method: Method,
    names: &[&OsStr],
    action: String,
) -> Result<Reply<Listing>, FsError> {
    let cmd = script(dir, method, caps, names, &action)?;
    let clock = caps.clock.unwrap_or_else(local_clock);
    let mut parser = Parser::new(method, clock);
    let options = ExecOptions { window: 16 * 1024 * 1024 };
    let out = shell::exec::run_streaming(link, &cmd, options, &mut |chunk| parser.feed(chunk))
        .map_err(|source| FsError::exec(&action, source))?;
    // A failing command that still listed entries lost only some of them
    // (vanished, unreadable or, looking up names, missing entries): keep
    // what it found, warn about the rest. The last entry is complete only
    // once the parser is finished (a stat line has no terminator): a
    // BusyBox lookup of a file and a missing name found nothing before.
    let entries = parser.finish();
    if !out.status.success() && entries.as_ref().map_or(true, Vec::is_empty) {
        return Err(FsError::from_output(&action, cmd.as_bytes(), &out));
    }
    let entries = entries.map_err(|detail| FsError::Malformed { action, detail })?;
    Ok(Reply { value: Listing { entries, method }, banner: out.banner, warnings: warning_lines(&out.stderr) })
}

fn local_clock() -> RemoteClock {
    RemoteClock { now: jiff::Timestamp::now().as_second(), utc_offset: 0 }
}
