//! The numbers a job shows agree with each other and with the disk: files
//! and bytes done never go back (pause, cancel, retry, a move cancelled
//! before its deletes), skipped files are skipped and not done, a failed
//! tree is one count everywhere with its whole reason, the check before
//! placement is shown as verifying.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::fake::{Config, Fake};
use super::tests::{copy, finish, local, remote, spec, start, tree, until};
use super::*;

/// Every view the scheduler publishes for `job`, in order.
fn record(s: &Scheduler, job: JobId) -> Arc<Mutex<Vec<Progress>>> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let mut rx = s.subscribe();
    let out = seen.clone();
    tokio::spawn(async move {
        loop {
            if let Some(view) = rx.borrow_and_update().job(job) {
                out.lock().unwrap().push(view.progress);
            }
            if rx.changed().await.is_err() {
                return;
            }
        }
    });
    seen
}

/// How many of [`tree`]'s `n` files are under /dst/tree.
fn on_disk(fake: &Fake, n: usize) -> usize {
    (0..n).filter(|i| fake.data(&local(&format!("/dst/tree/d{}/f{i:03}", i % 3))).is_some()).count()
}

fn assert_never_back(seen: &[Progress]) {
    assert!(seen.len() > 3, "too few views to tell: {seen:?}");
    for pair in seen.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        assert!(b.files_done >= a.files_done, "files went back: {a:?} then {b:?}");
        assert!(b.bytes_done >= a.bytes_done, "bytes went back: {a:?} then {b:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn done_never_goes_back_through_pause_cancel_and_retry() {
    let fake = Fake::new(Config { rate: 100_000, ..Config::default() });
    tree(&fake, "a", 12, 300_000);
    fake.dir(&local("/dst"));
    let s = start(&fake, Limits::default());
    let job = s.submit(copy(vec![remote("a", "/src/tree")], local("/dst")));
    let seen = record(&s, job);
    until(&s, "a file done", |v| v.job(job).is_some_and(|j| j.progress.files_done >= 2)).await;
    until(&s, "more in flight", |v| v.job(job).is_some_and(|j| j.progress.bytes_done % 300_000 != 0)).await;
    s.control(Control::Pause(job));
    until(&s, "paused", |v| v.job(job).is_some_and(|j| j.connections == 0)).await;
    s.control(Control::Resume(job));
    until(&s, "going again", |v| v.job(job).is_some_and(|j| j.progress.files_done >= 5)).await;
    until(&s, "in flight again", |v| v.job(job).is_some_and(|j| j.progress.bytes_done % 300_000 != 0)).await;
    s.control(Control::Cancel(job));
    let cancelled =
        until(&s, "cancelled", |v| v.job(job).is_some_and(|j| j.state == JobState::Cancelled)).await;
    assert_eq!(cancelled.job(job).map(|j| j.progress.files_done), Some(on_disk(&fake, 12)), "as on disk");
    s.control(Control::Retry(job, None));
    until(&s, "retried", |v| v.job(job).is_some_and(|j| j.state == JobState::Done)).await;
    tokio::time::sleep(Duration::from_millis(10)).await;
    let seen = seen.lock().unwrap().clone();
    assert_never_back(&seen);
    let last = seen.last().unwrap();
    assert_eq!((last.files_done, last.bytes_done, last.bytes_total), (12, 12 * 300_000, 12 * 300_000));
}

#[tokio::test(start_paused = true)]
async fn a_move_cancelled_before_its_deletes_counts_the_copies_made() {
    let fake = Fake::new(Config { rate: 200_000, ..Config::default() });
    let root = tree(&fake, "a", 30, 20_000);
    fake.dir(&local("/dst"));
    let s = start(&fake, Limits { global: 1, per_host: 1 });
    let job = s.submit(spec(Mode::Move, vec![root], local("/dst"), OverwritePolicy::Overwrite));
    let seen = record(&s, job);
    until(&s, "copies made", |v| v.job(job).is_some_and(|j| j.progress.files_done >= 10)).await;
    s.control(Control::Cancel(job));
    let view = finish(&s, job).await.unwrap();
    let on_disk = on_disk(&fake, 30);
    assert!(on_disk >= 10, "{on_disk}");
    assert_eq!(view.progress.files_done, on_disk, "every copy at the destination is counted: {view:#?}");
    assert_never_back(&seen.lock().unwrap());
}

#[tokio::test(start_paused = true)]
async fn skipped_files_are_counted_as_skipped_not_done() {
    let fake = Fake::new(Config::default());
    fake.file(&remote("h", "/src/a"), b"new a", 5);
    fake.file(&remote("h", "/src/b"), b"new b", 5);
    fake.file(&local("/dst/a"), b"old", 1);
    let s = start(&fake, Limits::default());
    let sources = vec![remote("h", "/src/a"), remote("h", "/src/b")];
    let job = s.submit(spec(Mode::Copy, sources, local("/dst"), OverwritePolicy::Skip));
    let view = finish(&s, job).await.unwrap();
    assert_eq!(view.state, JobState::Done);
    let p = view.progress;
    assert_eq!((p.files_done, p.files_skipped, p.files_total), (1, 1, 2));
    assert_eq!((p.bytes_done, p.bytes_total), (5, 5), "a skipped file is not to do");
    assert_eq!(p.ratio(), 1.0);
}

#[tokio::test(start_paused = true)]
async fn a_failed_tree_is_one_count_everywhere_with_its_whole_reason() {
    let fake = Fake::new(Config::default());
    fake.file(&remote("h", "/src/d/one"), b"1", 1);
    fake.file(&remote("h", "/src/d/two"), b"2", 1);
    fake.dir(&local("/dst"));
    fake.config.lock().unwrap().mkdir_denied.insert(PathBuf::from("/dst/d"));
    let (sink, mut events) = crate::eventlog::LogSink::new(None);
    let s = Scheduler::spawn(Arc::new(super::fake::FakeBackend(fake.clone())), Limits::default(), sink);
    let job = s.submit(copy(vec![remote("h", "/src/d")], local("/dst")));
    let view = finish(&s, job).await.unwrap();
    assert_eq!(view.state, JobState::Failed);
    assert_eq!(view.failed.len(), 3, "the directory and both files: {:?}", view.failed);
    let reason = &view.failed.iter().find(|f| f.name == "d").unwrap().reason;
    let mut end = None;
    while let Ok(event) = events.try_recv() {
        if event.text.starts_with("failed:") {
            end = Some(event.text);
        }
    }
    let end = end.expect("the job's end is logged");
    assert!(end.contains("(0 of 2 files copied, 0 skipped, 3 failed)"), "{end}");
    assert!(end.ends_with(&format!("first failure: d: {reason}")), "the whole reason: {end}");
}

#[test]
fn files_sent_whole_and_being_checked_are_verifying() {
    for verify in [true, false] {
        let mut queue = Queue::new(Limits::default());
        let mut job = copy(vec![remote("h", "/src/f")], local("/dst"));
        job.options.verify = verify;
        let commands = queue.submit(JobId(1), job);
        let task = |commands: &[Command], name: &str| {
            commands.iter().find_map(|c| match c {
                Command::Start(task) if task.work.name() == name => Some(task.clone()),
                _ => None,
            })
        };
        let (Some(probe), Some(scan)) = (task(&commands, "probe"), task(&commands, "scan")) else {
            panic!("{commands:?}")
        };
        queue.update(Update::Probed { task: probe.id, dir: local("/dst"), probe: DirProbe::Listing(vec![]) });
        queue.update(Update::Finished { task: probe.id, result: Ok(()) });
        let entry = ScanEntry {
            rel: PathBuf::new(),
            kind: ItemKind::File,
            size: 100,
            mode: 0o644,
            mtime: None,
            link: None,
        };
        let scan_result = Scan { entries: vec![entry], ..Scan::default() };
        queue.update(Update::Scanned { task: scan.id, item: ItemId(0), result: Ok(scan_result) });
        let commands = queue.update(Update::Finished { task: scan.id, result: Ok(()) });
        let transfer = commands
            .iter()
            .find_map(|c| match c {
                Command::Start(task) if matches!(task.work, Work::Transfer(_)) => Some(task.clone()),
                _ => None,
            })
            .expect("a transfer starts");
        queue.update(Update::Connected { task: transfer.id });
        queue.update(Update::Started { task: transfer.id, item: ItemId(0) });
        queue.update(Update::Progress { task: transfer.id, item: ItemId(0), bytes: 60 });
        assert!(!queue.view().jobs[0].verifying, "still sending");
        queue.update(Update::Progress { task: transfer.id, item: ItemId(0), bytes: 100 });
        assert_eq!(
            queue.view().jobs[0].verifying,
            verify,
            "sent whole: checked when asked (verify {verify})"
        );
    }
}
