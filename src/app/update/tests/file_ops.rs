//! View, edit, mkdir, rename, delete, sizes, free space.

use super::*;
use crate::app::{FreeSpace, WorkError};

#[test]
fn mkdir_then_the_pane_reloads_onto_the_new_directory() {
    let mut state = loaded(1);
    update(&mut state, key(KeyCode::F(7)));
    typed(&mut state, "new dir");
    let effects = update(&mut state, key(KeyCode::Enter));
    let [Effect::Mkdir { location }] = effects.as_slice() else { panic!("{effects:?}") };
    assert_eq!(location, &local("/top/new dir"));
    let effects =
        update(&mut state, Msg::Done { op: Op::Mkdir(location.clone()), result: Ok("created".into()) });
    let mut entries = files(1);
    entries.push(entry("new dir", Kind::Dir, 0));
    deliver(&mut state, &effects, Side::Left, entries);
    assert_eq!(current(&state), "new dir");
}

#[test]
fn rename_one_or_move_many_within_the_host() {
    let mut state = loaded(3);
    update(&mut state, key(KeyCode::Down));
    // F6 moves to the other pane; shift-F6 renames in place (as in mc).
    let shift_f6 = crossterm::event::KeyEvent::new(KeyCode::F(6), crossterm::event::KeyModifiers::SHIFT);
    update(&mut state, Msg::Key(shift_f6));
    let Some(Dialog::Input(dialog)) = state.dialogs.last() else { panic!() };
    assert_eq!(dialog.input.text(), "f000");
    typed(&mut state, ".bak");
    let effects = update(&mut state, key(KeyCode::Enter));
    let [Effect::Rename { sources, target }] = effects.as_slice() else { panic!("{effects:?}") };
    assert_eq!((sources.as_slice(), target), ([local("/top/f000")].as_slice(), &local("/top/f000.bak")));
    update(&mut state, key(KeyCode::Char('+')));
    update(&mut state, key(KeyCode::Enter));
    update(&mut state, Msg::Key(shift_f6));
    let Some(Dialog::Input(dialog)) = state.dialogs.last() else { panic!() };
    assert_eq!(dialog.input.text(), "/other/", "many entries default to the other pane's directory");
    let effects = update(&mut state, key(KeyCode::Enter));
    assert!(
        matches!(&effects[0], Effect::Rename { sources, target } if sources.len() == 4 && target == &local("/other"))
    );
}

#[test]
fn delete_asks_with_counts_computed_in_the_background() {
    let mut state = loaded(2);
    update(&mut state, key(KeyCode::Char(' ')));
    update(&mut state, key(KeyCode::Char(' ')));
    let effects = update(&mut state, key(KeyCode::F(8)));
    let [Effect::Count { token, targets }] = effects.as_slice() else { panic!("{effects:?}") };
    assert_eq!(targets, &[local("/top/sub"), local("/top/f000")]);
    let counts = Counts { files: 5, dirs: 2, bytes: 99, ..Counts::default() };
    update(&mut state, Msg::Counted { token: token + 1, result: Ok(Counts::default()) });
    update(&mut state, Msg::Counted { token: *token, result: Ok(counts) });
    let Some(Dialog::Delete(dialog)) = state.dialogs.last() else { panic!() };
    assert_eq!(dialog.counts, Some(Ok(counts)));
    assert!(update(&mut state, key(KeyCode::Char('x'))).is_empty(), "other keys do nothing");
    let effects = update(&mut state, key(KeyCode::Char('y')));
    assert!(matches!(&effects[0], Effect::Delete { targets } if targets.len() == 2));
    assert_eq!(state.panes[0].selected_count, 0);
    update(&mut state, key(KeyCode::F(8)));
    assert!(update(&mut state, key(KeyCode::Esc)).is_empty());
    assert!(state.dialogs.is_empty());
}

#[test]
fn view_loads_in_the_background_and_binary_opens_as_hex() {
    let mut state = loaded(1);
    update(&mut state, key(KeyCode::Down));
    let effects = update(&mut state, key(KeyCode::F(3)));
    let [Effect::View { token, location, limit }] = effects.as_slice() else { panic!("{effects:?}") };
    assert_eq!((location, *limit), (&local("/top/f000"), 4 * 1024 * 1024));
    update(&mut state, Msg::Viewed { token: *token, result: Ok(ViewContent::new(vec![0, 1, 2], 3)) });
    let Some(Dialog::Viewer(viewer)) = state.dialogs.last() else { panic!() };
    assert!(viewer.hex);
    update(&mut state, key(KeyCode::Char('q')));
    assert!(state.dialogs.is_empty());
    update(&mut state, key(KeyCode::Up));
    assert!(update(&mut state, key(KeyCode::F(3))).is_empty(), "directories are not viewed");
}

#[test]
fn fifos_sockets_and_character_devices_are_not_viewed_or_edited() {
    let mut state = loaded(0);
    let fifo = entry("pipe", Kind::Fifo, 0);
    let mut to_fifo = entry("to-pipe", Kind::Symlink, 9);
    to_fifo.link = Some(crate::fs::LinkTarget { path: "pipe".into(), kind: Some(Kind::Fifo), loops: false });
    let listed = vec![fifo, to_fifo, entry("sock", Kind::Socket, 0), entry("tty", Kind::CharDevice, 0)];
    let generation = state.panes[0].generation;
    update(&mut state, Msg::Listed { side: Side::Left, generation, result: Ok(listed) });
    for _ in 0..4 {
        update(&mut state, key(KeyCode::Down));
        assert!(update(&mut state, key(KeyCode::F(3))).is_empty(), "{:?}", state.focused().current());
        assert!(update(&mut state, key(KeyCode::F(4))).is_empty());
        assert!(state.dialogs.is_empty());
    }
}

#[test]
fn edit_hands_the_file_to_the_configured_editor() {
    let mut state = loaded(1);
    state.settings.editor = "nano -w".into();
    update(&mut state, key(KeyCode::Down));
    let effects = update(&mut state, key(KeyCode::F(4)));
    assert!(matches!(
        &effects[0],
        Effect::Edit { location, editor, copy: None } if location == &local("/top/f000") && editor == "nano -w"
    ));
    let remote = Location::Remote { host: "h".into(), path: "/etc/motd".into() };
    let fetched =
        Msg::EditFetched { location: remote.clone(), editor: "vi".into(), result: Ok("/tmp/x/motd".into()) };
    let effects = update(&mut state, fetched);
    assert!(matches!(
        &effects[0],
        Effect::Edit { location, copy: Some(c), .. } if location == &remote && c == &PathBuf::from("/tmp/x/motd")
    ));
    let failed = Msg::EditFetched {
        location: remote,
        editor: "vi".into(),
        result: Err(crate::app::WorkError::NotCopied { reason: "no".into() }),
    };
    assert!(update(&mut state, failed).is_empty() && state.status.as_ref().unwrap().is_error());
}

#[test]
fn directory_sizes_on_request_count_in_the_selection() {
    let mut state = loaded(1);
    let effects = update(&mut state, ctrl(' '));
    let [Effect::DirSize { side, location }] = effects.as_slice() else { panic!("{effects:?}") };
    update(&mut state, Msg::DirSize { side: *side, location: local("/elsewhere/sub"), result: Ok(1) });
    assert!(state.panes[0].dir_sizes.is_empty());
    update(&mut state, Msg::DirSize { side: *side, location: location.clone(), result: Ok(4096) });
    assert_eq!(state.panes[0].dir_sizes.get(std::ffi::OsStr::new("sub")), Some(&4096));
    update(&mut state, key(KeyCode::Insert));
    assert_eq!(state.panes[0].selected_bytes, 4096);
}

#[test]
fn free_space_for_a_directory_left_is_dropped() {
    let mut state = loaded(1);
    update(&mut state, Msg::FreeSpace { side: Side::Left, location: local("/x"), result: Ok(1) });
    assert_eq!(state.panes[0].free_space, FreeSpace::Asked);
    update(&mut state, Msg::FreeSpace { side: Side::Left, location: local("/top"), result: Ok(7) });
    assert_eq!(state.panes[0].free_space, FreeSpace::Known(7));
}

#[test]
fn a_failed_free_space_read_is_unknown_in_the_footer_and_logged_once_with_why() {
    let mut state = loaded(1);
    update(&mut state, Msg::FreeSpace { side: Side::Left, location: local("/top"), result: Ok(7) });
    state.messages.take_outbox();
    let failed = || {
        let detail = "sh: 1: df: not found\u{1b}[2J".to_owned();
        Err(WorkError::Fs(crate::fs::FsError::Exec { action: "read the free space of /top".into(), detail }))
    };
    update(&mut state, Msg::FreeSpace { side: Side::Left, location: local("/top"), result: failed() });
    let FreeSpace::Unknown(why) = &state.panes[0].free_space else {
        panic!("not stale: {:?}", state.panes[0].free_space)
    };
    assert!(why.contains("df: not found"), "{why}");
    let notes = state.messages.take_outbox();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(notes[0].level, crate::eventlog::Level::Debug);
    assert!(notes[0].text.contains("free space of /top unknown") && notes[0].text.contains("df: not found"));
    assert!(!notes[0].text.contains('\u{1b}'), "escaped: {}", notes[0].text);
    assert!(state.status.is_none(), "a nicety: not on the status line");
    // The same failure again (a reload): not logged again.
    update(&mut state, Msg::FreeSpace { side: Side::Left, location: local("/top"), result: failed() });
    assert!(state.messages.take_outbox().is_empty());
}
