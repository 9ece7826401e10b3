//! Messages: every one logged whole with its host, the status line showing
//! the latest, the message view, a remote start path that does not exist.

use super::*;
use crate::app::Note;
use crate::eventlog::{Event, Level};
use crate::fs::{Failure, FsError};

fn web(path: &str) -> Location {
    Location::Remote { host: "web1".into(), path: PathBuf::from(path) }
}

fn refused(said: &str) -> crate::app::WorkError {
    FsError::PermissionDenied(Failure {
        action: "delete /srv/x".into(),
        command: "rm -rf -- '/srv/x'".into(),
        status: None,
        said: said.into(),
    })
    .into()
}

#[test]
fn a_refused_delete_is_logged_whole_with_its_host() {
    let mut state = loaded(1);
    state.messages.take_outbox();
    let said = "rm: cannot remove '/srv/x/a': Permission denied\\nrm: cannot remove '/srv/x/b': Permission denied\\nrm: cannot remove '/srv/x/c': Permission denied";
    let done = Msg::Done { op: Op::Delete(vec![web("/srv/x")]), result: Err(refused(said)) };
    update(&mut state, done);
    let notes = state.messages.take_outbox();
    let [note] = notes.as_slice() else { panic!("{notes:?}") };
    assert_eq!((note.level, note.host.as_deref()), (Level::Error, Some("web1")));
    assert!(note.text.starts_with("cannot delete /srv/x: permission denied"), "{}", note.text);
    assert!(note.text.contains("'/srv/x/c': Permission denied"), "every line the host said: {}", note.text);
    let status = state.status.clone().unwrap();
    assert!(status.is_error() && status.text == note.text, "{status:?}");
    assert!(status.shown().starts_with("web1: cannot delete"), "{}", status.shown());
    // Logged, it comes back with its time: the log pane and the history.
    let event = note.event(jiff::Timestamp::UNIX_EPOCH);
    update(&mut state, Msg::Logged(event.clone()));
    assert_eq!(state.jobs.log.filtered(&Default::default()).last(), Some(&event));
    assert_eq!(state.messages.history().back(), Some(&event));
}

#[test]
fn a_changed_host_key_is_logged_with_its_host() {
    let mut state = loaded(1);
    state.messages.take_outbox();
    let effects =
        open_target(&mut state, Side::Left, crate::app::Target::Remote { host: "web1".into(), path: None });
    let Some(Effect::Connect { id, .. }) = effects.first() else { panic!("{effects:?}") };
    let changed = crate::ssh::ConnectError::HostKeyChanged(Box::new(crate::ssh::ChangedKey {
        host: "web1".into(),
        name: "web1".into(),
        key_type: "ssh-ed25519".into(),
        fingerprint: "SHA256:abc".into(),
        file: PathBuf::from("/home/me/.ssh/known_hosts"),
        line: 3,
        address_note: None,
    }));
    update(&mut state, Msg::Connected { id: *id, result: Err(changed.into()) });
    let notes = state.messages.take_outbox();
    let [note] = notes.as_slice() else { panic!("{notes:?}") };
    assert_eq!((note.level, note.host.as_deref()), (Level::Error, Some("web1")));
    assert!(note.text.contains("known_hosts") && note.text.contains("SHA256:abc"), "{}", note.text);
}

#[test]
fn other_layers_warnings_are_messages_and_job_events_are_not() {
    let mut state = loaded(1);
    let dropped = Event::error("connection to db dropped: Broken pipe").host("db");
    let failed_item = Event::error("a.txt: Permission denied").host("db").job(3);
    let info = Event::info("connected (OpenSSH_9.6)").host("db");
    update(&mut state, Msg::Log(vec![dropped.clone(), failed_item, info]));
    assert_eq!(state.status.as_ref().map(|s| s.text.as_str()), Some("connection to db dropped: Broken pipe"));
    assert_eq!(state.messages.history().iter().collect::<Vec<_>>(), [&dropped]);
    assert_eq!(state.jobs.log.len(), 3, "everything is in the log pane");
    assert!(state.messages.take_outbox().is_empty(), "already logged: not logged twice");
}

#[test]
fn echoes_of_keys_are_logged_at_debug_and_kept_out_of_the_history() {
    let mut state = loaded(3);
    state.messages.take_outbox();
    update(&mut state, alt('s'));
    let notes = state.messages.take_outbox();
    assert_eq!(notes.iter().map(|n| n.level).collect::<Vec<_>>(), [Level::Debug]);
    update(&mut state, Msg::Logged(notes[0].event(jiff::Timestamp::UNIX_EPOCH)));
    assert!(state.messages.history().is_empty());
    assert_eq!(state.jobs.log.len(), 1);
}

#[test]
fn every_config_problem_is_logged_and_the_status_names_the_first() {
    let problem = |line| crate::config::ConfigError::Parse {
        path: PathBuf::from("/c/config.toml"),
        line,
        column: 1,
        message: "bad".into(),
    };
    let config = Config { problems: vec![problem(3), problem(7)], ..Config::default() };
    let mut state = State::with_config(local("/a"), local("/b"), jiff::tz::TimeZone::UTC, config);
    let notes = state.messages.take_outbox();
    assert_eq!(notes.len(), 2);
    assert!(notes.iter().all(|n| n.level == Level::Error));
    assert!(notes[1].text.starts_with("/c/config.toml:7:1"), "{}", notes[1].text);
    let status = state.status.unwrap().text;
    assert!(status.contains(":3:1: bad") && status.contains("1 more problems: alt-h"), "{status}");
}

#[test]
fn the_message_view_shows_the_history_and_any_close_key_closes_it() {
    let mut state = loaded(1);
    for text in ["one", "two", "three"] {
        update(&mut state, Msg::Logged(Note::info(text).event(jiff::Timestamp::UNIX_EPOCH)));
    }
    update(&mut state, alt('h'));
    assert!(matches!(state.dialogs.last(), Some(Dialog::Messages { back: 0 })));
    update(&mut state, key(KeyCode::Up));
    update(&mut state, key(KeyCode::Up));
    update(&mut state, key(KeyCode::Up));
    assert!(matches!(state.dialogs.last(), Some(Dialog::Messages { back: 2 })), "stops at the oldest");
    update(&mut state, key(KeyCode::End));
    assert!(matches!(state.dialogs.last(), Some(Dialog::Messages { back: 0 })));
    update(&mut state, ctrl('c'));
    assert!(state.dialogs.is_empty() && !state.quit, "ctrl-c closes, never quits from a dialog");
    update(&mut state, alt('h'));
    update(&mut state, alt('h'));
    assert!(state.dialogs.is_empty(), "the same key closes it");
}

#[test]
fn a_remote_start_path_that_does_not_exist_shows_the_home_and_says_why() {
    let mut state = loaded(1);
    let target = crate::app::Target::Remote { host: "web1".into(), path: Some("/no/such".into()) };
    let effects = open_target(&mut state, Side::Right, target);
    let Some(Effect::Connect { id, .. }) = effects.first() else { panic!("{effects:?}") };
    let effects = update(&mut state, Msg::Connected { id: *id, result: Ok(PathBuf::from("/home/web")) });
    let (generation, location) = listing(&effects, Side::Right);
    assert_eq!(location, web("/no/such"));
    let missing = FsError::NotFound(Failure {
        action: "list /no/such".into(),
        command: String::new(),
        status: None,
        said: "find: '/no/such': No such file or directory".into(),
    });
    state.messages.take_outbox();
    let effects =
        update(&mut state, Msg::Listed { side: Side::Right, generation, result: Err(missing.into()) });
    let (generation, location) = listing(&effects, Side::Right);
    assert_eq!(location, web("/home/web"), "the host's home, not this machine's directory");
    let notes = state.messages.take_outbox();
    let [note] = notes.as_slice() else { panic!("{notes:?}") };
    assert_eq!((note.level, note.host.as_deref()), (Level::Warn, Some("web1")));
    assert!(note.text.contains("no such file or directory"), "{}", note.text);
    assert!(note.text.ends_with("showing web1:/home/web instead"), "{}", note.text);
    update(
        &mut state,
        Msg::Listed { side: Side::Right, generation, result: Ok(vec![entry("a", Kind::File, 1)]) },
    );
    assert_eq!(state.pane(Side::Right).location, web("/home/web"));
    assert!(state.status.as_ref().is_some_and(|s| s.text.contains("/no/such")), "the reason stays shown");
}

#[test]
fn alt_l_and_alt_j_go_from_the_message_view_to_their_panel() {
    for (key, panel) in [('l', crate::app::Panel::Log), ('j', crate::app::Panel::Jobs)] {
        let mut state = loaded(1);
        update(&mut state, alt('h'));
        update(&mut state, alt(key));
        assert!(state.dialogs.is_empty(), "the view closes");
        assert_eq!((state.jobs.panel, state.jobs.panel_focus), (Some(panel), true));
        // Already shown and focused: it stays.
        update(&mut state, alt('h'));
        update(&mut state, alt(key));
        assert_eq!((state.jobs.panel, state.jobs.panel_focus), (Some(panel), true));
    }
}
