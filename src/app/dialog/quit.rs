//! "Quit with transfers unfinished?": the question q, F10 and ctrl-c ask
//! while a job is running, queued, paused or waiting for an answer.

use crate::choices::Action;

/// What to do with the unfinished jobs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuitChoice {
    /// Stay until every job has ended, then quit by itself.
    Wait,
    /// Pause them (as `P` does) and quit.
    Pause,
    /// Cancel them and quit.
    Cancel,
    /// Do not quit.
    Stay,
}

/// The answers offered, in order, with the action whose keys give them.
pub const QUIT_CHOICES: &[(QuitChoice, Action, &str)] = &[
    (QuitChoice::Wait, Action::QuitWait, "Wait until they end, then quit"),
    (QuitChoice::Pause, Action::QuitPause, "Pause them and quit"),
    (QuitChoice::Cancel, Action::QuitCancel, "Cancel them and quit"),
    (QuitChoice::Stay, Action::QuitStay, "Stay"),
];

/// What is unfinished, by state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Unfinished {
    /// Running or connecting.
    pub running: usize,
    pub queued: usize,
    pub waiting: usize,
    pub paused: usize,
}

impl Unfinished {
    pub fn total(&self) -> usize {
        self.running + self.queued + self.waiting + self.paused
    }

    /// `1 running, 2 queued, 1 waiting for an answer`.
    pub fn describe(&self) -> String {
        let parts = [
            (self.running, "running"),
            (self.queued, "queued"),
            (self.paused, "paused"),
            (self.waiting, "waiting for an answer"),
        ];
        let shown: Vec<String> =
            parts.iter().filter(|(n, _)| *n > 0).map(|(n, what)| format!("{n} {what}")).collect();
        shown.join(", ")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuitDialog {
    /// Index in `QUIT_CHOICES`.
    pub choice: usize,
    /// The jobs as counted when the question was asked (kept up to date).
    pub unfinished: Unfinished,
}

impl QuitDialog {
    /// The question, with "wait" highlighted: a stray Enter loses nothing.
    pub fn new(unfinished: Unfinished) -> Self {
        Self { choice: 0, unfinished }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_only_what_there_is() {
        let u = Unfinished { running: 1, queued: 0, waiting: 2, paused: 1 };
        assert_eq!(u.describe(), "1 running, 1 paused, 2 waiting for an answer");
        assert_eq!(u.total(), 4);
        assert_eq!(Unfinished::default().describe(), "");
    }
}
