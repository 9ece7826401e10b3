//! The panes as mc users expect them: `..`, swapping, one pane's directory
//! in the other, `local:`, disconnecting; the picker's last directories
//! and its edited and removed entries.

use super::*;
use crate::app::dialog::Source;

fn status(state: &State) -> String {
    state.status.as_ref().map(|s| s.text.clone()).unwrap_or_default()
}

/// The left pane on `host` at `/srv/app` (connected, listed).
fn remote_left(host: &str) -> State {
    let mut state = loaded(2);
    state.config_dir = Some(PathBuf::from("/cfg"));
    state.state_dir = Some(PathBuf::from("/state"));
    let effects = update(&mut state, ctrl('g'));
    drop(effects);
    update(&mut state, ctrl('u'));
    typed(&mut state, &format!("{host}:/srv/app"));
    let effects = update(&mut state, key(KeyCode::Enter));
    let Some(Effect::Connect { id, .. }) = effects.first() else { panic!("{effects:?}") };
    let effects = update(&mut state, Msg::Connected { id: *id, result: Ok(PathBuf::from("/home/u")) });
    let after = deliver(&mut state, &effects, Side::Left, vec![entry("data", Kind::Dir, 0)]);
    assert!(
        after.iter().any(|e| matches!(e, Effect::SaveRecentDirs { dir, dirs }
            if dir == &PathBuf::from("/state") && dirs.get(host) == Some(&PathBuf::from("/srv/app")))),
        "{after:?}"
    );
    state
}

#[test]
fn dot_dot_goes_up_onto_the_directory_left_and_is_never_a_target() {
    let mut state = loaded(2);
    update(&mut state, key(KeyCode::Up));
    assert!(state.panes[0].on_up_row());
    assert_eq!(state.focused().current(), None);
    // Not selectable, not inverted into the selection, not copied or deleted.
    update(&mut state, key(KeyCode::Insert));
    assert_eq!(state.panes[0].selected_count, 0);
    assert_eq!(state.panes[0].cursor, 1, "Insert moves down, selecting nothing");
    update(&mut state, key(KeyCode::Up));
    assert!(update(&mut state, key(KeyCode::F(5))).is_empty());
    assert!(update(&mut state, key(KeyCode::F(8))).is_empty());
    assert!(state.dialogs.is_empty());
    update(&mut state, key(KeyCode::Char('*')));
    assert_eq!(state.panes[0].selected_count, 3, "sub, f000, f001: not `..`");
    assert_eq!(state.panes[0].targets().len(), 3);
    update(&mut state, key(KeyCode::Char('*')));
    // Enter on `..`: the parent, the cursor on the directory come from.
    let effects = update(&mut state, key(KeyCode::Enter));
    assert_eq!(listing(&effects, Side::Left).1, local("/"));
    deliver(&mut state, &effects, Side::Left, vec![entry("etc", Kind::Dir, 0), entry("top", Kind::Dir, 0)]);
    assert_eq!(current(&state), "top");
    // The root has no `..`.
    assert_eq!(state.panes[0].up_rows(), 0);
    assert_eq!(names(&state, Side::Left), ["etc", "top"]);
    update(&mut state, key(KeyCode::Char('g')));
    assert_eq!(current(&state), "etc");
}

#[test]
fn ctrl_u_swaps_the_panes_and_drops_listings_for_the_old_side() {
    let mut state = loaded(2);
    update(&mut state, key(KeyCode::Down));
    // A listing on its way in the right pane.
    state.focus = Side::Right;
    let stale = update(&mut state, key(KeyCode::Enter));
    let (stale_generation, _) = listing(&stale, Side::Right);
    state.focus = Side::Left;
    let effects = update(&mut state, ctrl('u'));
    assert_eq!(state.focus, Side::Left, "the focus stays on its side");
    assert_eq!(state.panes[0].location, local("/other"));
    assert_eq!(state.panes[1].location, local("/top"));
    assert_eq!(state.panes[1].cursor, 2, "the cursor moved with its pane");
    for (side, dir) in [(Side::Left, "/other"), (Side::Right, "/top")] {
        assert!(
            effects.iter().any(|e| matches!(e, Effect::Watch { side: s, dir: Some(d) } if *s == side && d == &PathBuf::from(dir))),
            "{effects:?}"
        );
    }
    // The listing asked for the right pane now comes for the left one.
    let (generation, location) = listing(&effects, Side::Left);
    assert_eq!(location, local("/other/sub"));
    assert_ne!(generation, stale_generation);
    update(&mut state, Msg::Listed { side: Side::Left, generation: stale_generation, result: Ok(vec![]) });
    assert!(state.panes[0].pending.is_some(), "the old side's result is dropped");
    deliver(&mut state, &effects, Side::Left, vec![entry("deep", Kind::File, 1)]);
    assert_eq!(state.panes[0].location, local("/other/sub"));
    // Again: back as they were.
    update(&mut state, ctrl('u'));
    assert_eq!(state.panes[0].location, local("/top"));
}

#[test]
fn alt_o_shows_this_directory_in_the_other_pane_and_alt_i_the_others_here() {
    let mut state = loaded(2);
    update(&mut state, key(KeyCode::Down));
    let effects = update(&mut state, alt('o'));
    let (_, location) = listing(&effects, Side::Right);
    assert_eq!(location, local("/top"));
    assert!(!effects.iter().any(|e| matches!(e, Effect::List { side: Side::Left, .. })));
    deliver(&mut state, &effects, Side::Right, files(2));
    assert_eq!(state.panes[1].current().map(|e| e.display_name()), Some("f000".into()), "on the same entry");
    assert!(update(&mut state, alt('o')).is_empty(), "both show it already");

    let mut state = loaded(2);
    let effects = update(&mut state, alt('i'));
    assert_eq!(listing(&effects, Side::Left).1, local("/other"));
    deliver(&mut state, &effects, Side::Left, vec![entry("sub", Kind::Dir, 0), entry("r1", Kind::File, 5)]);
    assert_eq!(current(&state), "sub");
    assert_eq!(state.panes[0].history.peek_back(), Some(&local("/top")), "Back returns");
}

#[test]
fn local_prefix_and_this_machine_return_to_the_last_local_directory() {
    let mut state = remote_left("web1");
    assert_eq!(state.last_local, Some(PathBuf::from("/other")), "the right pane was listed last");
    state.last_local = Some(PathBuf::from("/top"));
    // go-to `local:`: the last local directory; `local:PATH` below it; `local:~`.
    for (text, want) in
        [("local:", "/top"), ("local:sub", "/top/sub"), ("local:/etc", "/etc"), ("local:~/x", "/home/me/x")]
    {
        update(&mut state, ctrl('g'));
        update(&mut state, ctrl('u'));
        typed(&mut state, text);
        let Some(Dialog::Input(dialog)) = state.dialogs.last() else { panic!() };
        assert!(dialog.completions.is_empty(), "no completions of the remote host for {text}");
        let effects = update(&mut state, key(KeyCode::Enter));
        assert_eq!(listing(&effects, Side::Left).1, local(want), "{text}");
    }
    // The picker's "this machine" goes there too.
    let effects = update(&mut state, key(KeyCode::F(2)));
    assert!(matches!(effects.as_slice(), [Effect::LoadSshHosts { .. }]));
    let Some(Dialog::HostPicker(picker)) = state.dialogs.last() else { panic!() };
    let this = &picker.items[0];
    assert_eq!((this.label.as_str(), this.target.as_str()), ("this machine", "/top"));
    let effects = update(&mut state, key(KeyCode::Enter));
    assert_eq!(listing(&effects, Side::Left).1, local("/top"));
}

#[test]
fn alt_x_disconnects_and_the_pane_goes_back_to_the_last_local_directory() {
    let mut state = remote_left("web1");
    let effects = update(&mut state, alt('x'));
    assert!(matches!(effects.first(), Some(Effect::Disconnect { host }) if host == "web1"), "{effects:?}");
    assert_eq!(listing(&effects, Side::Left).1, local("/other"));
    assert!(!state.connected.contains_key("web1"));
    assert!(status(&state).contains("transfers to and from it go on"), "{}", status(&state));
    deliver(&mut state, &effects, Side::Left, vec![]);
    // On a local pane there is nothing to disconnect.
    let effects = update(&mut state, alt('x'));
    assert!(effects.is_empty());
    assert!(status(&state).contains("nothing to disconnect") || status(&state).contains("no host"));
    // The menu has it.
    assert!(crate::app::menu::MENU.contains(&Action::Disconnect));
}

#[test]
fn a_recent_host_reopens_in_its_last_directory() {
    let mut state = remote_left("web1");
    assert_eq!(state.recent.hosts, ["web1"]);
    // A host that left the recent list leaves its directory behind too.
    state.recent_dirs.insert("gone".into(), PathBuf::from("/x"));
    assert!(state.panes[0].on_up_row());
    let effects = update(&mut state, key(KeyCode::Enter));
    let after = deliver(&mut state, &effects, Side::Left, vec![]);
    assert!(
        after.iter().any(|e| matches!(e, Effect::SaveRecentDirs { dirs, .. }
        if dirs.keys().collect::<Vec<_>>() == ["web1"] && dirs["web1"] == std::path::Path::new("/srv"))),
        "{after:?}"
    );
    // Back into /srv/app: remembered again.
    let effects = update(&mut state, key(KeyCode::Char('[')));
    deliver(&mut state, &effects, Side::Left, vec![]);
    assert_eq!(state.recent_dirs.get("web1"), Some(&PathBuf::from("/srv/app")));
    assert_eq!(state.recent.typed, ["web1"], "typed in go-to");
    update(&mut state, alt('x'));
    update(&mut state, key(KeyCode::F(2)));
    let Some(Dialog::HostPicker(picker)) = state.dialogs.last() else { panic!() };
    let item = picker.items.iter().find(|i| i.target == "web1").unwrap();
    assert_eq!((item.source, item.dir.clone()), (Source::Typed, Some(PathBuf::from("/srv/app"))));
    assert_eq!(picker.shown(item), "web1  /srv/app");
    update(&mut state, key(KeyCode::Down));
    let effects = update(&mut state, key(KeyCode::Enter));
    assert!(matches!(effects.first(), Some(Effect::Connect { host, .. }) if host == "web1"));
    let Some(connecting) = &state.connecting else { panic!() };
    assert_eq!(connecting.path, Some(PathBuf::from("/srv/app")));
}

#[test]
fn picker_entries_are_edited_with_f4_and_removed_with_delete_ssh_config_ones_read_only() {
    let mut state = remote_left("web1");
    update(&mut state, alt('x'));
    let effects = update(&mut state, key(KeyCode::F(2)));
    let [Effect::LoadSshHosts { token }] = effects.as_slice() else { panic!() };
    let token = *token;
    update(&mut state, Msg::SshHosts { token, hosts: vec![("db".into(), "~/.ssh/config:7".into())] });
    // The ssh_config entry: read-only, saying where it is written.
    typed(&mut state, "db");
    update(&mut state, key(KeyCode::F(4)));
    assert!(matches!(state.dialogs.last(), Some(Dialog::HostPicker(_))));
    assert!(status(&state).contains("~/.ssh/config:7"), "{}", status(&state));
    assert!(update(&mut state, key(KeyCode::Delete)).is_empty());
    assert!(status(&state).contains("edit that file"), "{}", status(&state));
    // The recent one: F4 edits host (with a port) and directory.
    update(&mut state, ctrl('u'));
    typed(&mut state, "web1");
    update(&mut state, key(KeyCode::F(4)));
    let Some(Dialog::HostEdit(edit)) = state.dialogs.last() else { panic!("{:?}", state.dialogs.last()) };
    assert_eq!((edit.host.text(), edit.dir.text()), ("web1", "/srv/app"));
    update(&mut state, key(KeyCode::End));
    typed(&mut state, ":70000");
    update(&mut state, key(KeyCode::Enter));
    let Some(Dialog::HostEdit(edit)) = state.dialogs.last() else { panic!("a bad port keeps the form") };
    assert!(edit.error.is_some());
    for _ in 0..5 {
        update(&mut state, key(KeyCode::Backspace));
    }
    typed(&mut state, "2222");
    update(&mut state, key(KeyCode::Tab));
    update(&mut state, ctrl('u'));
    typed(&mut state, "relative");
    update(&mut state, key(KeyCode::Enter));
    assert!(matches!(state.dialogs.last(), Some(Dialog::HostEdit(e)) if e.error.is_some()));
    update(&mut state, ctrl('u'));
    typed(&mut state, "/var/www");
    let effects = update(&mut state, key(KeyCode::Enter));
    assert_eq!(state.recent.hosts, ["web1:2222"]);
    assert_eq!(state.recent.typed, ["web1:2222"]);
    assert_eq!(state.recent_dirs.get("web1:2222"), Some(&PathBuf::from("/var/www")));
    assert!(!state.recent_dirs.contains_key("web1"));
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::SaveRecent { recent, .. } if recent.hosts == ["web1:2222"]))
    );
    assert!(effects.iter().any(|e| matches!(e, Effect::SaveRecentDirs { .. })));
    let Some(Dialog::HostPicker(picker)) = state.dialogs.last() else { panic!("back in the picker") };
    assert!(picker.items.iter().any(|i| i.target == "web1:2222" && i.dir == Some(PathBuf::from("/var/www"))));
    // Delete removes it, and its directory.
    update(&mut state, key(KeyCode::Down));
    let effects = update(&mut state, key(KeyCode::Delete));
    assert!(state.recent.hosts.is_empty() && state.recent_dirs.is_empty());
    assert!(effects.iter().any(|e| matches!(e, Effect::SaveRecentDirs { dirs, .. } if dirs.is_empty())));
}

#[test]
fn f8_in_the_picker_removes_a_bookmark_like_delete() {
    let mut state = loaded(1);
    state.config_dir = Some(PathBuf::from("/cfg"));
    state.bookmarks = vec![crate::config::Bookmark { name: "logs".into(), target: "/var/log".into() }];
    update(&mut state, key(KeyCode::F(2)));
    typed(&mut state, "logs");
    let effects = update(&mut state, key(KeyCode::F(8)));
    assert!(state.bookmarks.is_empty());
    assert!(matches!(effects.as_slice(), [Effect::SaveBookmarks { bookmarks, .. }] if bookmarks.is_empty()));
    let Some(Dialog::HostPicker(picker)) = state.dialogs.last() else { panic!() };
    assert!(!picker.items.iter().any(|i| i.label == "logs"));
    // "this machine" stays, and says so.
    update(&mut state, ctrl('u'));
    typed(&mut state, "this");
    assert!(update(&mut state, key(KeyCode::F(8))).is_empty());
    assert!(status(&state).contains("always listed"), "{}", status(&state));
}
