//! Quitting: at once when no job is unfinished; otherwise a question
//! (wait, pause and quit, cancel and quit, stay). q, F10 and ctrl-c all
//! come here; a terminating signal does not ask (there is no one to ask).

use crossterm::event::KeyEvent;

use super::dialog_keys::is_close;
use crate::app::dialog::{Dialog, QUIT_CHOICES, QuitChoice, QuitDialog};
use crate::app::effect::Effect;
use crate::app::messages::Note;
use crate::app::state::State;
use crate::choices::{Action, KeyContext};
use crate::jobs::Control;

/// The quit action.
pub(super) fn request(state: &mut State) {
    let unfinished = state.jobs.unfinished();
    if unfinished.total() == 0 {
        state.quit = true;
        return;
    }
    state.dialogs.push(Dialog::Quit(QuitDialog::new(unfinished)));
}

pub(super) fn key(state: &mut State, mut dialog: QuitDialog, key: &KeyEvent) -> Vec<Effect> {
    let picked = match super::dialog_keys::bound(state, KeyContext::Quit, key) {
        _ if is_close(key) => Some(QuitChoice::Stay),
        Some(Action::QuitChoose) => Some(QUIT_CHOICES[dialog.choice.min(QUIT_CHOICES.len() - 1)].0),
        Some(Action::QuitPrevious) => {
            dialog.choice = dialog.choice.checked_sub(1).unwrap_or(QUIT_CHOICES.len() - 1);
            None
        }
        Some(Action::QuitNext) => {
            dialog.choice = (dialog.choice + 1) % QUIT_CHOICES.len();
            None
        }
        Some(action) => QUIT_CHOICES.iter().find(|(_, a, _)| *a == action).map(|q| q.0),
        None => None,
    };
    match picked {
        None => {
            state.dialogs.push(Dialog::Quit(dialog));
            Vec::new()
        }
        Some(choice) => choose(state, choice),
    }
}

fn choose(state: &mut State, choice: QuitChoice) -> Vec<Effect> {
    let unfinished = state.jobs.unfinished();
    let what = unfinished.describe();
    match choice {
        QuitChoice::Stay => {
            if std::mem::take(&mut state.quit_when_done) {
                state.info("scpdeck stays: it no longer quits when the jobs end");
            }
            Vec::new()
        }
        QuitChoice::Wait if unfinished.total() == 0 => {
            state.quit = true;
            Vec::new()
        }
        QuitChoice::Wait => {
            state.quit_when_done = true;
            let mut text = format!("scpdeck quits once every job has ended ({what})");
            if unfinished.paused > 0 || unfinished.waiting > 0 {
                text.push_str("; paused jobs and questions wait for you: alt-j");
            }
            state.info(format!("{text}; q again to change"));
            Vec::new()
        }
        QuitChoice::Pause => {
            state.report(Note::info(&format!(
                "quit: jobs paused ({what}); they come back paused at the next start"
            )));
            state.quit = true;
            vec![Effect::Jobs(Control::PauseAll)]
        }
        QuitChoice::Cancel => {
            state.report(Note::info(&format!("quit: jobs cancelled ({what})")));
            state.quit = true;
            let view = &state.jobs.view;
            view.jobs
                .iter()
                .filter(|j| !j.state.is_finished())
                .map(|j| Effect::Jobs(Control::Cancel(j.id)))
                .collect()
        }
    }
}

/// The queue changed: quit when asked to once the jobs end; keep an open
/// question's counts true.
pub(super) fn jobs_changed(state: &mut State) {
    let unfinished = state.jobs.unfinished();
    for dialog in &mut state.dialogs {
        if let Dialog::Quit(quit) = dialog {
            quit.unfinished = unfinished;
        }
    }
    if state.quit_when_done && unfinished.total() == 0 {
        state.report(Note::info("quit: every job has ended"));
        state.quit = true;
    }
}
