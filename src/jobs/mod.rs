//! Transfer jobs: a scheduler that runs many copies at once within
//! connection limits, and the state the jobs pane shows.
//!
//! Shape (yazi-style): [`Queue`] is the single reducer that owns all job
//! state; it hands [`Task`]s to workers and workers only report
//! [`Update`]s back. [`Scheduler`] is the tokio driver around it, and a
//! [`Backend`] does the I/O (SSH and SCP in the app, in memory in tests).

mod apply;
mod backend;
mod conflict;
mod control;
mod dir_times;
mod fs_tasks;
mod item;
mod job;
pub mod journal;
mod landing;
mod leftovers;
mod links;
mod local_copy;
mod plan;
mod queue;
mod rate;
mod remote;
mod resolve;
pub mod resume_plan;
mod scheduler;
pub mod segment_plan;
mod spec;
mod system;
mod task;
mod view;
mod walk;

#[cfg(test)]
mod fake;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_counts;
#[cfg(test)]
mod tests_ends;
#[cfg(test)]
mod tests_journal;
#[cfg(test)]
mod tests_links;

pub use crate::fs::Tally;
pub use crate::scp::Throttle;
pub use backend::{Backend, Reporter};
pub use conflict::keep_both_name;
pub use control::OverwriteAnswer;
pub use item::{DestInfo, ItemId, ItemKind, Scan, ScanEntry, ScanError};
pub use job::{Adopted, AdoptedMap, JobState};
pub use plan::Side;
pub use queue::{Command, Control, Queue};
pub use rate::RateMeter;
pub use remote::{SshRemote, connection_event, log_connections};
pub use scheduler::Scheduler;
pub use segment_plan::Segments;
pub use spec::{JobId, JobSpec, Limits, Mode, Options, OverwritePolicy, TargetKind};
pub use system::{RemoteSide, SystemBackend, run_local, touches_remote};
pub use task::{
    Batch, BatchItem, Digest, DirProbe, Outcome, Partial, Place, Task, TaskError, TaskId, Update, Work,
};
pub use view::{FailedItem, JobView, Progress, Question, QueueView, ResumedItem};
pub use walk::{tally, walk_tally};
