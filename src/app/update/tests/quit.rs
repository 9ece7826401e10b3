//! Quitting with jobs unfinished asks; ctrl-c closes dialogs and never
//! quits from one; alt-j and alt-l from anywhere; failed jobs marked, the
//! newest job selected, messages that outlive their subject cleared.

use std::sync::Arc;

use super::*;
use crate::app::dialog::QuitDialog;
use crate::app::{Panel, Subject};
use crate::jobs::{Control, FailedItem, ItemId, JobId, JobState, JobView, Mode, Progress, QueueView};

pub(super) fn job(id: u64, state: JobState) -> JobView {
    JobView {
        id: JobId(id),
        title: format!("copy job {id}"),
        mode: Mode::Copy,
        state,
        progress: Progress::default(),
        verifying: false,
        current: None,
        failed: Vec::new(),
        resumed: Vec::new(),
        partials: 0,
        left_behind: Vec::new(),
        cancelling: false,
        error: None,
        question: None,
        connections: 0,
        source_host: None,
        dest_host: None,
        target: local("/other"),
        source_dir: Some(local("/top")),
    }
}

/// A job waiting for an answer about file `a`.
pub(super) fn waiting(id: u64) -> JobView {
    let mut view = job(id, JobState::Waiting);
    view.question = Some(crate::jobs::Question {
        job: JobId(id),
        item: ItemId(0),
        name: "a".into(),
        dest: "/other/a".into(),
        source_size: 1,
        source_mtime: None,
        dest_size: 2,
        dest_mtime: None,
        more: 0,
    });
    view
}

pub(super) fn publish(state: &mut State, jobs: Vec<JobView>) -> Vec<Effect> {
    update(state, Msg::Jobs(Arc::new(QueueView { jobs, ..QueueView::default() })))
}

/// q, F10 and ctrl-c.
fn quit_keys() -> [KeyEvent; 3] {
    [
        KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE),
        KeyEvent::new(KeyCode::F(10), KeyModifiers::NONE),
        KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL),
    ]
}

fn quit_dialog(state: &State) -> Option<&QuitDialog> {
    match state.dialogs.last() {
        Some(Dialog::Quit(dialog)) => Some(dialog),
        _ => None,
    }
}

#[test]
fn quitting_without_jobs_is_at_once() {
    for quit in quit_keys() {
        let mut state = loaded(1);
        publish(&mut state, vec![job(1, JobState::Done), job(2, JobState::Failed)]);
        update(&mut state, Msg::Key(quit));
        assert!(state.quit && state.dialogs.is_empty());
    }
}

#[test]
fn q_f10_and_ctrl_c_ask_while_jobs_are_unfinished() {
    for quit in quit_keys() {
        let mut state = loaded(1);
        publish(
            &mut state,
            vec![job(1, JobState::Running), job(2, JobState::Queued), job(3, JobState::Done)],
        );
        update(&mut state, Msg::Key(quit));
        let dialog = quit_dialog(&state).expect("asks");
        assert_eq!(dialog.unfinished.describe(), "1 running, 1 queued");
        assert!(!state.quit);
        // ctrl-c twice: the second closes the question, it never quits.
        update(&mut state, ctrl('c'));
        assert!(state.dialogs.is_empty() && !state.quit);
    }
}

#[test]
fn cancel_and_quit_cancels_every_unfinished_job() {
    let mut state = loaded(1);
    publish(&mut state, vec![job(1, JobState::Running), job(2, JobState::Waiting), job(3, JobState::Done)]);
    update(&mut state, key(KeyCode::Char('q')));
    let effects = update(&mut state, key(KeyCode::Char('c')));
    let controls: Vec<&Control> =
        effects.iter().filter_map(|e| if let Effect::Jobs(c) = e { Some(c) } else { None }).collect();
    assert_eq!(controls, [&Control::Cancel(JobId(1)), &Control::Cancel(JobId(2))]);
    assert!(state.quit);
    let notes = state.messages.take_outbox();
    assert!(notes.iter().any(|n| n.text.contains("quit: jobs cancelled (1 running, 1 waiting")), "{notes:?}");
}

#[test]
fn pause_and_quit_pauses_the_queue_and_says_what_becomes_of_it() {
    let mut state = loaded(1);
    publish(&mut state, vec![job(1, JobState::Paused)]);
    update(&mut state, key(KeyCode::F(10)));
    update(&mut state, key(KeyCode::Down));
    let effects = update(&mut state, key(KeyCode::Enter));
    assert!(matches!(effects.as_slice(), [Effect::Jobs(Control::PauseAll)]), "{effects:?}");
    assert!(state.quit);
    let text = state.status.unwrap().text;
    assert!(text.contains("they come back paused at the next start"), "{text}");
}

#[test]
fn wait_quits_once_every_job_has_ended_and_stay_undoes_it() {
    let mut state = loaded(1);
    publish(&mut state, vec![job(1, JobState::Running)]);
    update(&mut state, key(KeyCode::Char('q')));
    update(&mut state, key(KeyCode::Enter)); // "wait" is highlighted: a stray Enter loses nothing
    assert!(state.quit_when_done && !state.quit && state.dialogs.is_empty());
    publish(&mut state, vec![job(1, JobState::Running), job(2, JobState::Queued)]);
    assert!(!state.quit);
    // Asked again: stay.
    update(&mut state, key(KeyCode::Char('q')));
    update(&mut state, key(KeyCode::Char('s')));
    assert!(!state.quit_when_done);
    update(&mut state, key(KeyCode::Char('q')));
    update(&mut state, key(KeyCode::Char('w')));
    publish(&mut state, vec![job(1, JobState::Done), job(2, JobState::Failed)]);
    assert!(state.quit, "every job has ended");
}

#[test]
fn ctrl_c_closes_every_dialog_and_is_never_a_letter() {
    let mut state = loaded(1);
    let waiting = waiting(1);
    publish(&mut state, vec![waiting]);
    update(&mut state, alt('j'));
    update(&mut state, key(KeyCode::Enter));
    assert!(matches!(state.dialogs.last(), Some(Dialog::Overwrite(_))));
    let effects = update(&mut state, ctrl('c'));
    assert!(effects.is_empty() && state.dialogs.is_empty(), "closed, the job is not cancelled: {effects:?}");
    // In the focused jobs panel ctrl-c is the quit question, not `c`.
    assert!(state.jobs.panel_focus);
    let effects = update(&mut state, ctrl('c'));
    assert!(effects.is_empty() && quit_dialog(&state).is_some(), "{effects:?}");
    update(&mut state, ctrl('c'));
    // Job details close with ctrl-c too.
    publish(&mut state, vec![job(1, JobState::Failed)]);
    update(&mut state, key(KeyCode::Enter));
    assert!(matches!(state.dialogs.last(), Some(Dialog::JobDetails { .. })));
    update(&mut state, ctrl('c'));
    assert!(state.dialogs.is_empty() && !state.quit);
}

#[test]
fn alt_j_and_alt_l_show_focus_and_hide_their_panel_from_anywhere() {
    let mut state = loaded(1);
    update(&mut state, alt('j'));
    assert_eq!((state.jobs.panel, state.jobs.panel_focus), (Some(Panel::Jobs), true));
    // Focused: the panel's own `j` (down) does not swallow alt-j.
    update(&mut state, alt('j'));
    assert_eq!(state.jobs.panel, None, "hidden");
    assert!(!state.jobs.panel_focus);
    update(&mut state, alt('l'));
    assert_eq!((state.jobs.panel, state.jobs.panel_focus), (Some(Panel::Log), true));
    // From the focused log panel: alt-j switches to the jobs panel, alt-l hides it.
    update(&mut state, alt('j'));
    assert_eq!((state.jobs.panel, state.jobs.panel_focus), (Some(Panel::Jobs), true));
    update(&mut state, alt('l'));
    update(&mut state, alt('l'));
    assert_eq!(state.jobs.panel, None);
    // Shown but not focused: focus, then hide.
    update(&mut state, alt('l'));
    update(&mut state, key(KeyCode::Esc));
    update(&mut state, alt('l'));
    assert!(state.jobs.panel_focus);
    update(&mut state, alt('l'));
    assert_eq!(state.jobs.panel, None);
}

#[test]
fn a_failed_job_marks_itself_and_opens_nothing_unless_asked_to() {
    let mut state = loaded(1);
    publish(&mut state, vec![job(1, JobState::Running)]);
    let mut failed = job(1, JobState::Failed);
    failed.failed = vec![FailedItem {
        item: ItemId(0),
        name: "a".into(),
        reason: "Permission denied".into(),
        retry_as_root: None,
    }];
    publish(&mut state, vec![failed.clone()]);
    assert_eq!(state.jobs.panel, None, "the screen stays as it was");
    assert!(state.jobs.unseen_failures.contains(&JobId(1)));
    update(&mut state, alt('j'));
    assert!(state.jobs.unseen_failures.is_empty(), "seen once the jobs panel is shown");

    let mut state = loaded(1);
    state.settings.jobs_panel = crate::choices::JobsPanel::OnFailure;
    publish(&mut state, vec![job(1, JobState::Running)]);
    publish(&mut state, vec![failed]);
    assert_eq!((state.jobs.panel, state.jobs.panel_focus), (Some(Panel::Jobs), false), "opted in");
}

#[test]
fn queuing_opens_the_panel_only_when_asked_to() {
    for (setting, panel) in
        [(crate::choices::JobsPanel::Manual, None), (crate::choices::JobsPanel::OnQueue, Some(Panel::Jobs))]
    {
        let mut state = loaded(1);
        state.settings.jobs_panel = setting;
        update(&mut state, key(KeyCode::F(5)));
        let effects = update(&mut state, key(KeyCode::Enter));
        assert!(matches!(effects.as_slice(), [Effect::Submit(_)]), "{effects:?}");
        assert_eq!(state.jobs.panel, panel, "{setting:?}");
    }
}

#[test]
fn the_newest_job_is_selected_when_queued() {
    let mut state = loaded(1);
    publish(&mut state, vec![job(1, JobState::Running), job(2, JobState::Queued)]);
    assert_eq!(state.jobs.selected_id(), Some(JobId(2)));
    update(&mut state, alt('j'));
    update(&mut state, key(KeyCode::Up));
    publish(&mut state, vec![job(1, JobState::Running), job(2, JobState::Running)]);
    assert_eq!(state.jobs.selected_id(), Some(JobId(1)), "the selection stays while nothing is queued");
    publish(&mut state, vec![job(1, JobState::Running), job(2, JobState::Running), job(3, JobState::Queued)]);
    let effects = update(&mut state, key(KeyCode::Char('p')));
    assert!(matches!(effects.as_slice(), [Effect::Jobs(Control::Pause(JobId(3)))]), "{effects:?}");
}

#[test]
fn a_waiting_notice_goes_when_the_job_no_longer_waits() {
    let mut state = loaded(1);
    let waiting = waiting(4);
    publish(&mut state, vec![waiting]);
    let status = state.status.clone().unwrap();
    assert!(status.text.contains("job #4 waits for an answer"), "{status:?}");
    assert_eq!(status.about, Some(Subject::Question(JobId(4))));
    publish(&mut state, vec![job(4, JobState::Done)]);
    assert_eq!(state.status, None, "the job finished: its notice is gone");
    // A newer message is left alone.
    state.info("something else");
    publish(&mut state, vec![job(4, JobState::Done), job(5, JobState::Done)]);
    assert_eq!(state.status.map(|s| s.text), Some("something else".into()));
}

#[test]
fn a_queued_notice_goes_when_its_job_has_ended() {
    let mut state = loaded(1);
    publish(&mut state, vec![job(1, JobState::Done)]);
    update(&mut state, key(KeyCode::F(5)));
    update(&mut state, key(KeyCode::Enter));
    assert!(state.status.as_ref().is_some_and(|s| s.text.starts_with("queued:")), "{:?}", state.status);
    publish(&mut state, vec![job(1, JobState::Done), job(2, JobState::Running)]);
    assert_eq!(state.status.as_ref().and_then(|s| s.about), Some(Subject::Job(JobId(2))));
    publish(&mut state, vec![job(1, JobState::Done), job(2, JobState::Running), job(3, JobState::Done)]);
    assert!(state.status.is_some(), "another job's end is not this one's");
    publish(&mut state, vec![job(1, JobState::Done), job(2, JobState::Done), job(3, JobState::Done)]);
    assert_eq!(state.status, None, "its job has ended: the notice is gone");
}
