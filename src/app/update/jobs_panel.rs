//! The jobs and log panels, the job details overlay, the overwrite question,
//! and what the app does when the scheduler publishes.

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent};

use crate::app::dialog::{CHOICES, Choice, Dialog, OverwriteDialog};
use crate::app::effect::Effect;
use crate::app::history::Nav;
use crate::app::jobs::Panel;
use crate::app::messages::{Note, Subject};
use crate::app::side::Side;
use crate::app::state::State;
use crate::choices::{Action, JobsPanel, KeyContext};
use crate::config::Key;
use crate::jobs::{Control, JobId, JobState, OverwriteAnswer, QueueView};

/// alt-j / alt-l: show the panel, then focus it, then hide it, from
/// anywhere (the panes, either panel).
pub(super) fn toggle(state: &mut State, panel: Panel) {
    if panel == Panel::Jobs {
        // Shown: the failures are seen.
        state.jobs.unseen_failures.clear();
    }
    let jobs = &mut state.jobs;
    match (jobs.panel, jobs.panel_focus) {
        (Some(p), true) if p == panel => {
            jobs.panel = None;
            jobs.panel_focus = false;
        }
        (Some(p), false) if p == panel => jobs.panel_focus = true,
        _ => {
            jobs.panel = Some(panel);
            jobs.panel_focus = true;
        }
    }
    super::panes::resize_panes(state);
}

/// Keys while a panel has the focus; `None` when the key is not the panel's
/// (it then goes to the key map as usual). The panels' keys are the
/// keymap's jobs and log places; ctrl-c is none of them by default (it is
/// the quit question, never `c`, cancel).
pub(super) fn key(state: &mut State, key: &KeyEvent) -> Option<Vec<Effect>> {
    let panel = state.jobs.panel.filter(|_| state.jobs.panel_focus)?;
    if matches!(key.code, KeyCode::Esc | KeyCode::Tab | KeyCode::BackTab) {
        state.jobs.panel_focus = false;
        state.needs_render = true;
        return Some(Vec::new());
    }
    let effects = match panel {
        Panel::Jobs => jobs_key(state, key)?,
        Panel::Log => log_key(state, key)?,
    };
    state.needs_render = true;
    Some(effects)
}

fn jobs_key(state: &mut State, key: &KeyEvent) -> Option<Vec<Effect>> {
    let action = state.keymap.action_in(KeyContext::Jobs, &Key::from_event(key))?;
    let count = state.jobs.view.jobs.len();
    let jobs = &mut state.jobs;
    let control = |c: Control| Some(vec![Effect::Jobs(c)]);
    match action {
        Action::JobsUp => jobs.selected = jobs.selected.saturating_sub(1),
        Action::JobsDown => jobs.selected = (jobs.selected + 1).min(count.saturating_sub(1)),
        Action::JobsFirst => jobs.selected = 0,
        Action::JobsLast => jobs.selected = count.saturating_sub(1),
        Action::JobsPauseAll => {
            let all = if jobs.view.paused { Control::ResumeAll } else { Control::PauseAll };
            return control(all);
        }
        Action::JobsClearFinished => return control(Control::ClearFinished),
        Action::JobsRemoveLeftovers if !jobs.view.leftovers.is_empty() => {
            return control(Control::RemoveLeftovers);
        }
        Action::JobsShowLog => {
            jobs.panel = Some(Panel::Log);
            return Some(Vec::new());
        }
        action => return job_key(state, action),
    }
    Some(Vec::new())
}

/// Keys about the selected job.
fn job_key(state: &mut State, action: Action) -> Option<Vec<Effect>> {
    let job = state.jobs.selected_job()?.clone();
    let control = match action {
        Action::JobsPause if job.state == JobState::Paused => Control::Resume(job.id),
        Action::JobsPause => Control::Pause(job.id),
        Action::JobsCancel => Control::Cancel(job.id),
        Action::JobsRetry => Control::Retry(job.id, None),
        Action::JobsMoveUp => Control::MoveUp(job.id),
        Action::JobsMoveDown => Control::MoveDown(job.id),
        Action::JobsDetails => {
            match job.question {
                Some(question) => state.dialogs.push(Dialog::Overwrite(OverwriteDialog::new(question))),
                None => state.dialogs.push(Dialog::JobDetails { job: job.id, cursor: 0, scroll: 0 }),
            }
            return Some(Vec::new());
        }
        _ => return None,
    };
    Some(vec![Effect::Jobs(control)])
}

fn log_key(state: &mut State, key: &KeyEvent) -> Option<Vec<Effect>> {
    let action = state.keymap.action_in(KeyContext::Log, &Key::from_event(key))?;
    let page = log_rows(state).max(1);
    let jobs = &mut state.jobs;
    match action {
        Action::LogUp => jobs.scroll += 1,
        Action::LogDown => jobs.scroll = jobs.scroll.saturating_sub(1),
        Action::LogPageUp => jobs.scroll += page,
        Action::LogPageDown => jobs.scroll = jobs.scroll.saturating_sub(page),
        Action::LogOldest => jobs.scroll = usize::MAX / 2,
        Action::LogNewest => jobs.scroll = 0,
        Action::LogLevel => jobs.filter.min_level = jobs.filter.min_level.next(),
        Action::LogHost => {
            let hosts = jobs.log.hosts();
            let next = match &jobs.filter.host {
                None => hosts.first().cloned(),
                Some(h) => hosts.iter().skip_while(|x| *x != h).nth(1).cloned(),
            };
            jobs.filter.host = next;
            jobs.scroll = 0;
        }
        Action::LogJob => {
            jobs.filter.job = match jobs.filter.job {
                None => jobs.selected_id().map(|id| id.0),
                Some(_) => None,
            };
            jobs.scroll = 0;
        }
        Action::LogDetail => {
            let count = jobs.log.filtered(&jobs.filter).count();
            // Scrolled past the oldest shows the oldest at the bottom.
            let back = jobs.scroll.min(count.saturating_sub(page));
            if count > 0 {
                state.dialogs.push(Dialog::LogEntry { back });
            }
        }
        Action::LogShowJobs => jobs.panel = Some(Panel::Jobs),
        Action::LogWrap => jobs.log_wrap = !jobs.log_wrap,
        _ => return None,
    }
    // Scrolling stops at the oldest page.
    let jobs = &mut state.jobs;
    let count = jobs.log.filtered(&jobs.filter).count();
    jobs.scroll = jobs.scroll.min(count.saturating_sub(page));
    Some(Vec::new())
}

/// Rows of entries the log panel shows (its height inside the border,
/// less the key hints), as the renderer draws it.
pub(super) fn log_rows(state: &State) -> usize {
    let screen = ratatui::layout::Rect::new(0, 0, state.size.0, state.size.1);
    let panel = crate::app::layout::split(screen, true).panel;
    panel.map_or(1, |p| usize::from(p.height.saturating_sub(3)))
}

/// Keys of the job details overlay: failed items (retry one or all) and
/// the job's events.
pub(super) fn details_key(
    state: &mut State,
    job: JobId,
    cursor: usize,
    scroll: usize,
    key: &KeyEvent,
) -> Vec<Effect> {
    let failed = state.jobs.view.job(job).map(|j| j.failed.clone()).unwrap_or_default();
    let (mut cursor, mut scroll) = (cursor, scroll);
    let mut effects = Vec::new();
    if super::dialog_keys::is_ctrl_c(key) {
        return Vec::new();
    }
    match state.keymap.action_in(KeyContext::Details, &Key::from_event(key)) {
        Some(Action::DetailsClose) => return Vec::new(),
        Some(Action::DetailsUp) => cursor = cursor.saturating_sub(1),
        Some(Action::DetailsDown) => cursor = (cursor + 1).min(failed.len().saturating_sub(1)),
        Some(Action::DetailsEventsUp) => scroll += 10,
        Some(Action::DetailsEventsDown) => scroll = scroll.saturating_sub(10),
        Some(Action::DetailsRetry) => {
            if let Some(item) = failed.get(cursor) {
                effects.push(Effect::Jobs(Control::Retry(job, Some(item.item))));
            }
        }
        Some(Action::DetailsRetryAll) => effects.push(Effect::Jobs(Control::Retry(job, None))),
        Some(Action::DetailsRetryAsRoot) => {
            if let Some(spec) = failed.get(cursor).and_then(|item| item.retry_as_root.clone()) {
                state.info(format!("queued again as root: {}", spec.title()));
                effects.push(Effect::Submit(spec));
            }
        }
        _ => {}
    }
    state.dialogs.push(Dialog::JobDetails { job, cursor, scroll });
    effects
}

pub(super) fn overwrite_key(state: &mut State, mut dialog: OverwriteDialog, key: &KeyEvent) -> Vec<Effect> {
    // ctrl-c closes the question; it is not `c` (cancel the job).
    if super::dialog_keys::is_close(key) {
        return Vec::new();
    }
    let picked = match super::dialog_keys::bound(state, KeyContext::Overwrite, key) {
        _ if dialog.answered => None,
        Some(Action::OverwritePrevious) => {
            dialog.choice = dialog.choice.checked_sub(1).unwrap_or(CHOICES.len() - 1);
            None
        }
        Some(Action::OverwriteNext) => {
            dialog.choice = (dialog.choice + 1) % CHOICES.len();
            None
        }
        Some(Action::OverwriteAll) => {
            dialog.all = !dialog.all;
            None
        }
        Some(Action::OverwriteAnswer) => Some(dialog.choice),
        Some(action) => CHOICES.iter().position(|(_, a, _)| *a == action),
        None => None,
    };
    let Some(choice) = picked else {
        state.dialogs.push(Dialog::Overwrite(dialog));
        return Vec::new();
    };
    let question = &dialog.question;
    let control = match CHOICES[choice].0 {
        Choice::CancelJob => return vec![Effect::Jobs(Control::Cancel(question.job))],
        Choice::Policy(policy) => {
            Control::Answer(question.job, question.item, OverwriteAnswer { policy, all: dialog.all })
        }
    };
    if !dialog.all && question.more > 0 {
        // The user is answering this job's questions: show the next one
        // here when it comes.
        dialog.answered = true;
        dialog.choice = choice;
        state.dialogs.push(Dialog::Overwrite(dialog));
    }
    vec![Effect::Jobs(control)]
}

/// The scheduler published: keep the view, follow the open question,
/// reload panes showing what finished jobs changed, say when a job waits
/// for an answer (without opening anything, and no longer once it does
/// not), and mark failed jobs in the status line.
pub(super) fn published(state: &mut State, view: Arc<QueueView>) -> Vec<Effect> {
    if *view == *state.jobs.view {
        // Nothing to show that is not on the screen already: idle is idle.
        return Vec::new();
    }
    let before = state.jobs.view.clone();
    state.jobs.set_view(view.clone());
    state.needs_render = true;
    follow_question(state);
    forget_outlived(state, &before, &view);
    let newly_waiting = view
        .jobs
        .iter()
        .find(|j| j.question.is_some() && before.job(j.id).is_none_or(|b| b.question.is_none()));
    if let Some(job) = newly_waiting
        && !state.dialogs.iter().any(|d| matches!(d, Dialog::Overwrite(_)))
    {
        let note =
            Note::info(&format!("job {} waits for an answer: alt-j, then Enter on it", job.id)).job(job.id);
        state.report_about(note, Subject::Question(job.id));
    }
    let newly_failed: Vec<JobId> = view
        .jobs
        .iter()
        .filter(|j| {
            j.state == JobState::Failed && before.job(j.id).is_none_or(|b| b.state != JobState::Failed)
        })
        .map(|j| j.id)
        .collect();
    if !newly_failed.is_empty() {
        if state.settings.jobs_panel == JobsPanel::Manual {
            let shown = state.jobs.panel == Some(Panel::Jobs);
            state.jobs.unseen_failures.extend(newly_failed.iter().filter(|_| !shown));
        } else if state.jobs.panel.is_none() {
            state.jobs.panel = Some(Panel::Jobs);
            super::panes::resize_panes(state);
        }
    }
    let mut effects = Vec::new();
    for job in view.jobs.iter().filter(|j| j.state.is_finished()) {
        if before.job(job.id).is_none_or(|b| b.state.is_finished()) {
            continue;
        }
        for side in [Side::Left, Side::Right] {
            let pane = state.pane(side);
            let shows =
                |l: &crate::fs::Location| pane.location == *l || l.parent().as_ref() == Some(&pane.location);
            if pane.pending.is_none() && (shows(&job.target) || job.source_dir.as_ref().is_some_and(shows)) {
                let location = pane.location.clone();
                effects.extend(super::panes::navigate(state, side, location, None, Nav::Stay));
            } else if pane.location.host() == job.target.host() {
                // Elsewhere on the host the job wrote to: the listing is
                // the same, the free space is not.
                effects.push(Effect::FreeSpace { side, location: pane.location.clone() });
            }
        }
    }
    effects
}

/// Clears a status message whose subject is gone: a question answered, a
/// queued job ended.
fn forget_outlived(state: &mut State, before: &QueueView, view: &QueueView) {
    let Some(status) = &mut state.status else { return };
    let gone = match status.about {
        Some(Subject::Question(id)) => view.job(id).is_none_or(|j| j.question.is_none()),
        Some(Subject::Queued) => {
            let newest = view.jobs.iter().filter(|j| before.job(j.id).is_none()).map(|j| j.id).max();
            if let Some(id) = newest {
                status.about = Some(Subject::Job(id));
            }
            newest.and_then(|id| view.job(id)).is_some_and(|j| j.state.is_finished())
        }
        Some(Subject::Job(id)) => view.job(id).is_none_or(|j| j.state.is_finished()),
        None => false,
    };
    if gone {
        state.status = None;
    }
}

fn follow_question(state: &mut State) {
    let Some(Dialog::Overwrite(dialog)) = state.dialogs.last_mut() else { return };
    if !dialog.answered {
        return;
    }
    match state.jobs.view.job(dialog.question.job).and_then(|j| j.question.clone()) {
        Some(next) if next.item != dialog.question.item => *dialog = OverwriteDialog::new(next),
        Some(_) => {}
        None => {
            state.dialogs.pop();
        }
    }
}
