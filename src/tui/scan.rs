//! The commander's compare and synchronize scan (`Effect::Scan`): both
//! trees read by their own file systems (this machine's, or a host's on its
//! browsing connection), hashed there with the checksum criterion, and
//! compared by the plan engine.

use std::sync::Arc;

use super::remote::Remotes;
use super::work::on_fs;
use crate::app::WorkError;
use crate::fs::{FileSystem, Location};
use crate::sync::{
    Criterion, Difference, Progress, SyncOptions, compare, content_differs, hash_all, same_size_files, walk,
};

pub(super) fn scan(
    left: &Location,
    right: &Location,
    options: &SyncOptions,
    progress: &Arc<Progress>,
    remotes: &Remotes,
) -> Result<Vec<Difference>, WorkError> {
    let walker = |location: &Location| {
        let (root, excludes) = (location.path().to_path_buf(), options.excludes.clone());
        let (recursive, progress) = (options.recursive, progress.clone());
        move |fs: &dyn FileSystem| walk(fs, &root, recursive, &excludes, &progress)
    };
    let left_tree = on_fs(&[left], remotes, walker(left))?;
    let right_tree = on_fs(&[right], remotes, walker(right))?;
    let content = if options.criterion == Criterion::Checksum {
        let paths = Arc::new(same_size_files(&left_tree, &right_tree));
        progress.expect(paths.len() as u64 * 2);
        let hasher = |location: &Location| {
            let (root, paths, progress) = (location.path().to_path_buf(), paths.clone(), progress.clone());
            move |fs: &dyn FileSystem| hash_all(fs, &root, &paths, &progress)
        };
        let l = on_fs(&[left], remotes, hasher(left))?;
        let r = on_fs(&[right], remotes, hasher(right))?;
        content_differs(&paths, &l, &r)
    } else {
        Default::default()
    };
    Ok(compare(&left_tree, &right_tree, options.criterion, &content))
}
