//! Scheduler tests with the in-process fake backend and tokio's paused
//! clock: transfers take virtual time, so limits, fairness, pause, cancel
//! and retry are observed deterministically.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use super::fake::{Config, Fake, FakeBackend, Node};
use super::*;
use crate::eventlog::LogSink;
use crate::fs::Location;

pub(super) fn remote(host: &str, path: &str) -> Location {
    Location::Remote { host: host.into(), path: PathBuf::from(path) }
}

pub(super) fn local(path: &str) -> Location {
    Location::Local(PathBuf::from(path))
}

pub(super) fn spec(
    mode: Mode,
    sources: Vec<Location>,
    target: Location,
    overwrite: OverwritePolicy,
) -> JobSpec {
    JobSpec {
        mode,
        sources,
        target,
        target_kind: TargetKind::Dir,
        options: Options { overwrite, preserve: true, ..Options::default() },
    }
}

pub(super) fn copy(sources: Vec<Location>, target: Location) -> JobSpec {
    spec(Mode::Copy, sources, target, OverwritePolicy::Overwrite)
}

pub(super) fn start(fake: &Arc<Fake>, limits: Limits) -> Scheduler {
    Scheduler::spawn(Arc::new(FakeBackend(fake.clone())), limits, LogSink::discard())
}

/// Waits (in virtual time) until the published view satisfies `done`.
pub(super) async fn until(s: &Scheduler, what: &str, done: impl Fn(&QueueView) -> bool) -> Arc<QueueView> {
    let mut rx = s.subscribe();
    let wait = async {
        loop {
            let view = rx.borrow_and_update().clone();
            if done(&view) {
                return view;
            }
            if rx.changed().await.is_err() {
                return view;
            }
        }
    };
    match tokio::time::timeout(Duration::from_secs(3600), wait).await {
        Ok(view) => view,
        Err(_) => panic!("timed out waiting for: {what}; view: {:#?}", s.view()),
    }
}

/// Waits (in virtual time) until the job is finished.
pub(super) async fn finish(s: &Scheduler, job: JobId) -> Option<JobView> {
    let view = until(s, "the job finishes", |v| v.job(job).is_some_and(|j| j.state.is_finished())).await;
    view.job(job).cloned()
}

pub(super) fn state(view: &QueueView, job: JobId) -> Option<JobState> {
    view.job(job).map(|j| j.state)
}

/// `n` files of `size` bytes under host:/src/tree.
pub(super) fn tree(fake: &Fake, host: &str, n: usize, size: usize) -> Location {
    let root = remote(host, "/src/tree");
    for i in 0..n {
        fake.file(&root.join(format!("d{}/f{i:03}", i % 3)), &vec![i as u8; size], 1000 + i as i64);
    }
    root
}

#[tokio::test(start_paused = true)]
async fn copies_a_tree_with_the_contents_intact() {
    let fake = Fake::new(Config::default());
    let root = tree(&fake, "a", 30, 5000);
    fake.file(&remote("a", "/src/single"), b"one", 7);
    fake.dir(&local("/dst"));
    let s = start(&fake, Limits::default());
    let job = s.submit(copy(vec![root, remote("a", "/src/single")], local("/dst")));
    let done = finish(&s, job).await.unwrap();
    assert_eq!(done.state, JobState::Done, "{done:#?}");
    assert_eq!(done.progress.files_done, 31);
    assert_eq!(done.progress.files_total, 31);
    assert_eq!(done.progress.bytes_done, 30 * 5000 + 3);
    for i in 0..30 {
        let dest = local(&format!("/dst/tree/d{}/f{i:03}", i % 3));
        assert_eq!(fake.get(&dest), Some(Node::File { data: vec![i as u8; 5000], mtime: 1000 + i as i64 }));
    }
    assert_eq!(fake.data(&local("/dst/single")), Some(b"one".to_vec()));
    assert!(fake.paths_under(&local("/dst")).iter().all(|p| !p.to_string_lossy().contains("scpdeck-tmp")));
}

#[tokio::test(start_paused = true)]
async fn respects_global_and_per_host_limits_and_uses_them() {
    let fake = Fake::new(Config::default());
    for host in ["a", "b", "c"] {
        tree(&fake, host, 300, 2_000);
    }
    fake.dir(&local("/dst"));
    let s = start(&fake, Limits { global: 5, per_host: 2 });
    let jobs: Vec<JobId> = ["a", "b", "c"]
        .iter()
        .map(|h| s.submit(copy(vec![remote(h, "/src/tree")], local(&format!("/dst/{h}")))))
        .collect();
    for &h in &["a", "b", "c"] {
        fake.dir(&local(&format!("/dst/{h}")));
    }
    for job in jobs {
        assert_eq!(finish(&s, job).await.map(|j| j.state), Some(JobState::Done));
    }
    let stats = fake.stats.lock().unwrap();
    let per_host: Vec<usize> = ["a", "b", "c"]
        .iter()
        .map(|h| stats.max_active.get(&Some(h.to_string())).copied().unwrap_or(0))
        .collect();
    assert!(per_host.iter().all(|&n| n <= 2) && per_host.contains(&2), "per-host limit: {per_host:?}");
    assert_eq!(stats.max_global, 5, "global limit reached but not exceeded");
}

#[tokio::test(start_paused = true)]
async fn splits_a_large_selection_into_parallel_batches() {
    let fake = Fake::new(Config::default());
    let root = tree(&fake, "a", 400, 100);
    fake.dir(&local("/dst"));
    let s = start(&fake, Limits::default());
    let job = s.submit(copy(vec![root], local("/dst")));
    assert_eq!(finish(&s, job).await.map(|j| j.state), Some(JobState::Done));
    let stats = fake.stats.lock().unwrap();
    let transfers: Vec<usize> = stats.started.iter().filter(|s| s.1 == "transfer").map(|s| s.2).collect();
    assert_eq!(transfers.iter().sum::<usize>(), 400);
    assert_eq!(stats.max_concurrent_transfers.get(&job.0), Some(&4), "four sessions in parallel");
    // Batches, not a channel per file, and not one batch for everything.
    assert!(transfers.len() >= 4 && transfers.len() <= 16, "{transfers:?}");
    assert!(transfers.iter().filter(|&&n| n >= 20).count() >= 4, "{transfers:?}");
}

#[tokio::test(start_paused = true)]
async fn jobs_interleave_fairly() {
    let fake = Fake::new(Config { per_file: Duration::from_millis(5), ..Config::default() });
    tree(&fake, "a", 8000, 10);
    for i in 0..100 {
        fake.file(&remote("a", &format!("/src/other/y{i}")), &[2; 10], 1);
    }
    fake.dir(&local("/dst"));
    let s = start(&fake, Limits::default());
    let big = s.submit(copy(vec![remote("a", "/src/tree")], local("/dst")));
    until(&s, "the big job runs", |v| v.job(big).is_some_and(|j| j.progress.files_done > 10)).await;
    let small = s.submit(copy(vec![remote("a", "/src/other")], local("/dst")));
    let view = until(&s, "the small job finishes", |v| state(v, small) == Some(JobState::Done)).await;
    // The small job did not wait for the big one, and got a fair share.
    let big_view = view.job(big).unwrap();
    assert_eq!(big_view.state, JobState::Running);
    assert!(big_view.progress.files_done < 3000, "{}", big_view.progress.files_done);
    let stats = fake.stats.lock().unwrap();
    assert_eq!(stats.max_concurrent_transfers.get(&small.0), Some(&2), "{stats:?}");
}

#[tokio::test(start_paused = true)]
async fn moving_a_job_up_runs_it_first() {
    let fake = Fake::new(Config::default());
    for name in ["j1", "j2", "j3"] {
        fake.file(&remote("a", &format!("/src/{name}")), &[0; 50_000], 1);
    }
    fake.dir(&local("/dst"));
    let s = start(&fake, Limits { global: 1, per_host: 1 });
    s.control(Control::PauseAll);
    let ids: Vec<JobId> = ["j1", "j2", "j3"]
        .iter()
        .map(|n| s.submit(copy(vec![remote("a", &format!("/src/{n}"))], local("/dst"))))
        .collect();
    s.control(Control::MoveUp(ids[2]));
    s.control(Control::MoveUp(ids[2]));
    s.control(Control::MoveDown(ids[0]));
    let view = until(&s, "three jobs queued", |v| v.jobs.len() == 3).await;
    assert_eq!(view.jobs.iter().map(|j| j.id).collect::<Vec<_>>(), [ids[2], ids[1], ids[0]]);
    assert!(view.jobs.iter().all(|j| j.state == JobState::Paused));
    s.control(Control::ResumeAll);
    for id in &ids {
        finish(&s, *id).await;
    }
    let stats = fake.stats.lock().unwrap();
    let order: Vec<u64> = stats.started.iter().filter(|s| s.1 == "transfer").map(|s| s.0).collect();
    assert_eq!(order, [ids[2].0, ids[1].0, ids[0].0]);
}

#[tokio::test(start_paused = true)]
async fn pause_stops_a_job_and_resume_finishes_it() {
    let fake = Fake::new(Config { rate: 100_000, ..Config::default() });
    fake.file(&remote("a", "/src/big"), &[7; 1_000_000], 1);
    fake.file(&local("/dst/big"), b"old", 1);
    let s = start(&fake, Limits::default());
    let job = s.submit(copy(vec![remote("a", "/src/big")], local("/dst")));
    until(&s, "half way", |v| v.job(job).is_some_and(|j| j.progress.bytes_done > 400_000)).await;
    s.control(Control::Pause(job));
    let paused_at = tokio::time::Instant::now();
    let view = until(&s, "paused, nothing running", |v| v.job(job).is_some_and(|j| j.connections == 0)).await;
    assert!(paused_at.elapsed() < Duration::from_secs(1));
    assert_eq!(state(&view, job), Some(JobState::Paused));
    // The interrupted file is neither half-written nor replaced; what
    // arrived is kept as a partial copy, shown as done.
    assert_eq!(fake.data(&local("/dst/big")), Some(b"old".to_vec()));
    let temp = PathBuf::from("/dst/big.scpdeck-tmp");
    assert_eq!(fake.paths_under(&local("/dst")), [PathBuf::from("/dst/big"), temp.clone()]);
    let kept = fake.data(&local("/dst/big.scpdeck-tmp")).map_or(0, |d| d.len() as u64);
    let paused = view.job(job).cloned().unwrap();
    assert!(kept > 400_000 && paused.partials == 1, "{paused:#?}");
    assert_eq!(paused.progress.bytes_done, kept);
    tokio::time::sleep(Duration::from_secs(30)).await;
    assert_eq!(s.view().job(job).map(|j| j.state), Some(JobState::Paused));
    s.control(Control::Resume(job));
    let view = until(&s, "resumed", |v| v.job(job).is_some_and(|j| !j.resumed.is_empty())).await;
    let running = view.job(job).cloned().unwrap();
    assert_eq!(running.resumed, [ResumedItem { name: "big".into(), at: kept }]);
    assert!(running.current.as_deref().is_some_and(|c| c.starts_with("big (resumed at ")), "{running:#?}");
    assert_eq!(finish(&s, job).await.map(|j| j.state), Some(JobState::Done));
    assert_eq!(fake.data(&local("/dst/big")), Some(vec![7; 1_000_000]));
    assert_eq!(fake.paths_under(&local("/dst")), [PathBuf::from("/dst/big")]);
    // Each byte was sent once.
    assert_eq!(lock_stats(&fake).copied_bytes, 1_000_000);
}

fn lock_stats(fake: &Fake) -> std::sync::MutexGuard<'_, super::fake::Stats> {
    fake.stats.lock().unwrap_or_else(|e| e.into_inner())
}

#[tokio::test(start_paused = true)]
async fn a_resumed_file_counts_only_the_bytes_moved_now_towards_the_rate() {
    let fake = Fake::new(Config { rate: 100_000, ..Config::default() });
    fake.file(&remote("a", "/src/big"), &[7; 2_000_000], 1);
    fake.dir(&local("/dst"));
    let s = start(&fake, Limits::default());
    let job = s.submit(copy(vec![remote("a", "/src/big")], local("/dst")));
    until(&s, "most of it", |v| v.job(job).is_some_and(|j| j.progress.bytes_done > 1_500_000)).await;
    s.control(Control::Pause(job));
    until(&s, "paused", |v| v.job(job).is_some_and(|j| j.connections == 0)).await;
    s.control(Control::Resume(job));
    // The jump to 1.5 MB done is not 1.5 MB moved: the rate stays the
    // link's 100 kB/s, and the time left follows from it.
    let view = until(&s, "a rate", |v| v.job(job).is_some_and(|j| j.progress.rate > 0.0)).await;
    let progress = view.job(job).map(|j| j.progress).unwrap_or_default();
    assert!(progress.rate < 150_000.0, "{progress:?}");
    let eta = progress.eta.map_or(0.0, |e| e.as_secs_f64());
    let left = (progress.bytes_total - progress.bytes_done) as f64 / 100_000.0;
    assert!((eta - left).abs() < left * 0.5 + 1.0, "eta {eta} for {left} s left");
    assert_eq!(finish(&s, job).await.map(|j| j.state), Some(JobState::Done));
}

#[tokio::test(start_paused = true)]
async fn cancelling_a_paused_job_removes_its_partial_copies() {
    let fake = Fake::new(Config { rate: 100_000, ..Config::default() });
    fake.file(&remote("a", "/src/big"), &[7; 1_000_000], 1);
    fake.dir(&remote("b", "/dst"));
    let s = start(&fake, Limits::default());
    let job = s.submit(copy(vec![remote("a", "/src/big")], remote("b", "/dst")));
    until(&s, "half way", |v| v.job(job).is_some_and(|j| j.progress.bytes_done > 400_000)).await;
    s.control(Control::Pause(job));
    until(&s, "paused", |v| v.job(job).is_some_and(|j| j.connections == 0 && j.partials == 1)).await;
    assert_eq!(fake.paths_under(&remote("b", "/dst")).len(), 1, "the partial copy");
    s.control(Control::Cancel(job));
    assert_eq!(finish(&s, job).await.map(|j| (j.state, j.partials)), Some((JobState::Cancelled, 0)));
    assert!(fake.paths_under(&remote("b", "/dst")).is_empty(), "removed on the host");
    assert_eq!(lock_stats(&fake).discarded, [PathBuf::from("/dst/big.scpdeck-tmp")]);
}

#[tokio::test(start_paused = true)]
async fn a_job_cancelled_while_the_queue_is_paused_still_removes_its_partial_copies() {
    let fake = Fake::new(Config { rate: 100_000, ..Config::default() });
    fake.file(&remote("a", "/src/big"), &[7; 1_000_000], 1);
    fake.file(&remote("a", "/src/other"), &[8; 1_000_000], 1);
    fake.dir(&local("/dst"));
    let s = start(&fake, Limits::default());
    let job = s.submit(copy(vec![remote("a", "/src/big")], local("/dst")));
    let other = s.submit(copy(vec![remote("a", "/src/other")], local("/dst")));
    until(&s, "half way", |v| v.job(job).is_some_and(|j| j.progress.bytes_done > 400_000)).await;
    s.control(Control::PauseAll);
    until(&s, "paused", |v| v.connections == 0 && v.job(job).is_some_and(|j| j.partials == 1)).await;
    // Quitting's "cancel them": cancelled, then the whole queue paused.
    s.control(Control::Cancel(job));
    s.control(Control::PauseAll);
    assert_eq!(finish(&s, job).await.map(|j| (j.state, j.partials)), Some((JobState::Cancelled, 0)));
    assert!(fake.get(&local("/dst/big.scpdeck-tmp")).is_none(), "removed");
    // The other job waits, paused, with its own partial copy.
    tokio::time::sleep(Duration::from_secs(30)).await;
    let view = s.view();
    let waiting = view.job(other).cloned().unwrap();
    assert_eq!(waiting.state, JobState::Paused, "{waiting:#?}");
    assert!(fake.get(&local("/dst/big")).is_none());
}

#[tokio::test(start_paused = true)]
async fn a_failed_file_keeps_its_partial_copy_and_a_retry_resumes_it() {
    // The connection drops after 300 kB, every time: the file fails once
    // its drops are used up, its partial copy kept.
    let fake = Fake::new(Config {
        rate: 100_000,
        drop_host_after: Some(("a".into(), 300_000)),
        drops: 4,
        ..Config::default()
    });
    fake.file(&remote("a", "/src/big"), &[7; 2_000_000], 1);
    fake.dir(&local("/dst"));
    let s = start(&fake, Limits::default());
    let job = s.submit(copy(vec![remote("a", "/src/big")], local("/dst")));
    let failed = finish(&s, job).await.unwrap();
    assert_eq!((failed.state, failed.partials), (JobState::Failed, 1), "{failed:#?}");
    // Each attempt went on from the last: four drops, 1.2 MB there.
    let kept = fake.data(&local("/dst/big.scpdeck-tmp")).map_or(0, |d| d.len());
    assert_eq!(kept, 1_200_000);
    s.control(Control::Retry(job, None));
    let done = until(&s, "retried", |v| v.job(job).is_some_and(|j| j.state == JobState::Done)).await;
    assert_eq!(
        done.job(job).map(|j| j.resumed.clone()),
        Some(vec![ResumedItem { name: "big".into(), at: 1_200_000 }])
    );
    assert_eq!(fake.data(&local("/dst/big")), Some(vec![7; 2_000_000]));
    assert_eq!(lock_stats(&fake).copied_bytes, 2_000_000);
}

#[tokio::test(start_paused = true)]
async fn pausing_the_queue_stops_every_job() {
    let fake = Fake::new(Config { rate: 100_000, ..Config::default() });
    tree(&fake, "a", 20, 100_000);
    tree(&fake, "b", 20, 100_000);
    fake.dir(&local("/dst/a"));
    fake.dir(&local("/dst/b"));
    let s = start(&fake, Limits::default());
    let a = s.submit(copy(vec![remote("a", "/src/tree")], local("/dst/a")));
    let b = s.submit(copy(vec![remote("b", "/src/tree")], local("/dst/b")));
    until(&s, "both run", |v| v.jobs.len() == 2 && v.jobs.iter().all(|j| j.state == JobState::Running)).await;
    s.control(Control::PauseAll);
    let view = until(&s, "all stopped", |v| v.paused && v.connections == 0).await;
    assert!(view.paused && view.jobs.iter().all(|j| j.state == JobState::Paused), "{view:#?}");
    let done = view.total.files_done;
    tokio::time::sleep(Duration::from_secs(60)).await;
    assert_eq!(s.view().total.files_done, done);
    s.control(Control::ResumeAll);
    assert_eq!(finish(&s, a).await.map(|j| j.state), Some(JobState::Done));
    assert_eq!(finish(&s, b).await.map(|j| j.state), Some(JobState::Done));
}

#[tokio::test(start_paused = true)]
async fn cancel_stops_within_a_second_and_leaves_the_destination_unchanged() {
    let fake = Fake::new(Config { rate: 50_000, ..Config::default() });
    tree(&fake, "a", 8, 1_000_000);
    fake.file(&local("/dst/tree/d0/f000"), b"keep me", 5);
    let s = start(&fake, Limits::default());
    let job = s.submit(copy(vec![remote("a", "/src/tree")], local("/dst")));
    until(&s, "running", |v| v.job(job).is_some_and(|j| j.progress.bytes_done > 100_000)).await;
    let before = fake.paths_under(&local("/dst"));
    assert!(before.iter().any(|p| p.to_string_lossy().ends_with("scpdeck-tmp")), "{before:?}");
    let asked = tokio::time::Instant::now();
    s.control(Control::Cancel(job));
    let view = until(&s, "cancelled", |v| state(v, job) == Some(JobState::Cancelled)).await;
    assert!(asked.elapsed() < Duration::from_secs(1), "took {:?}", asked.elapsed());
    assert_eq!(view.connections, 0);
    assert_eq!(fake.data(&local("/dst/tree/d0/f000")), Some(b"keep me".to_vec()));
    let after = fake.paths_under(&local("/dst"));
    assert!(after.iter().all(|p| !p.to_string_lossy().contains("scpdeck-tmp")), "{after:?}");
    assert!(!after.iter().any(|p| p.ends_with("f001")), "{after:?}");
}

#[tokio::test(start_paused = true)]
async fn failed_items_are_retried_one_by_one_or_all() {
    let fake = Fake::new(Config::default());
    let root = tree(&fake, "a", 12, 1000);
    let denied = [root.join("d0/f003"), root.join("d1/f004"), root.join("d2/f005")];
    fake.config.lock().unwrap().denied = denied.iter().map(|l| l.path().to_path_buf()).collect();
    fake.dir(&local("/dst"));
    let s = start(&fake, Limits::default());
    let job = s.submit(copy(vec![root], local("/dst")));
    let view = finish(&s, job).await.unwrap();
    assert_eq!(view.state, JobState::Failed);
    assert_eq!(view.progress.files_done, 9);
    let mut names: Vec<&str> = view.failed.iter().map(|f| f.name.as_str()).collect();
    names.sort();
    assert_eq!(names, ["tree/d0/f003", "tree/d1/f004", "tree/d2/f005"]);
    assert!(view.failed.iter().all(|f| f.reason.contains("Permission denied")), "{:?}", view.failed);

    fake.config.lock().unwrap().denied.clear();
    let first = view.failed[0].item;
    s.control(Control::Retry(job, Some(first)));
    let view = until(&s, "one retried", |v| {
        v.job(job).is_some_and(|j| j.failed.len() == 2 && j.state.is_finished())
    })
    .await;
    assert_eq!(state(&view, job), Some(JobState::Failed));
    s.control(Control::Retry(job, None));
    let view = until(&s, "all retried", |v| state(v, job) == Some(JobState::Done)).await;
    assert_eq!(view.job(job).map(|j| j.progress.files_done), Some(12));
    assert_eq!(fake.data(&local("/dst/tree/d1/f004")), Some(vec![4; 1000]));
}

#[tokio::test(start_paused = true)]
async fn questions_wait_for_answers_without_holding_up_other_items() {
    let fake = Fake::new(Config::default());
    for name in ["a", "b", "c", "new1", "new2"] {
        fake.file(&remote("h", &format!("/src/{name}")), name.as_bytes(), 100);
    }
    for name in ["a", "b", "c"] {
        fake.file(&local(&format!("/dst/{name}")), b"old", 50);
    }
    let s = start(&fake, Limits::default());
    let sources = ["a", "b", "c", "new1", "new2"].iter().map(|n| remote("h", &format!("/src/{n}"))).collect();
    let job = s.submit(spec(Mode::Copy, sources, local("/dst"), OverwritePolicy::Ask));
    let other = s.submit(copy(vec![remote("h", "/src/new1")], local("/elsewhere")));
    fake.dir(&local("/elsewhere"));
    let view = until(&s, "waiting", |v| state(v, job) == Some(JobState::Waiting)).await;
    // The items without a conflict went ahead, and so did the other job.
    assert_eq!(fake.data(&local("/dst/new1")), Some(b"new1".to_vec()));
    assert_eq!(fake.data(&local("/dst/new2")), Some(b"new2".to_vec()));
    assert_eq!(finish(&s, other).await.map(|j| j.state), Some(JobState::Done));
    let question = view.job(job).and_then(|j| j.question.clone()).unwrap();
    assert_eq!((question.name.as_str(), question.more, question.dest_size), ("a", 2, 3));
    s.control(Control::Answer(
        job,
        question.item,
        OverwriteAnswer { policy: OverwritePolicy::Skip, all: false },
    ));
    let view = until(&s, "second question", |v| {
        v.job(job).and_then(|j| j.question.as_ref()).is_some_and(|q| q.name == "b")
    })
    .await;
    let question = view.job(job).and_then(|j| j.question.clone()).unwrap();
    s.control(Control::Answer(
        job,
        question.item,
        OverwriteAnswer { policy: OverwritePolicy::Overwrite, all: true },
    ));
    let done = finish(&s, job).await.unwrap();
    assert_eq!((done.state, done.progress.files_skipped), (JobState::Done, 1));
    assert_eq!(fake.data(&local("/dst/a")), Some(b"old".to_vec()));
    assert_eq!(fake.data(&local("/dst/b")), Some(b"b".to_vec()));
    assert_eq!(fake.data(&local("/dst/c")), Some(b"c".to_vec()));
}

#[tokio::test(start_paused = true)]
async fn overwrite_policies_decide_per_file() {
    let fake = Fake::new(Config::default());
    fake.file(&remote("h", "/src/newer"), b"new", 200);
    fake.file(&remote("h", "/src/older"), b"new", 10);
    fake.file(&remote("h", "/src/same"), b"abc", 200);
    fake.file(&remote("h", "/src/differs"), b"abcd", 200);
    for (name, data) in [("newer", "old"), ("older", "old"), ("same", "xyz"), ("differs", "xyz")] {
        fake.file(&local(&format!("/n/{name}")), data.as_bytes(), 100);
        fake.file(&local(&format!("/s/{name}")), data.as_bytes(), 100);
        fake.file(&local(&format!("/k/{name}")), data.as_bytes(), 100);
    }
    fake.file(&local("/k/newer (1)"), b"taken", 1);
    let s = start(&fake, Limits::default());
    let sources =
        || ["newer", "older", "same", "differs"].iter().map(|n| remote("h", &format!("/src/{n}"))).collect();
    let n = s.submit(spec(Mode::Copy, sources(), local("/n"), OverwritePolicy::IfNewer));
    let z = s.submit(spec(Mode::Copy, sources(), local("/s"), OverwritePolicy::IfSizeDiffers));
    let k = s.submit(spec(Mode::Copy, sources(), local("/k"), OverwritePolicy::KeepBoth));
    for job in [n, z, k] {
        assert_eq!(finish(&s, job).await.map(|j| j.state), Some(JobState::Done));
    }
    assert_eq!(fake.data(&local("/n/newer")), Some(b"new".to_vec()));
    assert_eq!(fake.data(&local("/n/older")), Some(b"old".to_vec()));
    assert_eq!(fake.data(&local("/s/same")), Some(b"xyz".to_vec()));
    assert_eq!(fake.data(&local("/s/differs")), Some(b"abcd".to_vec()));
    assert_eq!(fake.data(&local("/k/newer")), Some(b"old".to_vec()));
    assert_eq!(fake.data(&local("/k/newer (1)")), Some(b"taken".to_vec()));
    assert_eq!(fake.data(&local("/k/newer (2)")), Some(b"new".to_vec()));
    assert_eq!(fake.data(&local("/k/same (1)")), Some(b"abc".to_vec()));
}

#[tokio::test(start_paused = true)]
async fn move_deletes_sources_only_after_a_verified_copy() {
    let fake = Fake::new(Config::default());
    let root = tree(&fake, "a", 9, 3000);
    let bad = root.join("d1/f004");
    let denied = root.join("d2/f005");
    {
        let mut config = fake.config.lock().unwrap();
        config.corrupt.insert(bad.path().to_path_buf());
        config.denied.insert(denied.path().to_path_buf());
    }
    fake.dir(&local("/dst"));
    let s = start(&fake, Limits::default());
    let mut job_spec = spec(Mode::Move, vec![root.clone()], local("/dst"), OverwritePolicy::Overwrite);
    job_spec.options.verify = true;
    let job = s.submit(job_spec);
    let view = finish(&s, job).await.unwrap();
    assert_eq!(view.state, JobState::Failed);
    let reasons: Vec<(&str, &str)> =
        view.failed.iter().map(|f| (f.name.as_str(), f.reason.as_str())).collect();
    assert!(
        reasons.iter().any(|(n, r)| *n == "tree/d1/f004" && r.contains("checksum mismatch")),
        "{reasons:?}"
    );
    assert!(
        reasons.iter().any(|(n, r)| *n == "tree/d2/f005" && r.contains("Permission denied")),
        "{reasons:?}"
    );
    // Sources of failed items stay, and so do their directories.
    assert!(fake.get(&bad).is_some() && fake.get(&denied).is_some());
    assert_eq!(fake.get(&root.join("d1")), Some(Node::Dir));
    // Everything else moved; its directory d0 is gone.
    assert_eq!(fake.get(&root.join("d0/f000")), None);
    assert_eq!(fake.get(&root.join("d0")), None);
    assert_eq!(fake.data(&local("/dst/tree/d0/f003")), Some(vec![3; 3000]));
    let stats = fake.stats.lock().unwrap();
    assert!(stats.unsafe_deletes.is_empty(), "{:?}", stats.unsafe_deletes);
    assert_eq!(stats.deleted.len(), 7 + 1, "{:?}", stats.deleted);
}

#[tokio::test(start_paused = true)]
async fn a_dropped_connection_sends_its_items_again_and_the_rest_goes_on() {
    let fake = Fake::new(Config { drop_host_after: Some(("a".into(), 150_000)), ..Config::default() });
    tree(&fake, "a", 40, 10_000);
    tree(&fake, "b", 10, 10_000);
    fake.dir(&local("/da"));
    fake.dir(&local("/db"));
    let s = start(&fake, Limits::default());
    let a = s.submit(copy(vec![remote("a", "/src/tree")], local("/da")));
    let b = s.submit(copy(vec![remote("b", "/src/tree")], local("/db")));
    let va = finish(&s, a).await.unwrap();
    let vb = finish(&s, b).await.unwrap();
    assert_eq!(vb.state, JobState::Done);
    assert_eq!(fake.stats.lock().unwrap().dropped, 1);
    assert_eq!(va.state, JobState::Done, "{:?}", va.failed);
    assert_eq!(va.progress.files_done, 40);
    for i in 0..40 {
        let copy = fake.data(&local(&format!("/da/tree/d{}/f{i:03}", i % 3)));
        assert_eq!(copy, Some(vec![i as u8; 10_000]));
    }
    let leftovers = fake.paths_under(&local("/da"));
    assert!(leftovers.iter().all(|p| !p.to_string_lossy().contains("scpdeck-tmp")), "{leftovers:?}");
}

#[tokio::test(start_paused = true)]
async fn a_connection_that_keeps_dropping_fails_its_items_after_a_few_attempts() {
    let fake =
        Fake::new(Config { drop_host_after: Some(("a".into(), 5_000)), drops: 1000, ..Config::default() });
    tree(&fake, "a", 6, 10_000);
    fake.dir(&local("/da"));
    let s = start(&fake, Limits::default());
    let a = s.submit(copy(vec![remote("a", "/src/tree")], local("/da")));
    let va = finish(&s, a).await.unwrap();
    assert_eq!(va.state, JobState::Failed);
    assert_eq!(va.failed.len(), 6);
    assert!(va.failed.iter().all(|f| f.reason.contains("giving up")), "{:?}", va.failed);
    // Each file was tried once and again three times at most.
    assert!(fake.stats.lock().unwrap().dropped <= 6 * 4);
    s.control(Control::Retry(a, None));
    fake.config.lock().unwrap().drop_host_after = None;
    let view = until(&s, "retried", |v| state(v, a) == Some(JobState::Done)).await;
    assert_eq!(view.job(a).map(|j| j.progress.files_done), Some(6));
}

#[tokio::test(start_paused = true)]
async fn target_is_read_like_scp() {
    let fake = Fake::new(Config::default());
    fake.file(&remote("h", "/src/a"), b"A", 1);
    fake.file(&remote("h", "/src/b"), b"B", 1);
    fake.dir(&local("/dst"));
    let s = start(&fake, Limits::default());
    let mut rename = copy(vec![remote("h", "/src/a")], local("/dst/renamed"));
    rename.target_kind = TargetKind::Auto;
    let mut missing = copy(vec![remote("h", "/src/a"), remote("h", "/src/b")], local("/nowhere"));
    missing.target_kind = TargetKind::Auto;
    let (r, m) = (s.submit(rename), s.submit(missing));
    assert_eq!(finish(&s, r).await.map(|j| j.state), Some(JobState::Done));
    assert_eq!(fake.data(&local("/dst/renamed")), Some(b"A".to_vec()));
    let view = finish(&s, m).await.unwrap();
    assert_eq!(view.state, JobState::Failed);
    assert!(view.error.as_deref().is_some_and(|e| e.contains("does not exist")), "{:?}", view.error);
}

#[tokio::test(start_paused = true)]
async fn without_recursion_a_directory_source_fails_and_files_go_on() {
    let fake = Fake::new(Config::default());
    let root = tree(&fake, "h", 3, 10);
    fake.file(&remote("h", "/src/a"), b"A", 1);
    fake.dir(&local("/dst"));
    let s = start(&fake, Limits::default());
    let mut spec = copy(vec![root, remote("h", "/src/a")], local("/dst"));
    spec.options.files_only = true;
    let view = finish(&s, s.submit(spec)).await.unwrap();
    assert_eq!(view.state, JobState::Failed);
    assert_eq!(view.failed.len(), 1, "{:#?}", view.failed);
    assert_eq!(view.failed[0].name, "tree");
    assert!(view.failed[0].reason.contains("not a regular file"), "{}", view.failed[0].reason);
    assert_eq!(fake.data(&local("/dst/a")), Some(b"A".to_vec()));
    assert_eq!(fake.get(&local("/dst/tree")), None);
}

#[tokio::test(start_paused = true)]
async fn copying_onto_itself_is_refused() {
    let fake = Fake::new(Config::default());
    fake.file(&local("/d/file"), b"x", 1);
    let s = start(&fake, Limits::default());
    let job = s.submit(spec(Mode::Move, vec![local("/d/file")], local("/d"), OverwritePolicy::Overwrite));
    let view = finish(&s, job).await.unwrap();
    assert_eq!(view.state, JobState::Failed);
    assert_eq!(fake.data(&local("/d/file")), Some(b"x".to_vec()));
}

#[tokio::test(start_paused = true)]
async fn progress_has_a_rate_and_an_eta_while_running() {
    let fake = Fake::new(Config { rate: 100_000, ..Config::default() });
    fake.file(&remote("a", "/src/big"), &[1; 2_000_000], 1);
    fake.dir(&local("/dst"));
    let s = start(&fake, Limits::default());
    let job = s.submit(copy(vec![remote("a", "/src/big")], local("/dst")));
    let view =
        until(&s, "rate known", |v| v.job(job).is_some_and(|j| j.progress.bytes_done > 1_000_000)).await;
    let j = view.job(job).unwrap();
    assert!((j.progress.rate - 100_000.0).abs() < 10_000.0, "{}", j.progress.rate);
    let eta = j.progress.eta.unwrap().as_secs_f64();
    assert!((5.0..=11.0).contains(&eta), "{eta}");
    assert_eq!(j.current.as_deref(), Some("big"));
    assert_eq!(view.total.rate, j.progress.rate);
}

#[tokio::test(start_paused = true)]
async fn direct_mode_holds_only_source_connections() {
    let fake = Fake::new(Config::default());
    tree(&fake, "a", 300, 1000);
    fake.dir(&remote("b", "/dst"));
    let s = start(&fake, Limits::default());
    let mut job_spec = copy(vec![remote("a", "/src/tree")], remote("b", "/dst"));
    job_spec.options.direct = true;
    let job = s.submit(job_spec);
    assert_eq!(finish(&s, job).await.map(|j| j.state), Some(JobState::Done));
    assert_eq!(fake.data(&remote("b", "/dst/tree/d1/f004")), Some(vec![4; 1000]));
    let stats = fake.stats.lock().unwrap();
    // Transfers used only "a"; "b" saw only the listing and mkdir tasks.
    assert!(stats.max_active.get(&Some("b".into())).copied().unwrap_or(0) <= 1);
    assert_eq!(stats.max_active.get(&Some("a".into())), Some(&4));
}

#[tokio::test(start_paused = true)]
async fn finished_jobs_stay_until_cleared() {
    let fake = Fake::new(Config::default());
    fake.file(&remote("h", "/src/a"), b"A", 1);
    fake.dir(&local("/dst"));
    let s = start(&fake, Limits::default());
    let job = s.submit(copy(vec![remote("h", "/src/a")], local("/dst")));
    finish(&s, job).await;
    tokio::time::sleep(Duration::from_secs(10)).await;
    assert_eq!(s.view().jobs.len(), 1);
    s.control(Control::ClearFinished);
    until(&s, "cleared", |v| v.jobs.is_empty()).await;
}

#[tokio::test(start_paused = true)]
async fn a_permission_denied_item_offers_its_copy_again_as_root() {
    let fake = Fake::new(Config::default());
    fake.file(&remote("h", "/etc/shadow"), b"secret", 100);
    fake.file(&remote("h", "/etc/motd"), b"hello", 100);
    fake.config.lock().unwrap().denied = ["/etc/shadow".into()].into_iter().collect();
    fake.dir(&local("/dst"));
    let s = start(&fake, Limits::default());
    let sources = vec![remote("h", "/etc/shadow"), remote("h", "/etc/motd")];
    let job = s.submit(copy(sources, local("/dst")));
    let view = finish(&s, job).await.unwrap();
    assert_eq!(view.failed.len(), 1, "{:?}", view.failed);
    let spec = view.failed[0].retry_as_root.clone().expect("offered as root");
    assert_eq!(spec.sources, vec![remote("h [sudo]", "/etc/shadow")]);
    assert_eq!(spec.target, local("/dst"));
    assert_eq!(spec.target_kind, crate::jobs::TargetKind::Dir);

    // Already as root, or on this machine only: nothing to offer.
    fake.file(&remote("h [sudo]", "/etc/shadow"), b"secret", 100);
    fake.file(&local("/src/private"), b"x", 100);
    fake.config.lock().unwrap().denied = ["/etc/shadow".into(), "/src/private".into()].into_iter().collect();
    let again = s.submit(spec);
    let view = finish(&s, again).await.unwrap();
    assert_eq!(view.failed.len(), 1);
    assert_eq!(view.failed[0].retry_as_root, None);
    let here = s.submit(copy(vec![local("/src/private")], local("/dst")));
    let view = finish(&s, here).await.unwrap();
    assert_eq!(view.failed.len(), 1);
    assert_eq!(view.failed[0].retry_as_root, None);
}
