//! A prompter for connection tests: answers questions from a script and
//! records every question and message.

use std::collections::VecDeque;
use std::sync::Mutex;

use scpdeck::ssh::{PromptAnswer, Prompter, Question};

/// Answers questions from a script (then cancels) and records them.
#[derive(Default)]
pub struct Scripted {
    answers: Mutex<VecDeque<PromptAnswer>>,
    asked: Mutex<Vec<Question>>,
}

impl Scripted {
    pub fn new(answers: impl IntoIterator<Item = PromptAnswer>) -> Scripted {
        Scripted { answers: Mutex::new(answers.into_iter().collect()), asked: Mutex::default() }
    }

    /// The questions asked, without messages.
    pub fn questions(&self) -> Vec<Question> {
        let asked = self.asked.lock().unwrap();
        asked.iter().filter(|q| !matches!(q, Question::Message { .. })).cloned().collect()
    }

    /// The messages shown.
    pub fn messages(&self) -> Vec<String> {
        let asked = self.asked.lock().unwrap();
        asked
            .iter()
            .filter_map(|q| if let Question::Message { text, .. } = q { Some(text.clone()) } else { None })
            .collect()
    }
}

impl Prompter for Scripted {
    fn ask(&self, question: &Question) -> PromptAnswer {
        self.asked.lock().unwrap().push(question.clone());
        if matches!(question, Question::Message { .. }) {
            return PromptAnswer::Ok;
        }
        self.answers.lock().unwrap().pop_front().unwrap_or(PromptAnswer::Cancelled)
    }
}
