//! Operations that transfers run for many paths at once, each one remote
//! command with one result line per path (`OK [value]` or `ERR reason`):
//! what paths are, creating directories, putting finished uploads in place,
//! deleting, checksums, copies within the host.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use super::caps::Capabilities;
use super::script::{PRELUDE, path_word};
use crate::fs::error::FsError;
use crate::fs::place::{Placed, Rename, keep_both_candidate, split_extension};
use crate::fs::system::{ByteRange, Digest, Each, Placement};
use crate::shell::{self, Command};
use crate::ssh::Link;
use crate::text::escape_bytes;

/// What a path is on the remote host (`[ -d ]`, `[ -f ]`...).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathKind {
    Dir,
    File,
    /// Exists but is neither (device, fifo, socket).
    Other,
    Missing,
}

/// Runs `script` with `args` as its positional parameters (`"$@"`); its
/// output has one line per item, each `OK [value]` or `ERR reason`.
/// `action(i)` says what item `i` was, for its error.
fn run_each(
    link: Link<'_>,
    what: &str,
    script: &str,
    args: &[&OsStr],
    action: &dyn Fn(usize) -> String,
    items: usize,
) -> Each<String> {
    let cmd = script_command(what, script, args)?;
    run_lines(link, what, &cmd, action, items)
}

/// `script` with `args` as its positional parameters, after the prelude.
fn script_command(what: &str, script: &str, args: &[&OsStr]) -> Result<Command, FsError> {
    let quote = |source| FsError::Quote { action: what.to_owned(), source };
    let mut cmd = Command::new(PRELUDE).lit("set --");
    for arg in args {
        cmd = cmd.arg(arg).map_err(quote)?;
    }
    Ok(cmd.lit(";").lit(script))
}

/// Runs `cmd`, whose output has one `OK [value]` or `ERR reason` line per
/// item.
fn run_lines(
    link: Link<'_>,
    what: &str,
    cmd: &Command,
    action: &dyn Fn(usize) -> String,
    items: usize,
) -> Each<String> {
    let output = shell::exec::run(link, cmd).map_err(|e| FsError::exec(what, e))?;
    let missing = |n: usize| FsError::from_output(&action(n), cmd.as_bytes(), &output);
    Ok(lines_of(&output.stdout, action, items, &missing))
}

/// The result of each of `items` from `stdout`'s `OK [value]` or `ERR
/// reason` lines; `missing(i)` when item `i`'s line is not there.
pub(super) fn lines_of(
    stdout: &[u8],
    action: &dyn Fn(usize) -> String,
    items: usize,
    missing: &dyn Fn(usize) -> FsError,
) -> Vec<Result<String, FsError>> {
    let mut lines = stdout.split(|&b| b == b'\n');
    (0..items)
        .map(|n| match lines.next() {
            Some(line) if line.starts_with(b"OK") => {
                Ok(String::from_utf8_lossy(line[2..].trim_ascii()).into_owned())
            }
            Some(line) if line.starts_with(b"ERR") => Err(FsError::said(&action(n), &line[3..])),
            _ => Err(missing(n)),
        })
        .collect()
}

/// `ERR` with the command's error output on one line.
const FAIL: &str = r#"printf 'ERR %s\n' "$(printf '%s' "$err" | tr '\n' ' ')""#;

fn shown(path: &Path) -> String {
    escape_bytes(path.as_os_str().as_encoded_bytes())
}

fn words<'a>(paths: &'a [&Path]) -> Vec<std::borrow::Cow<'a, OsStr>> {
    paths.iter().map(|p| path_word(p)).collect()
}

pub(super) fn kinds(link: Link<'_>, paths: &[&Path]) -> Each<PathKind> {
    let script = r#"for p; do if [ -d "$p" ]; then echo OK D; elif [ -f "$p" ]; then echo OK F; elif [ -e "$p" ] || [ -L "$p" ]; then echo OK O; else echo OK N; fi; done"#;
    let words = words(paths);
    let args: Vec<&OsStr> = words.iter().map(|w| w.as_ref()).collect();
    let action = |n: usize| format!("look at {}", shown(paths[n]));
    let results = run_each(link, "look at paths", script, &args, &action, paths.len())?;
    Ok(results
        .into_iter()
        .map(|r| {
            r.map(|kind| match kind.as_str() {
                "D" => PathKind::Dir,
                "F" => PathKind::File,
                "O" => PathKind::Other,
                _ => PathKind::Missing,
            })
        })
        .collect())
}

/// `mkdir` each directory (parents first, in order), with `mode` when
/// given. One that exists already is success.
pub(super) fn make_dirs(link: Link<'_>, dirs: &[(&Path, Option<u32>)]) -> Each<()> {
    let script = format!(
        r#"while [ $# -gt 0 ]; do if err=$(mkdir -- "$1" 2>&1) || [ -d "$1" ]; then if [ "$2" = - ] || err=$(chmod "$2" -- "$1" 2>&1); then echo OK; else {FAIL}; fi; else {FAIL}; fi; shift 2; done"#
    );
    let modes: Vec<String> =
        dirs.iter().map(|(_, m)| m.map_or("-".to_owned(), |m| format!("{:o}", m & 0o7777))).collect();
    let paths: Vec<&Path> = dirs.iter().map(|(d, _)| *d).collect();
    let words = words(&paths);
    let mut args: Vec<&OsStr> = Vec::new();
    for (word, mode) in words.iter().zip(&modes) {
        args.push(word.as_ref());
        args.push(OsStr::new(mode));
    }
    let action = |n: usize| format!("create the directory {}", shown(paths[n]));
    Ok(run_each(link, "create directories", &script, &args, &action, dirs.len())?
        .into_iter()
        .map(|r| r.map(drop))
        .collect())
}

/// Puts finished uploads in place, each in one step nothing can come
/// between: rename(2) to replace; link(2) (which never replaces) then
/// unlink to take a free name, or on a file system without hard links an
/// exclusive create then rename. One perl process does them all where
/// there is perl (256 small files would otherwise cost hundreds of forks);
/// otherwise `mv`, `ln` and `set -C` do the same per file.
pub(super) fn place(link: Link<'_>, placements: &[Placement]) -> Each<Placed> {
    Ok(place_then_remove(link, placements, None)?.0)
}

/// What [`place_then_remove`] found: each placement's result, and the
/// removal's when one was asked for.
pub type PlacedThenRemoved = (Vec<Result<Placed, FsError>>, Option<Result<(), FsError>>);

/// [`place`], then (in the same command, one round trip less) `rm -r` of
/// `remove` when given: the private directory the files came from, once
/// nothing in it is to be kept whatever the placements did.
pub(super) fn place_then_remove(
    link: Link<'_>,
    placements: &[Placement],
    remove: Option<&Path>,
) -> Result<PlacedThenRemoved, FsError> {
    let cmd = placing_command(placements, remove)?;
    let action = placing_action(placements, remove);
    let lines = placements.len() + usize::from(remove.is_some());
    let results = run_lines(link, "put files in place", &cmd, &action, lines)?;
    Ok(placing_results(results, placements, remove))
}

/// The command of [`place_then_remove`]: one line per placement, then
/// the removal's.
pub(super) fn placing_command(placements: &[Placement], remove: Option<&Path>) -> Result<Command, FsError> {
    let placing = format!(
        r#"if command -v perl >/dev/null 2>&1; then exec perl -e '{PERL}' -- "$@"; fi; {SH}"#,
        PERL = PLACE_PERL,
        SH = PLACE_SH.replace("{FAIL}", FAIL)
    );
    // The placing runs in a subshell (its `exec` ends only that), with the
    // directory shifted off its arguments; the removal's line comes last.
    let script = match remove {
        None => placing,
        Some(_) => format!(
            r#"d=$1; shift; ( {placing} ); if err=$(rm -r -- "$d" 2>&1); then echo OK; else {FAIL}; fi"#
        ),
    };
    let removed = remove.map(path_word);
    let mut parts: Vec<(PathBuf, &OsStr, &OsStr, String)> = Vec::new();
    for p in placements {
        let dir = p.dest.parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        let name = p.dest.file_name().unwrap_or_default();
        let (stem, ext, how) = match p.how {
            Rename::KeepBoth { from } => {
                let (stem, ext) = split_extension(name);
                (stem, ext, format!("k{from}"))
            }
            Rename::NoReplace => (name, OsStr::new(""), "n".to_owned()),
            Rename::Replace => (name, OsStr::new(""), "r".to_owned()),
        };
        parts.push((dir, stem, ext, how));
    }
    let temps: Vec<std::borrow::Cow<'_, OsStr>> = placements.iter().map(|p| path_word(p.temp)).collect();
    let dirs: Vec<std::borrow::Cow<'_, OsStr>> = parts.iter().map(|(d, ..)| path_word(d)).collect();
    let mut args: Vec<&OsStr> = removed.as_deref().into_iter().collect();
    for (k, (_, stem, ext, how)) in parts.iter().enumerate() {
        args.extend([&*temps[k], &*dirs[k], stem, ext, OsStr::new(how.as_str())]);
    }
    script_command("put files in place", &script, &args)
}

/// What each line of [`placing_command`]'s output is about.
pub(super) fn placing_action<'a>(
    placements: &'a [Placement],
    remove: Option<&'a Path>,
) -> impl Fn(usize) -> String + 'a {
    move |n: usize| match (placements.get(n), remove) {
        (Some(p), _) => format!("put {} in place", shown(p.dest)),
        (None, Some(dir)) => format!("remove {}", shown(dir)),
        (None, None) => "put files in place".to_owned(),
    }
}

/// [`placing_command`]'s lines (`placements`, then the removal's when
/// `remove`) read as the placements' and the removal's results.
pub(super) fn placing_results(
    mut results: Vec<Result<String, FsError>>,
    placements: &[Placement],
    remove: Option<&Path>,
) -> PlacedThenRemoved {
    let removal = remove.and_then(|_| results.pop()).map(|r| r.map(drop));
    let placed = results
        .into_iter()
        .zip(placements)
        .map(|(result, p)| {
            result.and_then(|value| match value.as_str() {
                "TAKEN" => Ok(Placed::Taken),
                n => match n.parse::<u32>() {
                    Ok(0) => Ok(Placed::At(p.dest.to_path_buf())),
                    Ok(n) => {
                        let name = p.dest.file_name().unwrap_or_default();
                        Ok(Placed::At(p.dest.with_file_name(keep_both_candidate(name, n))))
                    }
                    Err(_) => Err(FsError::Malformed {
                        action: format!("put {} in place", shown(p.dest)),
                        detail: escape_bytes(n.as_bytes()),
                    }),
                },
            })
        })
        .collect();
    (placed, removal)
}

const PLACE_PERL: &str = r#"use Fcntl; while (@ARGV) { my ($t, $dir, $stem, $ext, $how) = splice(@ARGV, 0, 5); my $name = sub { my $n = shift; $n == 0 ? "$dir/$stem$ext" : "$dir/$stem ($n)$ext" }; if ($how eq "r") { if (rename($t, "$dir/$stem$ext")) { print "OK 0\n" } else { my $e = "$!"; print "ERR $e\n" } next } my $n = $how eq "n" ? 0 : substr($how, 1); my $last = $n + 10000; my $said; while ($n < $last) { my $d = $name->($n); if (-d $d) { if ($how eq "n") { unlink $t; print "OK TAKEN\n"; $said = 1; last } $n++; next } if (link($t, $d)) { unlink $t; print "OK $n\n"; $said = 1; last } if ($!{EEXIST}) { if ($how eq "n") { unlink $t; print "OK TAKEN\n"; $said = 1; last } $n++; next } if (sysopen(my $fh, $d, O_WRONLY | O_CREAT | O_EXCL)) { close $fh; if (rename($t, $d)) { print "OK $n\n" } else { my $e = "$!"; print "ERR $e\n" } $said = 1; last } if ($!{EEXIST}) { if ($how eq "n") { unlink $t; print "OK TAKEN\n"; $said = 1; last } $n++; next } my $e = "$!"; print "ERR $e\n"; $said = 1; last } print "ERR no free name to keep both copies\n" unless $said }"#;

/// The `sh` half of [`place`], for hosts without perl.
const PLACE_SH: &str = r#"while [ $# -ge 5 ]; do t=$1; dir=$2; stem=$3; ext=$4; how=$5; shift 5; if [ "$how" = r ]; then if [ -L "$dir/$stem$ext" ] && [ -d "$dir/$stem$ext" ]; then rm -f -- "$dir/$stem$ext"; fi; if err=$(mv -f -- "$t" "$dir/$stem$ext" 2>&1); then echo OK 0; else {FAIL}; fi; continue; fi; if [ "$how" = n ]; then n=0; else n=${how#k}; fi; last=$((n + 10000)); said=; while [ "$n" -lt "$last" ]; do if [ "$n" -eq 0 ]; then d="$dir/$stem$ext"; else d="$dir/$stem ($n)$ext"; fi; if [ -e "$d" ] || [ -L "$d" ]; then if [ "$how" = n ]; then rm -f -- "$t"; echo OK TAKEN; said=1; break; fi; n=$((n + 1)); continue; fi; if ln -- "$t" "$d" 2>/dev/null; then rm -f -- "$t"; echo OK "$n"; said=1; break; fi; if [ -e "$d" ] || [ -L "$d" ]; then continue; fi; if (set -C; : > "$d") 2>/dev/null; then if err=$(mv -f -- "$t" "$d" 2>&1); then echo OK "$n"; else {FAIL}; fi; said=1; break; fi; if [ -e "$d" ] || [ -L "$d" ]; then continue; fi; err="cannot create $stem$ext"; {FAIL}; said=1; break; done; [ -n "$said" ] || echo 'ERR no free name to keep both copies'; done"#;

/// The host copies each `(from, to)` by itself (`cp`, with `-p` to keep
/// times and modes).
pub(super) fn copy_files(link: Link<'_>, pairs: &[(&Path, &Path)], preserve: bool) -> Each<()> {
    let flags = if preserve { "-p " } else { "" };
    let script = format!(
        r#"while [ $# -ge 2 ]; do if err=$(cp {flags}-- "$1" "$2" 2>&1); then echo OK; else {FAIL}; fi; shift 2; done"#
    );
    let froms: Vec<&Path> = pairs.iter().map(|p| p.0).collect();
    let tos: Vec<&Path> = pairs.iter().map(|p| p.1).collect();
    let (froms_w, tos_w) = (words(&froms), words(&tos));
    let args: Vec<&OsStr> = froms_w.iter().zip(&tos_w).flat_map(|(a, b)| [a.as_ref(), b.as_ref()]).collect();
    let action = |n: usize| format!("copy {} to {}", shown(pairs[n].0), shown(pairs[n].1));
    Ok(run_each(link, "copy files", &script, &args, &action, pairs.len())?
        .into_iter()
        .map(|r| r.map(drop))
        .collect())
}

/// Sets each file's modification and access times (`touch -t`, read in
/// UTC so that the host's time zone does not matter).
pub(super) fn set_times(link: Link<'_>, files: &[(&Path, i64)]) -> Each<()> {
    let script = format!(
        r#"while [ $# -ge 2 ]; do if err=$(TZ=UTC0 touch -c -t "$2" "$1" 2>&1); then echo OK; else {FAIL}; fi; shift 2; done"#
    );
    let paths: Vec<&Path> = files.iter().map(|(p, _)| *p).collect();
    let words = words(&paths);
    let stamps: Vec<Option<String>> = files.iter().map(|(_, secs)| touch_stamp(*secs)).collect();
    let mut args: Vec<&OsStr> = Vec::new();
    for (word, stamp) in words.iter().zip(&stamps) {
        args.push(word.as_ref());
        // An out of range time makes `touch` fail with its own words.
        args.push(OsStr::new(stamp.as_deref().unwrap_or("out-of-range")));
    }
    let action = |n: usize| format!("set the times of {}", shown(paths[n]));
    Ok(run_each(link, "set times", &script, &args, &action, files.len())?
        .into_iter()
        .map(|r| r.map(drop))
        .collect())
}

/// `touch -t`'s `CCYYMMDDhhmm.SS` for `secs` since the epoch, in UTC.
fn touch_stamp(secs: i64) -> Option<String> {
    let time = jiff::Timestamp::from_second(secs).ok()?.to_zoned(jiff::tz::TimeZone::UTC);
    (0..=9999).contains(&time.year()).then(|| time.strftime("%Y%m%d%H%M.%S").to_string())
}

/// Deletes files (never directories).
pub(super) fn remove_files(link: Link<'_>, files: &[&Path]) -> Each<()> {
    let script = format!(
        r#"for f; do if [ -d "$f" ] && [ ! -L "$f" ]; then echo 'ERR is a directory'; elif err=$(rm -f -- "$f" 2>&1) && [ ! -e "$f" ]; then echo OK; else {FAIL}; fi; done"#
    );
    let words = words(files);
    let args: Vec<&OsStr> = words.iter().map(|w| w.as_ref()).collect();
    let action = |n: usize| format!("delete {}", shown(files[n]));
    Ok(run_each(link, "delete files", &script, &args, &action, files.len())?
        .into_iter()
        .map(|r| r.map(drop))
        .collect())
}

/// Removes empty directories, in order (deepest first); never contents.
pub(super) fn remove_dirs(link: Link<'_>, dirs: &[&Path]) -> Each<()> {
    let script = format!(r#"for d; do if err=$(rmdir -- "$d" 2>&1); then echo OK; else {FAIL}; fi; done"#);
    let words = words(dirs);
    let args: Vec<&OsStr> = words.iter().map(|w| w.as_ref()).collect();
    let action = |n: usize| format!("remove the directory {}", shown(dirs[n]));
    Ok(run_each(link, "remove directories", &script, &args, &action, dirs.len())?
        .into_iter()
        .map(|r| r.map(drop))
        .collect())
}

/// sha256 of each file, with whichever tool the host has.
pub(super) fn sha256(link: Link<'_>, files: &[&Path]) -> Each<Digest> {
    let script = r#"if command -v sha256sum >/dev/null 2>&1; then h() { sha256sum; }; elif command -v shasum >/dev/null 2>&1; then h() { shasum -a 256; }; elif command -v openssl >/dev/null 2>&1; then h() { openssl dgst -sha256 | sed 's/^.*= *//'; }; else h() { return 1; }; fi; for f; do if [ -f "$f" ] && [ -r "$f" ] && d=$(h < "$f" 2>/dev/null) && [ -n "$d" ]; then echo "OK ${d%% *}"; elif command -v sha256sum >/dev/null 2>&1 || command -v shasum >/dev/null 2>&1 || command -v openssl >/dev/null 2>&1; then echo 'ERR Permission denied or not a regular file'; else echo 'ERR MISSING'; fi; done"#;
    let words = words(files);
    let args: Vec<&OsStr> = words.iter().map(|w| w.as_ref()).collect();
    let action = |n: usize| format!("checksum {}", shown(files[n]));
    let results = run_each(link, "checksum files", script, &args, &action, files.len())?;
    Ok(results
        .into_iter()
        .enumerate()
        .map(|(n, r)| match r {
            Err(FsError::Failed(f)) if f.said == "MISSING" => Err(FsError::MissingProgram {
                action: action(n),
                program: "sha256sum, shasum or openssl".into(),
            }),
            other => other.and_then(|hex| {
                parse_hex(&hex).map_err(|detail| FsError::Malformed { action: action(n), detail })
            }),
        })
        .collect())
}

/// sha256 of parts of files (see [`super::ranges`]).
pub(super) fn sha256_ranges(link: Link<'_>, caps: &Capabilities, ranges: &[ByteRange]) -> Each<Digest> {
    let cmd = super::ranges::sha256_ranges_command(caps, ranges)?;
    let action = |n: usize| format!("checksum part of {}", shown(ranges[n].path));
    let results = run_lines(link, "checksum parts of files", &cmd, &action, ranges.len())?;
    Ok(results
        .into_iter()
        .enumerate()
        .map(|(n, r)| {
            r.and_then(|hex| {
                parse_hex(&hex).map_err(|detail| FsError::Malformed { action: action(n), detail })
            })
        })
        .collect())
}

fn parse_hex(hex: &str) -> Result<[u8; 32], String> {
    let hex = hex.trim().as_bytes();
    if hex.len() != 64 || !hex.iter().all(u8::is_ascii_hexdigit) {
        return Err(format!("unexpected checksum output {:?}", escape_bytes(hex)));
    }
    let mut out = [0u8; 32];
    for (byte, pair) in out.iter_mut().zip(hex.chunks(2)) {
        let digit = |b: u8| (b as char).to_digit(16).unwrap_or(0) as u8;
        *byte = digit(pair[0]) << 4 | digit(pair[1]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn touch_stamps_are_utc() {
        assert_eq!(touch_stamp(0).as_deref(), Some("197001010000.00"));
        assert_eq!(touch_stamp(1_700_000_000).as_deref(), Some("202311142213.20"));
        assert_eq!(touch_stamp(i64::MAX), None);
    }

    #[test]
    fn checksums_parse() {
        let hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        assert_eq!(parse_hex(hex).map(|d| (d[0], d[31])), Ok((0xe3, 0x55)));
        assert!(parse_hex("abc").is_err());
        // 64 bytes, but not 64 hex digits: never sliced inside a character.
        let odd = format!("é{}", &hex[2..]);
        assert!(parse_hex(&odd).is_err());
    }
}
