//! Temporary files that no job owns (pure): partial copies a crash left
//! before the journal recorded them, or whose job is gone. They are found
//! where jobs look anyway (the destination directories a job lists, the
//! directories of the jobs restored at start-up), listed in the log and
//! the jobs panel, and removed only when the user says so (a cleanup job
//! that discards them). Never silently: another scpdeck may be writing
//! them, which is why the driver also leaves out those that the journal
//! on disk names or that changed lately.

use std::collections::HashSet;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

use super::item::{DestInfo, Item, ItemKind, ItemState, Stage};
use super::job::Job;
use super::spec::{JobId, JobSpec, Mode, Options, TargetKind};
use super::task::Partial;
use crate::fs::Location;

/// Whether a name is one of scpdeck's temporary names: a download's
/// `.NAME.XXXXXX.scpdeck`, or an upload's private directory `.sd-XXXXXXXX`.
pub(super) fn is_temp_name(name: &OsStr) -> bool {
    let bytes = name.as_bytes();
    let private = bytes.len() == 12
        && bytes.starts_with(b".sd-")
        && bytes[4..].iter().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    let download = bytes.len() > ".x.XXXXXX.scpdeck".len() - 1
        && bytes.starts_with(b".")
        && bytes.ends_with(b".scpdeck")
        && bytes[..bytes.len() - ".scpdeck".len()]
            .rsplit(|&b| b == b'.')
            .next()
            .is_some_and(|random| random.len() == 6);
    private || download
}

/// What the jobs own: each partial copy, and the private directory it is in.
pub(super) fn owned(jobs: &[Job]) -> HashSet<(Option<String>, PathBuf)> {
    let mut owned = HashSet::new();
    for job in jobs {
        for item in &job.items {
            let (Some(partial), Some(dest)) = (&item.partial, &item.dest) else { continue };
            let host = dest.host().map(String::from);
            if let Some(dir) = super::fs_tasks::private_dir(&partial.temp) {
                owned.insert((host.clone(), dir.to_path_buf()));
            }
            owned.insert((host, partial.temp.clone()));
        }
    }
    owned
}

/// Temporary names in a listing of `dir`, as candidates.
pub(super) fn candidates(
    dir: &Location,
    entries: &[(std::ffi::OsString, DestInfo)],
) -> Vec<(Location, DestInfo)> {
    entries
        .iter()
        .filter(|(name, _)| is_temp_name(name))
        .map(|(name, info)| (dir.join(name), *info))
        .collect()
}

/// A job that removes `leftovers`: each an item already given up
/// (cancelled) whose "partial copy" is the leftover itself, so that the
/// job's discard tasks remove them, on whichever host they are.
pub(super) fn cleanup_job(id: JobId, leftovers: &[Location]) -> Option<Job> {
    let first = leftovers.first()?;
    let spec = JobSpec {
        mode: Mode::Copy,
        sources: leftovers.to_vec(),
        target: first.parent().unwrap_or_else(|| first.clone()),
        target_kind: TargetKind::Dir,
        options: Options::default(),
    };
    let mut job = Job::new(id, spec);
    job.items = leftovers
        .iter()
        .map(|location| {
            let mut item = Item::source(location.clone());
            item.kind = ItemKind::File;
            item.dest = Some(location.clone());
            item.partial = Some(Partial { temp: location.path().to_path_buf(), size: 0, mtime: None });
            item.state = ItemState::Cancelled(Stage::Transfer);
            item
        })
        .collect();
    job.cancelled = true;
    job.cleanup = true;
    Some(job)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_names_are_told_apart() {
        for name in [".big.iso.a1B2c3.scpdeck", ".x.abcdef.scpdeck", ".sd-ab12cd34"] {
            assert!(is_temp_name(OsStr::new(name)), "{name}");
        }
        for name in
            ["big.iso", ".scpdeck", "a.scpdeck", ".x.abc.scpdeck", ".sd-AB12CD34", ".sd-abc", ".sd-ab12cd345"]
        {
            assert!(!is_temp_name(OsStr::new(name)), "{name}");
        }
    }
}
