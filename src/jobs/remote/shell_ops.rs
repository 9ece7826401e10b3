//! Small remote shell scripts the transfers need, run through the shared
//! framing (`shell::exec`), each for many paths at once with one result
//! line per path: classify paths, create directories, the private
//! directory uploads arrive in, placing finished uploads, deleting moved
//! sources, removing emptied directories, sha256 (sha256sum, shasum -a 256
//! or openssl dgst), sizes.

use std::ffi::OsStr;
use std::path::Path;

use ssh2::Session;

use crate::shell::{self, Banner, Command};
use crate::text::escape_bytes;

/// What a path is on the remote host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathKind {
    Dir,
    File,
    /// Exists but is neither (device, fifo, socket).
    Other,
    Missing,
}

/// A script's per-path results and what the login profile printed.
pub struct Results<T> {
    pub items: Vec<Result<T, String>>,
    pub banner: Banner,
    pub stderr: String,
}

/// Why a script as a whole did not run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpError {
    /// The connection is gone: the work is for a new one.
    #[error("lost the connection: {0}")]
    Lost(String),
    #[error("{0}")]
    Failed(String),
}

/// Runs `script` with `args` as its positional parameters (`"$@"`); each
/// line of its output is `OK [value]` or `ERR reason`, one per item.
fn run_each(
    session: &Session,
    script: &str,
    args: &[&OsStr],
    items: usize,
) -> Result<Results<String>, OpError> {
    let mut cmd = Command::new("set --");
    for arg in args {
        cmd = cmd.arg(arg).map_err(|e| OpError::Failed(e.to_string()))?;
    }
    let cmd = cmd.lit(";").lit(script);
    let output = shell::exec::run(session, &cmd).map_err(|e| {
        if e.is_connection_lost() { OpError::Lost(e.to_string()) } else { OpError::Failed(e.to_string()) }
    })?;
    let mut lines = output.stdout.split(|&b| b == b'\n');
    let results = (0..items)
        .map(|_| match lines.next() {
            Some(line) if line.starts_with(b"OK") => {
                Ok(String::from_utf8_lossy(line[2..].trim_ascii()).into_owned())
            }
            Some(line) if line.starts_with(b"ERR") => {
                let reason = escape_bytes(line[3..].trim_ascii());
                Err(if reason.is_empty() { "failed".to_owned() } else { reason })
            }
            _ => Err(format!(
                "no result from the remote shell ({}{})",
                output.status,
                if output.stderr.is_empty() {
                    String::new()
                } else {
                    format!(": {}", escape_bytes(output.stderr.trim_ascii()))
                }
            )),
        })
        .collect();
    Ok(Results { items: results, banner: output.banner, stderr: escape_bytes(output.stderr.trim_ascii()) })
}

impl Results<String> {
    fn map<U>(self, f: impl Fn(String) -> Result<U, String>) -> Results<U> {
        let items = self.items.into_iter().map(|r| r.and_then(&f)).collect();
        Results { items, banner: self.banner, stderr: self.stderr }
    }
}

/// `ERR` with the command's error output on one line.
const FAIL: &str = r#"printf 'ERR %s\n' "$(printf '%s' "$err" | tr '\n' ' ')""#;

pub fn classify(session: &Session, paths: &[&Path]) -> Result<Results<PathKind>, OpError> {
    let script = r#"for p; do if [ -d "$p" ]; then echo OK D; elif [ -f "$p" ]; then echo OK F; elif [ -e "$p" ] || [ -L "$p" ]; then echo OK O; else echo OK N; fi; done"#;
    let args: Vec<&OsStr> = paths.iter().map(|p| p.as_os_str()).collect();
    let results = run_each(session, script, &args, paths.len())?;
    Ok(results.map(|kind| {
        Ok(match kind.as_str() {
            "D" => PathKind::Dir,
            "F" => PathKind::File,
            "O" => PathKind::Other,
            _ => PathKind::Missing,
        })
    }))
}

/// `mkdir` each directory (parents first, in order), with `mode` when
/// given. A directory that exists already (made by another copy at the
/// same moment, say) is success.
pub fn make_dirs(session: &Session, dirs: &[(&Path, Option<u32>)]) -> Result<Results<String>, OpError> {
    let script = format!(
        r#"while [ $# -gt 0 ]; do if err=$(mkdir -- "$1" 2>&1) || [ -d "$1" ]; then if [ "$2" = - ] || err=$(chmod "$2" -- "$1" 2>&1); then echo OK; else {FAIL}; fi; else {FAIL}; fi; shift 2; done"#
    );
    let modes: Vec<String> =
        dirs.iter().map(|(_, m)| m.map_or("-".to_owned(), |m| format!("{:o}", m & 0o7777))).collect();
    let mut args: Vec<&OsStr> = Vec::new();
    for ((dir, _), mode) in dirs.iter().zip(&modes) {
        args.push(dir.as_os_str());
        args.push(OsStr::new(mode));
    }
    run_each(session, &script, &args, dirs.len())
}

/// Creates `dir/name` (mode 700) for uploads in flight. The name is
/// chosen here, never read back from the host, so a directory whose own
/// name holds a newline is handled like any other.
pub fn make_private_dir(session: &Session, dir: &Path, name: &OsStr) -> Result<(), RemoteFailure> {
    let script = format!(r#"if err=$(mkdir -m 700 -- "$1/$2" 2>&1); then echo OK; else {FAIL}; fi"#);
    let results = run_each(session, &script, &[dir.as_os_str(), name], 1).map_err(RemoteFailure::Op)?;
    match results.items.into_iter().next() {
        Some(Ok(_)) => Ok(()),
        Some(Err(reason)) => Err(RemoteFailure::Refused(reason)),
        None => Err(RemoteFailure::Refused("no result".into())),
    }
}

/// Removes `dir/name` and whatever is left in it; only ever one of the
/// private directories scpdeck created (`.sd-` names).
pub fn remove_private_dir(session: &Session, dir: &Path, name: &OsStr) -> Result<(), OpError> {
    if !name.as_encoded_bytes().starts_with(b".sd-") {
        return Err(OpError::Failed("refusing to remove a directory scpdeck did not create".into()));
    }
    let script = format!(r#"if err=$(rm -rf -- "$1/$2" 2>&1); then echo OK; else {FAIL}; fi"#);
    let results = run_each(session, &script, &[dir.as_os_str(), name], 1)?;
    results
        .items
        .into_iter()
        .next()
        .unwrap_or_else(|| Err("no result".into()))
        .map(drop)
        .map_err(OpError::Failed)
}

/// A private directory that could not be made, or the script not run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemoteFailure {
    Op(OpError),
    /// The host's own words (`mkdir: …: Permission denied`), escaped.
    Refused(String),
}

/// One finished upload to put in place: `temp` goes to `dir/STEM EXT`
/// (`dir/STEM (N)EXT` for "keep both").
pub struct Move<'a> {
    pub temp: &'a Path,
    pub dir: &'a Path,
    pub stem: &'a OsStr,
    pub ext: &'a OsStr,
    /// `r` replace, `n` only if free, `kN` keep both from N.
    pub how: String,
}

/// Where a finished upload went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moved {
    /// Under the name numbered N ("keep both"; 0 is the name itself).
    At(u32),
    /// The name was taken ("only if free"); the temporary file was removed.
    Taken,
}

/// Puts finished uploads in place, each in one step nothing can come
/// between: rename(2) to replace; link(2) (which never replaces) then
/// unlink to take a free name, or on a file system without hard links an
/// exclusive create then rename. One perl process does them all where
/// there is perl (256 small files would otherwise cost hundreds of forks);
/// otherwise `mv`, `ln` and `set -C` do the same per file.
pub fn place(session: &Session, moves: &[Move]) -> Result<Results<Moved>, OpError> {
    let script = format!(
        r#"if command -v perl >/dev/null 2>&1; then exec perl -e '{PERL}' -- "$@"; fi; {SH}"#,
        PERL = PLACE_PERL,
        SH = PLACE_SH.replace("{FAIL}", FAIL)
    );
    let args: Vec<&OsStr> = moves
        .iter()
        .flat_map(|m| [m.temp.as_os_str(), m.dir.as_os_str(), m.stem, m.ext, OsStr::new(&m.how)])
        .collect();
    let results = run_each(session, &script, &args, moves.len())?;
    Ok(results.map(|value| match value.as_str() {
        "TAKEN" => Ok(Moved::Taken),
        n => n
            .parse()
            .map(Moved::At)
            .map_err(|_| format!("unexpected answer {:?}", escape_bytes(n.as_bytes()))),
    }))
}

/// The perl half of [`place`]: `OK N`, `OK TAKEN` or `ERR reason` per move.
const PLACE_PERL: &str = r#"use Fcntl; while (@ARGV) { my ($t, $dir, $stem, $ext, $how) = splice(@ARGV, 0, 5); my $name = sub { my $n = shift; $n == 0 ? "$dir/$stem$ext" : "$dir/$stem ($n)$ext" }; if ($how eq "r") { if (rename($t, "$dir/$stem$ext")) { print "OK 0\n" } else { my $e = "$!"; print "ERR $e\n" } next } my $n = $how eq "n" ? 0 : substr($how, 1); my $last = $n + 10000; my $said; while ($n < $last) { my $d = $name->($n); if (-d $d) { if ($how eq "n") { unlink $t; print "OK TAKEN\n"; $said = 1; last } $n++; next } if (link($t, $d)) { unlink $t; print "OK $n\n"; $said = 1; last } if ($!{EEXIST}) { if ($how eq "n") { unlink $t; print "OK TAKEN\n"; $said = 1; last } $n++; next } if (sysopen(my $fh, $d, O_WRONLY | O_CREAT | O_EXCL)) { close $fh; if (rename($t, $d)) { print "OK $n\n" } else { my $e = "$!"; print "ERR $e\n" } $said = 1; last } if ($!{EEXIST}) { if ($how eq "n") { unlink $t; print "OK TAKEN\n"; $said = 1; last } $n++; next } my $e = "$!"; print "ERR $e\n"; $said = 1; last } print "ERR no free name to keep both copies\n" unless $said }"#;

/// The `sh` half of [`place`], for hosts without perl.
const PLACE_SH: &str = r#"while [ $# -ge 5 ]; do t=$1; dir=$2; stem=$3; ext=$4; how=$5; shift 5; if [ "$how" = r ]; then if err=$(mv -f -- "$t" "$dir/$stem$ext" 2>&1); then echo OK 0; else {FAIL}; fi; continue; fi; if [ "$how" = n ]; then n=0; else n=${how#k}; fi; last=$((n + 10000)); said=; while [ "$n" -lt "$last" ]; do if [ "$n" -eq 0 ]; then d="$dir/$stem$ext"; else d="$dir/$stem ($n)$ext"; fi; if [ -e "$d" ] || [ -L "$d" ]; then if [ "$how" = n ]; then rm -f -- "$t"; echo OK TAKEN; said=1; break; fi; n=$((n + 1)); continue; fi; if ln -- "$t" "$d" 2>/dev/null; then rm -f -- "$t"; echo OK "$n"; said=1; break; fi; if [ -e "$d" ] || [ -L "$d" ]; then continue; fi; if (set -C; : > "$d") 2>/dev/null; then if err=$(mv -f -- "$t" "$d" 2>&1); then echo OK "$n"; else {FAIL}; fi; said=1; break; fi; if [ -e "$d" ] || [ -L "$d" ]; then continue; fi; err="cannot create $stem$ext"; {FAIL}; said=1; break; done; [ -n "$said" ] || echo 'ERR no free name to keep both copies'; done"#;

/// The host copies each `(from, to)` by itself (`cp`, with `-p` to keep
/// times and modes).
pub fn copy_files(
    session: &Session,
    pairs: &[(&Path, &Path)],
    preserve: bool,
) -> Result<Results<String>, OpError> {
    let flags = if preserve { "-p " } else { "" };
    let script = format!(
        r#"while [ $# -ge 2 ]; do if err=$(cp {flags}-- "$1" "$2" 2>&1); then echo OK; else {FAIL}; fi; shift 2; done"#
    );
    let args: Vec<&OsStr> = pairs.iter().flat_map(|(a, b)| [a.as_os_str(), b.as_os_str()]).collect();
    run_each(session, &script, &args, pairs.len())
}

/// Deletes files (never directories).
pub fn remove_files(session: &Session, files: &[&Path]) -> Result<Results<String>, OpError> {
    let script = format!(
        r#"for f; do if [ -d "$f" ]; then echo 'ERR is a directory'; elif err=$(rm -f -- "$f" 2>&1) && [ ! -e "$f" ]; then echo OK; else {FAIL}; fi; done"#
    );
    let args: Vec<&OsStr> = files.iter().map(|p| p.as_os_str()).collect();
    run_each(session, &script, &args, files.len())
}

/// Removes empty directories, in order (deepest first); never contents.
pub fn remove_dirs(session: &Session, dirs: &[&Path]) -> Result<Results<String>, OpError> {
    let script = format!(r#"for d; do if err=$(rmdir -- "$d" 2>&1); then echo OK; else {FAIL}; fi; done"#);
    let args: Vec<&OsStr> = dirs.iter().map(|p| p.as_os_str()).collect();
    run_each(session, &script, &args, dirs.len())
}

/// sha256 of each file, with whichever tool the host has.
pub fn sha256(session: &Session, files: &[&Path]) -> Result<Results<[u8; 32]>, OpError> {
    let script = r#"if command -v sha256sum >/dev/null 2>&1; then h() { sha256sum; }; elif command -v shasum >/dev/null 2>&1; then h() { shasum -a 256; }; elif command -v openssl >/dev/null 2>&1; then h() { openssl dgst -sha256 | sed 's/^.*= *//'; }; else h() { return 1; }; fi; for f; do if [ -f "$f" ] && [ -r "$f" ] && d=$(h < "$f" 2>/dev/null) && [ -n "$d" ]; then echo "OK ${d%% *}"; elif command -v sha256sum >/dev/null 2>&1 || command -v shasum >/dev/null 2>&1 || command -v openssl >/dev/null 2>&1; then echo 'ERR cannot read the file'; else echo 'ERR no sha256sum, shasum or openssl on this host'; fi; done"#;
    let args: Vec<&OsStr> = files.iter().map(|p| p.as_os_str()).collect();
    Ok(run_each(session, script, &args, files.len())?.map(|hex| parse_hex(&hex)))
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

/// Size of each file (errors for missing ones).
pub fn sizes(session: &Session, files: &[&Path]) -> Result<Results<u64>, OpError> {
    let script =
        r#"for f; do if [ -f "$f" ]; then echo "OK $(wc -c < "$f")"; else echo 'ERR missing'; fi; done"#;
    let args: Vec<&OsStr> = files.iter().map(|p| p.as_os_str()).collect();
    Ok(run_each(session, script, &args, files.len())?
        .map(|n| n.trim().parse().map_err(|_| format!("bad size {:?}", escape_bytes(n.as_bytes())))))
}

#[cfg(test)]
mod tests {
    use super::*;

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
