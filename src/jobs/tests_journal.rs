//! The journal with the scheduler (fake backend, paused clock): a job
//! stopped half way is on disk with its partial copy, comes back paused in
//! another scheduler (as after a crash), and finishes from where it was.

use std::os::unix::ffi::OsStringExt;
use std::path::PathBuf;
use std::time::Duration;

use super::fake::{Config, Fake, FakeBackend};
use super::item::ItemKind;
use super::journal::{Journal, store};
use super::tests::{copy, finish, local, remote, until};
use super::*;
use crate::eventlog::LogSink;

fn scheduler(fake: &std::sync::Arc<Fake>, journal: &Journal) -> Scheduler {
    let backend = std::sync::Arc::new(FakeBackend(fake.clone()));
    Scheduler::spawn_with(backend, Limits::default(), LogSink::discard(), Some(journal.clone()))
}

fn files(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "jsonl")).collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

#[tokio::test(start_paused = true)]
async fn a_job_stopped_half_way_comes_back_paused_and_finishes_from_there() {
    let dir = tempfile::tempdir().unwrap();
    let fake = Fake::new(Config { rate: 100_000, ..Config::default() });
    fake.file(&remote("a", "/src/tree/one"), &[1; 1_000_000], 1);
    fake.file(&remote("a", "/src/tree/two"), &[2; 300_000], 1);
    fake.dir(&local("/dst"));

    let first = Journal::open(dir.path()).unwrap();
    let s = scheduler(&fake, &first);
    let job = s.submit(copy(vec![remote("a", "/src/tree")], local("/dst")));
    until(&s, "half way", |v| v.job(job).is_some_and(|j| j.progress.bytes_done > 500_000)).await;
    s.control(Control::PauseAll);
    until(&s, "stopped", |v| v.connections == 0).await;
    s.sync().await;
    let records = files(dir.path());
    assert_eq!(records.len(), 1, "one job in the journal");
    let text = std::fs::read_to_string(&records[0]).unwrap();
    assert!(text.contains("scpdeck-tmp"), "the partial copy is recorded: {text}");
    // As if the process died: its scheduler and journal are gone, the
    // records stay.
    drop(s);
    drop(first);
    tokio::time::sleep(Duration::from_millis(10)).await;

    let second = Journal::open(dir.path()).unwrap();
    let mut saved = Vec::new();
    for _ in 0..200 {
        saved = second.unowned();
        if !saved.is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(saved.len(), 1);
    let s = scheduler(&fake, &second);
    let restored = s.restore(saved.remove(0)).unwrap();
    let view = until(&s, "restored", |v| v.job(restored).is_some()).await;
    let job = view.job(restored).cloned().unwrap();
    assert_eq!(job.state, JobState::Paused, "{job:#?}");
    assert_eq!(job.partials, 1);
    assert!(job.progress.bytes_done > 500_000, "what is done shows: {:?}", job.progress);
    assert_eq!(job.progress.files_total, 2);
    tokio::time::sleep(Duration::from_secs(30)).await;
    assert_eq!(s.view().job(restored).map(|j| j.state), Some(JobState::Paused), "nothing starts by itself");

    let before = fake.stats.lock().unwrap().copied_bytes;
    s.control(Control::Resume(restored));
    let done = finish(&s, restored).await.unwrap();
    assert_eq!(done.state, JobState::Done, "{done:#?}");
    assert_eq!(fake.data(&local("/dst/tree/one")), Some(vec![1; 1_000_000]));
    assert_eq!(fake.data(&local("/dst/tree/two")), Some(vec![2; 300_000]));
    let moved = fake.stats.lock().unwrap().copied_bytes - before;
    assert!(moved < 1_300_000 - 500_000, "{moved} bytes after the restart");
    s.sync().await;
    assert!(files(dir.path()).is_empty(), "the finished job left the journal");
}

#[test]
fn records_round_trip_a_job_with_decisions_and_partial_copies() {
    use super::item::{DestInfo, Item, ItemState, Stage};
    let mut job = job::Job::new(JobId(1), copy(vec![remote("a", "/src/d")], local("/dst")));
    job.target = job::Target::Into;
    let file = |name: &str, state: ItemState| {
        let mut item = Item::source(remote("a", &format!("/src/d/{name}")));
        item.rel = PathBuf::from(format!("d/{name}"));
        item.dest = Some(local(&format!("/dst/d/{name}")));
        item.parent = Some(ItemId(0));
        item.size = 1000;
        item.mtime = Some(42);
        item.state = state;
        item
    };
    job.items[0].kind = ItemKind::Dir;
    job.items[0].state = ItemState::Done;
    let mut partial = file("p é%", ItemState::Ready);
    partial.partial =
        Some(Partial { temp: PathBuf::from("/dst/d/.p.x.scpdeck"), size: 1000, mtime: Some(42) });
    partial.bytes = 640;
    partial.sent = 640;
    partial.base = 640;
    partial.place = Place::KeepBoth { from: 2 };
    let mut asking = file("q", ItemState::Asking);
    asking.existing = Some(DestInfo { kind: crate::fs::Kind::File, size: 5, mtime: Some(1), link: false });
    let mut done = file("r", ItemState::Done);
    done.bytes = 1000;
    done.sent = 1000;
    done.base = 1000;
    job.items.extend([
        partial,
        asking,
        done,
        file("s", ItemState::failed(Stage::Transfer, "Permission denied")),
        file("t", ItemState::Cancelled(Stage::Resolve)),
        file("u", ItemState::Skipped("exists".into())),
    ]);
    // A link copied as a link keeps its target, whatever its bytes.
    let mut link = file("l", ItemState::Ready);
    link.kind = ItemKind::Link;
    link.size = 0;
    link.link = Some(PathBuf::from(std::ffi::OsString::from_vec(b"../t%\xff".to_vec())));
    job.items.push(link);
    job.spec.options.follow_links = true;
    let record = journal::JobRecord::of(&job);
    let items: Vec<_> = job.items.iter().map(journal::ItemRecord::of).collect();
    let numbered = items.iter().cloned().enumerate().map(|(n, i)| (n as u32, i)).collect();
    let bytes = store::serialize(&[journal::Line::Job(Box::new(record)), journal::Line::Items(numbered)]);
    let (record, back) = store::parse(&bytes).unwrap();
    assert_eq!(back, items);
    let restored = journal::restore(JobId(7), &record, &back).unwrap();
    assert_eq!(restored.spec, job.spec);
    assert_eq!(restored.items, job.items);
    assert_eq!(restored.target, job::Target::Into);
    assert!(restored.paused, "unfinished: paused");
    // Busy items come back where they resume.
    job.items[4].state = ItemState::Transferring;
    let busy = journal::ItemRecord::of(&job.items[4]).item().unwrap();
    assert_eq!(busy.state, ItemState::Ready);
}

#[tokio::test(start_paused = true)]
async fn temporary_files_no_job_owns_are_listed_and_removed_only_when_asked() {
    let fake = Fake::new(Config::default());
    fake.file(&remote("a", "/src/f"), &[1; 1000], 1);
    // A crash left these where the job copies to (old, as the fake's
    // times are): a download's temporary file and an upload's directory.
    fake.file(&local("/dst/.f.Ab12Cd.scpdeck"), &[9; 10], 1);
    fake.dir(&local("/dst/.sd-ab12cd34"));
    fake.file(&local("/dst/.sd-ab12cd34/0"), &[9; 10], 1);
    fake.file(&local("/dst/.not-ours.scpdeck"), &[9; 10], 1);
    let s = super::tests::start(&fake, Limits::default());
    let job = s.submit(copy(vec![remote("a", "/src/f")], local("/dst")));
    assert_eq!(finish(&s, job).await.map(|j| j.state), Some(JobState::Done));
    let view = s.view();
    assert_eq!(view.leftovers, ["/dst/.f.Ab12Cd.scpdeck", "/dst/.sd-ab12cd34"], "{view:#?}");
    // Listed, never removed by themselves.
    tokio::time::sleep(Duration::from_secs(60)).await;
    assert!(fake.get(&local("/dst/.f.Ab12Cd.scpdeck")).is_some());
    s.control(Control::RemoveLeftovers);
    let view = until(&s, "cleaned", |v| v.jobs.len() == 2 && v.jobs[1].state.is_finished()).await;
    let cleanup = &view.jobs[1];
    assert_eq!(
        (cleanup.state, cleanup.title.as_str()),
        (JobState::Done, "remove 2 leftover temporary file(s)")
    );
    assert!(view.leftovers.is_empty());
    assert_eq!(fake.get(&local("/dst/.f.Ab12Cd.scpdeck")), None);
    assert_eq!(fake.get(&local("/dst/.sd-ab12cd34")), None);
    assert!(fake.get(&local("/dst/.not-ours.scpdeck")).is_some(), "not one of our names");
    assert_eq!(fake.data(&local("/dst/f")), Some(vec![1; 1000]));
}
