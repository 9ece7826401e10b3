//! Comparing and synchronizing two directory trees: the one plan engine of
//! the commander's compare and synchronize and of `scpdeck sync`.
//!
//! Walking a tree ([`walk`]) and hashing files ([`hash_all`]) call a
//! [`crate::fs::FileSystem`], on this machine or a host (each end on its
//! own thread); everything else is pure: [`compare`] turns two trees into [`Difference`]s (why each path
//! differs), [`plan`] turns those into [`Action`]s for a direction, and
//! [`jobs_for`] into ordinary copy jobs for the scheduler.

mod diff;
mod excludes;
mod jobs;
mod options;
mod plan;
mod tree;

pub use diff::{Difference, Why, compare};
pub use excludes::{ExcludeError, Excludes};
pub use jobs::{Deletion, jobs_for};
pub use options::{Criterion, Direction, End, SyncOptions};
pub use plan::{Action, Op, Plan, plan};
pub use tree::{Node, Progress, Tree, content_differs, hash_all, same_size_files, walk};
