//! What the commander tells the user: every error, warning and notice. A
//! message is shown in the status line (the latest one) and logged: the
//! runtime takes each [`Note`] from the outbox, stamps its time, writes it
//! to the log file and hands it back as `Msg::Logged`, which puts it in the
//! log panel and, from info up, in the history that the message view
//! (alt-h) shows whole. So nothing is only in the status line.

use std::collections::VecDeque;

use jiff::Timestamp;

use crate::eventlog::{Event, Level};
use crate::jobs::JobId;
use crate::text::escape_str;

/// Messages kept for the message view; older ones remain in the log.
const HISTORY: usize = 1000;

/// A message before it is logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub level: Level,
    /// The host it is about (escaped).
    pub host: Option<String>,
    /// The job it is about.
    pub job: Option<JobId>,
    /// Escaped text, whole.
    pub text: String,
}

impl Note {
    /// A note with `text` escaped.
    pub fn new(level: Level, text: &str) -> Self {
        Self { level, host: None, job: None, text: escape_str(text) }
    }

    pub fn error(text: &str) -> Self {
        Self::new(Level::Error, text)
    }

    pub fn warn(text: &str) -> Self {
        Self::new(Level::Warn, text)
    }

    pub fn info(text: &str) -> Self {
        Self::new(Level::Info, text)
    }

    /// An echo of a key (a sort order, the selection's size, a progress
    /// note followed by its result): logged at debug only.
    pub fn debug(text: &str) -> Self {
        Self::new(Level::Debug, text)
    }

    pub fn host(self, host: &str) -> Self {
        self.on(Some(host))
    }

    /// About `host`, when there is one (a remote location's).
    pub fn on(mut self, host: Option<&str>) -> Self {
        self.host = host.map(escape_str);
        self
    }

    pub fn job(mut self, job: JobId) -> Self {
        self.job = Some(job);
        self
    }

    /// The log event for this note, at `time`.
    pub fn event(&self, time: Timestamp) -> Event {
        let mut event = Event::new(self.level, &self.text).at(time);
        event.host = self.host.clone();
        event.job = self.job.map(|j| j.0);
        event
    }
}

/// What a status message is about, so that it goes when its subject does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// "job N waits for an answer": cleared once it no longer waits.
    Question(JobId),
    /// "queued: ..." before the scheduler has published the job: it
    /// becomes the newest job's once that appears.
    Queued,
    /// About a job (its queuing): cleared once it has ended.
    Job(JobId),
}

/// The message in the status line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub level: Level,
    pub host: Option<String>,
    /// Escaped; the status line shows what fits, the message view all.
    pub text: String,
    pub about: Option<Subject>,
}

impl Status {
    pub fn of(note: &Note) -> Self {
        Self { level: note.level, host: note.host.clone(), text: note.text.clone(), about: None }
    }

    pub fn is_error(&self) -> bool {
        self.level == Level::Error
    }

    /// The text with its host in front, as the status line shows it.
    pub fn shown(&self) -> String {
        match &self.host {
            Some(host) if !self.text.contains(host.as_str()) => format!("{host}: {}", self.text),
            _ => self.text.clone(),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Messages {
    /// Notes not logged yet; the runtime takes them after every update.
    outbox: Vec<Note>,
    /// Messages as logged (info and up), oldest first.
    history: VecDeque<Event>,
}

impl Messages {
    pub(super) fn post(&mut self, note: Note) {
        self.outbox.push(note);
    }

    /// The notes to log, in the order they were reported.
    pub fn take_outbox(&mut self) -> Vec<Note> {
        std::mem::take(&mut self.outbox)
    }

    /// Keeps a logged message for the message view.
    pub fn remember(&mut self, event: Event) {
        if self.history.len() == HISTORY {
            self.history.pop_front();
        }
        self.history.push_back(event);
    }

    pub fn history(&self) -> &VecDeque<Event> {
        &self.history
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_are_escaped_and_become_events_with_their_host() {
        let note = Note::error("rm: cannot remove 'a\x1b[2J': Permission denied").host("web\x07");
        assert_eq!(note.text, "rm: cannot remove 'a\\e[2J': Permission denied");
        let event = note.event(Timestamp::UNIX_EPOCH);
        assert_eq!((event.level, event.host.as_deref()), (Level::Error, Some("web\\x07")));
        assert_eq!(event.text, note.text, "escaping twice changes nothing");
        assert_eq!(Status::of(&note).shown(), "web\\x07: rm: cannot remove 'a\\e[2J': Permission denied");
    }

    #[test]
    fn the_history_keeps_the_newest() {
        let mut messages = Messages::default();
        for n in 0..HISTORY + 3 {
            messages.remember(Event::info(&n.to_string()));
        }
        assert_eq!(messages.history().len(), HISTORY);
        assert_eq!(messages.history().front().map(|e| e.text.as_str()), Some("3"));
    }
}
