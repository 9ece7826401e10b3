//! The rung of the protocol ladder in the pane title: a host reached over
//! SFTP or `cat`/`dd` says so (`host:/dir [sftp]`); an SCP host does not.

use std::ffi::OsString;
use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use scpdeck::app::dialog::{CopyField, Dialog};
use scpdeck::app::{self, Effect, Msg, State};
use scpdeck::config::Config;
use scpdeck::fs::remote::Protocol;
use scpdeck::fs::{Entry, Kind, Location, Mtime};
use scpdeck::ui;

fn entry(name: &str, kind: Kind) -> Entry {
    Entry {
        name: OsString::from(name),
        kind,
        size: 4096,
        mode: 0o755,
        mtime: Mtime { secs: 1_763_700_000, nanos: 0 },
        owner: "1000".into(),
        group: "1000".into(),
        link: None,
    }
}

fn screen(state: &State) -> String {
    let mut terminal = Terminal::new(TestBackend::new(80, 8)).unwrap();
    terminal.draw(|frame| ui::render(state, frame)).unwrap();
    terminal.backend().to_string()
}

/// The left pane on `left`, the right on `right`, both listed.
fn state(left: &str, right: &str) -> State {
    sized(left, right, 8)
}

fn sized(left: &str, right: &str, height: u16) -> State {
    let remote = |host: &str| Location::Remote { host: host.into(), path: PathBuf::from("/srv/data") };
    let mut state =
        State::with_config(remote(left), remote(right), jiff::tz::TimeZone::UTC, Config::default());
    app::update(&mut state, Msg::Resize { width: 80, height });
    for effect in app::start(&mut state) {
        if let Effect::List { side, generation, .. } = effect {
            app::update(
                &mut state,
                Msg::Listed { side, generation, result: Ok(vec![entry("www", Kind::Dir)]) },
            );
        }
    }
    state
}

#[test]
fn pane_titles_name_the_lower_rungs() {
    let mut state = state("chroot", "old-nas");
    for (host, protocol) in [("chroot", Protocol::Sftp), ("old-nas", Protocol::Stream)] {
        app::update(&mut state, Msg::HostRung { host: host.into(), protocol });
    }
    insta::assert_snapshot!(screen(&state));
    app::update(&mut state, Msg::HostRung { host: "old-nas".into(), protocol: Protocol::Scp });
    let after = screen(&state);
    assert!(after.contains("old-nas:/srv/data ") && !after.contains("[cat/dd]"), "{after}");
}

/// A direct copy runs scp on both hosts: not offered when either is on a
/// lower rung (the copy would be relayed anyway).
#[test]
fn direct_copies_are_not_offered_off_the_scp_rung() {
    let mut state = sized("db2", "web1", 28);
    let key = |state: &mut State, code| app::update(state, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    let fields = |state: &State| match state.dialogs.last() {
        Some(Dialog::Copy(copy)) => copy.fields(),
        other => panic!("{other:?}"),
    };
    key(&mut state, KeyCode::Down);
    key(&mut state, KeyCode::F(5));
    assert!(fields(&state).contains(&CopyField::Direct), "{:?}", fields(&state));
    key(&mut state, KeyCode::Esc);
    for host in ["web1", "db2"] {
        app::update(&mut state, Msg::HostRung { host: host.into(), protocol: Protocol::Sftp });
        key(&mut state, KeyCode::F(5));
        assert!(!fields(&state).contains(&CopyField::Direct), "{host}: {:?}", fields(&state));
        key(&mut state, KeyCode::Esc);
        app::update(&mut state, Msg::HostRung { host: host.into(), protocol: Protocol::Scp });
    }
}
