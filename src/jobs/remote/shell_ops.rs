//! Small remote shell scripts the transfers need, run through the shared
//! framing (`shell::exec`), each for many paths at once with one result
//! line per path: classify paths, create directories, rename finished
//! uploads into place, delete moved sources, remove emptied directories,
//! sha256 (sha256sum, shasum -a 256 or openssl dgst).

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

/// Starts the reason of a failure that lost the connection.
pub const LOST: &str = "lost the connection: ";

/// The failure lost the connection: the work is for a new one.
pub fn is_lost(reason: &str) -> bool {
    reason.starts_with(LOST)
}

/// Runs `script` with `args` as its positional parameters (`"$@"`); each
/// line of its output is `OK [value]` or `ERR reason`, one per item.
fn run_each(
    session: &Session,
    script: &str,
    args: &[&OsStr],
    items: usize,
) -> Result<Results<String>, String> {
    let mut cmd = Command::new("set --");
    for arg in args {
        cmd = cmd.arg(arg).map_err(|e| e.to_string())?;
    }
    let cmd = cmd.lit(";").lit(script);
    let output = shell::exec::run(session, &cmd)
        .map_err(|e| if e.is_connection_lost() { format!("{LOST}{e}") } else { e.to_string() })?;
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

/// `ERR` with the command's error output on one line.
const FAIL: &str = r#"printf 'ERR %s\n' "$(printf '%s' "$err" | tr '\n' ' ')""#;

pub fn classify(session: &Session, paths: &[&Path]) -> Result<Results<PathKind>, String> {
    let script = r#"for p; do if [ -d "$p" ]; then echo OK D; elif [ -f "$p" ]; then echo OK F; elif [ -e "$p" ] || [ -L "$p" ]; then echo OK O; else echo OK N; fi; done"#;
    let args: Vec<&OsStr> = paths.iter().map(|p| p.as_os_str()).collect();
    let results = run_each(session, script, &args, paths.len())?;
    let items = results
        .items
        .into_iter()
        .map(|r| {
            r.map(|kind| match kind.as_str() {
                "D" => PathKind::Dir,
                "F" => PathKind::File,
                "O" => PathKind::Other,
                _ => PathKind::Missing,
            })
        })
        .collect();
    Ok(Results { items, banner: results.banner, stderr: results.stderr })
}

/// `mkdir` each directory (parents first, in order), with `mode` when given.
pub fn make_dirs(session: &Session, dirs: &[(&Path, Option<u32>)]) -> Result<Results<String>, String> {
    let script = format!(
        r#"while [ $# -gt 0 ]; do if [ -d "$1" ] || err=$(mkdir -- "$1" 2>&1); then if [ "$2" = - ] || err=$(chmod "$2" -- "$1" 2>&1); then echo OK; else {FAIL}; fi; else {FAIL}; fi; shift 2; done"#
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

/// Renames each `from` over its `to` (same file system: atomic). One perl
/// process does them all where there is perl (rename(2) per pair: a batch
/// of 256 small files would otherwise cost 512 forks on the server);
/// otherwise `mv -f` per pair.
pub fn rename_over(session: &Session, pairs: &[(&Path, &Path)]) -> Result<Results<String>, String> {
    let script = format!(
        r#"if command -v perl >/dev/null 2>&1; then exec perl -e 'while (@ARGV) {{ my ($f, $t) = splice(@ARGV, 0, 2); if (rename($f, $t)) {{ print "OK
" }} else {{ my $e = "$!"; $e =~ tr/
/ /; print "ERR $e
" }} }}' -- "$@"; fi; while [ $# -gt 0 ]; do if err=$(mv -f -- "$1" "$2" 2>&1); then echo OK; else {FAIL}; fi; shift 2; done"#
    );
    let args: Vec<&OsStr> = pairs.iter().flat_map(|(a, b)| [a.as_os_str(), b.as_os_str()]).collect();
    run_each(session, &script, &args, pairs.len())
}

/// Deletes files (never directories).
pub fn remove_files(session: &Session, files: &[&Path]) -> Result<Results<String>, String> {
    let script = format!(
        r#"for f; do if [ -d "$f" ]; then echo 'ERR is a directory'; elif err=$(rm -f -- "$f" 2>&1) && [ ! -e "$f" ]; then echo OK; else {FAIL}; fi; done"#
    );
    let args: Vec<&OsStr> = files.iter().map(|p| p.as_os_str()).collect();
    run_each(session, &script, &args, files.len())
}

/// Removes empty directories, in order (deepest first); never contents.
pub fn remove_dirs(session: &Session, dirs: &[&Path]) -> Result<Results<String>, String> {
    let script = format!(r#"for d; do if err=$(rmdir -- "$d" 2>&1); then echo OK; else {FAIL}; fi; done"#);
    let args: Vec<&OsStr> = dirs.iter().map(|p| p.as_os_str()).collect();
    run_each(session, &script, &args, dirs.len())
}

/// Creates a fresh private directory inside `dir` for uploads in flight.
pub fn make_temp_dir(session: &Session, dir: &Path) -> Result<(std::path::PathBuf, Banner), String> {
    let script = r#"t="$1/.scpdeck-$$-$(date +%s 2>/dev/null)"; if err=$(mkdir -m 700 -- "$t" 2>&1); then echo "OK $t"; else printf 'ERR %s\n' "$(printf '%s' "$err" | tr '\n' ' ')"; fi"#;
    let results = run_each(session, script, &[dir.as_os_str()], 1)?;
    let banner = results.banner;
    match results.items.into_iter().next() {
        Some(Ok(path)) if !path.is_empty() => {
            Ok((dir.join(Path::new(&path).file_name().unwrap_or_default()), banner))
        }
        Some(Err(reason)) => Err(reason),
        _ => Err(format!(
            "cannot create a temporary directory in {}",
            escape_bytes(dir.as_os_str().as_encoded_bytes())
        )),
    }
}

/// Removes a temporary upload directory and whatever is left in it.
pub fn remove_temp_dir(session: &Session, dir: &Path) -> Result<(), String> {
    let name = dir.file_name().map(|n| n.as_encoded_bytes()).unwrap_or_default();
    // Only ever one of our own directories.
    if !name.starts_with(b".scpdeck-") {
        return Err("refusing to remove a directory scpdeck did not create".into());
    }
    let script = r#"rm -rf -- "$1" && echo OK"#;
    let results = run_each(session, script, &[dir.as_os_str()], 1)?;
    results.items.into_iter().next().unwrap_or_else(|| Err("no result".into())).map(drop)
}

/// sha256 of each file, with whichever tool the host has.
pub fn sha256(session: &Session, files: &[&Path]) -> Result<Results<[u8; 32]>, String> {
    let script = r#"if command -v sha256sum >/dev/null 2>&1; then h() { sha256sum; }
elif command -v shasum >/dev/null 2>&1; then h() { shasum -a 256; }
elif command -v openssl >/dev/null 2>&1; then h() { openssl dgst -sha256 | sed 's/^.*= *//'; }
else h() { return 1; }; fi
for f; do if [ -f "$f" ] && [ -r "$f" ] && d=$(h < "$f" 2>/dev/null) && [ -n "$d" ]; then echo "OK ${d%% *}"; elif command -v sha256sum >/dev/null 2>&1 || command -v shasum >/dev/null 2>&1 || command -v openssl >/dev/null 2>&1; then echo 'ERR cannot read the file'; else echo 'ERR no sha256sum, shasum or openssl on this host'; fi; done"#;
    let args: Vec<&OsStr> = files.iter().map(|p| p.as_os_str()).collect();
    let results = run_each(session, script, &args, files.len())?;
    let items = results.items.into_iter().map(|r| r.and_then(|hex| parse_hex(&hex))).collect();
    Ok(Results { items, banner: results.banner, stderr: results.stderr })
}

fn parse_hex(hex: &str) -> Result<[u8; 32], String> {
    let hex = hex.trim();
    let mut out = [0u8; 32];
    if hex.len() != 64 {
        return Err(format!("unexpected checksum output {:?}", crate::text::escape_str(hex)));
    }
    for (i, byte) in out.iter_mut().enumerate() {
        *byte =
            u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).map_err(|_| format!("bad checksum {hex:?}"))?;
    }
    Ok(out)
}

/// Size of each file (errors for missing ones).
pub fn sizes(session: &Session, files: &[&Path]) -> Result<Results<u64>, String> {
    let script =
        r#"for f; do if [ -f "$f" ]; then echo "OK $(wc -c < "$f")"; else echo 'ERR missing'; fi; done"#;
    let args: Vec<&OsStr> = files.iter().map(|p| p.as_os_str()).collect();
    let results = run_each(session, script, &args, files.len())?;
    let items = results
        .items
        .into_iter()
        .map(|r| r.and_then(|n| n.trim().parse().map_err(|_| format!("bad size {n:?}"))))
        .collect();
    Ok(Results { items, banner: results.banner, stderr: results.stderr })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksums_parse() {
        let hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        assert_eq!(parse_hex(hex).map(|d| d[0]), Ok(0xe3));
        assert!(parse_hex("abc").is_err());
    }
}
