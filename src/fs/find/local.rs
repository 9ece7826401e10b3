//! Finding on this machine: a walk with walkdir, names matched by globset,
//! the same filters as the remote tools (symlinks not followed).

use std::fs::File;
use std::io::Read;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use globset::{GlobBuilder, GlobMatcher};
use tokio_util::sync::CancellationToken;
use walkdir::WalkDir;

use super::{FindEnd, FindQuery, Found};
use crate::fs::entry::{Kind, Mtime};
use crate::fs::error::FsError;
use crate::text::escape_str;

/// Results are handed over at least this often while the walk goes on.
const FLUSH: Duration = Duration::from_millis(100);

/// Walks `query.root`, handing what matches to `found` in batches, until
/// the walk ends or `cancel` fires ([`FsError::Cancelled`]).
pub fn find_local(
    query: &FindQuery,
    cancel: &CancellationToken,
    found: &mut dyn FnMut(Vec<Found>),
) -> Result<FindEnd, FsError> {
    let action = format!("search {}", escape_str(&query.root.to_string_lossy()));
    let matcher = matcher(query).map_err(|reason| FsError::Refused { action: action.clone(), reason })?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    let needle = query.contains.as_ref().map(|t| fold(t.as_bytes(), query.case_sensitive));
    let mut end = FindEnd { tool: "scpdeck", warnings: Vec::new() };
    let (mut batch, mut flushed) = (Vec::new(), Instant::now());
    for item in WalkDir::new(&query.root).min_depth(1).follow_links(false) {
        if cancel.is_cancelled() {
            return Err(FsError::Cancelled);
        }
        let entry = match item {
            Ok(entry) => entry,
            Err(error) if error.depth() == 0 => {
                let io = error.into_io_error().unwrap_or_else(|| std::io::ErrorKind::Other.into());
                return Err(FsError::io(&action, &query.root, &io));
            }
            Err(error) => {
                end.warnings.push(escape_str(&error.to_string()));
                continue;
            }
        };
        if let Some(hit) = check(query, &matcher, needle.as_deref(), now, entry.path(), cancel) {
            batch.push(hit);
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

pub(crate) fn matcher(query: &FindQuery) -> Result<Option<GlobMatcher>, String> {
    let Some(glob) = query.name_glob() else { return Ok(None) };
    let glob = GlobBuilder::new(&glob)
        .case_insensitive(!query.case_sensitive)
        .literal_separator(true)
        .backslash_escape(true)
        .build()
        .map_err(|e| format!("the name pattern is not a glob: {e}"))?;
    Ok(Some(glob.compile_matcher()))
}

fn check(
    query: &FindQuery,
    matcher: &Option<GlobMatcher>,
    needle: Option<&[u8]>,
    now: i64,
    path: &Path,
    cancel: &CancellationToken,
) -> Option<Found> {
    if let Some(matcher) = matcher {
        let name = path.file_name()?;
        if !matcher.is_match(Path::new(name)) {
            return None;
        }
    }
    let meta = std::fs::symlink_metadata(path).ok()?;
    let kind = Kind::from_mode(meta.mode());
    let size = meta.size();
    let keep = query.effective_kind().keeps(kind)
        && query.larger_than.is_none_or(|n| size > n)
        && query.smaller_than.is_none_or(|n| size < n)
        && query.modified_within_minutes.is_none_or(|m| meta.mtime() > now - (m as i64).saturating_mul(60));
    if !keep {
        return None;
    }
    if let Some(needle) = needle
        && !holds(path, needle, query.case_sensitive, cancel)
    {
        return None;
    }
    let mtime = Mtime { secs: meta.mtime(), nanos: meta.mtime_nsec().clamp(0, 999_999_999) as u32 };
    Some(Found { path: path.to_path_buf(), kind, size, mtime })
}

pub(crate) fn fold(bytes: &[u8], case_sensitive: bool) -> Vec<u8> {
    if case_sensitive { bytes.to_vec() } else { bytes.to_ascii_lowercase() }
}

/// Whether the file holds `needle`, read in chunks (an unreadable file
/// does not).
fn holds(path: &Path, needle: &[u8], case_sensitive: bool, cancel: &CancellationToken) -> bool {
    let Ok(mut file) = File::open(path) else { return false };
    reader_holds(&mut file, needle, case_sensitive, cancel)
}

/// Whether what `file` reads holds `needle` (a host's file read over SFTP
/// too).
pub(crate) fn reader_holds(
    file: &mut dyn Read,
    needle: &[u8],
    case_sensitive: bool,
    cancel: &CancellationToken,
) -> bool {
    if needle.is_empty() {
        return true;
    }
    let mut window: Vec<u8> = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        if cancel.is_cancelled() {
            return false;
        }
        let n = match file.read(&mut buf) {
            Ok(0) | Err(_) => return false,
            Ok(n) => n,
        };
        window.extend(fold(&buf[..n], case_sensitive));
        if window.windows(needle.len()).any(|w| w == needle) {
            return true;
        }
        // Keep what could be the start of a match across chunks.
        let keep = needle.len().saturating_sub(1).min(window.len());
        window.drain(..window.len() - keep);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::find::KindFilter;

    fn run(query: &FindQuery) -> Vec<String> {
        let mut all = Vec::new();
        find_local(query, &CancellationToken::new(), &mut |b| all.extend(b)).unwrap();
        let mut names: Vec<String> = all
            .iter()
            .map(|f| f.path.strip_prefix(&query.root).unwrap().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn filters_by_name_kind_size_time_and_content() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("sub/Deep")).unwrap();
        std::fs::write(root.join("sub/Report.LOG"), "needle in a HayStack").unwrap();
        std::fs::write(root.join("sub/Deep/b.log"), vec![b'x'; 5000]).unwrap();
        std::fs::write(root.join("a*b"), "").unwrap();
        std::os::unix::fs::symlink("sub", root.join("link.log")).unwrap();
        let q = |f: &dyn Fn(&mut FindQuery)| {
            let mut q = FindQuery { root: root.to_path_buf(), ..FindQuery::default() };
            f(&mut q);
            run(&q)
        };
        let any_case = ["link.log", "sub/Deep/b.log", "sub/Report.LOG"];
        assert_eq!(q(&|q| (q.name, q.glob) = ("*.log".into(), true)), any_case);
        assert_eq!(q(&|q| q.name = ".LOG".into()), any_case);
        let with_case = |q: &mut FindQuery| (q.name, q.glob, q.case_sensitive) = ("*.log".into(), true, true);
        assert_eq!(q(&with_case), ["link.log", "sub/Deep/b.log"]);
        assert_eq!(q(&|q| (q.name, q.case_sensitive) = ("deep".into(), true)), Vec::<String>::new());
        assert_eq!(q(&|q| q.name = "deep".into()), ["sub/Deep"]);
        assert_eq!(q(&|q| q.name = "*".into()), ["a*b"]);
        assert_eq!(q(&|q| q.kind = KindFilter::Symlink), ["link.log"]);
        assert_eq!(q(&|q| q.larger_than = Some(4999)), ["sub/Deep/b.log"]);
        assert_eq!(q(&|q| (q.kind, q.smaller_than) = (KindFilter::File, Some(1))), ["a*b"]);
        assert_eq!(q(&|q| q.modified_within_minutes = Some(5)).len(), 6);
        assert_eq!(q(&|q| q.contains = Some("haystack".into())), ["sub/Report.LOG"]);
        let exact = |q: &mut FindQuery| (q.contains, q.case_sensitive) = (Some("haystack".into()), true);
        assert_eq!(q(&exact), Vec::<String>::new());
    }

    #[test]
    fn a_cancelled_walk_stops() {
        let dir = tempfile::tempdir().unwrap();
        let cancel = CancellationToken::new();
        cancel.cancel();
        let q = FindQuery { root: dir.path().to_path_buf(), ..FindQuery::default() };
        std::fs::write(dir.path().join("f"), "").unwrap();
        assert_eq!(find_local(&q, &cancel, &mut |_| {}), Err(FsError::Cancelled));
    }

    #[test]
    fn a_match_across_chunks_is_found() {
        let dir = tempfile::tempdir().unwrap();
        let mut text = vec![b'.'; 64 * 1024 - 2];
        text.extend_from_slice(b"ABCD");
        std::fs::write(dir.path().join("f"), text).unwrap();
        assert!(holds(&dir.path().join("f"), b"abcd", false, &CancellationToken::new()));
        assert!(!holds(&dir.path().join("f"), b"abcd", true, &CancellationToken::new()));
    }
}
