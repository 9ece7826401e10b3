//! "The destination exists: overwrite?" for one item of a job, opened from
//! the jobs panel (never by itself: a background job does not take the
//! keyboard).

use crate::choices::{Action, OverwritePolicy};
use crate::jobs::Question;

/// The answers offered, in order, with the action whose keys give them.
pub const CHOICES: &[(Choice, Action, &str)] = &[
    (Choice::Policy(OverwritePolicy::Overwrite), Action::OverwriteOverwrite, "Overwrite"),
    (Choice::Policy(OverwritePolicy::Skip), Action::OverwriteSkip, "Skip"),
    (Choice::Policy(OverwritePolicy::IfNewer), Action::OverwriteIfNewer, "If newer"),
    (Choice::Policy(OverwritePolicy::IfSizeDiffers), Action::OverwriteIfSizeDiffers, "If size differs"),
    (Choice::Policy(OverwritePolicy::KeepBoth), Action::OverwriteKeepBoth, "Keep both"),
    (Choice::CancelJob, Action::OverwriteCancelJob, "Cancel job"),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    Policy(OverwritePolicy),
    CancelJob,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverwriteDialog {
    pub question: Question,
    /// Index in `CHOICES`.
    pub choice: usize,
    /// Apply the answer to every other item of the job that exists.
    pub all: bool,
    /// Answered; waiting for the job's next question (or closing).
    pub answered: bool,
}

impl OverwriteDialog {
    pub fn new(question: Question) -> Self {
        Self { question, choice: 0, all: false, answered: false }
    }
}
