//! The viewer's keys (search, go to line, wrap, follow), the panels' keys
//! through the keymap, the log entry view, and F1 per place.

use super::*;
use crate::app::Panel;
use crate::app::dialog::{Follow, Viewer};
use crate::app::help::HelpTopic;
use crate::choices::KeyContext;
use crate::eventlog::Event;

fn viewing(text: &[u8]) -> (State, u64) {
    let mut state = loaded(1);
    update(&mut state, key(KeyCode::Down));
    let effects = update(&mut state, key(KeyCode::F(3)));
    let [Effect::View { token, .. }] = effects.as_slice() else { panic!("{effects:?}") };
    let token = *token;
    let content = ViewContent::new(text.to_vec(), text.len() as u64);
    update(&mut state, Msg::Viewed { token, result: Ok(content) });
    (state, token)
}

fn viewer(state: &State) -> &Viewer {
    match state.dialogs.last() {
        Some(Dialog::Viewer(v)) => v,
        other => panic!("{other:?}"),
    }
}

fn shift(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::SHIFT))
}

fn numbered(n: usize) -> Vec<u8> {
    (1..=n)
        .map(|i| if i % 10 == 0 { format!("line {i} ERROR\n") } else { format!("line {i}\n") })
        .collect::<String>()
        .into_bytes()
}

#[test]
fn slash_and_question_mark_search_n_and_shift_n_repeat() {
    let (mut state, _) = viewing(&numbered(40));
    update(&mut state, key(KeyCode::Char('/')));
    typed(&mut state, "error");
    assert!(viewer(&state).prompt.is_some());
    update(&mut state, key(KeyCode::Enter));
    assert_eq!((viewer(&state).found, viewer(&state).scroll), (Some(9), 9));
    update(&mut state, key(KeyCode::Char('n')));
    assert_eq!(viewer(&state).found, Some(19));
    update(&mut state, shift('N'));
    assert_eq!(viewer(&state).found, Some(9));
    update(&mut state, shift('N'));
    assert_eq!(viewer(&state).found, Some(39));
    assert_eq!(viewer(&state).note.as_deref(), Some("search wrapped to the end"));
    // `?` searches up from the top of the view (line 29, the last page);
    // then `n` goes on up.
    assert_eq!(viewer(&state).scroll, 28);
    update(&mut state, key(KeyCode::Char('?')));
    typed(&mut state, "ERROR");
    update(&mut state, key(KeyCode::Enter));
    assert_eq!(viewer(&state).found, Some(19));
    update(&mut state, key(KeyCode::Char('n')));
    assert_eq!(viewer(&state).found, Some(9));
    // Esc leaves the prompt, not the viewer.
    update(&mut state, key(KeyCode::Char('/')));
    update(&mut state, key(KeyCode::Esc));
    assert!(viewer(&state).prompt.is_none());
}

#[test]
fn colon_and_ctrl_g_go_to_a_line_and_w_wraps() {
    let (mut state, _) = viewing(&numbered(40));
    update(&mut state, key(KeyCode::Char(':')));
    typed(&mut state, "25");
    update(&mut state, key(KeyCode::Enter));
    assert_eq!(viewer(&state).scroll, 24);
    update(&mut state, ctrl('g'));
    typed(&mut state, "x");
    update(&mut state, key(KeyCode::Enter));
    assert_eq!(viewer(&state).note.as_deref(), Some("not a line number: x"));
    assert_eq!(viewer(&state).scroll, 24);
    update(&mut state, key(KeyCode::Char('w')));
    assert!(viewer(&state).wrap);
    update(&mut state, key(KeyCode::Char('w')));
    assert!(!viewer(&state).wrap);
    update(&mut state, key(KeyCode::Char('h')));
    assert!(viewer(&state).hex);
}

#[test]
fn shift_f_follows_polls_again_and_any_key_stops() {
    let (mut state, token) = viewing(b"one\ntwo\n");
    let effects = update(&mut state, shift('F'));
    let [Effect::Follow { offset: 8, generation, delay, location, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(location, &local("/top/f000"));
    assert!(!delay.is_zero(), "polls at an interval");
    let generation = *generation;
    let grown = Msg::Followed { token, generation, result: Ok((b"three\n".to_vec(), 14)) };
    let effects = update(&mut state, grown);
    assert!(matches!(effects.as_slice(), [Effect::Follow { offset: 14, .. }]), "{effects:?}");
    assert_eq!(viewer(&state).line(2).as_deref(), Some("three"));
    // Any key stops following; its next result is dropped.
    update(&mut state, key(KeyCode::Down));
    assert_eq!(viewer(&state).follow, None);
    assert_eq!(viewer(&state).note.as_deref(), Some("follow stopped"));
    let late = Msg::Followed { token, generation, result: Ok((b"four\n".to_vec(), 19)) };
    assert!(update(&mut state, late).is_empty());
    assert_eq!(viewer(&state).line_count(), 3);
    // `f` too; a file that shrank stops it.
    let effects = update(&mut state, key(KeyCode::Char('f')));
    let [Effect::Follow { generation, .. }] = effects.as_slice() else { panic!("{effects:?}") };
    let shrunk = Msg::Followed { token, generation: *generation, result: Ok((Vec::new(), 3)) };
    assert!(update(&mut state, shrunk).is_empty());
    assert!(viewer(&state).note.as_deref().unwrap().starts_with("follow stopped: the file shrank"));
}

#[test]
fn following_a_file_longer_than_the_viewer_reads_starts_from_its_end() {
    let mut state = loaded(1);
    state.settings.viewer_max_bytes = 4;
    update(&mut state, key(KeyCode::Down));
    let effects = update(&mut state, key(KeyCode::F(3)));
    let [Effect::View { token, .. }] = effects.as_slice() else { panic!() };
    let token = *token;
    update(&mut state, Msg::Viewed { token, result: Ok(ViewContent::new(b"abcd".to_vec(), 10)) });
    let effects = update(&mut state, shift('F'));
    let [Effect::Follow { offset: 6, delay, generation, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert!(delay.is_zero());
    let tail = Msg::Followed { token, generation: *generation, result: Ok((b"x\nyz".to_vec(), 10)) };
    update(&mut state, tail);
    let v = viewer(&state);
    assert_eq!(v.follow.map(|f: Follow| f.offset), Some(10));
    assert_eq!(v.line(0).as_deref(), Some("x"));
}

#[test]
fn f1_lists_the_keys_of_the_place_with_the_focus() {
    let (mut state, _) = viewing(b"text\n");
    update(&mut state, key(KeyCode::F(1)));
    assert!(matches!(
        state.dialogs.last(),
        Some(Dialog::Help { topic: HelpTopic::Keys(KeyContext::Viewer), .. })
    ));
    update(&mut state, key(KeyCode::Esc));
    assert!(matches!(state.dialogs.last(), Some(Dialog::Viewer(_))));
    update(&mut state, key(KeyCode::Char('q')));
    for (panel_key, context) in [('j', KeyContext::Jobs), ('l', KeyContext::Log)] {
        update(&mut state, alt(panel_key));
        update(&mut state, key(KeyCode::F(1)));
        let Some(Dialog::Help { topic, .. }) = state.dialogs.last() else { panic!("{:?}", state.dialogs) };
        assert_eq!(*topic, HelpTopic::Keys(context));
        update(&mut state, key(KeyCode::Esc));
        update(&mut state, key(KeyCode::Esc));
    }
    update(&mut state, key(KeyCode::F(7)));
    update(&mut state, key(KeyCode::F(1)));
    assert!(matches!(state.dialogs.last(), Some(Dialog::Help { topic: HelpTopic::Dialogs, .. })));
}

#[test]
fn help_scrolls_to_the_end_and_back_and_no_further() {
    let mut state = loaded(1);
    update(&mut state, key(KeyCode::F(1)));
    update(&mut state, key(KeyCode::End));
    let Some(Dialog::Help { scroll, topic }) = state.dialogs.last().cloned() else { panic!() };
    let max = crate::app::help::max_scroll(&state.keymap, topic, state.size);
    assert!(max > 0 && scroll == max, "{scroll} {max}");
    update(&mut state, key(KeyCode::Down));
    assert!(matches!(state.dialogs.last(), Some(Dialog::Help { scroll, .. }) if *scroll == max));
    update(&mut state, key(KeyCode::PageUp));
    assert!(matches!(state.dialogs.last(), Some(Dialog::Help { scroll, .. }) if *scroll < max));
    update(&mut state, key(KeyCode::Home));
    assert!(matches!(state.dialogs.last(), Some(Dialog::Help { scroll: 0, .. })));
}

fn with_log(n: usize) -> State {
    let mut state = loaded(1);
    let events = (0..n).map(|i| Event::info(&format!("event {i}")).host("web1").job(3)).collect();
    update(&mut state, Msg::Log(events));
    update(&mut state, alt('l'));
    state
}

#[test]
fn log_page_keys_move_by_the_panels_height_and_enter_shows_an_entry_whole() {
    let mut state = with_log(50);
    let page = jobs_panel::log_rows(&state);
    assert!(page > 1);
    update(&mut state, key(KeyCode::PageUp));
    assert_eq!(state.jobs.scroll, page);
    update(&mut state, key(KeyCode::PageUp));
    update(&mut state, key(KeyCode::PageDown));
    assert_eq!(state.jobs.scroll, page);
    update(&mut state, key(KeyCode::Home));
    assert_eq!(state.jobs.scroll, 50 - page, "stops at the oldest page");
    update(&mut state, key(KeyCode::End));
    update(&mut state, key(KeyCode::Up));
    update(&mut state, key(KeyCode::Enter));
    assert!(matches!(state.dialogs.last(), Some(Dialog::LogEntry { back: 1 })), "{:?}", state.dialogs);
    update(&mut state, key(KeyCode::Up));
    assert!(matches!(state.dialogs.last(), Some(Dialog::LogEntry { back: 2 })));
    update(&mut state, key(KeyCode::Enter));
    assert!(state.dialogs.is_empty());
    assert_eq!(state.jobs.panel, Some(Panel::Log));
    update(&mut state, key(KeyCode::Char('w')));
    assert!(state.jobs.log_wrap);
    update(&mut state, key(KeyCode::Char('w')));
    assert!(!state.jobs.log_wrap);
}

#[test]
fn the_keymap_rebinds_panel_and_viewer_keys() {
    let text = "[bindings]\nlog_detail = [\"d\"]\nviewer_search = [\"s\"]\njobs_show_log = [\"ctrl-l\"]\n";
    let (keymap, problems) = Keymap::from_file(std::path::Path::new("k.toml"), text);
    assert!(problems.is_empty(), "{problems:?}");
    let mut state = with_log(3);
    state.keymap = keymap;
    update(&mut state, key(KeyCode::Enter));
    assert!(state.dialogs.is_empty(), "enter is no longer the log's");
    update(&mut state, key(KeyCode::Char('d')));
    assert!(matches!(state.dialogs.last(), Some(Dialog::LogEntry { .. })));
    update(&mut state, key(KeyCode::Esc));
    update(&mut state, key(KeyCode::Char('l')));
    assert_eq!(state.jobs.panel, Some(Panel::Jobs));
    update(&mut state, ctrl('l'));
    assert_eq!(state.jobs.panel, Some(Panel::Log));
}

#[test]
fn the_message_and_log_entry_views_and_job_details_read_their_keys_from_the_keymap() {
    let text = "[bindings]\nmessages_older = [\"p\"]\nmessages_close = [\"x\"]\n";
    let (keymap, problems) = Keymap::from_file(std::path::Path::new("k.toml"), text);
    assert!(problems.is_empty(), "{problems:?}");
    let mut state = with_log(5);
    state.keymap = keymap;
    update(&mut state, key(KeyCode::Enter));
    assert!(matches!(state.dialogs.last(), Some(Dialog::LogEntry { back: 0 })));
    update(&mut state, key(KeyCode::Char('p')));
    assert!(matches!(state.dialogs.last(), Some(Dialog::LogEntry { back: 1 })));
    update(&mut state, key(KeyCode::Up));
    assert!(matches!(state.dialogs.last(), Some(Dialog::LogEntry { back: 1 })), "up is no longer older");
    update(&mut state, key(KeyCode::F(1)));
    let Some(Dialog::Help { topic, .. }) = state.dialogs.last() else { panic!("{:?}", state.dialogs) };
    assert_eq!(*topic, HelpTopic::Keys(KeyContext::Messages));
    update(&mut state, key(KeyCode::Esc));
    update(&mut state, key(KeyCode::Char('x')));
    assert!(state.dialogs.is_empty());
    // The message view too (alt-h).
    update(&mut state, alt('h'));
    assert!(matches!(state.dialogs.last(), Some(Dialog::Messages { .. })));
    update(&mut state, key(KeyCode::Char('x')));
    assert!(state.dialogs.is_empty());
}
