//! The last resort: parsing `ls -lan` (with `LC_ALL=C`, so month names are
//! English). Exact where the format allows: sizes, modes, kinds, numeric
//! owners. Dates are to the minute (to the day for files older than six
//! months); a line that does not look like an `ls` line continues the
//! previous name (a name with a newline); " -> " is split where the target
//! matches what `readlink` said in the symlink section, or its length
//! matches the link's size. BusyBox `ls` shows control characters in names
//! as `?`: the host has `stat` then, which is preferred.

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;

use jiff::civil::DateTime;
use jiff::tz::Offset;

use super::links::{LinkSection, split_pieces};
use crate::fs::remote::RemoteClock;
use crate::fs::{Entry, Kind, LinkTarget, Mtime};

const MONTHS: [&[u8]; 12] =
    [b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec"];

/// One `ls -l` line, before its name is settled.
#[derive(Debug)]
struct Line {
    kind: Kind,
    mode: u32,
    size: u64,
    mtime: Mtime,
    owner: String,
    group: String,
    /// The name, or `name -> target` for a symlink, with continuation lines.
    rest: Vec<u8>,
}

/// Streaming parser: the symlink section, then `ls -lan` lines.
#[derive(Debug)]
pub(super) struct LsParser {
    clock: RemoteClock,
    links: LinkSection,
    line: Vec<u8>,
    seen_first: bool,
    pending: Option<Line>,
    pub entries: Vec<Entry>,
    error: Option<String>,
}

impl LsParser {
    pub(super) fn new(clock: RemoteClock) -> Self {
        Self {
            clock,
            links: LinkSection::default(),
            line: Vec::new(),
            seen_first: false,
            pending: None,
            entries: Vec::new(),
            error: None,
        }
    }

    pub(super) fn feed(&mut self, input: &[u8]) {
        let rest = self.links.feed(input);
        if !self.links.done() {
            return;
        }
        let mut line = std::mem::take(&mut self.line);
        split_pieces(&mut line, rest, b'\n', |piece| self.on_line(piece));
        self.line = line;
    }

    fn on_line(&mut self, line: Vec<u8>) {
        let first = !self.seen_first;
        self.seen_first = true;
        if first && line.starts_with(b"total ") {
            return;
        }
        match parse_line(&line, self.clock) {
            Some(parsed) => {
                self.flush();
                self.pending = Some(parsed);
            }
            None => match self.pending.as_mut() {
                Some(p) => {
                    p.rest.push(b'\n');
                    p.rest.extend_from_slice(&line);
                }
                None => {
                    let text = String::from_utf8_lossy(&line).into_owned();
                    self.error.get_or_insert(format!("an unexpected line {text:?}"));
                }
            },
        }
    }

    fn flush(&mut self) {
        let Some(line) = self.pending.take() else { return };
        let (name, link) = if line.kind == Kind::Symlink {
            let (name, target) = self.split_link(&line.rest, line.size);
            let info = self.links.links.get(&name);
            let (kind, loops) = (info.and_then(|l| l.kind), info.is_some_and(|l| l.loops));
            (name, Some(LinkTarget { path: OsString::from_vec(target), kind, loops }))
        } else {
            (line.rest, None)
        };
        if name == b"." || name == b".." {
            return;
        }
        self.entries.push(Entry {
            name: OsString::from_vec(name),
            kind: line.kind,
            size: line.size,
            mode: line.mode,
            mtime: line.mtime,
            owner: line.owner,
            group: line.group,
            link,
        });
    }

    /// Splits `name -> target` at the right ` -> ` when either may hold one.
    fn split_link(&self, rest: &[u8], size: u64) -> (Vec<u8>, Vec<u8>) {
        let cuts: Vec<usize> =
            rest.windows(4).enumerate().filter(|(_, w)| w == b" -> ").map(|(i, _)| i).collect();
        let parts = |i: usize| (rest[..i].to_vec(), rest[i + 4..].to_vec());
        let known = |i: &&usize| {
            let (name, target) = parts(**i);
            self.links.links.get(&name).is_some_and(|l| l.target == target)
        };
        let named = |i: &&usize| self.links.links.contains_key(&rest[..**i]);
        let sized = |i: &&usize| (rest.len() - **i - 4) as u64 == size;
        match cuts.iter().find(known).or_else(|| cuts.iter().find(named)).or_else(|| cuts.iter().find(sized))
        {
            Some(&i) => parts(i),
            None => match cuts.first() {
                Some(&i) => parts(i),
                None => (rest.to_vec(), Vec::new()),
            },
        }
    }

    pub(super) fn finish(mut self) -> Result<Vec<Entry>, String> {
        if !self.line.is_empty() {
            let line = std::mem::take(&mut self.line);
            self.on_line(line);
        }
        self.flush();
        if !self.links.done() {
            self.error.get_or_insert("the output ended in the symlink section".into());
        }
        match self.error {
            Some(e) => Err(e),
            None => Ok(self.entries),
        }
    }
}

/// Cuts the next space-separated word off `s`.
fn word<'a>(s: &mut &'a [u8]) -> Option<&'a [u8]> {
    let start = s.iter().position(|&b| b != b' ')?;
    let rest = &s[start..];
    let end = rest.iter().position(|&b| b == b' ').unwrap_or(rest.len());
    *s = &rest[end..];
    Some(&rest[..end])
}

fn parse_line(line: &[u8], clock: RemoteClock) -> Option<Line> {
    let mut s = line;
    let perms = word(&mut s)?;
    let (kind, mode) = parse_perms(perms)?;
    number(word(&mut s)?)?;
    let owner = String::from_utf8_lossy(word(&mut s)?).into_owned();
    let group = String::from_utf8_lossy(word(&mut s)?).into_owned();
    let size_word = word(&mut s)?;
    let size = if matches!(kind, Kind::CharDevice | Kind::BlockDevice) {
        // `1, 3` (GNU, BusyBox) or `1,3`: major and minor, no size.
        if size_word.ends_with(b",") {
            number(word(&mut s)?)?;
        }
        0
    } else {
        number(size_word)?
    };
    let month_word = word(&mut s)?;
    let month = MONTHS.iter().position(|m| *m == month_word)? as i8 + 1;
    let day = i8::try_from(number(word(&mut s)?)?).ok()?;
    let when = word(&mut s)?;
    // Exactly one space separates the date from the name, which may itself
    // start with spaces (or be empty on this line when it starts with "\n").
    let rest = s.strip_prefix(b" ")?.to_vec();
    let mtime = mtime(month, day, when, clock)?;
    Some(Line { kind, mode, size, mtime, owner, group, rest })
}

fn number(w: &[u8]) -> Option<u64> {
    super::fields::parse_u64(w)
}

fn parse_perms(p: &[u8]) -> Option<(Kind, u32)> {
    if p.len() < 10 || !p[10..].iter().all(|&b| matches!(b, b'+' | b'.' | b'@')) {
        return None;
    }
    let kind = match p[0] {
        b'-' => Kind::File,
        b'd' => Kind::Dir,
        b'l' => Kind::Symlink,
        b'p' => Kind::Fifo,
        b's' => Kind::Socket,
        b'c' => Kind::CharDevice,
        b'b' => Kind::BlockDevice,
        b'D' | b'?' => Kind::Unknown,
        _ => return None,
    };
    let mut mode = 0;
    for (i, &c) in p[1..10].iter().enumerate() {
        let bit = 1 << (8 - i);
        let special = match i {
            2 => 0o4000,
            5 => 0o2000,
            8 => 0o1000,
            _ => 0,
        };
        mode |= match (i % 3, c) {
            (_, b'-') => 0,
            (0, b'r') | (1, b'w') | (2, b'x') => bit,
            (2, b's') if i < 8 => bit | special,
            (2, b'S') if i < 8 => special,
            (2, b't') if i == 8 => bit | special,
            (2, b'T') if i == 8 => special,
            _ => return None,
        };
    }
    Some((kind, mode))
}

/// `Nov 21 11:22` (within six months, year implied) or `Nov 21  2023`, in
/// the remote's local time.
fn mtime(month: i8, day: i8, when: &[u8], clock: RemoteClock) -> Option<Mtime> {
    let offset = Offset::from_seconds(clock.utc_offset).ok()?;
    let text = std::str::from_utf8(when).ok()?;
    let dt = if let Some((h, m)) = text.split_once(':') {
        let (h, m): (i8, i8) = (h.parse().ok()?, m.parse().ok()?);
        let now = offset.to_datetime(jiff::Timestamp::from_second(clock.now).ok()?);
        let this_year = DateTime::new(now.year(), month, day, h, m, 0, 0).ok()?;
        // ls shows the time instead of the year for recent files, so a date
        // "ahead" of now is from last year.
        if this_year > now + jiff::Span::new().days(1) {
            DateTime::new(now.year() - 1, month, day, h, m, 0, 0).ok()?
        } else {
            this_year
        }
    } else {
        DateTime::new(text.parse().ok()?, month, day, 0, 0, 0, 0).ok()?
    };
    Some(Mtime { secs: offset.to_timestamp(dt).ok()?.as_second(), nanos: 0 })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLOCK: RemoteClock = RemoteClock { now: 1_795_260_000, utc_offset: 3600 }; // 2026-11-21 11:20 UTC

    fn parse(input: &[u8]) -> Vec<Entry> {
        let mut p = LsParser::new(CLOCK);
        input.chunks(5).for_each(|c| p.feed(c));
        p.finish().unwrap()
    }

    #[test]
    fn names_with_arrows_newlines_and_leading_spaces() {
        let input = b"l -> k\0N\0x\ny\n\0\0total 8\n\
drwxr-xr-x  2 0 0 4096 Nov 21 11:22 .\n\
-rw-r--r--  1 0 0    0 Nov 21 11:22 a -> b\n\
prw-r--r--  1 0 0    0 Jan  2  2020   two spaces\n\
lrwxrwxrwx  1 0 0    4 Nov 21 11:22 l -> k -> x\n\
y\n\
-rwsr-S--T+ 1 1000 1000 5 Dec 31 23:59 \n\
starts with newline\n\
crw-rw-rw-  1 0 0 1,   3 Nov 21 11:22 null\n";
        let e = parse(input);
        let names: Vec<_> = e.iter().map(|e| e.name.clone()).collect();
        assert_eq!(
            names,
            ["a -> b", "  two spaces", "l -> k", "\nstarts with newline", "null"].map(OsString::from)
        );
        assert_eq!(e[0].kind, Kind::File);
        assert_eq!(e[1].kind, Kind::Fifo);
        assert_eq!(e[1].mtime.secs, 1_577_919_600); // 2020-01-02 00:00 +01:00
        assert_eq!(e[0].mtime.secs, 1_795_256_520); // 11:22 +01:00 today
        let link = e[2].link.as_ref().unwrap();
        assert_eq!((link.path.clone(), link.kind), (OsString::from("x\ny"), None));
        assert_eq!(e[3].mode, 0o7740);
        assert_eq!(e[3].mtime.secs, 1_767_221_940); // Dec 31 of last year, 23:59 +01:00
        assert_eq!((e[4].kind, e[4].size), (Kind::CharDevice, 0));
    }

    #[test]
    fn link_split_by_size_without_readlink() {
        let e = parse(b"\0lrwxrwxrwx 1 0 0 6 Nov 21 11:22 a -> b -> c\n");
        let link = e[0].link.as_ref().unwrap();
        assert_eq!((e[0].name.clone(), link.path.clone()), (OsString::from("a"), OsString::from("b -> c")));
    }

    #[test]
    fn perms() {
        assert_eq!(parse_perms(b"drwxrwxrwt"), Some((Kind::Dir, 0o1777)));
        assert_eq!(parse_perms(b"-rwxr-sr-x."), Some((Kind::File, 0o2755)));
        assert_eq!(parse_perms(b"-rwxr-xr-q"), None);
        assert_eq!(parse_perms(b"total"), None);
    }
}
