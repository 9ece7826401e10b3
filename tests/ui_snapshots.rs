//! Whole-screen snapshots of ratatui's TestBackend: the main screen at
//! several sizes, every dialog, the host picker, help, and each theme.

use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::mpsc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use scpdeck::app::dialog::{Counts, HostKeyQuestion, KbdPrompt, Question, Reply, ViewContent};
use scpdeck::app::{self, Effect, Msg, Side, State};
use scpdeck::config::{self, Config};
use scpdeck::fs::{Entry, Kind, LinkTarget, Location, Mtime};
use scpdeck::ui;

const DAY: i64 = 1_763_700_000; // 2025-11-21

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

fn left_entries() -> Vec<Entry> {
    let mut link = entry("latest", Kind::Symlink, 7, DAY);
    link.link = Some(LinkTarget { path: "release-2.0".into(), kind: Some(Kind::Dir), loops: false });
    let mut script = entry("build.sh", Kind::File, 300, DAY);
    script.mode = 0o755;
    vec![
        entry("notes.md", Kind::File, 1536, DAY),
        entry("src", Kind::Dir, 4096, DAY - 86_400),
        entry("archive.tar.gz", Kind::File, 734_003_200, DAY - 400 * 86_400),
        link,
        script,
        entry("日本語のファイル名.txt", Kind::File, 12, DAY),
        entry("rocket 🚀 launch plan with a very long name.pdf", Kind::File, 5_000_000, DAY),
        entry("evil\x1b[2Jname\n", Kind::File, 3, DAY),
        entry("pipe", Kind::Fifo, 0, DAY),
    ]
}

fn with_config(width: u16, height: u16, config: Config) -> State {
    let mut state = State::with_config(
        Location::Local(PathBuf::from("/home/alice/projects")),
        Location::Local(PathBuf::from("/home/alice")),
        jiff::tz::TimeZone::UTC,
        config,
    );
    state.home = PathBuf::from("/home/alice");
    app::update(&mut state, Msg::Resize { width, height });
    let effects = app::start(&mut state);
    let right = vec![entry(".bashrc", Kind::File, 3771, DAY), entry("projects", Kind::Dir, 4096, DAY)];
    for (effect, entries) in effects.into_iter().zip([left_entries(), right]) {
        let Effect::List { side, generation, .. } = effect else { panic!("{effect:?}") };
        app::update(&mut state, Msg::Listed { side, generation, result: Ok(entries) });
        let location = state.pane(side).location.clone();
        app::update(&mut state, Msg::FreeSpace { side, location, result: Ok(52 * 1024 * 1024 * 1024) });
        // Off the `..` row a listing starts on, onto the first entry.
        state.pane_mut(side).move_by(1);
    }
    state
}

fn first_screen(width: u16, height: u16) -> State {
    with_config(width, height, Config::default())
}

fn press(state: &mut State, code: KeyCode) -> Vec<Effect> {
    app::update(state, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn ctrl(state: &mut State, c: char) -> Vec<Effect> {
    app::update(state, Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)))
}

fn type_text(state: &mut State, text: &str) {
    for c in text.chars() {
        press(state, KeyCode::Char(c));
    }
}

#[test]
fn main_screen_100x30_with_selection_and_free_space() {
    let mut state = first_screen(100, 30);
    press(&mut state, KeyCode::Down);
    press(&mut state, KeyCode::Insert);
    press(&mut state, KeyCode::Insert);
    insta::assert_snapshot!(screen(&state, 100, 30));
}

#[test]
fn a_failed_free_space_read_shows_as_unknown_in_the_footer() {
    let mut state = first_screen(100, 30);
    let location = state.pane(Side::Right).location.clone();
    let action = "read the free space of /home/alice".to_owned();
    let error = scpdeck::fs::FsError::Exec { action, detail: "statvfs: Input/output error".into() };
    app::update(
        &mut state,
        Msg::FreeSpace { side: Side::Right, location, result: Err(app::WorkError::Fs(error)) },
    );
    let screen = screen(&state, 100, 30);
    let footers: Vec<&str> = screen.lines().filter(|l| l.contains(" free")).collect();
    assert_eq!(footers.len(), 1, "{screen}");
    assert!(footers[0].contains("52 GiB free") && footers[0].contains("free space unknown"), "{screen}");
}

#[test]
fn main_screen_80x24() {
    insta::assert_snapshot!(screen(&first_screen(80, 24), 80, 24));
}

#[test]
fn main_screen_narrow_40x15() {
    insta::assert_snapshot!(screen(&first_screen(40, 15), 40, 15));
}

#[test]
fn cjk_and_emoji_names_line_up_and_are_cut_at_a_character_boundary() {
    let mut state = first_screen(70, 15);
    press(&mut state, KeyCode::Tab);
    let mut terminal = Terminal::new(TestBackend::new(70, 15)).unwrap();
    terminal.draw(|frame| ui::render(&state, frame)).unwrap();
    let buffer = terminal.backend().buffer().clone();
    // The column where the size ends, per row, found in the cells themselves.
    let size_end = |row: u16| (0..35).rev().find(|&x| buffer[(x, row)].symbol() == "B").unwrap();
    let row_of = |start: &str| (0..15).find(|&y| buffer[(2, y)].symbol() == start).unwrap();
    let (cjk, ascii, emoji) = (row_of("日"), row_of("n"), row_of("r"));
    assert_eq!(size_end(cjk), size_end(ascii), "wide characters count as two cells");
    assert_eq!(size_end(emoji), size_end(ascii));
    let text = screen(&state, 70, 15);
    let rocket = text.lines().find(|l| l.contains("rocket")).unwrap();
    assert!(rocket.contains("rocket 🚀 launch pla…"), "{rocket}");
    insta::assert_snapshot!(text);
}

#[test]
fn control_characters_never_reach_the_terminal() {
    let state = first_screen(100, 20);
    let text = screen(&state, 100, 20);
    assert!(text.contains("evil\\e[2Jname\\n"));
    assert!(!text.contains('\x1b'));
}

#[test]
fn focus_moves_to_the_right_pane_with_hidden_files_and_sync() {
    let mut state = first_screen(80, 12);
    press(&mut state, KeyCode::Tab);
    press(&mut state, KeyCode::Char('.'));
    ctrl(&mut state, 's');
    assert_eq!(state.focus, Side::Right);
    insta::assert_snapshot!(screen(&state, 80, 12));
}

#[test]
fn filter_typed_in_the_pane_footer() {
    let mut state = first_screen(80, 14);
    press(&mut state, KeyCode::Char('/'));
    type_text(&mut state, "ar");
    insta::assert_snapshot!(screen(&state, 80, 14));
}

#[test]
fn sorted_by_size_descending_with_a_directory_size() {
    let mut state = first_screen(90, 14);
    app::update(&mut state, Msg::Key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::ALT)));
    app::update(&mut state, Msg::Key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::ALT)));
    let location = Location::Local(PathBuf::from("/home/alice/projects/src"));
    app::update(&mut state, Msg::DirSize { side: Side::Left, location, result: Ok(123_456_789) });
    insta::assert_snapshot!(screen(&state, 90, 14));
}

#[test]
fn dialog_mkdir() {
    let mut state = first_screen(80, 20);
    press(&mut state, KeyCode::F(7));
    type_text(&mut state, "new/sub dir");
    insta::assert_snapshot!(screen(&state, 80, 20));
}

#[test]
fn dialog_rename_with_an_error() {
    let mut state = first_screen(80, 20);
    // shift-F6 renames in place (F6 moves to the other pane).
    app::update(&mut state, Msg::Key(KeyEvent::new(KeyCode::F(6), KeyModifiers::SHIFT)));
    ctrl(&mut state, 'u');
    press(&mut state, KeyCode::Enter);
    insta::assert_snapshot!(screen(&state, 80, 20));
}

#[test]
fn dialog_go_to_with_completions() {
    let mut state = first_screen(80, 20);
    let effects = ctrl(&mut state, 'g');
    type_text(&mut state, "s");
    let _ = effects;
    let token = match state.dialogs.last() {
        Some(app::Dialog::Input(dialog)) => dialog.token,
        other => panic!("{other:?}"),
    };
    app::update(
        &mut state,
        Msg::Completed { token, result: vec!["src".into(), "scratch".into(), "site".into()] },
    );
    insta::assert_snapshot!(screen(&state, 80, 20));
}

#[test]
fn dialog_select_glob_and_bookmark() {
    let mut state = first_screen(80, 16);
    press(&mut state, KeyCode::Char('+'));
    let glob = screen(&state, 80, 16);
    press(&mut state, KeyCode::Esc);
    press(&mut state, KeyCode::Char('b'));
    insta::assert_snapshot!(format!("{glob}\n{}", screen(&state, 80, 16)));
}

#[test]
fn dialog_delete_counting_then_counted() {
    let mut state = first_screen(80, 20);
    press(&mut state, KeyCode::Insert);
    press(&mut state, KeyCode::Insert);
    let effects = press(&mut state, KeyCode::F(8));
    let counting = screen(&state, 80, 20);
    let [Effect::Count { token, .. }] = effects.as_slice() else { panic!("{effects:?}") };
    let counts = Counts { files: 1234, dirs: 56, bytes: 7_890_123, ..Counts::default() };
    app::update(&mut state, Msg::Counted { token: *token, result: Ok(counts) });
    insta::assert_snapshot!(format!("{counting}\n{}", screen(&state, 80, 20)));
}

#[test]
fn viewer_text_and_hex() {
    let mut state = first_screen(80, 12);
    for _ in 0..5 {
        press(&mut state, KeyCode::Down);
    }
    let effects = press(&mut state, KeyCode::F(3));
    let [Effect::View { token, .. }] = effects.as_slice() else { panic!("{effects:?}") };
    let text = b"# Notes\n\tindented with a tab\nescape \x1b[31m here\n\xff invalid utf-8\n".to_vec();
    app::update(&mut state, Msg::Viewed { token: *token, result: Ok(ViewContent::new(text, 10_000_000)) });
    let as_text = screen(&state, 80, 12);
    press(&mut state, KeyCode::Char('h'));
    insta::assert_snapshot!(format!("{as_text}\n{}", screen(&state, 80, 12)));
}

#[test]
fn help_lists_the_keymap_in_effect() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(config::KEYMAP_FILE), "[bindings]\nrefresh = [\"f11\", \"ctrl-r\"]\n")
        .unwrap();
    let config = config::load(Some(dir.path()), None);
    let mut state = with_config(100, 30, config);
    press(&mut state, KeyCode::F(1));
    let text = screen(&state, 100, 30);
    assert!(text.contains("f11, ctrl-r"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn menu() {
    let mut state = first_screen(80, 24);
    press(&mut state, KeyCode::F(9));
    press(&mut state, KeyCode::Down);
    insta::assert_snapshot!(screen(&state, 80, 24));
}

/// The host picker with a bookmark, a recent host and three ssh config
/// hosts; returns the request to resolve them.
fn picker(state: &mut State) -> Vec<Effect> {
    state.bookmarks =
        vec![config::Bookmark { name: "web logs".into(), target: "alice@web1:/var/log".into() }];
    state.recent = config::Recent {
        hosts: vec!["root@db.internal".into(), "10.0.0.9:2222".into()],
        typed: vec!["10.0.0.9:2222".into()],
    };
    state.recent_dirs.insert("root@db.internal".into(), PathBuf::from("/var/lib/postgresql"));
    let effects = press(state, KeyCode::F(2));
    let [Effect::LoadSshHosts { token }] = effects.as_slice() else { panic!("{effects:?}") };
    let hosts = [("build-server", 3), ("web1", 8), ("web2", 8)]
        .iter()
        .map(|(h, line)| (h.to_string(), format!("~/.ssh/config:{line}")))
        .collect();
    app::update(state, Msg::SshHosts { token: *token, hosts })
}

#[test]
fn host_picker_all_sources_then_filtered() {
    let mut state = first_screen(90, 22);
    picker(&mut state);
    let all = screen(&state, 90, 22);
    type_text(&mut state, "web");
    insta::assert_snapshot!(format!("{all}\n{}", screen(&state, 90, 22)));
}

#[test]
fn host_picker_shows_user_host_port_and_takes_a_typed_port() {
    let mut state = first_screen(90, 22);
    let effects = picker(&mut state);
    let [Effect::ResolveHosts { token, hosts }] = effects.as_slice() else { panic!("{effects:?}") };
    assert_eq!(hosts, &["alice@web1", "root@db.internal", "10.0.0.9:2222", "build-server", "web1", "web2"]);
    let addresses = [
        ("alice@web1", "alice@10.0.0.5:22"),
        ("root@db.internal", "root@db.internal:22"),
        ("10.0.0.9:2222", "alice@10.0.0.9:2222"),
        ("build-server", "ci@build.example.org:2200"),
        ("web1", "deploy@10.0.0.5:22"),
        ("web2", "deploy@[2001:db8::6]:2222"),
    ];
    let addresses = addresses.iter().map(|(h, a)| (h.to_string(), a.to_string())).collect();
    app::update(&mut state, Msg::HostAddresses { token: *token, addresses });
    let resolved = screen(&state, 90, 22);
    type_text(&mut state, "alice@web2:2200");
    let typed = screen(&state, 90, 22);
    assert!(typed.contains("Enter connects to alice@web2:2200"), "{typed}");
    insta::assert_snapshot!(format!("{resolved}\n{typed}"));
    let effects = press(&mut state, KeyCode::Enter);
    assert!(
        matches!(effects.first(), Some(Effect::Connect { host, .. }) if host == "alice@web2:2200"),
        "{effects:?}"
    );
}

#[test]
fn host_picker_edit_form_and_read_only_ssh_config_entries() {
    let mut state = first_screen(90, 22);
    picker(&mut state);
    // An ssh_config entry cannot be edited: the status line says where it is written.
    type_text(&mut state, "build");
    press(&mut state, KeyCode::F(4));
    let refused = screen(&state, 90, 22);
    assert!(refused.contains("~/.ssh/config:3"), "{refused}");
    for _ in 0..5 {
        press(&mut state, KeyCode::Backspace);
    }
    type_text(&mut state, "db.internal");
    press(&mut state, KeyCode::F(4));
    insta::assert_snapshot!(format!("{refused}\n{}", screen(&state, 90, 22)));
}

#[test]
fn pane_with_dot_dot_and_a_long_path_cut_from_the_left() {
    let mut state = first_screen(80, 16);
    let deep = "/home/alice/projects/client-2025/infrastructure/terraform/modules/networking/vpc";
    let effects = app::open_target(&mut state, Side::Left, app::Target::Local(PathBuf::from(deep)));
    let Some(Effect::List { side, generation, .. }) = effects.first() else { panic!("{effects:?}") };
    let entries = vec![entry("main.tf", Kind::File, 2048, DAY), entry("peering", Kind::Dir, 4096, DAY)];
    app::update(&mut state, Msg::Listed { side: *side, generation: *generation, result: Ok(entries) });
    let shown = screen(&state, 80, 16);
    let title = shown.lines().next().unwrap();
    assert!(title.starts_with("\"┌ …/") && title.contains("/networking/vpc ─"), "{title}");
    assert!(shown.contains("UP--DIR"), "{shown}");
    // The root has no `..`.
    let effects = app::open_target(&mut state, Side::Right, app::Target::Local(PathBuf::from("/")));
    let Some(Effect::List { side, generation, .. }) = effects.first() else { panic!("{effects:?}") };
    let entries = vec![entry("etc", Kind::Dir, 4096, DAY)];
    app::update(&mut state, Msg::Listed { side: *side, generation: *generation, result: Ok(entries) });
    let root = screen(&state, 80, 16);
    // A remote pane keeps its host in front of the path's end.
    let far = Location::Remote {
        host: "deploy@build.example.org:2222".into(),
        path: PathBuf::from("/srv/releases/2025/november/artifacts/linux-x86_64"),
    };
    let generation = state.pane_mut(Side::Right).request(far, None, app::Nav::Visit);
    let entries = vec![entry("app.tar.zst", Kind::File, 9_000_000, DAY)];
    app::update(&mut state, Msg::Listed { side: Side::Right, generation, result: Ok(entries) });
    let narrow = screen(&state, 80, 16);
    let title = narrow.lines().next().unwrap();
    assert!(title.contains("deploy@build.") && title.contains("/linux-x86_64 ─"), "{title}");
    assert!(!title.contains("……"), "one … for one gap: {title}");
    let wide = screen(&state, 120, 16);
    let title = wide.lines().next().unwrap();
    assert!(
        title.contains("deploy@build.example.org:2222:…") && title.contains("/linux-x86_64 ─"),
        "{title}"
    );
    insta::assert_snapshot!(format!("{root}\n{narrow}\n{wide}"));
}

fn connecting(state: &mut State) -> u64 {
    picker(state);
    type_text(state, "build");
    let effects = press(state, KeyCode::Enter);
    let Some(Effect::Connect { id, .. }) = effects.first() else { panic!("{effects:?}") };
    app::update(state, Msg::ConnectStage { id: *id, stage: "authenticating as alice".into() });
    *id
}

#[test]
fn connecting_progress() {
    let mut state = first_screen(80, 16);
    connecting(&mut state);
    insta::assert_snapshot!(screen(&state, 80, 16));
}

fn ask(question: Question) -> String {
    let mut state = first_screen(80, 20);
    connecting(&mut state);
    let (tx, _rx) = mpsc::channel();
    app::update(&mut state, Msg::Prompt { question, reply: Reply::new(tx) });
    type_text(&mut state, "abc");
    screen(&state, 80, 20)
}

#[test]
fn prompt_password_and_passphrase() {
    let password = ask(Question::Password { host: "build-server".into(), user: "alice".into(), attempt: 2 });
    assert!(!password.contains("abc"), "secrets are never shown");
    let passphrase = ask(Question::Passphrase { key: "/home/alice/.ssh/id_ed25519".into(), attempt: 1 });
    insta::assert_snapshot!(format!("{password}\n{passphrase}"));
}

#[test]
fn prompt_sudo_password_is_masked() {
    let dialog =
        ask(Question::SudoPassword { host: "build-server".into(), user: "alice".into(), attempt: 1 });
    assert!(!dialog.contains("abc"), "secrets are never shown");
    insta::assert_snapshot!(dialog);
}

/// The picker's "as root" toggle (alt-a) marks the highlighted host and
/// opens it as root; `[hosts."web2"] sudo = true` marks web2 from the start.
#[test]
fn host_picker_toggles_as_root_per_host() {
    let mut config = Config::default();
    config.settings.hosts.insert("web2".into(), config::HostSettings { sudo: true, ..Default::default() });
    let mut state = with_config(90, 22, config);
    picker(&mut state);
    type_text(&mut state, "build");
    app::update(&mut state, Msg::Key(KeyEvent::new(KeyCode::Char('a'), KeyModifiers::ALT)));
    for _ in 0.."build".len() {
        press(&mut state, KeyCode::Backspace);
    }
    let marked = screen(&state, 90, 22);
    insta::assert_snapshot!(marked);
    type_text(&mut state, "build");
    let effects = press(&mut state, KeyCode::Enter);
    assert!(
        matches!(effects.first(), Some(Effect::Connect { host, .. }) if host == "build-server [sudo]"),
        "{effects:?}"
    );
}

/// A pane on a host used as root says so in its title; the menu's "as
/// root" entry on it opens the same directory as the login user again.
#[test]
fn a_pane_used_as_root_shows_it_and_the_menu_turns_it_off() {
    let mut state = first_screen(80, 16);
    picker(&mut state);
    type_text(&mut state, "build");
    app::update(&mut state, Msg::Key(KeyEvent::new(KeyCode::Char('a'), KeyModifiers::ALT)));
    assert!(state.wants_root("build-server"));
    let effects = press(&mut state, KeyCode::Enter);
    let Some(Effect::Connect { id, .. }) = effects.first() else { panic!("{effects:?}") };
    let id = *id;
    let effects = app::update(&mut state, Msg::Connected { id, result: Ok(PathBuf::from("/root")) });
    assert!(effects.iter().any(|e| matches!(e, Effect::List { .. })), "{effects:?}");
    let listing = effects.iter().find_map(|e| match e {
        Effect::List { side, generation, location } => Some((*side, *generation, location.clone())),
        _ => None,
    });
    let (side, generation, location) = listing.unwrap();
    assert_eq!(location, Location::Remote { host: "build-server [sudo]".into(), path: "/root".into() });
    let entries = vec![entry("secret.key", Kind::File, 64, DAY)];
    app::update(&mut state, Msg::Listed { side, generation, result: Ok(entries) });
    insta::assert_snapshot!(screen(&state, 80, 16));
    press(&mut state, KeyCode::F(9));
    let menu = screen(&state, 80, 16);
    assert!(menu.contains("as root through sudo"), "{menu}");
    press(&mut state, KeyCode::Esc);
    let effects = app::update(&mut state, Msg::Key(KeyEvent::new(KeyCode::Char('a'), KeyModifiers::ALT)));
    assert!(!state.wants_root("build-server"));
    assert!(
        matches!(effects.first(), Some(Effect::Connect { host, .. }) if host == "build-server"),
        "{effects:?}"
    );
}

#[test]
fn prompt_keyboard_interactive_with_hostile_text_escaped() {
    let question = Question::KeyboardInteractive {
        host: "build-server".into(),
        user: "alice".into(),
        name: "Two-factor\x1b]0;pwned\x07".into(),
        instruction: "Enter your code".into(),
        prompts: vec![
            KbdPrompt { text: "Verification code: ".into(), echo: true },
            KbdPrompt { text: "Password: ".into(), echo: false },
        ],
    };
    let text = ask(question);
    assert!(!text.contains('\x1b') && !text.contains('\x07'));
    insta::assert_snapshot!(text);
}

#[test]
fn prompt_unknown_host_key() {
    let question = Question::HostKey(HostKeyQuestion {
        host: "[127.0.0.1]:2222".into(),
        key_type: "ED25519".into(),
        fingerprint: "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s".into(),
        known_hosts_file: "/home/alice/.ssh/known_hosts".into(),
        known_key_types: vec!["RSA".into()],
    });
    insta::assert_snapshot!(ask(question));
}

#[test]
fn prompt_host_key_address_warning() {
    let question = Question::Confirm {
        host: "build-server".into(),
        text:
            "Warning: the ssh-ed25519 host key for 'build-server'\ndiffers from the key for the IP address \
               '192.0.2.7'\nOffending key for IP in /home/alice/.ssh/known_hosts:4\nMatching host key in \
               /home/alice/.ssh/known_hosts:3"
                .into(),
    };
    insta::assert_snapshot!(ask(question));
}

#[test]
fn prompt_server_message() {
    let question = Question::Message {
        host: "build-server".into(),
        text: "Authorized use only.\nAll activity is logged.".into(),
    };
    insta::assert_snapshot!(ask(question));
}

#[test]
fn each_theme_styles_the_screen() {
    for (name, _) in config::BUILT_IN_THEMES {
        let config = config::load(None, Some(name));
        assert!(config.problems.is_empty(), "{name}: {:?}", config.problems);
        let mut state = with_config(60, 9, config);
        press(&mut state, KeyCode::Insert);
        let mut terminal = Terminal::new(TestBackend::new(60, 9)).unwrap();
        terminal.draw(|frame| ui::render(&state, frame)).unwrap();
        insta::assert_debug_snapshot!(format!("theme_{name}"), terminal.backend().buffer());
    }
}

fn alt(state: &mut State, c: char) -> Vec<Effect> {
    app::update(state, Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::ALT)))
}

#[test]
fn dialog_chmod_octal_and_grid_on_a_directory() {
    let mut state = first_screen(80, 24);
    press(&mut state, KeyCode::Down);
    alt(&mut state, 'm');
    let octal = screen(&state, 80, 24);
    // Into the grid: group write on, then to setgid and on.
    for code in [KeyCode::Down, KeyCode::Down, KeyCode::Right, KeyCode::Char(' ')] {
        press(&mut state, code);
    }
    for code in [KeyCode::Down, KeyCode::Down, KeyCode::Char(' '), KeyCode::Down, KeyCode::Char(' ')] {
        press(&mut state, code);
    }
    let grid = screen(&state, 80, 24);
    assert!(grid.contains("rwxrwsr-x") && grid.contains("[x] Recursive"), "{grid}");
    insta::assert_snapshot!(format!("{octal}\n{grid}"));
}

#[test]
fn dialog_chmod_of_several_files_with_an_error() {
    let mut state = first_screen(80, 22);
    for _ in 0..3 {
        press(&mut state, KeyCode::Insert);
    }
    press(&mut state, KeyCode::Down);
    alt(&mut state, 'm');
    for _ in 0..4 {
        press(&mut state, KeyCode::Backspace);
    }
    press(&mut state, KeyCode::Enter);
    insta::assert_snapshot!(screen(&state, 80, 22));
}

#[test]
fn dialog_chown_with_a_hostile_owner_name_escaped() {
    let mut state = first_screen(80, 18);
    let mut odd = entry("odd-owner", Kind::File, 1, DAY);
    odd.owner = "evil\x1b]0;x\x07".into();
    let effects = ctrl(&mut state, 'r');
    for effect in effects {
        if let Effect::List { side, generation, .. } = effect {
            let entries = match side {
                Side::Left => vec![odd.clone(), entry("src", Kind::Dir, 4096, DAY)],
                Side::Right => vec![entry("projects", Kind::Dir, 4096, DAY)],
            };
            app::update(&mut state, Msg::Listed { side, generation, result: Ok(entries) });
        }
    }
    press(&mut state, KeyCode::Down);
    alt(&mut state, 'u');
    press(&mut state, KeyCode::Tab);
    type_text(&mut state, ":x");
    press(&mut state, KeyCode::Enter);
    let text = screen(&state, 80, 18);
    assert!(!text.contains('\x1b') && !text.contains('\x07'), "{text}");
    assert!(text.contains("evil\\e]0;x\\x07"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn dialog_symlink_to_the_other_panes_entry() {
    let mut state = first_screen(80, 16);
    press(&mut state, KeyCode::Tab);
    press(&mut state, KeyCode::Down);
    press(&mut state, KeyCode::Tab);
    alt(&mut state, 'k');
    let prefilled = screen(&state, 80, 16);
    press(&mut state, KeyCode::Tab);
    ctrl(&mut state, 'u');
    type_text(&mut state, "../relative target");
    press(&mut state, KeyCode::Tab);
    ctrl(&mut state, 'u');
    type_text(&mut state, "src");
    press(&mut state, KeyCode::Enter);
    insta::assert_snapshot!(format!("{prefilled}\n{}", screen(&state, 80, 16)));
}

#[test]
fn dialog_touch_refuses_an_existing_name() {
    let mut state = first_screen(80, 14);
    app::update(&mut state, Msg::Key(KeyEvent::new(KeyCode::F(4), KeyModifiers::SHIFT)));
    type_text(&mut state, "notes.md");
    press(&mut state, KeyCode::Enter);
    insta::assert_snapshot!(screen(&state, 80, 14));
}

#[test]
fn the_smallest_terminal_draws_the_panes_and_a_smaller_one_a_notice() {
    use scpdeck::app::layout::{MIN_HEIGHT, MIN_WIDTH};
    let state = first_screen(MIN_WIDTH, MIN_HEIGHT);
    insta::assert_snapshot!("smallest_terminal", screen(&state, MIN_WIDTH, MIN_HEIGHT));
    for (width, height) in [(MIN_WIDTH - 1, MIN_HEIGHT), (MIN_WIDTH, MIN_HEIGHT - 1), (12, 3)] {
        let state = first_screen(width, height);
        let text = screen(&state, width, height);
        assert!(text.contains("Terminal too"), "{width}x{height}:\n{text}");
        assert!(!text.contains("notes.md"), "no pane drawn at {width}x{height}:\n{text}");
    }
    insta::assert_snapshot!(
        "too_small_notice",
        screen(&first_screen(MIN_WIDTH - 1, MIN_HEIGHT), MIN_WIDTH - 1, MIN_HEIGHT)
    );
}

/// The compare (alt-c) or synchronize (alt-y) dialog opened, Enter
/// pressed: the scan's token.
fn scan(state: &mut State, c: char) -> u64 {
    app::update(state, Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::ALT)));
    let effects = press(state, KeyCode::Enter);
    effects.iter().find_map(|e| if let Effect::Scan { token, .. } = e { Some(*token) } else { None }).unwrap()
}

fn differences() -> Vec<scpdeck::sync::Difference> {
    use scpdeck::sync::{Difference, End, Node, Why};
    let file = |size, mtime| Some(Node { kind: Kind::File, size, mtime, mode: 0o644 });
    let dir = Some(Node { kind: Kind::Dir, size: 0, mtime: 0, mode: 0o755 });
    vec![
        Difference {
            path: ".bashrc".into(),
            left: None,
            right: file(3771, DAY),
            why: Why::OnlyIn(End::Right),
        },
        Difference {
            path: "build.sh".into(),
            left: file(300, DAY),
            right: file(300, DAY - 5),
            why: Why::NewerIn(End::Left),
        },
        Difference {
            path: "notes.md".into(),
            left: file(1536, DAY),
            right: file(99, DAY),
            why: Why::SizeDiffers,
        },
        Difference { path: "projects".into(), left: None, right: dir, why: Why::OnlyIn(End::Right) },
        Difference {
            path: "src/main.rs".into(),
            left: file(10, DAY),
            right: file(10, DAY),
            why: Why::ContentDiffers,
        },
    ]
}

#[test]
fn compare_marks_and_selects_in_both_panes() {
    let mut state = first_screen(120, 24);
    let token = scan(&mut state, 'c');
    insta::assert_snapshot!("compare_scanning", screen(&state, 120, 24));
    app::update(&mut state, Msg::Scanned { token, result: Ok(differences()) });
    insta::assert_snapshot!(screen(&state, 120, 24));
}

#[test]
fn synchronize_dialog_and_preview() {
    let mut state = first_screen(100, 30);
    app::update(&mut state, Msg::Key(KeyEvent::new(KeyCode::Char('y'), KeyModifiers::ALT)));
    insta::assert_snapshot!("synchronize_options", screen(&state, 100, 30));
    let effects = press(&mut state, KeyCode::Enter);
    let token =
        effects.iter().find_map(|e| if let Effect::Scan { token, .. } = e { Some(*token) } else { None });
    app::update(&mut state, Msg::Scanned { token: token.unwrap(), result: Ok(differences()) });
    press(&mut state, KeyCode::Down);
    press(&mut state, KeyCode::Char(' '));
    insta::assert_snapshot!("synchronize_preview", screen(&state, 100, 30));
    app::update(&mut state, Msg::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)));
    let token = scan(&mut state, 'y');
    app::update(&mut state, Msg::Scanned { token, result: Ok(Vec::new()) });
    insta::assert_snapshot!("synchronize_nothing_to_do", screen(&state, 100, 30));
}

fn open_find(state: &mut State) {
    app::update(state, Msg::Key(KeyEvent::new(KeyCode::Char('?'), KeyModifiers::ALT)));
}

#[test]
fn dialog_find_form_with_an_error() {
    let mut state = first_screen(80, 24);
    open_find(&mut state);
    type_text(&mut state, "*.log");
    press(&mut state, KeyCode::Tab);
    press(&mut state, KeyCode::Char(' '));
    press(&mut state, KeyCode::Tab);
    press(&mut state, KeyCode::Tab);
    press(&mut state, KeyCode::Right);
    press(&mut state, KeyCode::Tab);
    type_text(&mut state, "10k");
    press(&mut state, KeyCode::Tab);
    press(&mut state, KeyCode::Tab);
    type_text(&mut state, "soon");
    press(&mut state, KeyCode::Enter);
    insta::assert_snapshot!(screen(&state, 80, 24));
}

#[test]
fn find_results_while_searching_then_done() {
    use scpdeck::fs::{FindEnd, Found};
    let mut state = first_screen(80, 20);
    open_find(&mut state);
    type_text(&mut state, "log");
    let effects = press(&mut state, KeyCode::Enter);
    let [Effect::Find { token, .. }] = effects.as_slice() else { panic!("{effects:?}") };
    let token = *token;
    let found = |path: &str, kind: Kind, size: u64| Found {
        path: PathBuf::from(path),
        kind,
        size,
        mtime: Mtime { secs: DAY, nanos: 0 },
    };
    let batch = vec![
        found("/home/alice/projects/build.log", Kind::File, 2048),
        found("/home/alice/projects/logs", Kind::Dir, 4096),
        found("/home/alice/projects/src/evil\x1b[2J\n.log", Kind::File, 3),
        found("/home/alice/projects/latest.log", Kind::Symlink, 9),
    ];
    app::update(&mut state, Msg::Found { token, batch });
    press(&mut state, KeyCode::Insert);
    let searching = screen(&state, 80, 20);
    let batch = (0..20)
        .map(|i| found(&format!("/home/alice/projects/old/{i:02}.log"), Kind::File, i * 1000))
        .collect();
    app::update(&mut state, Msg::Found { token, batch });
    let warnings = vec!["find: '/home/alice/projects/private': Permission denied".into()];
    app::update(&mut state, Msg::FindEnded { token, result: Ok(FindEnd { tool: "find -printf", warnings }) });
    press(&mut state, KeyCode::End);
    insta::assert_snapshot!(format!("{searching}\n{}", screen(&state, 80, 20)));
}
