//! The reducer's side of links, skipped entries and directory times, with
//! a worker played by hand: a link becomes a link task on the destination's
//! side and a move deletes the link itself; skipped entries are skipped,
//! not failed, and the job is done; with preserve, the directories' times
//! are the last task, deepest first, the job running until it ends, and a
//! pause or a dropped connection runs it again.

use std::path::PathBuf;

use super::tests::{copy, local, remote, spec};
use super::*;

fn started(commands: &[Command], name: &str) -> Option<Task> {
    commands.iter().find_map(|c| match c {
        Command::Start(task) if task.work.name() == name => Some(task.clone()),
        _ => None,
    })
}

fn entry(rel: &str, kind: ItemKind, link: Option<&str>) -> ScanEntry {
    ScanEntry {
        rel: PathBuf::from(rel),
        kind,
        size: 0,
        mode: 0o755,
        mtime: Some(1000 + rel.len() as i64),
        link: link.map(PathBuf::from),
    }
}

/// A job over host:/src/tree scanned as a directory holding `sub/`, a link
/// and a fifo, with the target listed empty; returns the queue and what the
/// scan's end started.
fn scanned(job: JobSpec) -> (Queue, Vec<Command>) {
    let mut queue = Queue::new(Limits::default());
    let commands = queue.submit(JobId(1), job);
    let (Some(probe), Some(scan)) = (started(&commands, "probe"), started(&commands, "scan")) else {
        panic!("{commands:?}")
    };
    assert!(matches!(scan.work, Work::Scan { follow: false, .. }), "{:?}", scan.work);
    queue.update(Update::Probed { task: probe.id, dir: local("/dst"), probe: DirProbe::Listing(vec![]) });
    queue.update(Update::Finished { task: probe.id, result: Ok(()) });
    let result = Scan {
        entries: vec![
            entry("", ItemKind::Dir, None),
            entry("sub", ItemKind::Dir, None),
            entry("sub/l", ItemKind::Link, Some("../x")),
        ],
        skipped: vec![ScanError { rel: PathBuf::from("fifo"), reason: "a named pipe (fifo)".into() }],
        ..Scan::default()
    };
    queue.update(Update::Scanned { task: scan.id, item: ItemId(0), result: Ok(result) });
    let commands = queue.update(Update::Finished { task: scan.id, result: Ok(()) });
    (queue, commands)
}

/// Makes the directories the commands start and returns what follows.
fn make_dirs(queue: &mut Queue, mut commands: Vec<Command>) -> Vec<Command> {
    while let Some(task) = started(&commands, "mkdir") {
        let Work::MakeDirs { dirs } = &task.work else { unreachable!() };
        for (item, _, _) in dirs {
            queue.update(Update::ItemDone { task: task.id, item: *item, result: Ok(Outcome::Done) });
        }
        commands = queue.update(Update::Finished { task: task.id, result: Ok(()) });
    }
    commands
}

#[test]
fn a_link_is_made_on_the_destinations_side_and_directory_times_come_last() {
    let (mut queue, commands) = scanned(copy(vec![remote("h", "/src/tree")], local("/dst")));
    let commands = make_dirs(&mut queue, commands);
    let link = started(&commands, "link").expect("a link task");
    let Work::MakeLinks { links } = &link.work else { unreachable!() };
    assert_eq!(links.len(), 1);
    assert_eq!(
        (links[0].dest.clone(), links[0].target.clone()),
        (local("/dst/tree/sub/l"), PathBuf::from("../x"))
    );
    assert_eq!(link.work.side(), Side::Dest);
    assert!(started(&commands, "dirtimes").is_none(), "not while the link is made");
    queue.update(Update::ItemDone { task: link.id, item: links[0].item, result: Ok(Outcome::Done) });
    let commands = queue.update(Update::Finished { task: link.id, result: Ok(()) });
    let times = started(&commands, "dirtimes").expect("the directories' times come last");
    let Work::DirTimes { dirs } = &times.work else { unreachable!() };
    assert_eq!(dirs, &[(local("/dst/tree/sub"), 1003), (local("/dst/tree"), 1000)], "deepest first");
    assert!(!queue.view().jobs[0].state.is_finished(), "not done before the times are set");
    // Paused half way: set again when resumed.
    queue.control(Control::Pause(JobId(1)));
    queue.update(Update::Finished { task: times.id, result: Err(TaskError::Interrupted) });
    let commands = queue.control(Control::Resume(JobId(1)));
    let again = started(&commands, "dirtimes").expect("run again after a pause");
    let commands = queue.update(Update::Finished { task: again.id, result: Ok(()) });
    assert!(started(&commands, "dirtimes").is_none(), "once is enough");
    let view = queue.view();
    assert_eq!(view.jobs[0].state, JobState::Done, "a skipped fifo is not a failure");
    assert_eq!((view.jobs[0].progress.files_done, view.jobs[0].progress.files_skipped), (1, 1));
}

#[test]
fn without_preserve_no_times_and_a_moved_link_is_deleted_itself() {
    let mut job = spec(Mode::Move, vec![remote("h", "/src/tree")], local("/dst"), OverwritePolicy::Overwrite);
    job.options.preserve = false;
    let (mut queue, commands) = scanned(job);
    let commands = make_dirs(&mut queue, commands);
    let link = started(&commands, "link").expect("a link task");
    let Work::MakeLinks { links } = &link.work else { unreachable!() };
    queue.update(Update::ItemDone { task: link.id, item: links[0].item, result: Ok(Outcome::Done) });
    let commands = queue.update(Update::Finished { task: link.id, result: Ok(()) });
    let delete = started(&commands, "delete").expect("the source link is deleted");
    let Work::Delete { files } = &delete.work else { unreachable!() };
    assert_eq!(files.iter().map(|f| f.1.clone()).collect::<Vec<_>>(), [remote("h", "/src/tree/sub/l")]);
    assert!(started(&commands, "dirtimes").is_none());
}
