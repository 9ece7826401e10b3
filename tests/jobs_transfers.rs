//! Transfers through the scheduler against the harness sshd and the real
//! remote scp: every direction, several sessions, a permission-denied item,
//! a killed connection (also at the moment a ranged upload makes or
//! finishes its copy), a talkative host, cancel, move, and partial copies
//! kept by a pause or a lost link, continued by resume or retry.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use scpdeck::eventlog::{Event, Level, LogSink};
use scpdeck::fs::Location;
use scpdeck::jobs::{
    Control, JobId, JobSpec, JobState, JobView, Limits, Mode, Options, OverwritePolicy, Scheduler, Segments,
    SshRemote, SystemBackend, TargetKind, log_connections,
};
use scpdeck::ssh::{NoPrompter, Overrides, Pool, PoolLimits, PromptAnswer, Prompter, Question, Resolver};
use sha2::{Digest, Sha256};
use support::proxy::CountingProxy;
use support::{Banner, Shell, Sshd, partial_bytes, password_user, random_file, temp_names};
use tokio::sync::mpsc::UnboundedReceiver;

struct Env {
    scheduler: Scheduler,
    log: UnboundedReceiver<Event>,
}

fn env(config_file: &Path, limits: Limits, prompter: Arc<dyn Prompter>) -> Env {
    env_with(config_file, limits, prompter, Segments::default())
}

fn env_with(config_file: &Path, limits: Limits, prompter: Arc<dyn Prompter>, segments: Segments) -> Env {
    let (sink, log) = LogSink::new(None);
    let pool = Pool::new(prompter, PoolLimits { per_host: limits.per_host, global: limits.global });
    log_connections(&pool, sink.clone());
    let overrides = Overrides { config_file: Some(config_file.to_path_buf()), ..Overrides::default() };
    let remote = SshRemote::new(pool, Resolver::system(), overrides).with_segments(segments);
    let scheduler = Scheduler::spawn(Arc::new(SystemBackend::new(Arc::new(remote))), limits, sink);
    Env { scheduler, log }
}

fn key_env(sshd: &Sshd) -> Env {
    env(&sshd.ssh_config(), Limits::default(), Arc::new(NoPrompter))
}

fn remote(host: &str, path: &Path) -> Location {
    Location::Remote { host: host.into(), path: path.to_path_buf() }
}

fn local(path: &Path) -> Location {
    Location::Local(path.to_path_buf())
}

fn spec(mode: Mode, sources: Vec<Location>, target: Location) -> JobSpec {
    let options = Options { preserve: true, overwrite: OverwritePolicy::Overwrite, ..Options::default() };
    JobSpec { mode, sources, target, target_kind: TargetKind::Dir, options }
}

async fn finish(s: &Scheduler, job: JobId) -> JobView {
    match tokio::time::timeout(Duration::from_secs(120), s.wait(job)).await {
        Ok(Some(view)) => view,
        other => panic!("job {job} did not finish: {other:?}\n{:#?}", s.view()),
    }
}

async fn until(s: &Scheduler, what: &str, done: impl Fn(&JobView) -> bool, job: JobId) -> JobView {
    support::scheduler::until(s, job, what, done).await
}

fn drain(log: &mut UnboundedReceiver<Event>) -> Vec<Event> {
    let mut events = Vec::new();
    while let Ok(event) = log.try_recv() {
        events.push(event);
    }
    events
}

/// Every file under `root` (relative path → contents); directories as `None`.
fn tree(root: &Path) -> BTreeMap<PathBuf, Option<Vec<u8>>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let rel = path.strip_prefix(root).unwrap().to_path_buf();
            if path.is_dir() {
                out.insert(rel, None);
                stack.push(path);
            } else {
                out.insert(rel, Some(std::fs::read(&path).unwrap()));
            }
        }
    }
    out
}

/// Asserts that two directories hold the same files (temporary directories
/// scpdeck left after a killed connection aside), without dumping contents.
fn assert_same_tree(copy: &Path, original: &Path) {
    let strip = |t: BTreeMap<PathBuf, Option<Vec<u8>>>| -> BTreeMap<PathBuf, Option<Vec<u8>>> {
        t.into_iter().filter(|(p, _)| !p.to_string_lossy().contains(".scpdeck")).collect()
    };
    let (a, b) = (strip(tree(copy)), strip(tree(original)));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>(), "same names");
    for (path, data) in &b {
        assert!(a.get(path) == Some(data), "{} differs", path.display());
    }
}

fn make_tree(root: &Path) {
    for (name, size) in [
        ("plain.txt", 10),
        ("with space and 'quote' $(x) `y`.txt", 2000),
        ("-leading-dash", 3),
        ("sub/deep/data.bin", 300_000),
        ("sub/ünïcödé.md", 50),
    ] {
        let path = root.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, (0..size).map(|i| (i % 251) as u8).collect::<Vec<u8>>()).unwrap();
    }
    std::fs::create_dir_all(root.join("empty dir")).unwrap();
}

/// Temporary files and directories of ours under `root`.
fn leftovers(root: &Path) -> Vec<PathBuf> {
    tree(root)
        .into_keys()
        .filter(|p| {
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            name.ends_with(".scpdeck") || name.starts_with(".sd-")
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn uploads_and_downloads_a_tree_with_awkward_names() {
    let sshd = Sshd::start();
    let env = key_env(&sshd);
    let work = tempfile::tempdir().unwrap();
    let source = work.path().join("tree");
    make_tree(&source);
    let remote_dir = work.path().join("remote");
    std::fs::create_dir(&remote_dir).unwrap();
    let up = env.scheduler.submit(spec(Mode::Copy, vec![local(&source)], remote(sshd.alias(), &remote_dir)));
    let view = finish(&env.scheduler, up).await;
    assert_eq!(view.state, JobState::Done, "{view:#?}");
    assert_same_tree(&remote_dir.join("tree"), &source);
    assert!(leftovers(&remote_dir).is_empty(), "{:?}", leftovers(&remote_dir));

    let back = work.path().join("back");
    std::fs::create_dir(&back).unwrap();
    let down = env.scheduler.submit(spec(
        Mode::Copy,
        vec![remote(sshd.alias(), &remote_dir.join("tree"))],
        local(&back),
    ));
    let view = finish(&env.scheduler, down).await;
    assert_eq!(view.state, JobState::Done, "{view:#?}");
    assert_eq!(view.progress.files_done, 5);
    assert_same_tree(&back.join("tree"), &source);
    assert!(leftovers(&back).is_empty());
}

/// Finished uploads are renamed into place by one perl process where the
/// host has perl (the test above), and by `mv` per file where it has not:
/// a host whose PATH holds only BusyBox applets.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn uploads_into_place_on_a_host_without_perl() {
    if !Shell::available().contains(&Shell::BusyBox) {
        panic!("busybox is missing: run scripts/test, which installs it");
    }
    let sshd = Sshd::builder().shell(Shell::BusyBox).start();
    // Such hosts (OpenWrt...) have an scp of their own beside BusyBox.
    std::os::unix::fs::symlink(support::which("scp"), sshd.path("busybox-bin/scp")).unwrap();
    let env = key_env(&sshd);
    let work = tempfile::tempdir().unwrap();
    let source = work.path().join("tree");
    make_tree(&source);
    let remote_dir = work.path().join("remote");
    std::fs::create_dir_all(remote_dir.join("tree")).unwrap();
    std::fs::write(remote_dir.join("tree/plain.txt"), b"old contents").unwrap();
    let up = env.scheduler.submit(spec(Mode::Copy, vec![local(&source)], remote(sshd.alias(), &remote_dir)));
    let view = finish(&env.scheduler, up).await;
    assert_eq!(view.state, JobState::Done, "{view:#?}");
    assert_same_tree(&remote_dir.join("tree"), &source);
    assert!(leftovers(&remote_dir).is_empty(), "{:?}", leftovers(&remote_dir));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn relays_between_two_hosts_and_verifies() {
    let (one, two) = (Sshd::start(), Sshd::start());
    let work = tempfile::tempdir().unwrap();
    let config = work.path().join("ssh_config");
    std::fs::write(&config, format!("{}{}", one.config_block("one"), two.config_block("two"))).unwrap();
    let env = env(&config, Limits::default(), Arc::new(NoPrompter));
    let source = work.path().join("tree");
    make_tree(&source);
    let dest = work.path().join("dest");
    std::fs::create_dir(&dest).unwrap();
    let mut job = spec(Mode::Copy, vec![remote("one", &source)], remote("two", &dest));
    job.options.verify = true;
    let id = env.scheduler.submit(job);
    let view = finish(&env.scheduler, id).await;
    assert_eq!(view.state, JobState::Done, "{view:#?}");
    assert_same_tree(&dest.join("tree"), &source);
    assert!(one.accepted_logins() >= 1 && two.accepted_logins() >= 1);
    assert!(leftovers(&dest).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_large_selection_travels_over_several_sessions() {
    let sshd = Sshd::start();
    let env = key_env(&sshd);
    let work = tempfile::tempdir().unwrap();
    let source = work.path().join("many");
    std::fs::create_dir(&source).unwrap();
    for i in 0..300 {
        std::fs::write(source.join(format!("f{i:03}")), vec![i as u8; 4096]).unwrap();
    }
    let dest = work.path().join("dest");
    std::fs::create_dir(&dest).unwrap();
    let id = env.scheduler.submit(spec(Mode::Copy, vec![local(&source)], remote(sshd.alias(), &dest)));
    let mut peak = 0;
    let started = Instant::now();
    while !env.scheduler.view().job(id).is_some_and(|j| j.state.is_finished())
        && started.elapsed() < Duration::from_secs(60)
    {
        peak = peak.max(sshd.connection_pids().len());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let view = finish(&env.scheduler, id).await;
    assert_eq!(view.state, JobState::Done, "{view:#?}");
    assert_same_tree(&dest.join("many"), &source);
    let logins = sshd.accepted_logins();
    assert!((3..=4).contains(&logins), "several sessions, within the limit of 4: {logins}");
    assert!(peak <= 4, "at most 4 connections at once: {peak}");
}

struct PasswordPrompter(String);

impl Prompter for PasswordPrompter {
    fn ask(&self, question: &Question) -> PromptAnswer {
        match question {
            Question::Password { attempt: 1, .. } => PromptAnswer::Secret(self.0.clone()),
            _ => PromptAnswer::Cancelled,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_permission_denied_item_among_many_fails_alone_and_retries() {
    use std::os::unix::fs::PermissionsExt;
    let sshd = Sshd::builder().password_auth().start();
    let user = password_user();
    let config = sshd.path("password_config");
    let block = format!(
        "Host pw\n  HostName 127.0.0.1\n  Port {}\n  User {}\n  IdentityFile /nonexistent\n  IdentitiesOnly yes\n  \
         IdentityAgent none\n  UserKnownHostsFile {}\n  GlobalKnownHostsFile /dev/null\n  StrictHostKeyChecking yes\n",
        sshd.port,
        user.name,
        sshd.path("known_hosts").display()
    );
    std::fs::write(&config, block).unwrap();
    let env = env(&config, Limits::default(), Arc::new(PasswordPrompter(user.password.clone())));
    let shared = tempfile::Builder::new().prefix("scpdeck-shared-").tempdir_in("/tmp").unwrap();
    std::fs::set_permissions(shared.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let source = shared.path().join("files");
    std::fs::create_dir(&source).unwrap();
    std::fs::set_permissions(&source, std::fs::Permissions::from_mode(0o755)).unwrap();
    for i in 0..20 {
        let path = source.join(format!("f{i:02}"));
        std::fs::write(&path, format!("file {i}")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    std::fs::set_permissions(source.join("f07"), std::fs::Permissions::from_mode(0o600)).unwrap();
    let work = tempfile::tempdir().unwrap();
    let id = env.scheduler.submit(spec(Mode::Copy, vec![remote("pw", &source)], local(work.path())));
    let view = finish(&env.scheduler, id).await;
    assert_eq!(view.state, JobState::Failed, "{view:#?}");
    assert_eq!(view.failed.len(), 1, "{:#?}", view.failed);
    assert_eq!(view.failed[0].name, "files/f07");
    assert!(view.failed[0].reason.contains("Permission denied"), "{}", view.failed[0].reason);
    assert_eq!(view.progress.files_done, 19);
    assert!(!work.path().join("files/f07").exists());
    assert_eq!(std::fs::read_to_string(work.path().join("files/f08")).unwrap(), "file 8");

    std::fs::set_permissions(source.join("f07"), std::fs::Permissions::from_mode(0o644)).unwrap();
    env.scheduler.control(Control::Retry(id, Some(view.failed[0].item)));
    let view = until(&env.scheduler, "the retry", |j| j.state == JobState::Done, id).await;
    assert_eq!(view.progress.files_done, 20);
    assert_eq!(std::fs::read_to_string(work.path().join("files/f07")).unwrap(), "file 7");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_killed_connection_sends_its_files_again_over_a_new_one() {
    let sshd = Sshd::start();
    let mut env = key_env(&sshd);
    let work = tempfile::tempdir().unwrap();
    let source = work.path().join("big");
    std::fs::create_dir(&source).unwrap();
    // Large enough to be caught mid-way: 4 x 256 MiB, sparse on disk.
    for i in 0..4 {
        std::fs::File::create(source.join(format!("b{i}"))).unwrap().set_len(256 << 20).unwrap();
    }
    let dest = work.path().join("dest");
    std::fs::create_dir(&dest).unwrap();
    std::fs::create_dir(dest.join("big")).unwrap();
    std::fs::write(dest.join("big/b1"), b"the old b1").unwrap();
    let id = env.scheduler.submit(spec(Mode::Copy, vec![local(&source)], remote(sshd.alias(), &dest)));
    until(&env.scheduler, "bytes moving", |j| j.progress.bytes_done > 0, id).await;
    sshd.kill_connections();
    // No destination name holds a partial file at any moment: each is
    // complete or as before.
    let watch = {
        let dest = dest.clone();
        std::thread::spawn(move || {
            for _ in 0..200 {
                for i in 0..4 {
                    let path = dest.join(format!("big/b{i}"));
                    if let Ok(meta) = std::fs::metadata(&path) {
                        let old = i == 1 && meta.len() == 10;
                        assert!(meta.len() == 256 << 20 || old, "b{i} is partial: {}", meta.len());
                    }
                }
                std::thread::sleep(Duration::from_millis(10));
            }
        })
    };
    let view = finish(&env.scheduler, id).await;
    watch.join().unwrap();
    assert_eq!(view.state, JobState::Done, "{view:#?}");
    for i in 0..4 {
        let size = std::fs::metadata(dest.join(format!("big/b{i}"))).unwrap().len();
        assert_eq!(size, 256 << 20, "b{i}");
    }
    let events = drain(&mut env.log);
    assert!(events.iter().any(|e| e.text.contains("go back in line for another connection")), "{events:#?}");
    // Nothing of ours is left on the host, the private directory of the
    // dropped connection included.
    assert!(leftovers(&dest).is_empty(), "{:?}\n{events:#?}", leftovers(&dest));
    let names: Vec<String> = std::fs::read_dir(dest.join("big"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.starts_with(".sd-")), "{names:?}");
}

/// A `program` for the host that does its work and then, the first time
/// it is given a path in one of our private directories (`.sd-`), kills
/// the connection it runs on (every sshd process above it but the
/// listener): its reply never comes back, though its work was done.
fn killing_its_connection(program: &str, marker: &Path) -> String {
    let real = support::which(program).display().to_string();
    format!(
        "#!/bin/sh\n'{real}' \"$@\"; s=$?\ncase \"$*\" in */.sd-*) if mkdir '{}' 2>/dev/null; then\n\
         p=$PPID; while [ \"$p\" -gt 1 ]; do read -r _ c _ pp _ < /proc/$p/stat || break\n\
         read -r _ pc _ < /proc/$pp/stat; [ \"$c\" = '(sshd)' ] && [ \"$pc\" = '(sshd)' ] && kill -9 \"$p\"\n\
         p=$pp; done; fi;; esac\nexit $s\n",
        marker.display()
    )
}

/// An `rm` that fails the first time it is given a path in one of our
/// private directories, as when a late `dd` made its file again while
/// `rm -r` went through the directory.
fn rm_failing_once(marker: &Path) -> String {
    let real = support::which("rm").display().to_string();
    format!(
        "#!/bin/sh\ncase \"$*\" in */.sd-*) if mkdir '{}' 2>/dev/null; then\n\
         echo \"rm: cannot remove '$3': Directory not empty\" >&2; exit 1; fi;; esac\nexec '{real}' \"$@\"\n",
        marker.display()
    )
}

/// Submits the upload of a new 2 MiB file `big` (in `work`) into `dest`
/// (made in `work`) on `sshd`, in 4 ranges (the threshold 1 MiB):
/// the environment, the source, `dest` and the job.
fn ranged_upload(sshd: &Sshd, work: &Path, seed: u64) -> (Env, PathBuf, PathBuf, JobId) {
    let segments = Segments { count: 4, threshold: 1 << 20 };
    let env = env_with(&sshd.ssh_config(), Limits::default(), Arc::new(NoPrompter), segments);
    let source = work.join("big");
    random_file(&source, 2 << 20, seed);
    let dest = work.join("dest");
    std::fs::create_dir(&dest).unwrap();
    let id = env.scheduler.submit(spec(Mode::Copy, vec![local(&source)], remote(sshd.alias(), &dest)));
    (env, source, dest, id)
}

/// Whether the log says that a private directory's removal failed (as
/// [`rm_failing_once`] makes it) and is tried again later.
fn tried_again(events: &[Event]) -> bool {
    events.iter().any(|e| e.text.contains("Directory not empty") && e.text.contains("tried again over"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_connection_lost_while_a_ranged_upload_makes_or_finishes_its_copy_leaves_no_private_directory() {
    // The private directory made (`mkdir`), or the copy complete in it and
    // its time set (`touch`, with -p) before it is put in place: either
    // way the directory is there on the host when the connection drops;
    // and once, its removal over the new connection fails (`rm`).
    for (case, programs) in
        [("mkdir", &["mkdir"][..]), ("touch", &["touch"]), ("touch, rm", &["touch", "rm"])]
    {
        let work = tempfile::tempdir().unwrap();
        let mut sshd = Sshd::builder();
        let mut markers = Vec::new();
        for &program in programs {
            let marker = work.path().join(format!("{program} done"));
            sshd = match program {
                "rm" => sshd.program(program, &rm_failing_once(&marker)),
                _ => sshd.program(program, &killing_its_connection(program, &marker)),
            };
            markers.push(marker);
        }
        let sshd = sshd.start();
        let (mut env, source, dest, id) = ranged_upload(&sshd, work.path(), 5);
        let view = finish(&env.scheduler, id).await;
        let events = drain(&mut env.log);
        for marker in &markers {
            assert!(marker.exists(), "{case}: {} did not happen\n{events:#?}", marker.display());
        }
        assert_eq!(view.state, JobState::Done, "{case}: {view:#?}");
        assert_eq!(sha256_of(&dest.join("big")), sha256_of(&source), "{case}");
        assert!(events.iter().any(|e| e.text.contains("in 4 ranges over 4 channels")), "{case}: {events:#?}");
        assert!(
            events.iter().any(|e| e.text.contains("go back in line for another connection")),
            "{case}: {events:#?}"
        );
        if programs.contains(&"rm") {
            assert!(tried_again(&events), "{case}: {events:#?}");
        }
        assert!(leftovers(&dest).is_empty(), "{case}: {:?}\n{events:#?}", leftovers(&dest));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_cancelled_ranged_upload_whose_private_directory_resists_removal_still_leaves_none() {
    // The ranges' `dd`s wait, so the cancel finds them running; the first
    // removal of the private directory fails as when a late `dd` made its
    // file during it. No retry follows a cancel: the task removes it again.
    let work = tempfile::tempdir().unwrap();
    let dd = support::which("dd").display().to_string();
    let sshd = Sshd::builder()
        .program("dd", &format!("#!/bin/sh\nsleep 2\nexec '{dd}' \"$@\"\n"))
        .program("rm", &rm_failing_once(&work.path().join("rm done")))
        .start();
    let (mut env, _, dest, id) = ranged_upload(&sshd, work.path(), 6);
    poll("the private directory is made", || !leftovers(&dest).is_empty()).await;
    env.scheduler.control(Control::Cancel(id));
    let view = until(&env.scheduler, "cancelled", |j| j.state.is_finished(), id).await;
    assert_eq!(view.state, JobState::Cancelled, "{view:#?}");
    poll("the private directory is gone", || leftovers(&dest).is_empty()).await;
    let events = drain(&mut env.log);
    assert!(work.path().join("rm done").exists(), "{events:#?}");
    assert!(tried_again(&events), "{events:#?}");
    assert!(events.iter().any(|e| e.text.contains("removed a temporary directory left in")), "{events:#?}");
    assert!(!dest.join("big").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_talkative_host_copies_and_logs_the_banner_with_the_fix() {
    let sshd = Sshd::builder().banner(Banner::talkative()).start();
    let mut env = key_env(&sshd);
    let work = tempfile::tempdir().unwrap();
    let source = work.path().join("tree");
    make_tree(&source);
    let dest = work.path().join("dest");
    std::fs::create_dir(&dest).unwrap();
    let up = env.scheduler.submit(spec(Mode::Copy, vec![local(&source)], remote(sshd.alias(), &dest)));
    assert_eq!(finish(&env.scheduler, up).await.state, JobState::Done);
    let back = work.path().join("back");
    std::fs::create_dir(&back).unwrap();
    let down =
        env.scheduler.submit(spec(Mode::Copy, vec![remote(sshd.alias(), &dest.join("tree"))], local(&back)));
    assert_eq!(finish(&env.scheduler, down).await.state, JobState::Done);
    assert_same_tree(&back.join("tree"), &source);
    let events = drain(&mut env.log);
    // Two jobs, each several scp runs (one per directory) and listings,
    // every one of them behind the banner: one note for the host.
    let notes: Vec<&Event> = events.iter().filter(|e| e.text.contains("Welcome to the test host")).collect();
    assert_eq!(notes.len(), 1, "{notes:#?}");
    let note = notes[0];
    assert_eq!((note.level, note.host.as_deref()), (Level::Warn, Some(sshd.alias())));
    // Whole: the text by stream, what it breaks, the login shell and where
    // the text comes from for it (the harness prints it from a ForceCommand
    // wrapper, and dash reads no startup file for a command).
    for part in [
        "on stdout \"Welcome to the test host!\" / \"\" / \"Last login: yesterday\"",
        "on stderr \"profile: could not set locale\"",
        "breaks OpenSSH's scp",
        "Login shell: dash. dash reads no startup file for a command",
        "a ForceCommand or a wrapper",
    ] {
        assert!(note.text.contains(part), "{part}: {}", note.text);
    }
    assert!(!note.text.contains("BusyBox"), "{}", note.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cancel_stops_fast_removes_temporary_files_and_keeps_destinations() {
    let sshd = Sshd::start();
    let env = key_env(&sshd);
    let work = tempfile::tempdir().unwrap();
    let remote_dir = work.path().join("remote");
    std::fs::create_dir(&remote_dir).unwrap();
    // Large enough to be caught mid-way without a bandwidth limit (whose
    // sleeps come between progress reports): 1 GiB, sparse on disk.
    std::fs::File::create(remote_dir.join("big")).unwrap().set_len(1 << 30).unwrap();
    let local_dir = work.path().join("local");
    std::fs::create_dir(&local_dir).unwrap();
    std::fs::write(local_dir.join("big"), b"keep me").unwrap();
    for (source, target, dest_dir) in [
        (remote(sshd.alias(), &remote_dir.join("big")), local(&local_dir), local_dir.clone()),
        (local(&remote_dir.join("big")), remote(sshd.alias(), &local_dir), local_dir.clone()),
    ] {
        let id = env.scheduler.submit(spec(Mode::Copy, vec![source], target));
        until(&env.scheduler, "bytes moving", |j| j.progress.bytes_done > 0, id).await;
        let asked = Instant::now();
        env.scheduler.control(Control::Cancel(id));
        let view = until(&env.scheduler, "cancelled", |j| j.state.is_finished(), id).await;
        let took = asked.elapsed();
        assert_eq!(view.state, JobState::Cancelled, "{view:#?}");
        assert!(took < Duration::from_millis(1500), "cancel took {took:?}");
        assert_eq!(std::fs::read(dest_dir.join("big")).unwrap(), b"keep me");
        // The engine's or our private temporary files are gone.
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(leftovers(&dest_dir).is_empty(), "{:?}", leftovers(&dest_dir));
        assert_eq!(std::fs::read_dir(&dest_dir).unwrap().count(), 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn move_deletes_a_source_only_after_its_verified_copy() {
    let sshd = Sshd::start();
    let env = key_env(&sshd);
    let work = tempfile::tempdir().unwrap();
    let source = work.path().join("tree");
    make_tree(&source);
    let dest = work.path().join("dest");
    // A directory where a file should go: that file cannot be copied.
    std::fs::create_dir_all(dest.join("tree/plain.txt")).unwrap();
    let expected = tree(&source);
    let mut job = spec(Mode::Move, vec![remote(sshd.alias(), &source)], local(&dest));
    job.options.verify = true;
    let id = env.scheduler.submit(job);
    let view = finish(&env.scheduler, id).await;
    assert_eq!(view.state, JobState::Failed, "{view:#?}");
    assert_eq!(view.failed.len(), 1, "{:#?}", view.failed);
    assert_eq!(view.failed[0].name, "tree/plain.txt");
    // The failed item's source stays, with the directory holding it; the rest moved.
    assert!(source.join("plain.txt").is_file());
    assert!(!source.join("sub").exists(), "a fully moved directory is removed");
    assert!(!source.join("-leading-dash").exists());
    let moved = tree(&dest.join("tree"));
    for (path, data) in expected.iter().filter(|(p, _)| *p != Path::new("plain.txt")) {
        assert_eq!(moved.get(path), Some(data), "{}", path.display());
    }
}

/// Moving a symbolic link (F6) moves the link itself, both ways: the link
/// is recreated at the destination and the source link removed; what it
/// points to stays where it is, untouched.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_moved_link_is_the_link_itself_both_ways() {
    let sshd = Sshd::start();
    let env = key_env(&sshd);
    let work = tempfile::tempdir().unwrap();
    let source = work.path().join("src");
    std::fs::create_dir_all(source.join("dir")).unwrap();
    std::fs::write(source.join("dir/f"), b"data").unwrap();
    std::os::unix::fs::symlink("dir", source.join("to_dir")).unwrap();
    std::os::unix::fs::symlink("dir/f", source.join("to_file")).unwrap();
    let links = [source.join("to_dir"), source.join("to_file")];
    for (n, upload) in [(1, true), (2, false)] {
        let dest = work.path().join(format!("dest{n}"));
        std::fs::create_dir(&dest).unwrap();
        let (sources, target) = if upload {
            (links.iter().map(|l| local(l)).collect(), remote(sshd.alias(), &dest))
        } else {
            (links.iter().map(|l| remote(sshd.alias(), l)).collect(), local(&dest))
        };
        let id = env.scheduler.submit(spec(Mode::Move, sources, target));
        let view = finish(&env.scheduler, id).await;
        assert_eq!(view.state, JobState::Done, "{view:#?}");
        assert_eq!(std::fs::read_link(dest.join("to_dir")).unwrap(), Path::new("dir"));
        assert_eq!(std::fs::read_link(dest.join("to_file")).unwrap(), Path::new("dir/f"));
        for link in &links {
            assert!(std::fs::symlink_metadata(link).is_err(), "{} was moved", link.display());
            // Recreated for the next direction.
        }
        assert_eq!(std::fs::read(source.join("dir/f")).unwrap(), b"data", "the target is untouched");
        std::os::unix::fs::symlink("dir", source.join("to_dir")).unwrap();
        std::os::unix::fs::symlink("dir/f", source.join("to_file")).unwrap();
    }
}

/// Host "one", whose scp trusts host `two` (knows its host key, has a
/// key), and an ssh_config naming both.
fn direct_pair(two: &Sshd, work: &Path) -> (Sshd, PathBuf) {
    direct_pair_knowing(two, work, &two.path("known_hosts"))
}

/// The same, with `known_hosts` as the known hosts of one's scp.
fn direct_pair_knowing(two: &Sshd, work: &Path, known_hosts: &Path) -> (Sshd, PathBuf) {
    let real_scp = support::which("scp").display().to_string();
    let wrapper = format!(
        "#!/bin/sh\nexec {real_scp} -i {} -o UserKnownHostsFile={} -o StrictHostKeyChecking=yes \"$@\"\n",
        two.client_key().display(),
        known_hosts.display()
    );
    let one = Sshd::builder().program("scp", &wrapper).start();
    let config = work.join("ssh_config");
    // "two" must mean the same host on host one: 127.0.0.1 and its port.
    std::fs::write(&config, format!("{}{}", one.config_block("one"), two.config_block("two"))).unwrap();
    (one, config)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn direct_mode_runs_scp_on_the_source_host() {
    let two = Sshd::start();
    let work = tempfile::tempdir().unwrap();
    let (one, config) = direct_pair(&two, work.path());
    let mut env = env(&config, Limits::default(), Arc::new(NoPrompter));
    let source = work.path().join("tree");
    make_tree(&source);
    let dest = work.path().join("dest");
    std::fs::create_dir(&dest).unwrap();
    let mut job = spec(Mode::Copy, vec![remote("one", &source)], remote("two", &dest));
    job.options.direct = true;
    let id = env.scheduler.submit(job);
    let view = finish(&env.scheduler, id).await;
    assert_eq!(view.state, JobState::Done, "{view:#?}");
    assert_same_tree(&dest.join("tree"), &source);
    assert!(leftovers(&dest).is_empty());
    // The data went from one to two directly: two saw logins from one's scp
    // as well as scpdeck's own (listing and renaming).
    assert!(two.accepted_logins() >= 2, "{}", two.accepted_logins());
    assert!(one.accepted_logins() >= 1);
    // The protocol it chose is in the log: this scp (OpenSSH 9) takes -O.
    let events = drain(&mut env.log);
    assert!(
        events.iter().any(|e| e.level == Level::Info && e.text.contains("with the SCP protocol (-O)")),
        "{events:#?}"
    );
}

/// A direct copy of a file from "one" to "two" that must fail, leaving
/// nothing in the destination: its reason.
async fn failed_direct_copy(env: &Env, work: &Path) -> String {
    let source = work.join("file");
    std::fs::write(&source, b"direct").unwrap();
    let dest = work.join("dest");
    std::fs::create_dir(&dest).unwrap();
    let mut job = spec(Mode::Copy, vec![remote("one", &source)], remote("two", &dest));
    job.options.direct = true;
    let id = env.scheduler.submit(job);
    let view = finish(&env.scheduler, id).await;
    assert_eq!(view.state, JobState::Failed, "{view:#?}");
    assert!(!dest.join("file").exists() && leftovers(&dest).is_empty());
    view.failed.first().unwrap_or_else(|| panic!("{view:#?}")).reason.clone()
}

/// A destination whose login shell prints text: the far scp's own words
/// are the reason (not SFTP's "Connection closed" or "Received message too
/// long 1466264675"), its stderr is in the log, and so is the note about
/// the destination's banner.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn direct_mode_to_a_talkative_host_fails_with_the_far_scps_words() {
    let two = Sshd::builder().banner(Banner::talkative()).start();
    let work = tempfile::tempdir().unwrap();
    let (_one, config) = direct_pair(&two, work.path());
    let mut env = env(&config, Limits::default(), Arc::new(NoPrompter));
    let reason = failed_direct_copy(&env, work.path()).await;
    assert!(reason.starts_with("scp on one failed (exit status 1): "), "{reason}");
    assert!(reason.contains("Welcome to the test host!"), "{reason}");
    assert!(reason.contains("two's login shell prints text on standard output"), "{reason}");
    for sftp in ["Received message too long", "Connection closed"] {
        assert!(!reason.contains(sftp), "{reason}");
    }
    let events = drain(&mut env.log);
    let said = |text: &str| events.iter().any(|e| e.host.as_deref() == Some("one") && e.text.contains(text));
    assert!(said("scp on one (to two): Welcome to the test host!"), "{events:#?}");
    assert!(said("scp on one (to two): profile: could not set locale"), "{events:#?}");
    let notes: Vec<&Event> = events
        .iter()
        .filter(|e| e.host.as_deref() == Some("two") && e.text.contains("the login shell printed text"))
        .collect();
    assert_eq!(notes.len(), 1, "{events:#?}");
}

/// A source host without scp (BusyBox only): a direct copy needs scp on
/// both hosts, so the files are relayed through this machine (over the
/// source's lower rung), and the log says why.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn direct_mode_from_a_host_without_scp_is_relayed() {
    if !Shell::available().contains(&Shell::BusyBox) {
        return;
    }
    let one = Sshd::builder().shell(Shell::BusyBox).start();
    let two = Sshd::start();
    let work = tempfile::tempdir().unwrap();
    let config = work.path().join("ssh_config");
    std::fs::write(&config, format!("{}{}", one.config_block("one"), two.config_block("two"))).unwrap();
    let mut env = env(&config, Limits::default(), Arc::new(NoPrompter));
    let source = work.path().join("file");
    std::fs::write(&source, b"relayed").unwrap();
    let dest = work.path().join("dest");
    std::fs::create_dir(&dest).unwrap();
    let mut job = spec(Mode::Copy, vec![remote("one", &source)], remote("two", &dest));
    job.options.direct = true;
    let id = env.scheduler.submit(job);
    let view = finish(&env.scheduler, id).await;
    assert_eq!(view.state, JobState::Done, "{view:#?}");
    assert_eq!(std::fs::read(dest.join("file")).unwrap(), b"relayed");
    assert!(leftovers(&dest).is_empty());
    let events = drain(&mut env.log);
    assert!(
        events
            .iter()
            .any(|e| e.text.contains("a direct copy needs scp on both hosts, and one is on the sftp rung")),
        "{events:#?}"
    );
}

/// A source host that does not know the destination's host key: the far
/// scp's words are the reason, and they are in the log.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn direct_mode_to_an_unknown_host_key_fails_with_the_far_scps_words() {
    let two = Sshd::start();
    let work = tempfile::tempdir().unwrap();
    let (_one, config) = direct_pair_knowing(&two, work.path(), Path::new("/dev/null"));
    let mut env = env(&config, Limits::default(), Arc::new(NoPrompter));
    let reason = failed_direct_copy(&env, work.path()).await;
    assert!(reason.starts_with("scp on one failed (exit status "), "{reason}");
    assert!(reason.contains("Host key verification failed."), "{reason}");
    let events = drain(&mut env.log);
    assert!(
        events.iter().any(|e| e.level == Level::Error
            && e.text.starts_with("scp on one (to two): Host key verification failed.")),
        "{events:#?}"
    );
}

/// Files of the resume tests: at 8 MiB/s through the proxy, about three
/// seconds each, so a pause or a cut link lands half way.
const SLOW_SIZE: u64 = 24 << 20;

/// A host behind a counting proxy that holds each connection to 8 MiB/s,
/// a scheduler that reaches it through the proxy, and a 24 MiB file on
/// each side to copy to the other.
struct Slow {
    sshd: Sshd,
    proxy: CountingProxy,
    env: Env,
    work: tempfile::TempDir,
}

impl Slow {
    fn new() -> Slow {
        let sshd = Sshd::start();
        let proxy = CountingProxy::limited(&sshd, Some(8 << 20));
        let env = env(&proxy.ssh_config(&sshd), Limits::default(), Arc::new(NoPrompter));
        let work = tempfile::tempdir().unwrap();
        for dir in ["here", "there", "into-here", "into-there"] {
            std::fs::create_dir(work.path().join(dir)).unwrap();
        }
        random_file(&work.path().join("here/up.bin"), SLOW_SIZE, 21);
        random_file(&work.path().join("there/down.bin"), SLOW_SIZE, 22);
        Slow { sshd, proxy, env, work }
    }

    /// (source, target, the directory the copy lands in, its name, upload)
    /// for each direction.
    fn ways(&self) -> [(Location, Location, PathBuf, &'static str, bool); 2] {
        let w = self.work.path();
        let host = self.sshd.alias();
        [
            (
                remote(host, &w.join("there/down.bin")),
                local(&w.join("into-here")),
                w.join("into-here"),
                "down.bin",
                false,
            ),
            (
                local(&w.join("here/up.bin")),
                remote(host, &w.join("into-there")),
                w.join("into-there"),
                "up.bin",
                true,
            ),
        ]
    }

    /// Bytes through the proxy in the direction of the copy's data.
    fn moved(&self, up: bool) -> u64 {
        if up { self.proxy.up() } else { self.proxy.down() }
    }

    fn source_of(&self, name: &str) -> PathBuf {
        let side = if name == "up.bin" { "here" } else { "there" };
        self.work.path().join(side).join(name)
    }
}

fn sha256_of(path: &Path) -> Vec<u8> {
    Sha256::digest(std::fs::read(path).unwrap()).to_vec()
}

/// Polls `done` until it holds, for at most a minute.
async fn poll(what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// `count` once it has not changed for 300 ms (at most 10 s).
async fn settled(count: impl Fn() -> u64) -> u64 {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut last = count();
    loop {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let now = count();
        if now == last || Instant::now() > deadline {
            return now;
        }
        last = now;
    }
}

/// The job finished with `copy` placed whole, having moved at most 60% of
/// it since `before`, and continued from its partial copy.
async fn resumed_whole(slow: &mut Slow, id: JobId, dir: &Path, name: &str, up: bool, before: u64) {
    let view = finish(&slow.env.scheduler, id).await;
    assert_eq!(view.state, JobState::Done, "{view:#?}");
    let moved = slow.moved(up) - before;
    assert!(moved <= SLOW_SIZE * 6 / 10, "{name}: {moved} bytes of {SLOW_SIZE} moved to finish it");
    assert_eq!(sha256_of(&dir.join(name)), sha256_of(&slow.source_of(name)), "{name}");
    let resumed: Vec<u64> = view.resumed.iter().map(|r| r.at).collect();
    assert!(resumed.len() == 1 && resumed[0] >= SLOW_SIZE * 4 / 10, "{name}: {view:#?}");
    assert_eq!(view.partials, 0);
    assert!(temp_names(dir).is_empty(), "{:?}", temp_names(dir));
    let events = drain(&mut slow.env.log);
    assert!(events.iter().any(|e| e.text.contains(&format!("{name}: resumed at"))), "{events:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_pause_keeps_the_bytes_done_and_resuming_continues_the_file_both_ways() {
    let mut slow = Slow::new();
    for (source, target, dir, name, up) in slow.ways() {
        let s = &slow.env.scheduler;
        let id = s.submit(spec(Mode::Copy, vec![source], target));
        poll("half the file is there", || partial_bytes(&dir) >= SLOW_SIZE / 2).await;
        s.control(Control::Pause(id));
        let paused = until(s, "paused", |j| j.state == JobState::Paused && j.connections == 0, id).await;
        // What was done stays done, on disk and in the view (which counts
        // up to the last progress report, at most 100 ms old).
        assert_eq!(paused.partials, 1, "{paused:#?}");
        assert!(
            paused.progress.bytes_done >= SLOW_SIZE * 4 / 10,
            "{name}: {:?}, {} bytes on disk",
            paused.progress,
            partial_bytes(&dir)
        );
        assert!(partial_bytes(&dir) >= SLOW_SIZE / 2, "{name}: the partial copy is kept");
        assert!(!dir.join(name).exists());
        // The paused connection's bytes still in flight through the proxy
        // are not the resumed transfer's.
        let before = settled(|| slow.moved(up)).await;
        s.control(Control::Resume(id));
        resumed_whole(&mut slow, id, &dir, name, up, before).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_file_failed_by_a_lost_link_keeps_its_partial_copy_and_a_retry_resumes_it() {
    let mut slow = Slow::new();
    for (source, target, dir, name, up) in slow.ways() {
        let s = &slow.env.scheduler;
        let id = s.submit(spec(Mode::Copy, vec![source], target));
        poll("half the file is there", || partial_bytes(&dir) >= SLOW_SIZE / 2).await;
        // The link goes down, and stays down while scpdeck reconnects.
        slow.proxy.cut();
        let failed = until(s, "failed", |j| j.state.is_finished(), id).await;
        assert_eq!(failed.state, JobState::Failed, "{failed:#?}");
        assert_eq!((failed.failed.len(), failed.partials), (1, 1), "{failed:#?}");
        assert!(partial_bytes(&dir) >= SLOW_SIZE / 2, "{name}: the partial copy is kept");
        slow.proxy.mend();
        let before = slow.moved(up);
        s.control(Control::Retry(id, None));
        until(s, "retried", |j| !j.state.is_finished(), id).await;
        resumed_whole(&mut slow, id, &dir, name, up, before).await;
    }
}
