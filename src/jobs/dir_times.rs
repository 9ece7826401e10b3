//! Directory modification times with "preserve" (`cp -p`): set once
//! everything in the directories is written (a file placed in a directory,
//! or a private upload directory removed from it, changes its time), as
//! the job's last step, deepest directories first.

use std::path::Path;

use super::backend::Reporter;
use super::fs_tasks::task_error;
use super::item::{ItemKind, ItemState};
use super::job::Job;
use super::task::TaskError;
use crate::eventlog::Event;
use crate::fs::{FileSystem, Location};

impl Job {
    /// Copied directories whose times are still to be set.
    pub(super) fn dir_times_pending(&self) -> bool {
        self.spec.options.preserve
            && !self.dir_times_set
            && !self.cancelled
            && self.error.is_none()
            && self.items.iter().any(|i| made_dir(i) && i.mtime.is_some())
    }

    /// Nothing more will be written at the destination: every file and
    /// link is settled, every directory made (or given up).
    pub(super) fn dest_written(&self) -> bool {
        self.items.iter().all(|i| match i.kind {
            ItemKind::Dir => !matches!(
                i.state,
                ItemState::Unscanned
                    | ItemState::Scanning
                    | ItemState::Unresolved
                    | ItemState::Asking
                    | ItemState::Ready
                    | ItemState::Creating
            ),
            _ => i.state.is_terminal() || i.state.is_copied(),
        })
    }

    /// The directories and their times, deepest first (items hold parents
    /// before children).
    pub(super) fn dir_times(&self) -> Vec<(Location, i64)> {
        self.items
            .iter()
            .rev()
            .filter(|i| made_dir(i))
            .filter_map(|i| Some((i.dest.clone()?, i.mtime?)))
            .collect()
    }
}

impl Job {
    /// The times task ended: stopped by a pause or a dropped connection, it
    /// runs again (a job's dropped listings and times share one bound);
    /// failed, the log says so and the job ends without them.
    pub(super) fn dir_times_finished(&mut self, result: &Result<(), TaskError>, log: &mut Vec<Event>) {
        let again = match result {
            Ok(()) => false,
            Err(TaskError::Interrupted) => !self.cancelled,
            Err(TaskError::Dropped(_)) => self.dropped_probes <= super::apply::MAX_DROPS,
            Err(TaskError::Connection(_) | TaskError::Failed(_)) => false,
        };
        if again {
            self.dir_times_set = false;
        } else if let Err(e @ (TaskError::Dropped(_) | TaskError::Connection(_) | TaskError::Failed(_))) =
            result
        {
            log.push(
                Event::warn(&format!("the directories' modification times were not kept: {e}"))
                    .job(self.id.0),
            );
        }
    }
}

/// A directory that exists at the destination by this job's doing.
fn made_dir(item: &super::item::Item) -> bool {
    item.kind == ItemKind::Dir
        && item.dest.is_some()
        && (item.state.is_copied() || matches!(item.state, ItemState::Skipped(_)))
}

/// Sets the times; a directory whose time cannot be set is a warning in
/// the log (its contents are copied all the same).
pub(super) fn set_dir_times(
    fs: &dyn FileSystem,
    dirs: &[(Location, i64)],
    r: &Reporter,
) -> Result<(), TaskError> {
    let wanted: Vec<(&Path, i64)> = dirs.iter().map(|(d, t)| (d.path(), *t)).collect();
    let results = fs.set_times(&wanted).map_err(task_error)?;
    for ((dir, _), result) in dirs.iter().zip(results) {
        if let Err(e) = result {
            r.log(Event::warn(&format!("{dir}: its modification time was not kept: {e}")));
        }
    }
    Ok(())
}
