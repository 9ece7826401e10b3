//! Reading a remote file from an offset and writing one at an offset:
//! what resuming a transfer asks of a host (SCP itself cannot seek). The
//! commands are chosen from the probed tools: `dd` with a block size that
//! divides the offset, `tail -c +N` (and `head -c` to bound a read), and
//! `cat >>` to append where there is no `dd`.

use std::ffi::OsString;
use std::path::Path;

use super::caps::{Capabilities, HashTool};
use super::script::{PRELUDE, path_word, shown};
use crate::fs::error::FsError;
use crate::fs::system::ByteRange;
use crate::shell::Command;

/// The block size of every offset a resume uses with `dd`: offsets and
/// checked ranges are multiples of it (64 KiB: a resume gives up at most
/// that much of what was copied).
pub const BLOCK: u64 = 64 * 1024;

/// How a partial copy on a host is extended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Append {
    /// `dd of=FILE bs=BLOCK seek=N conv=notrunc`: at any multiple of [`BLOCK`].
    Dd,
    /// `cat >> FILE`: exactly at the file's end.
    Cat,
}

impl Capabilities {
    /// Whether `[start, start + len)` (to the end without `len`) of a file
    /// can be read; ranges aligned to [`BLOCK`] need the fewest tools.
    pub fn reads_range(&self, start: u64, len: Option<u64>) -> bool {
        let aligned = start.is_multiple_of(BLOCK) && len.is_none_or(|l| l.is_multiple_of(BLOCK));
        (self.dd && aligned) || (self.tail_c && (len.is_none() || self.head_c))
    }

    /// How a partial file would be extended here.
    pub fn append(&self) -> Append {
        if self.dd { Append::Dd } else { Append::Cat }
    }

    /// Where an append continues a partial file of `size` bytes: a block
    /// boundary for `dd`, the end itself for `cat`.
    pub fn append_offset(&self, size: u64) -> u64 {
        match self.append() {
            Append::Dd => size / BLOCK * BLOCK,
            Append::Cat => size,
        }
    }

    /// What resuming needs, for the log.
    pub fn resume_summary(&self) -> String {
        let read = match (self.dd, self.tail_c) {
            (true, true) => "dd or tail -c",
            (true, false) => "dd",
            (false, true) => "tail -c",
            (false, false) => "nothing (transfers start over)",
        };
        let write = match self.append() {
            Append::Dd => "dd conv=notrunc",
            Append::Cat => "cat >>",
        };
        let hash = match self.sha256 {
            Some(HashTool::Sha256sum) => "sha256sum",
            Some(HashTool::Shasum) => "shasum -a 256",
            Some(HashTool::Openssl) => "openssl dgst -sha256",
            None => "no sha256 program (transfers start over)",
        };
        format!("resuming reads from an offset with {read}, appends with {write}, checks with {hash}")
    }
}

/// A word `KEY=PATH` (a `dd` operand) for the path.
fn operand(key: &str, path: &Path) -> OsString {
    let mut word = OsString::from(key);
    word.push("=");
    word.push(path.as_os_str());
    word
}

fn quote_error(action: &str) -> impl Fn(crate::shell::QuoteError) -> FsError + '_ {
    move |source| FsError::Quote { action: action.to_owned(), source }
}

/// A command that writes `range` of its file to standard output. With
/// `dd`, its statistics (stderr) are kept back unless it fails.
pub(super) fn read_command(caps: &Capabilities, range: &ByteRange) -> Result<Command, FsError> {
    let action = format!("read {} from byte {}", shown(range.path), range.start);
    let aligned = range.start.is_multiple_of(BLOCK) && range.len.is_none_or(|l| l.is_multiple_of(BLOCK));
    if caps.dd && aligned {
        let mut dd = Command::new("dd")
            .arg(operand("if", range.path))
            .map_err(quote_error(&action))?
            .lit(&format!("bs={BLOCK} skip={}", range.start / BLOCK));
        if let Some(len) = range.len {
            dd = dd.lit(&format!("count={}", len / BLOCK));
        }
        return Ok(quiet(dd));
    }
    if caps.tail_c && (range.len.is_none() || caps.head_c) {
        let tail = Command::new(&format!("tail -c +{}", range.start + 1))
            .arg(path_word(range.path))
            .map_err(quote_error(&action))?;
        return Ok(match range.len {
            Some(len) => tail.lit(&format!("| head -c {len}")),
            None => tail,
        });
    }
    Err(FsError::MissingProgram { action, program: "dd or tail -c".into() })
}

/// A command that writes its standard input into `path` from `offset` on,
/// which must be what [`Capabilities::append_offset`] gave. `cat >>`
/// first checks that the file still ends at `offset`.
pub(super) fn append_command(caps: &Capabilities, path: &Path, offset: u64) -> Result<Command, FsError> {
    let action = format!("write {} from byte {offset}", shown(path));
    let quote = quote_error(&action);
    match caps.append() {
        Append::Dd if offset.is_multiple_of(BLOCK) => {
            let dd = Command::new("dd")
                .arg(operand("of", path))
                .map_err(&quote)?
                .lit(&format!("bs={BLOCK} seek={} conv=notrunc", offset / BLOCK));
            Ok(quiet(dd))
        }
        Append::Dd => Err(FsError::Refused {
            action: action.clone(),
            reason: format!("not a multiple of {BLOCK} bytes"),
        }),
        Append::Cat => {
            let word = path_word(path);
            let check = Command::new("n=$(wc -c <").arg(&word).map_err(&quote)?.lit(&format!(
                ") || exit 1; [ \"$n\" -eq {offset} ] || {{ echo 'scpdeck: the partial copy changed size' >&2; exit 1; }};"
            ));
            Ok(check.lit("exec cat >>").arg(&word).map_err(&quote)?)
        }
    }
}

/// `dd` prints statistics on stderr even when it succeeds: they are shown
/// only when it fails. Its data goes to the original stdout (fd 3).
fn quiet(dd: Command) -> Command {
    Command::new("exec 3>&1; err=$(")
        .append(&dd)
        .lit("2>&1 >&3); s=$?; [ $s -eq 0 ] || printf '%s\\n' \"$err\" >&2; exit $s")
}

/// One command that prints, per range, `OK HEX` (its sha256) or `ERR why`.
pub(super) fn sha256_ranges_command(caps: &Capabilities, ranges: &[ByteRange]) -> Result<Command, FsError> {
    let action = "checksum parts of files";
    let Some(tool) = caps.sha256 else {
        return Err(FsError::MissingProgram {
            action: action.into(),
            program: "sha256sum, shasum or openssl".into(),
        });
    };
    let mut cmd = Command::new(PRELUDE).lit(&format!("h() {{ {}; }};", tool.command()));
    for range in ranges {
        let read = match read_command(caps, range) {
            Ok(read) => read,
            Err(e) => {
                let said = e.to_string().replace('\'', "");
                cmd = cmd.lit(&format!("echo 'ERR {said}';"));
                continue;
            }
        };
        // The subshell keeps `exec` and `exit` of the read inside.
        let test = Command::new("if [ -r").arg(path_word(range.path)).map_err(quote_error(action))?;
        cmd = cmd
            .append(&test)
            .lit("] && d=$( (")
            .append(&read)
            .lit(") 2>/dev/null </dev/null | h) && [ -n \"$d\" ]; then echo \"OK ${d%% *}\"; else echo 'ERR Permission denied or not readable'; fi;");
    }
    Ok(cmd)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::ffi::OsStrExt;

    fn caps(dd: bool, tail: bool, head: bool) -> Capabilities {
        Capabilities { dd, tail_c: tail, head_c: head, ..Capabilities::default() }
    }

    fn text(cmd: &Command) -> String {
        String::from_utf8_lossy(cmd.as_bytes()).into_owned()
    }

    #[test]
    fn reads_use_dd_on_block_boundaries_and_tail_elsewhere() {
        let path = Path::new("/d/it's");
        let aligned = ByteRange { path, start: 2 * BLOCK, len: Some(BLOCK) };
        let cmd = read_command(&caps(true, true, true), &aligned).unwrap();
        assert!(text(&cmd).contains("dd 'if=/d/it'\\''s' bs=65536 skip=2 count=1"), "{}", text(&cmd));
        let odd = ByteRange { path, start: 10, len: None };
        let cmd = read_command(&caps(true, true, false), &odd).unwrap();
        assert_eq!(text(&cmd), "tail -c +11 '/d/it'\\''s'");
        let bounded = ByteRange { path, start: 10, len: Some(5) };
        assert!(read_command(&caps(true, true, false), &bounded).is_err());
        assert_eq!(
            text(&read_command(&caps(false, true, true), &bounded).unwrap()),
            "tail -c +11 '/d/it'\\''s' | head -c 5"
        );
        assert!(matches!(
            read_command(&caps(false, false, true), &aligned),
            Err(FsError::MissingProgram { .. })
        ));
        let relative = ByteRange { path: Path::new("-x"), start: 0, len: None };
        assert_eq!(text(&read_command(&caps(false, true, true), &relative).unwrap()), "tail -c +1 './-x'");
    }

    #[test]
    fn the_host_summary_says_what_resuming_uses_on_its_second_line() {
        let full = Capabilities { sha256: Some(HashTool::Openssl), ..caps(true, true, true) };
        let lines = full.summary();
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(
            lines[1].ends_with(
                "; resuming reads from an offset with dd or tail -c, appends with dd conv=notrunc, checks with openssl dgst -sha256"
            ),
            "{}",
            lines[1]
        );
        let bare = caps(false, false, false).summary();
        assert!(bare[1].contains("reads from an offset with nothing (transfers start over)"), "{}", bare[1]);
        assert!(bare[1].contains("appends with cat >>"), "{}", bare[1]);
        assert!(bare[1].contains("checks with no sha256 program (transfers start over)"), "{}", bare[1]);
    }

    #[test]
    fn appends_with_dd_at_blocks_or_cat_at_the_end() {
        let with_dd = caps(true, false, false);
        assert_eq!(with_dd.append_offset(3 * BLOCK + 5), 3 * BLOCK);
        let cmd = append_command(&with_dd, Path::new("/t/0"), 3 * BLOCK).unwrap();
        assert!(text(&cmd).contains("dd 'of=/t/0' bs=65536 seek=3 conv=notrunc"), "{}", text(&cmd));
        assert!(append_command(&with_dd, Path::new("/t/0"), 5).is_err());
        let cat = caps(false, true, true);
        assert_eq!(cat.append_offset(12345), 12345);
        let cmd = text(&append_command(&cat, Path::new("/t/0"), 12345).unwrap());
        assert!(cmd.contains("[ \"$n\" -eq 12345 ]") && cmd.ends_with("exec cat >> '/t/0'"), "{cmd}");
    }

    /// The commands run as they say, with this machine's `sh`, `dd`,
    /// `tail` and `head`.
    #[test]
    fn the_commands_do_what_they_say() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        let data: Vec<u8> = (0..(3 * BLOCK as usize + 100)).map(|i| (i % 251) as u8).collect();
        std::fs::write(&file, &data).unwrap();
        let sh = |cmd: &Command, input: &[u8]| {
            use std::io::Write;
            let mut child = std::process::Command::new("sh")
                .arg("-c")
                .arg(std::ffi::OsStr::from_bytes(cmd.as_bytes()))
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            child.stdin.take().unwrap().write_all(input).unwrap();
            child.wait_with_output().unwrap()
        };
        for tools in [caps(true, true, true), caps(false, true, true)] {
            let range = ByteRange { path: &file, start: BLOCK, len: Some(BLOCK) };
            let out = sh(&read_command(&tools, &range).unwrap(), b"");
            assert!(out.status.success() && out.stderr.is_empty(), "{out:?}");
            assert_eq!(out.stdout, &data[BLOCK as usize..2 * BLOCK as usize]);
            let rest = ByteRange { path: &file, start: 2 * BLOCK, len: None };
            assert_eq!(sh(&read_command(&tools, &rest).unwrap(), b"").stdout, &data[2 * BLOCK as usize..]);
        }
        // dd at a block, then cat at the end.
        let copy = dir.path().join("copy");
        std::fs::write(&copy, &data[..BLOCK as usize + 7]).unwrap();
        let out = sh(
            &append_command(&caps(true, false, false), &copy, BLOCK).unwrap(),
            &data[BLOCK as usize..2 * BLOCK as usize],
        );
        assert!(out.status.success() && out.stderr.is_empty(), "{out:?}");
        let out = sh(
            &append_command(&caps(false, true, true), &copy, 2 * BLOCK).unwrap(),
            &data[2 * BLOCK as usize..],
        );
        assert!(out.status.success(), "{out:?}");
        assert_eq!(std::fs::read(&copy).unwrap(), data);
        let out = sh(&append_command(&caps(false, true, true), &copy, 5).unwrap(), b"more");
        assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("changed size"));
        // A failing dd says why.
        let missing = ByteRange { path: Path::new("/nonexistent/x"), start: 0, len: None };
        let out = sh(&read_command(&caps(true, false, false), &missing).unwrap(), b"");
        assert!(
            !out.status.success() && String::from_utf8_lossy(&out.stderr).contains("No such file"),
            "{out:?}"
        );
    }
}
