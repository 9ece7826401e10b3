//! Questions a connection asks while it authenticates (the ssh module's
//! `Question`), shown as modal dialogs. The connection thread blocks on the reply channel until the user
//! answers, so nothing here ever waits.

use std::fmt;
use std::sync::mpsc::Sender;

pub use crate::ssh::{HostKeyQuestion, KbdPrompt, PromptAnswer, Question};

/// The text fields a question's dialog shows: label and whether the typed
/// text may be shown.
pub fn fields(question: &Question) -> Vec<(String, bool)> {
    let again = |attempt: u32| if attempt > 1 { format!(" (try {attempt})") } else { String::new() };
    match question {
        Question::Password { host, user, attempt } => {
            vec![(format!("Password for {user}@{host}{}:", again(*attempt)), false)]
        }
        Question::SudoPassword { host, user, attempt } => {
            vec![(format!("sudo password for {user} on {host}{}:", again(*attempt)), false)]
        }
        Question::Passphrase { key, attempt } => {
            vec![(format!("Passphrase for key {}{}:", key.display(), again(*attempt)), false)]
        }
        Question::KeyboardInteractive { prompts, .. } => {
            prompts.iter().map(|p| (p.text.clone(), p.echo)).collect()
        }
        Question::HostKey(_) | Question::Confirm { .. } | Question::Message { .. } => Vec::new(),
    }
}

/// The answer for the typed texts of a question with fields.
pub fn text_answer(question: &Question, mut texts: Vec<String>) -> PromptAnswer {
    match question {
        Question::KeyboardInteractive { .. } => PromptAnswer::Responses(texts),
        _ => PromptAnswer::Secret(texts.pop().unwrap_or_default()),
    }
}

/// Where the answer goes: the channel the connection thread waits on.
#[derive(Clone)]
pub struct Reply(Sender<PromptAnswer>);

impl Reply {
    pub fn new(tx: Sender<PromptAnswer>) -> Self {
        Reply(tx)
    }

    /// Sends the answer; a connection that gave up waiting is not an error.
    pub fn send(&self, answer: PromptAnswer) {
        let _ = self.0.send(answer);
    }
}

impl fmt::Debug for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Reply")
    }
}
