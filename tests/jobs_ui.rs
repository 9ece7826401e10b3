//! The transfer interface, pure: the copy dialog and the job it queues, the
//! jobs and log panels and their keys, the overwrite question (which never
//! opens by itself), job details; snapshots with ratatui's TestBackend; and
//! one copy end to end with the real binary in tmux.

mod support;

use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use scpdeck::app::dialog::{CopyField, Counts, Dialog};
use scpdeck::app::{self, Effect, Msg, Side, State};
use scpdeck::config::Config;
use scpdeck::eventlog::Event;
use scpdeck::fs::remote::{BannerNote, Capabilities};
use scpdeck::fs::{Entry, Kind, Location, Mtime};
use scpdeck::jobs::{
    Control, FailedItem, ItemId, JobId, JobSpec, JobState, JobView, Limits, Mode, OverwriteAnswer,
    OverwritePolicy, Progress, Question, QueueView, ResumedItem, TargetKind,
};
use scpdeck::shell::Banner;
use scpdeck::ui;

const DAY: i64 = 1_763_700_000; // 2025-11-21

fn entry(name: &str, kind: Kind, size: u64) -> Entry {
    Entry {
        name: OsString::from(name),
        kind,
        size,
        mode: if kind == Kind::Dir { 0o755 } else { 0o644 },
        mtime: Mtime { secs: DAY, nanos: 0 },
        owner: "alice".into(),
        group: "staff".into(),
        link: None,
    }
}

fn remote(host: &str, path: &str) -> Location {
    Location::Remote { host: host.into(), path: PathBuf::from(path) }
}

fn state_with(left: Location, right: Location, width: u16, height: u16) -> State {
    let mut state = State::with_config(left, right, jiff::tz::TimeZone::UTC, Config::default());
    state.home = PathBuf::from("/home/alice");
    app::update(&mut state, Msg::Resize { width, height });
    let effects = app::start(&mut state);
    let lists = [
        vec![
            entry("photos", Kind::Dir, 4096),
            entry("notes.md", Kind::File, 1536),
            entry("big.iso", Kind::File, 3 << 30),
        ],
        vec![entry("backup", Kind::Dir, 4096)],
    ];
    for (effect, entries) in effects.into_iter().zip(lists) {
        if let Effect::List { side, generation, .. } = effect {
            app::update(&mut state, Msg::Listed { side, generation, result: Ok(entries) });
            // Off the `..` row, onto the first entry.
            state.pane_mut(side).move_by(1);
        }
    }
    state
}

fn local_state() -> State {
    state_with(Location::Local("/home/alice/work".into()), remote("web1", "/srv/backup"), 100, 30)
}

fn key(state: &mut State, code: KeyCode) -> Vec<Effect> {
    app::update(state, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn alt(state: &mut State, c: char) -> Vec<Effect> {
    app::update(state, Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::ALT)))
}

/// The one job control among `effects`.
fn control(effects: Vec<Effect>) -> Option<Control> {
    match effects.as_slice() {
        [Effect::Jobs(control)] => Some(control.clone()),
        _ => None,
    }
}

fn screen(state: &State) -> String {
    let (width, height) = state.size;
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| ui::render(state, frame)).unwrap();
    terminal.backend().to_string()
}

fn progress(bytes_done: u64, bytes_total: u64, files_done: usize, files_total: usize, rate: f64) -> Progress {
    let eta = (rate > 0.0).then(|| Duration::from_secs_f64((bytes_total - bytes_done) as f64 / rate));
    Progress { bytes_done, bytes_total, files_done, files_skipped: 0, files_total, rate, eta }
}

fn job(id: u64, state: JobState, title: &str, progress: Progress) -> JobView {
    JobView {
        id: JobId(id),
        title: title.into(),
        mode: Mode::Copy,
        state,
        progress,
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
        dest_host: Some("web1".into()),
        target: remote("web1", "/srv/backup"),
        source_dir: Some(Location::Local("/home/alice/work".into())),
    }
}

fn question() -> Question {
    Question {
        job: JobId(2),
        item: ItemId(4),
        name: "photos/2024/cat.jpg".into(),
        dest: "web1:/srv/backup/photos/2024/cat.jpg".into(),
        source_size: 2_400_000,
        source_mtime: Some(DAY),
        dest_size: 1_900_000,
        dest_mtime: Some(DAY - 86_400 * 30),
        more: 3,
    }
}

fn queue() -> QueueView {
    let mut running = job(
        1,
        JobState::Running,
        "copy 2 items from /home/alice/work → web1:/srv/backup",
        progress(700 << 20, 1 << 30, 412, 1000, 42.5 * 1024.0 * 1024.0),
    );
    running.current = Some("photos/2023/IMG_0412.jpg".into());
    running.connections = 4;
    let mut waiting = job(
        2,
        JobState::Waiting,
        "copy photos → web1:/srv/backup",
        progress(10 << 20, 80 << 20, 30, 120, 0.0),
    );
    waiting.question = Some(question());
    let mut failed = job(
        3,
        JobState::Failed,
        "move logs from db2:/var/log/app → /home/alice/work",
        progress(5 << 20, 6 << 20, 48, 50, 0.0),
    );
    failed.mode = Mode::Move;
    failed.failed = vec![
        FailedItem {
            item: ItemId(7),
            name: "logs/secret.log".into(),
            reason: "scp: /var/log/app/secret.log: Permission denied".into(),
            retry_as_root: Some(JobSpec {
                mode: Mode::Move,
                sources: vec![Location::Remote {
                    host: "db2 [sudo]".into(),
                    path: "/var/log/app/secret.log".into(),
                }],
                target: Location::Local("/home/alice/work/logs".into()),
                target_kind: TargetKind::Dir,
                options: Default::default(),
            }),
        },
        FailedItem {
            item: ItemId(9),
            name: "logs/huge.log".into(),
            reason: "connection to db2 lost: Broken pipe".into(),
            retry_as_root: None,
        },
    ];
    let done = job(4, JobState::Done, "copy notes.md → web1:/srv/backup", progress(1536, 1536, 1, 1, 0.0));
    let total = progress(715 << 20, (1 << 30) + (86 << 20) + 1536, 491, 1171, 42.5 * 1024.0 * 1024.0);
    QueueView {
        jobs: vec![running, waiting, failed, done],
        paused: false,
        total,
        limits: Limits::default(),
        connections: 4,
        leftovers: Vec::new(),
    }
}

fn at(event: Event, secs: i64) -> Event {
    event.at(jiff::Timestamp::new(DAY + secs, 0).unwrap())
}

/// db2's login shell (bash) prints a line with an escape sequence.
fn db2_banner() -> BannerNote {
    let caps = Capabilities { login_shell: "/bin/bash".into(), ..Capabilities::default() };
    let banner =
        Banner { stdout: b"Welcome to db2!\x1b[31m maintenance at 22:00\n".to_vec(), stderr: Vec::new() };
    BannerNote::of(&banner, &caps).expect("a banner")
}

fn events() -> Vec<Event> {
    vec![
        at(Event::info("connected (OpenSSH_9.6, key ~/.ssh/id_ed25519)").host("web1"), 0),
        at(Event::debug("run: scp -t -p -- '/srv/backup/photos'").host("web1").job(1), 1),
        at(Event::banner("db2", &db2_banner()), 2),
        at(Event::error("scp: /var/log/app/secret.log: Permission denied").host("db2").job(3), 3),
        at(Event::error("logs/huge.log: connection to db2 lost: Broken pipe").host("db2").job(3), 4),
        at(Event::warn("remote scp ended with exit status 1").host("db2").job(3), 5),
        at(Event::info("done: copy notes.md → web1:/srv/backup (1 of 1 files copied, 0 skipped)").job(4), 6),
    ]
}

#[test]
fn f5_opens_the_copy_dialog_and_enter_queues_the_job() {
    let mut state = local_state();
    key(&mut state, KeyCode::Insert);
    key(&mut state, KeyCode::Insert);
    let effects = key(&mut state, KeyCode::F(5));
    let [Effect::CountCopy { token, targets, follow: false }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(targets.len(), 2, "a directory is counted in the background");
    let token = *token;
    app::update(
        &mut state,
        Msg::Counted {
            token,
            result: Ok(Counts { files: 120, dirs: 7, bytes: 80 << 20, ..Counts::default() }),
        },
    );
    insta::assert_snapshot!("copy_dialog", screen(&state));

    key(&mut state, KeyCode::Tab);
    key(&mut state, KeyCode::Char(' ')); // preserve off
    key(&mut state, KeyCode::Tab);
    key(&mut state, KeyCode::Right); // ask -> overwrite
    key(&mut state, KeyCode::Tab);
    key(&mut state, KeyCode::Char(' ')); // verify on
    let effects = key(&mut state, KeyCode::Enter);
    let [Effect::Submit(spec)] = effects.as_slice() else { panic!("{effects:?}") };
    assert_eq!(spec.mode, Mode::Copy);
    assert_eq!(
        spec.sources,
        [
            Location::Local("/home/alice/work/photos".into()),
            Location::Local("/home/alice/work/big.iso".into())
        ]
    );
    assert_eq!((spec.target.clone(), spec.target_kind), (remote("web1", "/srv/backup"), TargetKind::Dir));
    assert!(!spec.options.preserve && spec.options.verify);
    assert_eq!(spec.options.overwrite, OverwritePolicy::Overwrite);
    assert!(state.dialogs.is_empty());
    assert_eq!(state.jobs.panel, None, "the screen stays as it was (jobs_panel = \"manual\")");
    assert!(state.status.as_ref().is_some_and(|s| s.text.contains("alt-j shows the transfers")));
    assert_eq!(state.pane(Side::Left).selected_count, 0);
}

/// The count is what the copy will really copy: links as links with the
/// option off, what they point to with it on, counted again (under a new
/// token, so the count for the old setting is dropped) when it changes.
#[test]
fn following_links_in_the_copy_dialog_counts_again() {
    let mut state = local_state();
    key(&mut state, KeyCode::Insert);
    let effects = key(&mut state, KeyCode::F(5));
    let [Effect::CountCopy { token, follow: false, .. }] = effects.as_slice() else { panic!("{effects:?}") };
    let first = *token;
    let links = Counts { files: 3, dirs: 2, bytes: 4096, links: 2, skipped: 1 };
    app::update(&mut state, Msg::Counted { token: first, result: Ok(links) });
    insta::assert_snapshot!("copy_dialog_links", screen(&state));
    match state.dialogs.last() {
        Some(Dialog::Copy(copy)) => assert!(copy.fields().contains(&CopyField::FollowLinks)),
        other => panic!("{other:?}"),
    }
    while current_field(&state) != CopyField::FollowLinks {
        key(&mut state, KeyCode::Tab);
    }
    let effects = key(&mut state, KeyCode::Char(' '));
    let [Effect::CountCopy { token, follow: true, targets }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(targets, &[Location::Local("/home/alice/work/photos".into())]);
    assert_ne!(*token, first);
    let second = *token;
    // The old count arriving late changes nothing.
    app::update(&mut state, Msg::Counted { token: first, result: Ok(links) });
    assert!(screen(&state).contains("(counting…)"), "{}", screen(&state));
    let followed = Counts { files: 40, dirs: 9, bytes: 7 << 20, links: 0, skipped: 2 };
    app::update(&mut state, Msg::Counted { token: second, result: Ok(followed) });
    insta::assert_snapshot!("copy_dialog_links_followed", screen(&state));
    let effects = key(&mut state, KeyCode::Enter);
    let [Effect::Submit(spec)] = effects.as_slice() else { panic!("{effects:?}") };
    assert!(spec.options.follow_links);
}

fn current_field(state: &State) -> CopyField {
    match state.dialogs.last() {
        Some(Dialog::Copy(dialog)) => dialog.field,
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_edited_target_is_read_like_scp_on_the_other_host() {
    let mut state = local_state();
    key(&mut state, KeyCode::Down);
    key(&mut state, KeyCode::F(6));
    for _ in 0.."/srv/backup".len() {
        key(&mut state, KeyCode::Backspace);
    }
    for c in "/tmp/renamed.md".chars() {
        key(&mut state, KeyCode::Char(c));
    }
    // Looked at first: it does not exist, so its creation is offered,
    // unticked for one source (which then takes that name, as with scp).
    let effects = key(&mut state, KeyCode::Enter);
    let [Effect::ProbeTarget { token, location }] = effects.as_slice() else { panic!("{effects:?}") };
    assert_eq!(location, &remote("web1", "/tmp/renamed.md"));
    app::update(&mut state, Msg::TargetProbed { token: *token, result: Ok(None) });
    let Some(Dialog::Copy(dialog)) = state.dialogs.last() else { panic!("{:?}", state.dialogs) };
    assert_eq!(dialog.create.as_ref().map(|c| c.on), Some(false));
    assert_eq!(dialog.field, CopyField::CreateTarget);
    let effects = key(&mut state, KeyCode::Enter);
    let [Effect::Submit(JobSpec { mode, target, target_kind, .. })] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(
        (*mode, target.clone(), *target_kind),
        (Mode::Move, remote("web1", "/tmp/renamed.md"), TargetKind::Auto)
    );
}

#[test]
fn a_typed_directory_that_does_not_exist_is_offered_for_creation_before_queuing() {
    let mut state = local_state();
    key(&mut state, KeyCode::Insert);
    key(&mut state, KeyCode::Insert);
    key(&mut state, KeyCode::F(5));
    for c in "/new/dir".chars() {
        key(&mut state, KeyCode::Char(c));
    }
    let effects = key(&mut state, KeyCode::Enter);
    let [Effect::ProbeTarget { token, location }] = effects.as_slice() else { panic!("{effects:?}") };
    assert_eq!(location, &remote("web1", "/srv/backup/new/dir"));
    // A late answer for an older look is dropped.
    assert!(app::update(&mut state, Msg::TargetProbed { token: token + 100, result: Ok(None) }).is_empty());
    app::update(&mut state, Msg::TargetProbed { token: *token, result: Ok(None) });
    insta::assert_snapshot!("copy_dialog_create_missing_target", screen(&state));
    // Unticked, with two sources: refused, nothing queued.
    key(&mut state, KeyCode::Char(' '));
    let effects = key(&mut state, KeyCode::Enter);
    assert!(effects.is_empty(), "{effects:?}");
    let Some(Dialog::Copy(dialog)) = state.dialogs.last() else { panic!() };
    assert!(dialog.error.as_ref().is_some_and(|e| e.contains("does not exist")), "{:?}", dialog.error);
    key(&mut state, KeyCode::Char(' '));
    let effects = key(&mut state, KeyCode::Enter);
    let [Effect::CreateTarget { side, location, spec }] = effects.as_slice() else { panic!("{effects:?}") };
    assert_eq!((*side, location), (Side::Left, &remote("web1", "/srv/backup/new/dir")));
    assert_eq!((spec.target.clone(), spec.target_kind), (location.clone(), TargetKind::Dir));
    assert!(state.dialogs.is_empty());
    // Created: the job is queued (and the other pane reloaded).
    let effects =
        app::update(&mut state, Msg::TargetCreated { side: *side, spec: spec.clone(), result: Ok(()) });
    assert!(matches!(effects.first(), Some(Effect::Submit(s)) if s.sources.len() == 2), "{effects:?}");
    assert!(effects.iter().any(|e| matches!(e, Effect::List { side: Side::Right, .. })));
    // An existing directory typed: queued into it at once after the look.
    key(&mut state, KeyCode::F(5));
    for c in "/srv".chars() {
        key(&mut state, KeyCode::Char(c));
    }
    let effects = key(&mut state, KeyCode::Enter);
    let [Effect::ProbeTarget { token, .. }] = effects.as_slice() else { panic!("{effects:?}") };
    let effects = app::update(&mut state, Msg::TargetProbed { token: *token, result: Ok(Some(Kind::Dir)) });
    let [Effect::Submit(spec)] = effects.as_slice() else { panic!("{effects:?}") };
    assert_eq!((spec.target.clone(), spec.target_kind), (remote("web1", "/srv/backup/srv"), TargetKind::Dir));
}

#[test]
fn bandwidth_limit_is_a_field_prefilled_from_the_hosts_setting() {
    let mut config = Config::default();
    let web1 = scpdeck::config::HostSettings { bandwidth: Some(800), ..Default::default() };
    config.settings.hosts.insert("web1".into(), web1);
    let mut state = State::with_config(
        Location::Local("/home/alice/work".into()),
        remote("web1", "/srv/backup"),
        jiff::tz::TimeZone::UTC,
        config,
    );
    app::update(&mut state, Msg::Resize { width: 100, height: 30 });
    let effects = app::start(&mut state);
    if let Some(Effect::List { side, generation, .. }) = effects.first() {
        let entries = vec![entry("notes.md", Kind::File, 1536)];
        app::update(&mut state, Msg::Listed { side: *side, generation: *generation, result: Ok(entries) });
    }
    key(&mut state, KeyCode::Down);
    key(&mut state, KeyCode::F(5));
    let Some(Dialog::Copy(dialog)) = state.dialogs.last() else { panic!() };
    assert_eq!(dialog.bandwidth.text(), "800", "the destination's setting");
    while !matches!(state.dialogs.last(), Some(Dialog::Copy(d)) if d.field == CopyField::Bandwidth) {
        key(&mut state, KeyCode::Tab);
    }
    insta::assert_snapshot!("copy_dialog_bandwidth", screen(&state));
    key(&mut state, KeyCode::Backspace);
    key(&mut state, KeyCode::Backspace);
    key(&mut state, KeyCode::Char('x'));
    assert!(key(&mut state, KeyCode::Enter).is_empty(), "not a limit: refused");
    let Some(Dialog::Copy(dialog)) = state.dialogs.last() else { panic!() };
    assert!(dialog.error.as_ref().is_some_and(|e| e.contains("Kbit/s")), "{:?}", dialog.error);
    key(&mut state, KeyCode::Backspace);
    let effects = key(&mut state, KeyCode::Enter);
    let [Effect::Submit(spec)] = effects.as_slice() else { panic!("{effects:?}") };
    assert_eq!(spec.options.limit_kbit, Some(8));
    // Cleared: no limit.
    key(&mut state, KeyCode::F(5));
    while !matches!(state.dialogs.last(), Some(Dialog::Copy(d)) if d.field == CopyField::Bandwidth) {
        key(&mut state, KeyCode::Tab);
    }
    for _ in 0..3 {
        key(&mut state, KeyCode::Backspace);
    }
    let effects = key(&mut state, KeyCode::Enter);
    let [Effect::Submit(spec)] = effects.as_slice() else { panic!("{effects:?}") };
    assert_eq!(spec.options.limit_kbit, None);
}

#[test]
fn f5_and_f6_onto_the_same_directory_duplicate_or_rename_under_a_new_name() {
    let work = Location::Local("/home/alice/work".into());
    let mut state = state_with(work.clone(), work.clone(), 100, 30);
    // photos, big.iso, notes.md: onto notes.md.
    key(&mut state, KeyCode::End);
    let effects = key(&mut state, KeyCode::F(5));
    assert!(effects.is_empty());
    let Some(Dialog::Copy(dialog)) = state.dialogs.last() else { panic!("{:?}", state.status) };
    assert_eq!(dialog.new_name.as_ref().map(|n| n.text()), Some("notes (copy).md"));
    assert_eq!(dialog.field, CopyField::NewName);
    assert!(!dialog.fields().contains(&CopyField::Target));
    insta::assert_snapshot!("copy_dialog_new_name", screen(&state));
    // The original's name, or one taken, is refused.
    for _ in 0.."(copy).md".len() + 1 {
        key(&mut state, KeyCode::Backspace);
    }
    for c in ".md".chars() {
        key(&mut state, KeyCode::Char(c));
    }
    assert!(key(&mut state, KeyCode::Enter).is_empty());
    let Some(Dialog::Copy(dialog)) = state.dialogs.last() else { panic!() };
    assert!(dialog.error.as_ref().is_some_and(|e| e.contains("another name")), "{:?}", dialog.error);
    for c in [KeyCode::Backspace, KeyCode::Backspace, KeyCode::Backspace] {
        key(&mut state, c);
    }
    for c in "-2.md".chars() {
        key(&mut state, KeyCode::Char(c));
    }
    let effects = key(&mut state, KeyCode::Enter);
    let [Effect::Submit(spec)] = effects.as_slice() else { panic!("{effects:?}") };
    assert_eq!(spec.sources, [Location::Local("/home/alice/work/notes.md".into())]);
    assert_eq!(
        (spec.target.clone(), spec.target_kind),
        (Location::Local("/home/alice/work/notes-2.md".into()), TargetKind::Auto)
    );
    // F6: a rename within the directory.
    key(&mut state, KeyCode::F(6));
    let effects = key(&mut state, KeyCode::Enter);
    let [Effect::Rename { sources, target }] = effects.as_slice() else { panic!("{effects:?}") };
    assert_eq!(sources, &[Location::Local("/home/alice/work/notes.md".into())]);
    assert_eq!(target, &Location::Local("/home/alice/work/notes (copy).md".into()));
    // Several entries: explained, no dialog.
    key(&mut state, KeyCode::Insert);
    key(&mut state, KeyCode::Up);
    key(&mut state, KeyCode::Insert);
    assert!(key(&mut state, KeyCode::F(5)).is_empty());
    assert!(state.dialogs.is_empty());
    assert!(state.status.as_ref().is_some_and(|s| s.text.contains("takes one entry")), "{:?}", state.status);
}

#[test]
fn direct_mode_is_offered_between_two_remote_hosts() {
    let mut state = state_with(remote("db2", "/var/log"), remote("web1", "/srv/backup"), 90, 28);
    key(&mut state, KeyCode::Down);
    key(&mut state, KeyCode::F(5));
    for _ in 0..4 {
        key(&mut state, KeyCode::Tab);
    }
    key(&mut state, KeyCode::Char(' '));
    insta::assert_snapshot!("copy_dialog_remote_to_remote", screen(&state));
    let effects = key(&mut state, KeyCode::Enter);
    let [Effect::Submit(spec)] = effects.as_slice() else { panic!("{effects:?}") };
    assert!(spec.options.direct);
}

#[test]
fn direct_mode_is_not_offered_to_a_host_whose_login_shell_prints_text() {
    let mut state = state_with(remote("db2", "/var/log"), remote("web1", "/srv/backup"), 90, 28);
    scpdeck::app::update(&mut state, Msg::HostProbed { host: "web1".into(), talkative: true });
    scpdeck::app::update(&mut state, Msg::HostProbed { host: "db2".into(), talkative: false });
    key(&mut state, KeyCode::Down);
    key(&mut state, KeyCode::F(5));
    let fields = |state: &State| match state.dialogs.last() {
        Some(Dialog::Copy(copy)) => copy.fields(),
        other => panic!("{other:?}"),
    };
    assert!(!fields(&state).contains(&CopyField::Direct), "{:?}", fields(&state));
    key(&mut state, KeyCode::Esc);
    // The other way, to the quiet host, it is offered; and once web1's
    // profile is fixed (probed again on a new connection), to web1 too.
    key(&mut state, KeyCode::Tab);
    key(&mut state, KeyCode::F(5));
    assert!(fields(&state).contains(&CopyField::Direct));
    key(&mut state, KeyCode::Esc);
    scpdeck::app::update(&mut state, Msg::HostProbed { host: "web1".into(), talkative: false });
    key(&mut state, KeyCode::Tab);
    key(&mut state, KeyCode::F(5));
    assert!(fields(&state).contains(&CopyField::Direct));
}

#[test]
fn direct_mode_is_not_offered_when_a_host_is_used_as_root() {
    for (left, right) in [("db2 [sudo]", "web1"), ("db2", "web1 [sudo]")] {
        let mut state = state_with(remote(left, "/var/log"), remote(right, "/srv/backup"), 90, 28);
        for host in [left, right] {
            scpdeck::app::update(&mut state, Msg::HostProbed { host: host.into(), talkative: false });
        }
        key(&mut state, KeyCode::Down);
        key(&mut state, KeyCode::F(5));
        let Some(Dialog::Copy(copy)) = state.dialogs.last() else { panic!("{:?}", state.dialogs.last()) };
        assert!(!copy.fields().contains(&CopyField::Direct), "{left} → {right}: {:?}", copy.fields());
    }
}

#[test]
fn jobs_panel_shows_every_job_and_its_keys_control_them() {
    let mut state = local_state();
    app::update(&mut state, Msg::Jobs(Arc::new(queue())));
    app::update(&mut state, Msg::Log(events()));
    alt(&mut state, 'j');
    assert!(state.jobs.panel_focus);
    // The newest job is selected, so that `p` right after queuing acts on it.
    assert_eq!(state.jobs.selected_id(), Some(JobId(4)));
    insta::assert_snapshot!("jobs_panel", screen(&state));

    for _ in 0..3 {
        key(&mut state, KeyCode::Up);
    }
    assert_eq!(control(key(&mut state, KeyCode::Char('p'))), Some(Control::Pause(JobId(1))));
    assert_eq!(control(key(&mut state, KeyCode::Char('c'))), Some(Control::Cancel(JobId(1))));
    assert_eq!(control(key(&mut state, KeyCode::Char('P'))), Some(Control::PauseAll));
    key(&mut state, KeyCode::Down);
    key(&mut state, KeyCode::Down);
    assert_eq!(control(key(&mut state, KeyCode::Char('r'))), Some(Control::Retry(JobId(3), None)));
    assert_eq!(control(key(&mut state, KeyCode::Char('K'))), Some(Control::MoveUp(JobId(3))));
    assert_eq!(control(key(&mut state, KeyCode::Char('J'))), Some(Control::MoveDown(JobId(3))));
    assert_eq!(control(key(&mut state, KeyCode::Char('x'))), Some(Control::ClearFinished));
    // Esc gives the keyboard back to the file panes; the panel stays.
    key(&mut state, KeyCode::Esc);
    assert!(!state.jobs.panel_focus && state.jobs.panel.is_some());
    key(&mut state, KeyCode::Down);
    assert_eq!(state.pane(Side::Left).cursor, 2, "the file panes work while jobs run");
}

#[test]
fn a_question_never_takes_the_keyboard_and_is_answered_from_the_panel() {
    let mut state = local_state();
    key(&mut state, KeyCode::Down);
    app::update(&mut state, Msg::Jobs(Arc::new(queue())));
    assert!(state.dialogs.is_empty(), "no dialog pops up by itself");
    assert!(
        state.status.as_ref().is_some_and(|s| s.text.contains("waits for an answer")),
        "{:?}",
        state.status
    );
    key(&mut state, KeyCode::Down);
    assert_eq!(state.pane(Side::Left).cursor, 3, "keys still go to the pane");

    alt(&mut state, 'j');
    key(&mut state, KeyCode::Up);
    key(&mut state, KeyCode::Up);
    key(&mut state, KeyCode::Enter);
    assert!(matches!(state.dialogs.last(), Some(Dialog::Overwrite(_))));
    insta::assert_snapshot!("overwrite_question", screen(&state));

    key(&mut state, KeyCode::Char('a'));
    let effects = key(&mut state, KeyCode::Char('n'));
    let answer = OverwriteAnswer { policy: OverwritePolicy::IfNewer, all: true };
    assert_eq!(control(effects), Some(Control::Answer(JobId(2), ItemId(4), answer)));
    assert!(state.dialogs.is_empty());
}

#[test]
fn answering_one_by_one_follows_the_jobs_next_question() {
    let mut state = local_state();
    app::update(&mut state, Msg::Jobs(Arc::new(queue())));
    alt(&mut state, 'j');
    key(&mut state, KeyCode::Up);
    key(&mut state, KeyCode::Up);
    key(&mut state, KeyCode::Enter);
    let effects = key(&mut state, KeyCode::Char('s'));
    let skip = OverwriteAnswer { policy: OverwritePolicy::Skip, all: false };
    assert_eq!(control(effects), Some(Control::Answer(JobId(2), ItemId(4), skip)));
    let mut next = queue();
    let q = next.jobs[1].question.as_mut().unwrap();
    q.item = ItemId(5);
    q.name = "photos/2024/dog.jpg".into();
    app::update(&mut state, Msg::Jobs(Arc::new(next.clone())));
    let Some(Dialog::Overwrite(dialog)) = state.dialogs.last() else { panic!("{:?}", state.dialogs) };
    assert_eq!((dialog.question.item, dialog.answered), (ItemId(5), false));
    next.jobs[1].question = None;
    key(&mut state, KeyCode::Char('o'));
    app::update(&mut state, Msg::Jobs(Arc::new(next)));
    assert!(state.dialogs.is_empty(), "no more questions: the dialog closes");
}

#[test]
fn log_panel_filters_by_level_host_and_job() {
    let mut state = local_state();
    app::update(&mut state, Msg::Jobs(Arc::new(queue())));
    app::update(&mut state, Msg::Log(events()));
    alt(&mut state, 'l');
    insta::assert_snapshot!("log_panel", screen(&state));
    key(&mut state, KeyCode::Char('L')); // warn and above
    key(&mut state, KeyCode::Char('H')); // first host: db2
    let shown: Vec<String> = state.jobs.log.filtered(&state.jobs.filter).map(|e| e.text.clone()).collect();
    assert_eq!(shown.len(), 4, "{shown:?}");
    assert!(shown[0].contains("login shell printed") && !shown[0].contains('\x1b'));
    insta::assert_snapshot!("log_panel_filtered", screen(&state));
    key(&mut state, KeyCode::Char('H'));
    key(&mut state, KeyCode::Char('H'));
    assert_eq!(state.jobs.filter.host, None, "the host filter cycles back to all");
}

/// A job that continued from partial copies, one that waits paused with
/// its partial copies (as after a restart), and leftovers no job owns.
fn resumed_queue() -> QueueView {
    let mut running = job(
        1,
        JobState::Running,
        "copy big.iso → web1:/srv/backup",
        progress(2 << 30, 3 << 30, 0, 1, 20.0 * 1024.0 * 1024.0),
    );
    running.current = Some("big.iso (resumed at 1.5 GiB)".into());
    running.resumed = vec![ResumedItem { name: "big.iso".into(), at: 3 << 29 }];
    running.connections = 1;
    let mut paused = job(
        2,
        JobState::Paused,
        "copy 2 items from db2:/srv/dumps → /home/alice/work",
        progress(900 << 20, 2 << 30, 1, 3, 0.0),
    );
    paused.partials = 2;
    let total = progress((2 << 30) + (900 << 20), 5 << 30, 1, 4, 20.0 * 1024.0 * 1024.0);
    QueueView {
        jobs: vec![running, paused],
        paused: false,
        total,
        limits: Limits::default(),
        connections: 1,
        leftovers: vec![
            "web1:/srv/backup/.sd-k2j4x8q1".into(),
            "/home/alice/work/.dump.sql.Qx81aZ.scpdeck".into(),
        ],
    }
}

#[test]
fn resumed_files_partial_copies_and_leftovers_are_shown_and_d_removes_leftovers() {
    let mut state = local_state();
    app::update(&mut state, Msg::Jobs(Arc::new(resumed_queue())));
    alt(&mut state, 'j');
    // The newest job is selected: the one before is the running one.
    key(&mut state, KeyCode::Up);
    insta::assert_snapshot!("jobs_panel_resumed", screen(&state));
    assert_eq!(control(key(&mut state, KeyCode::Char('D'))), Some(Control::RemoveLeftovers));
    key(&mut state, KeyCode::Enter);
    insta::assert_snapshot!("job_details_resumed", screen(&state));
    key(&mut state, KeyCode::Esc);
    // The paused job (restored after a restart, say): p resumes, c
    // discards its partial copies.
    key(&mut state, KeyCode::Down);
    assert_eq!(control(key(&mut state, KeyCode::Char('p'))), Some(Control::Resume(JobId(2))));
    assert_eq!(control(key(&mut state, KeyCode::Char('c'))), Some(Control::Cancel(JobId(2))));
    // Without leftovers, D is nothing.
    let mut quiet = resumed_queue();
    quiet.leftovers.clear();
    app::update(&mut state, Msg::Jobs(Arc::new(quiet)));
    assert_eq!(control(key(&mut state, KeyCode::Char('D'))), None);
}

#[test]
fn a_failed_job_shows_its_items_and_events_and_retries_one() {
    let mut state = local_state();
    app::update(&mut state, Msg::Jobs(Arc::new(queue())));
    app::update(&mut state, Msg::Log(events()));
    alt(&mut state, 'j');
    key(&mut state, KeyCode::Up);
    key(&mut state, KeyCode::Enter);
    insta::assert_snapshot!("job_details", screen(&state));
    // A permission denied: u queues the item again as root.
    let effects = key(&mut state, KeyCode::Char('u'));
    let Some(Effect::Submit(spec)) = effects.first() else { panic!("{effects:?}") };
    assert_eq!(spec.sources[0].host(), Some("db2 [sudo]"));
    key(&mut state, KeyCode::Down);
    let details = screen(&state);
    assert!(!details.contains("u retries it as root"), "not offered for a lost connection:\n{details}");
    assert!(key(&mut state, KeyCode::Char('u')).is_empty());
    assert_eq!(control(key(&mut state, KeyCode::Char('r'))), Some(Control::Retry(JobId(3), Some(ItemId(9)))));
    assert_eq!(control(key(&mut state, KeyCode::Char('R'))), Some(Control::Retry(JobId(3), None)));
}

#[test]
fn panes_showing_a_finished_jobs_target_are_reloaded() {
    let mut state = state_with(
        Location::Local("/home/alice/work".into()),
        Location::Local("/srv/backup".into()),
        100,
        30,
    );
    let mut view = queue();
    view.jobs.truncate(1);
    view.jobs[0].target = Location::Local("/srv/backup".into());
    app::update(&mut state, Msg::Jobs(Arc::new(view.clone())));
    view.jobs[0].state = JobState::Done;
    let effects = app::update(&mut state, Msg::Jobs(Arc::new(view)));
    let reloaded: Vec<Side> = effects
        .iter()
        .filter_map(|e| if let Effect::List { side, .. } = e { Some(*side) } else { None })
        .collect();
    assert_eq!(reloaded, [Side::Left, Side::Right], "target and source directories");
}

/// A pane elsewhere on the host a job wrote to keeps its listing, and
/// its free space is read again.
#[test]
fn the_free_space_of_a_pane_on_the_host_written_to_is_read_again() {
    let mut state =
        state_with(Location::Local("/home/alice/work".into()), Location::Local("/var".into()), 100, 30);
    let mut view = queue();
    view.jobs.truncate(1);
    view.jobs[0].target = Location::Local("/srv/backup".into());
    app::update(&mut state, Msg::Jobs(Arc::new(view.clone())));
    view.jobs[0].state = JobState::Done;
    let effects = app::update(&mut state, Msg::Jobs(Arc::new(view)));
    let free: Vec<Side> = effects
        .iter()
        .filter_map(|e| if let Effect::FreeSpace { side, .. } = e { Some(*side) } else { None })
        .collect();
    assert_eq!(free, [Side::Right], "{effects:?}");
    assert!(!effects.iter().any(|e| matches!(e, Effect::List { side: Side::Right, .. })), "{effects:?}");
}

#[test]
fn a_published_view_equal_to_the_shown_one_draws_nothing() {
    let mut state = local_state();
    app::update(&mut state, Msg::Jobs(Arc::new(queue())));
    state.needs_render = false;
    let effects = app::update(&mut state, Msg::Jobs(Arc::new(queue())));
    assert!(effects.is_empty() && !state.needs_render, "idle is idle: nothing changed, nothing drawn");
    let mut view = queue();
    view.jobs[0].progress.bytes_done += 1;
    app::update(&mut state, Msg::Jobs(Arc::new(view)));
    assert!(state.needs_render, "progress is drawn");
}

#[test]
fn f5_copies_for_real_in_tmux_and_the_log_file_records_it() {
    use support::tmux::{Tmux, scpdeck_bin};
    let dir = tempfile::tempdir().unwrap();
    let (left, right, state) = (dir.path().join("left"), dir.path().join("right"), dir.path().join("state"));
    std::fs::create_dir_all(left.join("photos")).unwrap();
    std::fs::write(left.join("photos/a.jpg"), vec![1u8; 300_000]).unwrap();
    std::fs::write(left.join("hello.txt"), "hello").unwrap();
    std::fs::create_dir_all(&right).unwrap();
    let command = format!(
        "SCPDECK_CONFIG_DIR='{}/config' XDG_STATE_HOME='{}' '{}' '{}' '{}'; sleep 60",
        dir.path().display(),
        state.display(),
        scpdeck_bin().display(),
        left.display(),
        right.display()
    );
    let tmux = Tmux::start(&command, 100, 30);
    tmux.wait_for("hello.txt");
    // Off `..` onto photos/, then photos/ and hello.txt selected.
    tmux.keys(&["Down", "Space", "Space", "F5"]);
    tmux.wait_for("Copy 2 files and 1 directory");
    tmux.keys(&["Enter"]);
    // The panes keep the screen (the "queued:" notice goes once the job has
    // ended, which a local copy may do at once); alt-j shows the job.
    tmux.keys(&["M-j"]);
    let screen = tmux.wait_for(" done ");
    assert!(screen.contains("Jobs:"), "{screen}");
    tmux.wait_for("photos/");
    assert_eq!(std::fs::read(right.join("photos/a.jpg")).unwrap(), vec![1u8; 300_000]);
    assert_eq!(std::fs::read_to_string(right.join("hello.txt")).unwrap(), "hello");
    // The keys still drive the panes; alt-l shows the log.
    tmux.keys(&["M-l"]);
    tmux.wait_for("Log: level");
    tmux.keys(&["F10"]);
    let log = std::fs::read_to_string(state.join("scpdeck/scpdeck.log")).unwrap();
    assert!(log.contains("done: copy 2 items"), "{log}");
}

#[test]
fn a_job_checking_its_copies_is_labelled_verifying_without_a_rate() {
    let mut state = local_state();
    let mut checking = job(
        1,
        JobState::Running,
        "copy big.iso → web1:/srv/backup",
        progress(3 << 30, 3 << 30, 0, 1, 1024.0),
    );
    checking.verifying = true;
    let view = QueueView { jobs: vec![checking], total: progress(3 << 30, 3 << 30, 0, 1, 1024.0), ..queue() };
    app::update(&mut state, Msg::Jobs(Arc::new(view)));
    let status = screen(&state).lines().nth(28).unwrap_or_default().to_owned();
    assert!(status.contains("[jobs 1: 100% verifying]"), "{status}");
    alt(&mut state, 'j');
    let shown = screen(&state);
    let row = shown.lines().find(|l| l.contains("#1")).unwrap_or_default();
    assert!(row.contains(" verifying "), "{shown}");
    assert!(!shown.contains("1 KiB/s") && !shown.contains("ETA"), "no rate while checking: {shown}");
}

#[test]
fn quitting_with_jobs_unfinished_asks_what_to_do_with_them() {
    let mut state = local_state();
    app::update(&mut state, Msg::Jobs(Arc::new(queue())));
    key(&mut state, KeyCode::F(10));
    assert!(!state.quit);
    insta::assert_snapshot!("quit_question", screen(&state));
}

#[test]
fn the_status_line_points_at_the_message_view_which_shows_it_whole() {
    use scpdeck::fs::{Failure, FsError};
    let mut state = local_state();
    app::update(&mut state, Msg::Jobs(Arc::new(queue())));
    app::update(&mut state, Msg::Log(events()));
    let refused = FsError::PermissionDenied(Failure {
        action: "delete /srv/backup/photos".into(),
        command: String::new(),
        status: None,
        said: "rm: cannot remove '/srv/backup/photos/2024/cat.jpg': Permission denied\\nrm: cannot remove '/srv/backup/photos/2024/dog.jpg': Permission denied".into(),
    });
    let op = app::Op::Delete(vec![remote("web1", "/srv/backup/photos")]);
    app::update(&mut state, Msg::Done { op, result: Err(refused.into()) });
    for (n, note) in state.messages.take_outbox().into_iter().enumerate() {
        let event = note.event(jiff::Timestamp::new(DAY + 60 + n as i64, 0).unwrap());
        app::update(&mut state, Msg::Logged(event));
    }
    // The error cut to the width, the key that shows it whole, the failed job's badge.
    insta::assert_snapshot!("status_line_with_an_error_and_a_failed_job", screen(&state));
    alt(&mut state, 'h');
    insta::assert_snapshot!("message_view", screen(&state));
    key(&mut state, KeyCode::Up);
    insta::assert_snapshot!("message_view_an_earlier_message", screen(&state));
}

#[test]
fn a_rebound_overwrite_question_shows_and_takes_its_keys_and_f1_lists_them() {
    let mut state = local_state();
    let text = "[bindings]\noverwrite_overwrite = [\"f2\"]\noverwrite_skip = [\"x\"]\noverwrite_all = [\"ctrl-a\"]\n";
    let (keymap, problems) = scpdeck::config::Keymap::from_file(std::path::Path::new("k.toml"), text);
    assert!(problems.is_empty(), "{problems:?}");
    state.keymap = keymap;
    app::update(&mut state, Msg::Jobs(Arc::new(queue())));
    alt(&mut state, 'j');
    key(&mut state, KeyCode::Up);
    key(&mut state, KeyCode::Up);
    key(&mut state, KeyCode::Enter);
    assert!(matches!(state.dialogs.last(), Some(Dialog::Overwrite(_))));
    insta::assert_snapshot!("overwrite_question_rebound", screen(&state));
    key(&mut state, KeyCode::F(1));
    insta::assert_snapshot!("overwrite_question_help", screen(&state));
    key(&mut state, KeyCode::Esc);
    assert!(key(&mut state, KeyCode::Char('o')).is_empty(), "o is no answer now");
    app::update(&mut state, Msg::Key(KeyEvent::new(KeyCode::Char('a'), KeyModifiers::CONTROL)));
    let effects = key(&mut state, KeyCode::Char('x'));
    let answer = OverwriteAnswer { policy: OverwritePolicy::Skip, all: true };
    assert_eq!(control(effects), Some(Control::Answer(JobId(2), ItemId(4), answer)));
}
