//! The TUI's answer to `ssh::Prompter`: a question becomes `Msg::Prompt`
//! with a reply channel, and the connection thread (never the UI) blocks
//! until the user answers in the modal dialog.

use std::sync::Mutex;
use std::sync::mpsc;

use tokio::sync::mpsc::UnboundedSender;

use crate::app::dialog::Reply;
use crate::app::{Msg, Note};
use crate::ssh::{PromptAnswer, Prompter, Question};

pub(crate) struct TuiPrompter {
    tx: UnboundedSender<Msg>,
    /// The connection the user is waiting for, and whether they gave up on it.
    connecting: Mutex<Option<(u64, bool)>>,
}

impl TuiPrompter {
    pub(crate) fn new(tx: UnboundedSender<Msg>) -> Self {
        TuiPrompter { tx, connecting: Mutex::new(None) }
    }

    fn with<T>(&self, f: impl FnOnce(&mut Option<(u64, bool)>) -> T) -> T {
        let mut guard = self.connecting.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }

    /// A connection for the user starts: its questions are shown.
    pub(crate) fn begin(&self, id: u64) {
        self.with(|c| *c = Some((id, false)));
    }

    /// It ended (either way).
    pub(crate) fn end(&self, id: u64) {
        self.with(|c| {
            if c.is_some_and(|(current, _)| current == id) {
                *c = None;
            }
        });
    }

    /// The user cancelled it: its further questions are declined unseen.
    pub(crate) fn cancel(&self, id: u64) {
        self.with(|c| {
            if let Some((current, cancelled)) = c
                && *current == id
            {
                *cancelled = true;
            }
        });
    }

    pub(crate) fn is_cancelled(&self, id: u64) -> bool {
        self.with(|c| c.is_some_and(|(current, cancelled)| current == id && cancelled))
    }

    fn any_cancelled(&self) -> bool {
        self.with(|c| c.is_some_and(|(_, cancelled)| cancelled))
    }
}

impl Prompter for TuiPrompter {
    fn ask(&self, question: &Question) -> PromptAnswer {
        if let Question::Message { host, text } = question {
            // A login banner: shown (and logged whole) without holding up
            // the connection.
            let note = Note::info(text.trim()).host(host);
            let _ = self.tx.send(Msg::Report(note));
            return PromptAnswer::Ok;
        }
        if self.any_cancelled() {
            return PromptAnswer::Cancelled;
        }
        let (tx, rx) = mpsc::channel();
        if self.tx.send(Msg::Prompt { question: question.clone(), reply: Reply::new(tx) }).is_err() {
            return PromptAnswer::Cancelled;
        }
        rx.recv().unwrap_or(PromptAnswer::Cancelled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn questions_wait_for_the_reply_and_cancelled_connections_ask_nothing() {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let prompter = std::sync::Arc::new(TuiPrompter::new(tx));
        prompter.begin(7);
        let asking = std::sync::Arc::clone(&prompter);
        let thread = std::thread::spawn(move || {
            asking.ask(&Question::Password { host: "h".into(), user: "u".into(), attempt: 1 })
        });
        let Some(Msg::Prompt { reply, .. }) = rx.blocking_recv() else { panic!("no prompt") };
        reply.send(PromptAnswer::Secret("pw".into()));
        assert_eq!(thread.join().unwrap(), PromptAnswer::Secret("pw".into()));
        prompter.cancel(7);
        assert!(prompter.is_cancelled(7));
        let answer = prompter.ask(&Question::Passphrase { key: "k".into(), attempt: 1 });
        assert_eq!(answer, PromptAnswer::Cancelled);
        assert!(rx.try_recv().is_err(), "nothing was shown");
        let banner = prompter.ask(&Question::Message { host: "h".into(), text: "\nWelcome\x1b[2J\n".into() });
        assert_eq!(banner, PromptAnswer::Ok);
        let Ok(Msg::Report(note)) = rx.try_recv() else { panic!("no report") };
        assert_eq!((note.host.as_deref(), note.text.as_str()), (Some("h"), "Welcome\\e[2J"));
    }
}
