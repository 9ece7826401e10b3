//! The connection's side of the prompter: applies BatchMode (never ask) and
//! remembers what a refused question needed, for the error message.

use std::cell::Cell;

use super::prompt::{PromptAnswer, Prompter, Question};

pub(super) struct Asker<'a> {
    prompter: &'a dyn Prompter,
    batch_mode: bool,
    /// What the last question BatchMode suppressed was for.
    suppressed: Cell<Option<&'static str>>,
}

impl<'a> Asker<'a> {
    pub(super) fn new(prompter: &'a dyn Prompter, batch_mode: bool) -> Asker<'a> {
        Asker { prompter, batch_mode, suppressed: Cell::new(None) }
    }

    /// Asks, unless BatchMode forbids it (messages are always shown).
    pub(super) fn ask(&self, question: &Question) -> PromptAnswer {
        if self.batch_mode && !matches!(question, Question::Message { .. }) {
            self.suppressed.set(Some(match question {
                Question::Password { .. } => "a password",
                Question::Passphrase { .. } => "a key passphrase",
                Question::SudoPassword { .. } => "sudo's password",
                Question::KeyboardInteractive { .. } => "keyboard-interactive answers",
                Question::HostKey(_) => "confirmation of the host key",
                Question::Confirm { .. } => "confirmation to go on connecting",
                Question::Message { .. } => "nothing",
            }));
            return PromptAnswer::Cancelled;
        }
        self.prompter.ask(question)
    }

    /// What BatchMode kept scpdeck from asking, if it did.
    pub(super) fn suppressed(&self) -> Option<&'static str> {
        self.suppressed.get()
    }

    pub(super) fn batch_mode(&self) -> bool {
        self.batch_mode
    }
}
