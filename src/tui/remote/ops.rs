//! The remote side of each pane operation, run on the host's connection
//! thread through the fs module (quoting and framing included).

use std::path::{Path, PathBuf};

use super::host::HostHandle;
use crate::app::dialog::Counts;
use crate::fs::Entry;
use crate::fs::remote::Overwrite;
use crate::shell::{self, Command};
use crate::text::{escape_bytes, escape_str};

fn shown(path: &Path) -> String {
    escape_bytes(std::os::unix::ffi::OsStrExt::as_bytes(path.as_os_str()))
}

pub fn list(host: &HostHandle, dir: &Path) -> Result<Vec<Entry>, String> {
    let dir = dir.to_path_buf();
    host.run(move |r| r.list(&dir).map(|reply| reply.value.entries).map_err(|e| e.to_string()))
}

pub fn mkdir(host: &HostHandle, path: &Path) -> Result<String, String> {
    let path = path.to_path_buf();
    host.run(move |r| {
        r.mkdir_p(&path).map_err(|e| e.to_string())?;
        Ok(format!("created {}", shown(&path)))
    })
}

/// Renames one entry, or moves entries into the directory `target`; never
/// replaces an existing destination.
pub fn rename(host: &HostHandle, sources: &[PathBuf], target: &Path) -> Result<String, String> {
    let (sources, target) = (sources.to_vec(), target.to_path_buf());
    host.run(move |r| {
        let into_dir = is_dir(r.session, &target)? && !(sources.len() == 1 && sources[0] == target);
        if into_dir {
            r.move_into(&sources, &target, Overwrite::Never).map_err(|e| e.to_string())?;
        } else if let [one] = sources.as_slice() {
            r.rename(one, &target).map_err(|e| e.to_string())?;
        } else {
            return Err(format!("{} is not a directory", shown(&target)));
        }
        Ok(match sources.as_slice() {
            [one] => format!("moved {} to {}", shown(one), shown(&target)),
            many => format!("moved {} entries to {}", many.len(), shown(&target)),
        })
    })
}

fn is_dir(session: &ssh2::Session, path: &Path) -> Result<bool, String> {
    let command = Command::new("test -d").arg(path).map_err(|e| e.to_string())?;
    let output = shell::exec::run(session, &command).map_err(|e| escape_str(&e.to_string()))?;
    Ok(output.status.success())
}

pub fn delete(host: &HostHandle, targets: &[PathBuf]) -> Result<String, String> {
    let targets = targets.to_vec();
    host.run(move |r| {
        r.delete(&targets).map_err(|e| e.to_string())?;
        Ok(match targets.as_slice() {
            [one] => format!("deleted {}", shown(one)),
            many => format!("deleted {} entries", many.len()),
        })
    })
}

pub fn count(host: &HostHandle, targets: &[PathBuf]) -> Result<Counts, String> {
    let targets = targets.to_vec();
    host.run(move |r| {
        let usage = r.count(&targets).map_err(|e| e.to_string())?.value;
        Ok(Counts { files: usage.files.unwrap_or(0), dirs: usage.dirs.unwrap_or(0), bytes: usage.bytes })
    })
}

pub fn dir_size(host: &HostHandle, dir: &Path) -> Result<u64, String> {
    let dir = dir.to_path_buf();
    host.run(move |r| Ok(r.dir_size(&dir).map_err(|e| e.to_string())?.value.bytes))
}

pub fn free_space(host: &HostHandle, path: &Path) -> Result<u64, String> {
    let path = path.to_path_buf();
    host.run(move |r| Ok(r.free_space(&path).map_err(|e| e.to_string())?.value.available))
}

/// Subdirectory names of `dir` starting with `prefix` (dot directories only
/// for a dot prefix).
pub fn complete(host: &HostHandle, dir: &Path, prefix: &str) -> Vec<String> {
    let (dir, prefix) = (dir.to_path_buf(), prefix.to_owned());
    let names = host.run(move |r| {
        let entries = r.list(&dir).map_err(|e| e.to_string())?.value.entries;
        let mut names: Vec<String> = entries
            .into_iter()
            .filter(|e| e.is_dir_like())
            .filter_map(|e| e.name.into_string().ok())
            .filter(|n| n.starts_with(&prefix) && (prefix.starts_with('.') || !n.starts_with('.')))
            .collect();
        names.sort();
        names.truncate(200);
        Ok(names)
    });
    names.unwrap_or_default()
}

/// The size of a remote file and its first `limit` bytes, in one round trip.
pub fn read_prefix(host: &HostHandle, path: &Path, limit: u64) -> Result<(Vec<u8>, u64), String> {
    let path = path.to_path_buf();
    host.run(move |r| {
        let quoted = |cmd: Command| cmd.arg(&path).map_err(|e| e.to_string());
        let command = quoted(Command::new("LC_ALL=C; export LC_ALL; wc -c <"))?
            .lit("&&")
            .lit(&format!("head -c {limit} <"));
        let command = quoted(command)?;
        let output = shell::exec::run(r.session, &command).map_err(|e| escape_str(&e.to_string()))?;
        if !output.status.success() {
            let reason = escape_bytes(output.stderr.trim_ascii());
            return Err(format!("cannot read {}: {reason}", shown(&path)));
        }
        let newline = output.stdout.iter().position(|&b| b == b'\n').unwrap_or(output.stdout.len());
        let total = std::str::from_utf8(&output.stdout[..newline]).ok().and_then(|t| t.trim().parse().ok());
        let total = total.ok_or_else(|| format!("cannot read the size of {}", shown(&path)))?;
        let bytes = output.stdout.get(newline + 1..).unwrap_or_default().to_vec();
        Ok((bytes, total))
    })
}
