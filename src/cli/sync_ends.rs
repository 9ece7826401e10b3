//! `scpdeck sync`'s calls on the two ends' file systems: this machine's on
//! a blocking thread, a host's on its browsing connection (from the pool
//! that the copies use too).

use std::path::PathBuf;

use super::error::CliError;
use crate::fs::{FileSystem, FsError, LocalFs, Location, RemoteFs};
use crate::ssh::{Overrides, Pool, Resolver};
use crate::sync::{
    Criterion, Deletion, Plan, Progress, SyncOptions, Tree, compare, content_differs, hash_all, plan,
    same_size_files, walk,
};

fn joined(error: tokio::task::JoinError) -> CliError {
    CliError::Runtime(std::io::Error::other(error))
}

/// Runs `work` on the file system `location` is on. The outer error is a
/// connection's (or the runtime's), the inner the file system's.
async fn on_end<T: Send + 'static>(
    pool: &Pool,
    overrides: &Overrides,
    location: &Location,
    work: impl FnOnce(&dyn FileSystem) -> Result<T, FsError> + Send + 'static,
) -> Result<Result<T, FsError>, CliError> {
    match location {
        Location::Local(_) => {
            tokio::task::spawn_blocking(move || work(&LocalFs::new())).await.map_err(joined)
        }
        Location::Remote { host, .. } => {
            let (resolver, overrides, host) = (Resolver::system(), overrides.clone(), host.clone());
            let config = tokio::task::spawn_blocking(move || resolver.resolve_str(&host, &overrides))
                .await
                .map_err(joined)??;
            let actor = pool.browser(&config)?;
            Ok(actor.run_async(move |link| RemoteFs::open(link).and_then(|fs| work(&fs))).await?)
        }
    }
}

/// The plan, and whether the target directory is still to be made.
pub(super) struct Scanned {
    pub(super) plan: Plan,
    pub(super) target_missing: bool,
}

/// Walks both ends (at once), hashes files of equal size on each with
/// `--checksum`, and plans.
pub(super) async fn scan(
    pool: &Pool,
    overrides: &Overrides,
    left: &Location,
    right: &Location,
    options: &SyncOptions,
) -> Result<Scanned, CliError> {
    let walker = |location: &Location| {
        let (root, excludes, recursive) =
            (location.path().to_path_buf(), options.excludes.clone(), options.recursive);
        move |fs: &dyn FileSystem| walk(fs, &root, recursive, &excludes, &Progress::default())
    };
    let (l, r) = tokio::join!(
        on_end(pool, overrides, left, walker(left)),
        on_end(pool, overrides, right, walker(right))
    );
    let left_tree = l??;
    let (right_tree, target_missing) = match r? {
        Ok(tree) => (tree, false),
        Err(FsError::NotFound(_)) => (Tree::new(), true),
        Err(e) => return Err(e.into()),
    };
    let content = if options.criterion == Criterion::Checksum {
        let paths = same_size_files(&left_tree, &right_tree);
        let hasher = |location: &Location| {
            let (root, paths) = (location.path().to_path_buf(), paths.clone());
            move |fs: &dyn FileSystem| hash_all(fs, &root, &paths, &Progress::default())
        };
        let (l, r) = tokio::join!(
            on_end(pool, overrides, left, hasher(left)),
            on_end(pool, overrides, right, hasher(right))
        );
        content_differs(&paths, &l??, &r??)
    } else {
        Default::default()
    };
    let differences = compare(&left_tree, &right_tree, options.criterion, &content);
    Ok(Scanned { plan: plan(&differences, options), target_missing })
}

/// Creates the missing target directory (and its parents).
pub(super) async fn make_target(
    pool: &Pool,
    overrides: &Overrides,
    target: &Location,
) -> Result<(), CliError> {
    let path = target.path().to_path_buf();
    Ok(on_end(pool, overrides, target, move |fs| fs.make_dir(&path)).await??)
}

/// Deletes, on `target`'s file system; what failed.
pub(super) async fn delete(
    pool: &Pool,
    overrides: &Overrides,
    target: &Location,
    deletions: Vec<Deletion>,
) -> Result<Vec<FsError>, CliError> {
    let paths: Vec<PathBuf> = deletions.into_iter().map(|d| d.location.path().to_path_buf()).collect();
    Ok(on_end(pool, overrides, target, move |fs| fs.delete(&paths)).await?.err().into_iter().collect())
}
