//! Whole-screen snapshots of ratatui's TestBackend.

use std::ffi::OsString;
use std::path::PathBuf;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use scpdeck::app::{self, Effect, Msg, Side, State};
use scpdeck::fs::{Entry, Kind, LinkTarget, Mtime};
use scpdeck::ui;

fn entry(name: &str, kind: Kind, size: u64, secs: i64) -> Entry {
    Entry {
        name: OsString::from(name),
        kind,
        size,
        mode: if kind == Kind::Dir { 0o755 } else { 0o644 },
        mtime: Mtime { secs, nanos: 0 },
        owner: "alice".into(),
        group: "staff".into(),
        link: None,
    }
}

fn screen(state: &State, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| ui::render(state, frame)).unwrap();
    terminal.backend().to_string()
}

fn first_screen(width: u16, height: u16) -> State {
    let mut state = State::new(
        PathBuf::from("/home/alice/projects"),
        PathBuf::from("/home/alice"),
        jiff::tz::TimeZone::UTC,
    );
    app::update(&mut state, Msg::Resize { width, height });
    let effects = app::start(&mut state);
    let day = 1_763_700_000; // 2025-11-21
    let mut link = entry("latest", Kind::Symlink, 7, day);
    link.link = Some(LinkTarget { path: "release-2.0".into(), kind: Some(Kind::Dir) });
    let left = vec![
        entry("notes.md", Kind::File, 1536, day),
        entry("src", Kind::Dir, 4096, day - 86_400),
        entry("archive.tar.gz", Kind::File, 734_003_200, day - 400 * 86_400),
        link,
        entry("日本語のファイル名.txt", Kind::File, 12, day),
        entry("rocket 🚀 launch plan with a very long name.pdf", Kind::File, 5_000_000, day),
        entry("evil\x1b[2Jname\n", Kind::File, 3, day),
        entry("pipe", Kind::Fifo, 0, day),
    ];
    let right = vec![entry(".bashrc", Kind::File, 3771, day), entry("projects", Kind::Dir, 4096, day)];
    for (effect, entries) in effects.into_iter().zip([left, right]) {
        let Effect::List { side, generation, .. } = effect;
        app::update(&mut state, Msg::Listed { side, generation, result: Ok(entries) });
    }
    state
}

#[test]
fn first_screen_100x20() {
    let state = first_screen(100, 20);
    insta::assert_snapshot!(screen(&state, 100, 20));
}

#[test]
fn first_screen_narrow_40x15() {
    let state = first_screen(40, 15);
    insta::assert_snapshot!(screen(&state, 40, 15));
}

#[test]
fn control_characters_never_reach_the_terminal() {
    let state = first_screen(100, 20);
    let text = screen(&state, 100, 20);
    assert!(text.contains("evil\\e[2Jname\\n"));
    assert!(!text.contains('\x1b'));
}

#[test]
fn focus_moves_to_the_right_pane() {
    let mut state = first_screen(80, 12);
    app::update(&mut state, Msg::Key(crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Tab)));
    assert_eq!(state.focus, Side::Right);
    insta::assert_snapshot!(screen(&state, 80, 12));
}
