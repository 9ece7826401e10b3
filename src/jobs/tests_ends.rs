//! Scheduler tests for "nothing waits forever, nothing is lost": items end
//! when what they depend on fails, two sources with one name, checks before
//! placement, decisions at placement time, and the reducer's refusal of
//! names from outside a walked tree.

use std::path::PathBuf;
use std::time::Duration;

use super::fake::{Config, Fake, Node};
use super::tests::{copy, finish, local, remote, spec, start, tree, until};
use super::*;

#[tokio::test(start_paused = true)]
async fn a_directory_that_cannot_be_made_ends_everything_below_it() {
    let fake = Fake::new(Config::default());
    let root = tree(&fake, "a", 12, 1000);
    fake.file(&root.join("d1/deep/er/f"), b"below", 1);
    fake.dir(&local("/dst"));
    fake.config.lock().unwrap().mkdir_denied.insert(PathBuf::from("/dst/tree/d1"));
    let s = start(&fake, Limits::default());
    let job = s.submit(copy(vec![root], local("/dst")));
    let view = tokio::time::timeout(Duration::from_secs(600), finish(&s, job))
        .await
        .expect("the job must end")
        .unwrap();
    assert_eq!(view.state, JobState::Failed);
    let mut failed: Vec<(String, String)> =
        view.failed.iter().map(|f| (f.name.clone(), f.reason.clone())).collect();
    failed.sort();
    assert!(failed.iter().any(|(n, r)| n == "tree/d1" && r.contains("Permission denied")), "{failed:?}");
    // d1's four files and the whole tree below it, each with its reason.
    let below: Vec<&(String, String)> = failed.iter().filter(|(n, _)| n.starts_with("tree/d1/")).collect();
    assert_eq!(below.len(), 4 + 3, "{failed:?}");
    assert!(below.iter().all(|(_, r)| r.starts_with("not copied: tree/d1")), "{below:?}");
    assert!(below.iter().any(|(_, r)| r == "not copied: tree/d1/deep/er was not"), "{below:?}");
    assert_eq!(view.progress.files_done, 8);
}

#[tokio::test(start_paused = true)]
async fn two_sources_with_one_name_last_wins_or_both_are_kept() {
    let fake = Fake::new(Config::default());
    fake.file(&remote("h", "/a/x"), b"first", 1);
    fake.file(&remote("h", "/b/x"), b"second", 2);
    fake.file(&remote("h", "/c/x"), b"third", 3);
    fake.dir(&local("/last"));
    fake.dir(&local("/both"));
    let s = start(&fake, Limits::default());
    let sources = || vec![remote("h", "/a/x"), remote("h", "/b/x"), remote("h", "/c/x")];
    let last = s.submit(copy(sources(), local("/last")));
    let both = s.submit(spec(Mode::Copy, sources(), local("/both"), OverwritePolicy::KeepBoth));
    assert_eq!(finish(&s, last).await.map(|j| j.state), Some(JobState::Done));
    assert_eq!(finish(&s, both).await.map(|j| j.state), Some(JobState::Done));
    assert_eq!(fake.data(&local("/last/x")), Some(b"third".to_vec()), "the last one wins, as with scp");
    assert_eq!(fake.data(&local("/both/x")), Some(b"first".to_vec()));
    assert_eq!(fake.data(&local("/both/x (1)")), Some(b"second".to_vec()));
    assert_eq!(fake.data(&local("/both/x (2)")), Some(b"third".to_vec()));
}

#[tokio::test(start_paused = true)]
async fn a_copy_that_fails_verification_never_replaces_the_original() {
    let fake = Fake::new(Config::default());
    fake.file(&remote("h", "/src/f"), b"fresh data", 5);
    fake.file(&local("/dst/f"), b"original", 1);
    fake.config.lock().unwrap().corrupt.insert(PathBuf::from("/src/f"));
    let s = start(&fake, Limits::default());
    let mut job = copy(vec![remote("h", "/src/f")], local("/dst"));
    job.options.verify = true;
    let view = finish(&s, s.submit(job)).await.unwrap();
    assert_eq!(view.state, JobState::Failed);
    assert!(view.failed[0].reason.contains("checksum mismatch"), "{:?}", view.failed);
    assert!(view.failed[0].reason.contains("left as it was"), "{:?}", view.failed);
    assert_eq!(fake.data(&local("/dst/f")), Some(b"original".to_vec()));
    assert_eq!(fake.paths_under(&local("/dst")), [PathBuf::from("/dst/f")]);
}

#[tokio::test(start_paused = true)]
async fn skip_is_decided_when_the_copy_is_placed() {
    let fake = Fake::new(Config { rate: 10_000, ..Config::default() });
    fake.file(&remote("h", "/src/f"), &[1; 50_000], 5);
    fake.dir(&local("/dst"));
    let s = start(&fake, Limits::default());
    let job = s.submit(spec(Mode::Copy, vec![remote("h", "/src/f")], local("/dst"), OverwritePolicy::Skip));
    until(&s, "the transfer runs", |v| v.job(job).is_some_and(|j| j.current.is_some())).await;
    // Another program creates the file while the copy is on its way.
    fake.file(&local("/dst/f"), b"theirs", 9);
    let view = finish(&s, job).await.unwrap();
    assert_eq!(view.state, JobState::Done);
    assert_eq!(view.progress.files_skipped, 1);
    assert_eq!(fake.data(&local("/dst/f")), Some(b"theirs".to_vec()));
}

#[test]
fn a_walk_cannot_name_anything_outside_its_root() {
    let mut queue = Queue::new(Limits::default());
    let commands = queue.submit(JobId(1), copy(vec![remote("h", "/src/tree")], local("/dst")));
    let task = |name: &str| {
        commands.iter().find_map(|c| match c {
            Command::Start(task) if task.work.name() == name => Some(task.clone()),
            _ => None,
        })
    };
    let (Some(probe), Some(scan)) = (task("probe"), task("scan")) else { panic!("{commands:?}") };
    queue.update(Update::Probed { task: probe.id, dir: local("/dst"), probe: DirProbe::Listing(vec![]) });
    queue.update(Update::Finished { task: probe.id, result: Ok(()) });
    let entry = |rel: &str, kind| ScanEntry {
        rel: PathBuf::from(rel),
        kind,
        size: 1,
        mode: 0o644,
        mtime: None,
        link: None,
    };
    let result = Scan {
        entries: vec![
            entry("", ItemKind::Dir),
            entry("ok", ItemKind::File),
            entry("..", ItemKind::Dir),
            entry("../escape", ItemKind::File),
            entry("/abs", ItemKind::File),
        ],
        ..Scan::default()
    };
    queue.update(Update::Scanned { task: scan.id, item: ItemId(0), result: Ok(result) });
    queue.update(Update::Finished { task: scan.id, result: Ok(()) });
    let job = queue.job(JobId(1)).unwrap();
    let names: Vec<String> = job.items.iter().map(|i| i.rel.to_string_lossy().into_owned()).collect();
    assert_eq!(names, ["tree", "tree/ok"], "nothing else became an item");
    let dests: Vec<PathBuf> =
        job.items.iter().filter_map(|i| Some(i.dest.as_ref()?.path().to_path_buf())).collect();
    assert_eq!(dests, [PathBuf::from("/dst/tree"), PathBuf::from("/dst/tree/ok")]);
}

#[tokio::test(start_paused = true)]
async fn the_log_says_when_items_are_sent_again() {
    let fake = Fake::new(Config { drop_host_after: Some(("a".into(), 20_000)), ..Config::default() });
    tree(&fake, "a", 6, 10_000);
    fake.dir(&local("/da"));
    let (sink, mut events) = crate::eventlog::LogSink::new(None);
    let backend = std::sync::Arc::new(super::fake::FakeBackend(fake.clone()));
    let s = Scheduler::spawn(backend, Limits::default(), sink);
    let job = s.submit(copy(vec![remote("a", "/src/tree")], local("/da")));
    assert_eq!(finish(&s, job).await.map(|j| j.state), Some(JobState::Done));
    let mut said = Vec::new();
    while let Ok(event) = events.try_recv() {
        said.push(event.text.clone());
    }
    assert!(said.iter().any(|t| t.contains("go back in line for another connection")), "{said:#?}");
    assert_eq!(fake.get(&local("/da/tree/d0/f000")), Some(Node::File { data: vec![0; 10_000], mtime: 1000 }));
}

#[tokio::test(start_paused = true)]
async fn copies_between_two_hosts_and_within_one_run_under_a_limit_of_one_connection() {
    let fake = Fake::new(Config::default());
    fake.file(&remote("a", "/src/x"), b"from a", 1);
    fake.file(&remote("b", "/src/y"), b"from b", 2);
    fake.dir(&remote("a", "/dst"));
    fake.dir(&remote("b", "/dst"));
    let s = start(&fake, Limits { global: 1, per_host: 1 });
    let jobs = [
        s.submit(copy(vec![remote("a", "/src/x")], remote("b", "/dst"))),
        s.submit(copy(vec![remote("b", "/src/y")], remote("a", "/dst"))),
        s.submit(copy(vec![remote("a", "/src/x")], remote("a", "/dst"))),
    ];
    for job in jobs {
        let view =
            tokio::time::timeout(Duration::from_secs(600), finish(&s, job)).await.expect("the job must end");
        assert_eq!(view.map(|j| j.state), Some(JobState::Done));
    }
    assert_eq!(fake.data(&remote("b", "/dst/x")), Some(b"from a".to_vec()));
    assert_eq!(fake.data(&remote("a", "/dst/y")), Some(b"from b".to_vec()));
    assert_eq!(fake.data(&remote("a", "/dst/x")), Some(b"from a".to_vec()));
    // At most one relay's two ends at once.
    assert!(fake.stats.lock().unwrap().max_global <= 2);
}
