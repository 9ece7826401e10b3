//! Snapshots (TestBackend + insta) of the viewer's search, wrapping, go to
//! line and follow mode; the help of each place, wrapped; names with emoji
//! ZWJ sequences in a pane and a dialog; a dangling symlink; the log panel
//! wrapping and the log entry view.

use std::ffi::OsString;
use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use scpdeck::app::dialog::ViewContent;
use scpdeck::app::{self, Effect, Msg, State};
use scpdeck::config::Config;
use scpdeck::eventlog::Event;
use scpdeck::fs::{Entry, Kind, LinkTarget, Location, Mtime};
use scpdeck::text::width;
use scpdeck::ui;

const FAMILY: &str = "👩\u{200d}👩\u{200d}👧";
const RAINBOW: &str = "🏳\u{fe0f}\u{200d}🌈";

fn file(name: &str, size: u64) -> Entry {
    Entry {
        name: OsString::from(name),
        kind: Kind::File,
        size,
        mode: 0o644,
        mtime: Mtime { secs: 1_763_700_000, nanos: 0 },
        owner: "alice".into(),
        group: "staff".into(),
        link: None,
    }
}

fn link(name: &str, target: &str, kind: Option<Kind>) -> Entry {
    let mut entry = file(name, 9);
    entry.kind = Kind::Symlink;
    entry.link = Some(LinkTarget { path: target.into(), kind, loops: false });
    entry
}

fn entries() -> Vec<Entry> {
    vec![
        file("app.log", 2048),
        file(&format!("{FAMILY} family photo.jpg"), 123_456),
        file(&format!("{RAINBOW} pride flag.png"), 999),
        // Under the delete dialog's left border: the flag's second cell.
        file(&format!("pride {RAINBOW} flag.png"), 998),
        file("plain.txt", 12),
        link("current", "app.log", Some(Kind::File)),
        link("gone", "nowhere", None),
    ]
}

fn state(width: u16, height: u16) -> State {
    let mut state = State::with_config(
        Location::Local(PathBuf::from("/var/log")),
        Location::Local(PathBuf::from("/home/alice")),
        jiff::tz::TimeZone::UTC,
        Config::default(),
    );
    app::update(&mut state, Msg::Resize { width, height });
    let effects = app::start(&mut state);
    for (effect, listed) in effects.into_iter().zip([entries(), vec![file("b", 1)]]) {
        let Effect::List { side, generation, .. } = effect else { panic!("{effect:?}") };
        app::update(&mut state, Msg::Listed { side, generation, result: Ok(listed) });
        // Off the `..` row a listing starts on, onto the first entry.
        state.pane_mut(side).move_by(1);
    }
    state
}

fn draw(state: &State, width: u16, height: u16) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| ui::render(state, frame)).unwrap();
    terminal.backend().buffer().clone()
}

fn screen(state: &State, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| ui::render(state, frame)).unwrap();
    terminal.backend().to_string()
}

fn press(state: &mut State, code: KeyCode) -> Vec<Effect> {
    app::update(state, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn typed(state: &mut State, text: &str) {
    for c in text.chars() {
        press(state, KeyCode::Char(c));
    }
}

/// Opens the viewer on `app.log` (the first entry) holding `text`.
fn viewing(text: &str, width: u16, height: u16) -> (State, u64) {
    let mut state = state(width, height);
    let effects = press(&mut state, KeyCode::F(3));
    let [Effect::View { token, .. }] = effects.as_slice() else { panic!("{effects:?}") };
    let bytes = text.as_bytes().to_vec();
    let total = bytes.len() as u64;
    app::update(&mut state, Msg::Viewed { token: *token, result: Ok(ViewContent::new(bytes, total)) });
    (state, *token)
}

const LOG: &str = "09:00 start\n09:01 Error: disk full on /var\n09:02 retry\n\
                   09:03 error again, this line is long enough to need wrapping on a narrow screen\n09:04 done\n";

#[test]
fn viewer_search_highlights_every_match_and_notes_the_wrap() {
    let (mut state, _) = viewing(LOG, 60, 10);
    press(&mut state, KeyCode::Char('/'));
    typed(&mut state, "error");
    let prompt = screen(&state, 60, 10);
    press(&mut state, KeyCode::Enter);
    press(&mut state, KeyCode::Char('n'));
    press(&mut state, KeyCode::Char('n'));
    let text = screen(&state, 60, 10);
    assert!(text.contains("search wrapped to the top"), "{text}");
    // The matches (either case) carry the theme's search_match style.
    let buffer = draw(&state, 60, 10);
    let matched = state.theme.search_match;
    let row = (0..10).find(|&y| buffer[(6, y)].symbol() == "E").unwrap();
    for x in 6..11 {
        assert_eq!(buffer[(x, row)].bg, matched.bg.unwrap(), "column {x}");
    }
    assert_ne!(buffer[(12, row)].bg, matched.bg.unwrap());
    insta::assert_snapshot!(format!("{prompt}\n{text}"));
}

#[test]
fn viewer_cuts_long_lines_and_wraps_them_with_w() {
    let (mut state, _) = viewing(LOG, 40, 10);
    let cut = screen(&state, 40, 10);
    assert!(cut.contains("09:03 error again, this line is long en…"), "{cut}");
    press(&mut state, KeyCode::Char('w'));
    let wrapped = screen(&state, 40, 10);
    assert!(wrapped.contains("\"ugh to need wrapping on a narrow screen "), "{wrapped}");
    insta::assert_snapshot!(format!("{cut}\n{wrapped}"));
}

#[test]
fn viewer_go_to_line_prompt_then_the_line_at_the_top() {
    let text: String = (1..=30).map(|i| format!("row {i}\n")).collect();
    let (mut state, _) = viewing(&text, 40, 8);
    press(&mut state, KeyCode::Char(':'));
    typed(&mut state, "12");
    let prompt = screen(&state, 40, 8);
    assert!(prompt.contains("line: 12"), "{prompt}");
    press(&mut state, KeyCode::Enter);
    let jumped = screen(&state, 40, 8);
    assert!(jumped.lines().nth(1).unwrap().contains("row 12"), "{jumped}");
    insta::assert_snapshot!(format!("{prompt}\n{jumped}"));
}

#[test]
fn viewer_follow_shows_that_it_follows_and_the_new_lines() {
    let (mut state, token) = viewing("one\ntwo\n", 76, 8);
    let effects = app::update(&mut state, Msg::Key(KeyEvent::new(KeyCode::Char('F'), KeyModifiers::SHIFT)));
    let [Effect::Follow { generation, .. }] = effects.as_slice() else { panic!("{effects:?}") };
    let grown = Msg::Followed { token, generation: *generation, result: Ok((b"three\n".to_vec(), 14)) };
    app::update(&mut state, grown);
    let text = screen(&state, 76, 8);
    assert!(text.contains("following (any key stops)") && text.contains("three"), "{text}");
    press(&mut state, KeyCode::Char('x'));
    let stopped = screen(&state, 76, 8);
    assert!(stopped.contains("follow stopped") && !stopped.contains("following"), "{stopped}");
    insta::assert_snapshot!(format!("{text}\n{stopped}"));
}

fn alt(state: &mut State, c: char) {
    app::update(state, Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::ALT)));
}

#[test]
fn help_lists_the_focused_panels_keys_wrapped_and_scrolls_to_the_end() {
    let mut state = state(56, 24);
    alt(&mut state, 'j');
    press(&mut state, KeyCode::F(1));
    let jobs = screen(&state, 56, 24);
    assert!(jobs.contains("keys of the jobs panel"), "{jobs}");
    // "The selected job's failed items and events, or its overwrite
    // question" is longer than the column: it goes on, whole.
    assert!(jobs.contains("and events, or its overwrite ") && jobs.contains("  question  "), "{jobs}");
    press(&mut state, KeyCode::End);
    let end = screen(&state, 56, 24);
    assert!(end.contains("Back to the panes"), "{end}");
    press(&mut state, KeyCode::Esc);
    alt(&mut state, 'l');
    press(&mut state, KeyCode::F(1));
    let log = screen(&state, 56, 24);
    assert!(log.contains("keys of the log panel") && log.contains("The entry at the bottom whole"), "{log}");
    insta::assert_snapshot!(format!("{jobs}\n{end}\n{log}"));
}

#[test]
fn help_over_a_dialog_lists_the_dialog_keys() {
    let mut state = state(60, 20);
    press(&mut state, KeyCode::F(7));
    press(&mut state, KeyCode::F(1));
    let text = screen(&state, 60, 20);
    assert!(text.contains("keys in dialogs"), "{text}");
    insta::assert_snapshot!(text);
}

/// Cells of `line` (a row of the TestBackend's text) before `needle`.
fn cells_before(line: &str, needle: char) -> Option<usize> {
    line.trim_matches('"').split_once(needle).map(|(before, _)| width(before))
}

#[test]
fn zwj_emoji_names_keep_the_columns_and_the_dialog_border_aligned() {
    let mut state = state(80, 14);
    let text = screen(&state, 80, 14);
    let rows: Vec<&str> = text.lines().filter(|l| l.contains(" B ") || l.contains("KiB")).collect();
    let family = text.lines().find(|l| l.contains(FAMILY)).unwrap();
    let rainbow = text.lines().find(|l| l.contains(RAINBOW)).unwrap();
    let plain = text.lines().find(|l| l.contains("plain.txt")).unwrap();
    // The middle border of the screen and the size column end in the same
    // cell on every row.
    let border = cells_before(plain, '│').unwrap();
    for line in [family, rainbow] {
        let inner = line.trim_matches('"');
        let second = inner[inner.find('│').unwrap() + '│'.len_utf8()..].find('│').unwrap();
        let plain_inner = plain.trim_matches('"');
        let plain_second = plain_inner[plain_inner.find('│').unwrap() + '│'.len_utf8()..].find('│').unwrap();
        let cells = width(&inner[..inner.find('│').unwrap() + 3 + second]);
        let plain_cells = width(&plain_inner[..plain_inner.find('│').unwrap() + 3 + plain_second]);
        assert_eq!(cells, plain_cells, "{line}\n{plain}");
        assert_eq!(cells_before(line, '│'), Some(border));
    }
    assert!(!rows.is_empty());
    // The delete question names the file inside its border.
    press(&mut state, KeyCode::End);
    press(&mut state, KeyCode::F(8));
    let dialog = screen(&state, 80, 14);
    let name_line = dialog.lines().find(|l| l.contains(&format!("/var/log/{FAMILY} family"))).unwrap();
    let top_at = dialog.lines().position(|l| l.contains("┌ Delete")).unwrap();
    let top = dialog.lines().nth(top_at).unwrap();
    // The dialog's right border: the second-last vertical line of the row.
    let right = |l: &str, corner: char| {
        let t = l.trim_matches('"');
        let last = t.rfind('│')?;
        t[..last].rfind(corner).map(|at| width(&t[..at]))
    };
    assert_eq!(right(name_line, '│'), right(top, '┐'), "{dialog}");
    // Every row of the dialog has its left border in the same cell, even
    // where a wide emoji of the pane lay across it.
    let bottom_at = dialog.lines().position(|l| l.contains('┘') && l.contains('└')).unwrap();
    let inner_left = |l: &str| {
        let t = l.trim_matches('"');
        let after = &t[t.find('│')? + '│'.len_utf8()..];
        after.find(['│', '┌', '└']).map(|at| 1 + width(&after[..at]))
    };
    let borders: Vec<Option<usize>> =
        dialog.lines().take(bottom_at + 1).skip(top_at).map(inner_left).collect();
    assert!(borders.iter().all(|b| *b == borders[0]), "{borders:?}\n{dialog}");
    insta::assert_snapshot!(format!("{text}\n{dialog}"));
}

#[test]
fn a_dangling_symlink_has_its_own_style() {
    let state = state(70, 12);
    let buffer = draw(&state, 70, 12);
    let row_of = |start: &str| (0..12).find(|&y| buffer[(2, y)].symbol() == start).unwrap();
    let (good, gone) = (row_of("c"), row_of("g"));
    let theme = &state.theme;
    assert_eq!(buffer[(3, gone)].fg, theme.dangling.fg.unwrap());
    assert_eq!(buffer[(3, good)].fg, theme.symlink.fg.unwrap());
    assert_ne!(theme.dangling.fg, theme.symlink.fg);
    let text = screen(&state, 70, 12);
    assert!(text.contains("gone -> nowhere"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn log_entry_view_shows_one_entry_whole_with_host_job_and_time() {
    let mut state = state(60, 24);
    let long = "scp: /srv/data/reports/2025/november/quarterly summary final (2).xlsx: \
                Permission denied while opening the target for writing";
    let time = jiff::Timestamp::from_second(1_763_700_000).unwrap();
    let events = vec![
        Event::info("copy started").host("web1").job(4).at(time),
        Event::error(long).host("web1").job(4).at(time),
    ];
    app::update(&mut state, Msg::Log(events));
    alt(&mut state, 'l');
    let panel = screen(&state, 60, 24);
    assert!(!panel.contains("Permission denied"), "{panel}");
    press(&mut state, KeyCode::Char('w'));
    let wrapped = screen(&state, 60, 24);
    assert!(
        wrapped.contains("Permission denied whil")
            && wrapped.contains("│e opening the target for writing")
            && wrapped.contains("· wrap"),
        "{wrapped}"
    );
    press(&mut state, KeyCode::Char('w'));
    press(&mut state, KeyCode::Enter);
    let entry = screen(&state, 60, 24);
    assert!(entry.contains("2025-11-21 04:40:00 error · web1 · job 4"), "{entry}");
    assert!(entry.contains("Permission denied while opening"), "{entry}");
    insta::assert_snapshot!(format!("{panel}\n{wrapped}\n{entry}"));
}
