//! The backend the app and `scpdeck cp` use: the local side on tokio's
//! blocking threads, the remote side over SSH sessions.

use std::path::PathBuf;
use std::sync::Arc;

use futures::future::BoxFuture;

use super::backend::{Backend, Reporter};
use super::local_copy::{self, CopyError, FileCopy, Pace};
use super::task::{Task, TaskError, Work};
use crate::eventlog::Event;
use crate::fs::{LocalFs, Location};

pub struct SystemBackend {
    remote: Arc<dyn RemoteSide>,
}

/// The remote half of the backend (SSH sessions, SCP, remote shell).
pub trait RemoteSide: Send + Sync + 'static {
    fn run(&self, task: Task, reporter: Reporter) -> BoxFuture<'static, Result<(), TaskError>>;
}

impl SystemBackend {
    pub fn new(remote: Arc<dyn RemoteSide>) -> Self {
        Self { remote }
    }
}

impl Backend for SystemBackend {
    fn run(&self, task: Task, reporter: Reporter) -> BoxFuture<'static, Result<(), TaskError>> {
        if touches_remote(&task.work) {
            return self.remote.run(task, reporter);
        }
        Box::pin(async move {
            tokio::task::spawn_blocking(move || run_local(task, &reporter))
                .await
                .unwrap_or_else(|e| Err(TaskError::Failed(format!("internal error: {e}"))))
        })
    }
}

/// Whether any location of the task is on a remote host.
pub fn touches_remote(work: &Work) -> bool {
    let remote = |l: &Location| l.host().is_some();
    match work {
        Work::Scan { roots, .. } => roots.iter().any(|r| remote(&r.1)),
        Work::Probe { dirs, .. } => dirs.iter().any(remote),
        Work::MakeDirs { dirs } => dirs.iter().any(|d| remote(&d.1)),
        Work::Transfer(batch) => batch.items.iter().any(|i| remote(&i.source) || remote(&i.dest)),
        Work::Delete { files } => files.iter().any(|f| remote(&f.1)),
        Work::RemoveDirs { dirs } => dirs.iter().any(|d| remote(&d.1)),
        Work::Discard { files } => files.iter().any(|f| remote(&f.1)),
        Work::MakeLinks { links } => links.iter().any(|l| remote(&l.dest)),
        Work::DirTimes { dirs } => dirs.iter().any(|d| remote(&d.0)),
    }
}

fn path(location: &Location) -> PathBuf {
    location.path().to_path_buf()
}

/// Carries out a task whose every location is on this machine.
pub fn run_local(task: Task, r: &Reporter) -> Result<(), TaskError> {
    r.connected();
    match task.work {
        Work::Transfer(batch) => copy_batch(batch, r),
        work => super::fs_tasks::run(work, &LocalFs::with_cancel(r.cancel.clone()), r),
    }
}

/// Local to local copies, file by file.
fn copy_batch(batch: super::task::Batch, r: &Reporter) -> Result<(), TaskError> {
    let cancelled = || r.is_cancelled();
    for file in batch.items {
        if cancelled() {
            return Err(TaskError::Interrupted);
        }
        r.started(file.item);
        let source = path(&file.source);
        let copy = FileCopy {
            source: &source,
            dest: &file.dest,
            mode: file.mode,
            mtime: file.mtime,
            preserve: batch.preserve,
            place: file.place,
            verify: batch.verify,
            resume: file.resume.as_ref(),
        };
        let item = file.item;
        let shown = file.dest.to_string();
        let mut pace = Pace {
            throttle: r.throttle.as_ref(),
            cancelled: &cancelled,
            progress: &mut |b| r.progress(item, b),
            partial: &mut |p| r.partial(item, p),
            resumed: &mut |at| {
                r.resumed(item, at);
                r.log(Event::info(&format!("{shown}: resumed at {}", crate::text::human_size(at))));
            },
            restarted: &mut |why| {
                r.log(Event::warn(&format!(
                    "{shown}: its partial copy cannot be resumed ({why}): copied from the start"
                )))
            },
        };
        match local_copy::copy_file(&copy, &mut pace) {
            Ok(copied) => {
                if let Some(note) = copied.note {
                    r.log(Event::warn(&note));
                }
                r.finished_item(item, Ok(copied.outcome));
            }
            Err(CopyError::Cancelled) => return Err(TaskError::Interrupted),
            Err(CopyError::Failed(reason)) => r.item_done(item, Err(reason)),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;
    use crate::eventlog::LogSink;
    use crate::jobs::{JobSpec, JobState, Limits, Mode, Options, OverwritePolicy, Scheduler, TargetKind};

    struct NoRemote;

    impl RemoteSide for NoRemote {
        fn run(&self, _: Task, _: Reporter) -> BoxFuture<'static, Result<(), TaskError>> {
            Box::pin(async { Err(TaskError::Connection("no remote host in this test".into())) })
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn moves_a_local_tree_verified() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("src/tree");
        fs::create_dir_all(src.join("sub/empty")).unwrap();
        for i in 0..50 {
            fs::write(src.join(format!("sub/f{i}")), vec![i as u8; 10_000 + i]).unwrap();
        }
        fs::create_dir(dir.path().join("dst")).unwrap();
        let backend = Arc::new(SystemBackend::new(Arc::new(NoRemote)));
        let scheduler = Scheduler::spawn(backend, Limits::default(), LogSink::discard());
        let job = scheduler.submit(JobSpec {
            mode: Mode::Move,
            sources: vec![Location::Local(src.clone())],
            target: Location::Local(dir.path().join("dst")),
            target_kind: TargetKind::Dir,
            options: Options {
                verify: true,
                preserve: true,
                overwrite: OverwritePolicy::Ask,
                ..Options::default()
            },
        });
        let view = tokio::time::timeout(std::time::Duration::from_secs(30), scheduler.wait(job))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(view.state, JobState::Done, "{view:#?}");
        assert_eq!(view.progress.files_done, 50);
        assert!(!src.exists(), "the moved tree is gone from the source");
        assert!(dir.path().join("dst/tree/sub/empty").is_dir());
        for i in 0..50 {
            assert_eq!(
                fs::read(dir.path().join(format!("dst/tree/sub/f{i}"))).unwrap(),
                vec![i as u8; 10_000 + i]
            );
        }
    }
}
