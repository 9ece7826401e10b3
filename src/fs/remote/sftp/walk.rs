//! What walks trees over SFTP: usage, deleting, changing modes and owners,
//! searching, and expanding `*`, `?` and `[...]` in paths (a host that runs
//! no commands has no shell to do it). Links are never followed.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use ssh2::{FileStat, Sftp};
use tokio_util::sync::CancellationToken;

use super::error::sftp_error;
use super::list::entry;
use crate::fs::entry::{Kind, Mtime};
use crate::fs::error::FsError;
use crate::fs::find::{FindEnd, FindQuery, Found, fold, matcher, reader_holds};
use crate::fs::system::Usage;
use crate::text::escape_str;

/// Found entries are handed over at least this often.
const FLUSH: Duration = Duration::from_millis(100);

fn kind(stat: &FileStat) -> Kind {
    Kind::from_mode(stat.perm.unwrap_or(0))
}

pub(super) fn usage(sftp: &Sftp, paths: &[PathBuf]) -> Result<Usage, FsError> {
    let mut usage = Usage { files: Some(0), dirs: Some(0), bytes: 0, complete: true };
    let mut pending: Vec<(PathBuf, bool)> = paths.iter().map(|p| (p.clone(), true)).collect();
    while let Some((path, given)) = pending.pop() {
        let stat = match sftp.lstat(&path) {
            Ok(stat) => stat,
            Err(e) if given => return Err(sftp_error("measure", Some(&path), &e)),
            Err(_) => {
                usage.complete = false;
                continue;
            }
        };
        if kind(&stat) != Kind::Dir {
            usage.files = usage.files.map(|n| n + 1);
            usage.bytes += stat.size.unwrap_or(0);
            continue;
        }
        usage.dirs = usage.dirs.map(|n| n + 1);
        match sftp.readdir(&path) {
            Ok(inside) => pending.extend(inside.into_iter().map(|(p, _)| (p, false))),
            Err(_) => usage.complete = false,
        }
    }
    Ok(usage)
}

/// Deletes a file or a whole tree (a link is removed, not followed).
pub(super) fn delete(sftp: &Sftp, path: &Path) -> Result<(), FsError> {
    let stat = sftp.lstat(path).map_err(|e| sftp_error("delete", Some(path), &e))?;
    if kind(&stat) != Kind::Dir {
        return sftp.unlink(path).map_err(|e| sftp_error("delete", Some(path), &e));
    }
    let inside = sftp.readdir(path).map_err(|e| sftp_error("delete", Some(path), &e))?;
    for (child, _) in inside {
        delete(sftp, &child)?;
    }
    sftp.rmdir(path).map_err(|e| sftp_error("delete", Some(path), &e))
}

/// Applies `change` to `path` and, with `recursive`, to everything under
/// it but links (setting a link's attributes would change its target).
fn each_under(
    sftp: &Sftp,
    path: &Path,
    recursive: bool,
    change: &dyn Fn(&Path) -> Result<(), FsError>,
) -> Result<(), FsError> {
    change(path)?;
    if !recursive {
        return Ok(());
    }
    let stat = sftp.lstat(path).map_err(|e| sftp_error("change", Some(path), &e))?;
    if kind(&stat) != Kind::Dir {
        return Ok(());
    }
    let inside = sftp.readdir(path).map_err(|e| sftp_error("change", Some(path), &e))?;
    for (child, stat) in inside {
        match kind(&stat) {
            Kind::Symlink => {}
            Kind::Dir => each_under(sftp, &child, true, change)?,
            _ => change(&child)?,
        }
    }
    Ok(())
}

pub(super) fn chmod(sftp: &Sftp, path: &Path, mode: u32, recursive: bool) -> Result<(), FsError> {
    each_under(sftp, path, recursive, &|p| {
        let perm = FileStat { size: None, uid: None, gid: None, perm: Some(mode), atime: None, mtime: None };
        sftp.setstat(p, perm).map_err(|e| sftp_error("change the mode of", Some(p), &e))
    })
}

pub(super) fn chown(
    sftp: &Sftp,
    path: &Path,
    (uid, gid): (Option<u32>, Option<u32>),
    recursive: bool,
) -> Result<(), FsError> {
    each_under(sftp, path, recursive, &|p| {
        // SFTP sets owner and group together: the one not given stays.
        let now = sftp.stat(p).map_err(|e| sftp_error("change the owner of", Some(p), &e))?;
        let ids = FileStat {
            size: None,
            uid: uid.or(now.uid),
            gid: gid.or(now.gid),
            perm: None,
            atime: None,
            mtime: None,
        };
        sftp.setstat(p, ids).map_err(|e| sftp_error("change the owner of", Some(p), &e))
    })
}

fn has_glob(part: &[u8]) -> bool {
    part.iter().any(|b| matches!(b, b'*' | b'?' | b'['))
}

/// The paths `pattern` names, sorted; each component with `*`, `?` or
/// `[...]` matched against the names in its directory (dot names only by
/// a pattern that starts with a dot, as the shell does).
pub(super) fn expand(sftp: &Sftp, pattern: &Path) -> Result<Vec<PathBuf>, FsError> {
    let action = format!("expand {}", super::shown(pattern));
    let mut found = vec![PathBuf::new()];
    for part in pattern.components() {
        let part = part.as_os_str();
        let bytes = part.as_encoded_bytes();
        if !has_glob(bytes) {
            found.iter_mut().for_each(|p| p.push(part));
            continue;
        }
        let glob = globset::GlobBuilder::new(&String::from_utf8_lossy(bytes))
            .literal_separator(true)
            .backslash_escape(true)
            .build()
            .map_err(|e| FsError::Refused { action: action.clone(), reason: escape_str(&e.to_string()) })?
            .compile_matcher();
        let mut next = Vec::new();
        for dir in &found {
            let listed = if dir.as_os_str().is_empty() { Path::new(".") } else { dir.as_path() };
            let Ok(inside) = sftp.readdir(listed) else { continue };
            for (child, _) in inside {
                let Some(name) = child.file_name() else { continue };
                let dotted = name.as_encoded_bytes().starts_with(b".");
                if glob.is_match(Path::new(name)) && (!dotted || bytes.starts_with(b".")) {
                    next.push(dir.join(name));
                }
            }
        }
        found = next;
    }
    found.retain(|p| !p.as_os_str().is_empty() && sftp.lstat(p).is_ok());
    if found.is_empty() {
        return Err(FsError::NotFound(crate::fs::error::Failure {
            action,
            command: String::new(),
            status: None,
            said: String::new(),
        }));
    }
    found.sort();
    Ok(found)
}

/// Searches under `query.root` with a walk over SFTP.
pub(super) fn find(
    sftp: &Sftp,
    query: &FindQuery,
    cancel: &CancellationToken,
    found: &mut dyn FnMut(Vec<Found>),
) -> Result<FindEnd, FsError> {
    let action = format!("search {}", super::shown(&query.root));
    let matcher = matcher(query).map_err(|reason| FsError::Refused { action: action.clone(), reason })?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    let needle = query.contains.as_ref().map(|t| fold(t.as_bytes(), query.case_sensitive));
    let mut end = FindEnd { tool: "SFTP", warnings: Vec::new() };
    let (mut batch, mut flushed) = (Vec::new(), Instant::now());
    let mut pending = vec![query.root.clone()];
    let mut first = true;
    while let Some(dir) = pending.pop() {
        if cancel.is_cancelled() {
            return Err(FsError::Cancelled);
        }
        let inside = match sftp.readdir(&dir) {
            Ok(inside) => inside,
            Err(e) if first => return Err(sftp_error("search", Some(&dir), &e)),
            Err(e) => {
                end.warnings.push(sftp_error("read", Some(&dir), &e).to_string());
                continue;
            }
        };
        first = false;
        for (path, stat) in inside {
            let Some(name) = path.file_name() else { continue };
            let item = entry(sftp, &path, name.to_os_string(), &stat);
            if item.kind == Kind::Dir {
                pending.push(path.clone());
            }
            let named = matcher.as_ref().is_none_or(|m| m.is_match(Path::new(name)));
            let keep = named
                && query.effective_kind().keeps(item.kind)
                && query.larger_than.is_none_or(|n| item.size > n)
                && query.smaller_than.is_none_or(|n| item.size < n)
                && query
                    .modified_within_minutes
                    .is_none_or(|m| item.mtime.secs > now - (m as i64).saturating_mul(60));
            let holds = || match (&needle, sftp.open(&path)) {
                (None, _) => true,
                (Some(needle), Ok(mut file)) => reader_holds(&mut file, needle, query.case_sensitive, cancel),
                (Some(_), Err(_)) => false,
            };
            if keep && holds() {
                let mtime = Mtime { secs: item.mtime.secs, nanos: 0 };
                batch.push(Found { path, kind: item.kind, size: item.size, mtime });
            }
        }
        if !batch.is_empty() && (batch.len() >= 512 || flushed.elapsed() >= FLUSH) {
            found(std::mem::take(&mut batch));
            flushed = Instant::now();
        }
    }
    if !batch.is_empty() {
        found(batch);
    }
    Ok(end)
}
