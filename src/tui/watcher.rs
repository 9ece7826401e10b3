//! Live refresh: a notify watcher per local pane. Changes arrive as
//! `Msg::DirChanged`, at most one per burst; nothing runs while nothing
//! changes.
//!
//! Only changes count. Listing a directory opens and reads it, and inotify
//! reports that as an access; were accesses changes, every listing (ours,
//! or anyone's `ls`) would trigger the next one, forever. notify's own
//! watcher is used rather than a debouncer crate: notify-debouncer-mini
//! drops the event kinds, and notify-debouncer-full walks the directory to
//! track file ids, a second listing of every directory shown.

use std::path::PathBuf;
use std::time::Duration;

use notify::event::{AccessKind, AccessMode};
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};

use crate::app::{Msg, Side, WorkError};

/// Changes within this window after the first become one refresh.
const DEBOUNCE: Duration = Duration::from_millis(250);

pub(super) struct DirWatcher {
    // Dropping it ends notify's thread, which drops the sender and so ends
    // the debouncing task.
    _watcher: RecommendedWatcher,
}

impl DirWatcher {
    /// Watches `dir` (not its subdirectories) for the pane on `side`. Needs
    /// a tokio runtime (the debouncing task runs on it).
    pub(super) fn start(side: Side, dir: PathBuf, tx: UnboundedSender<Msg>) -> Result<Self, WorkError> {
        let (changes_tx, changes) = mpsc::unbounded_channel();
        let watcher = notify::recommended_watcher(move |event: notify::Result<Event>| {
            // Errors carry no path we could refresh; a lost event shows up
            // as a rescan (`EventKind::Other`), which is a change.
            if event.is_ok_and(|event| is_change(&event.kind)) {
                let _ = changes_tx.send(());
            }
        });
        let watched = watcher.and_then(|mut w| w.watch(&dir, RecursiveMode::NonRecursive).map(|()| w));
        let watcher = watched.map_err(|source| WorkError::Watch { dir: dir.clone(), source })?;
        tokio::spawn(debounce(changes, side, dir, tx));
        Ok(DirWatcher { _watcher: watcher })
    }
}

/// Whether an event can change what a listing of the directory shows.
fn is_change(kind: &EventKind) -> bool {
    match kind {
        // Closing a file written to: its size or time may be new.
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        // Opening, reading, closing after reading: nothing changed.
        EventKind::Access(_) => false,
        _ => true,
    }
}

/// Waits `DEBOUNCE` after a change, takes what came meanwhile, and reports
/// once; so a burst costs one listing, and a directory that keeps changing
/// is listed at most four times a second. Sleeps in `recv` otherwise.
async fn debounce(mut changes: UnboundedReceiver<()>, side: Side, dir: PathBuf, tx: UnboundedSender<Msg>) {
    while changes.recv().await.is_some() {
        tokio::time::sleep(DEBOUNCE).await;
        while changes.try_recv().is_ok() {}
        if tx.send(Msg::DirChanged { side, dir: dir.clone() }).is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_are_not_changes() {
        use notify::event::{CreateKind, ModifyKind, RemoveKind, RenameMode};
        let open = EventKind::Access(AccessKind::Open(AccessMode::Any));
        let read = EventKind::Access(AccessKind::Read);
        let closed = EventKind::Access(AccessKind::Close(AccessMode::Read));
        assert!(![open, read, closed].iter().any(is_change));
        let changes = [
            EventKind::Create(CreateKind::File),
            EventKind::Modify(ModifyKind::Any),
            EventKind::Modify(ModifyKind::Name(RenameMode::From)),
            EventKind::Remove(RemoveKind::Any),
            EventKind::Access(AccessKind::Close(AccessMode::Write)),
            EventKind::Other,
            EventKind::Any,
        ];
        assert!(changes.iter().all(is_change));
    }

    /// Listing the directory, as a refresh does, reports nothing; a new
    /// file reports one change.
    #[tokio::test]
    async fn listing_the_directory_is_not_a_change() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..100 {
            std::fs::write(dir.path().join(format!("f{i}")), "x").unwrap();
        }
        let (tx, mut rx) = mpsc::unbounded_channel();
        let _watcher = DirWatcher::start(Side::Left, dir.path().to_path_buf(), tx).unwrap();
        for _ in 0..3 {
            let listed = crate::fs::local::list(dir.path()).unwrap();
            assert_eq!(listed.len(), 100);
            std::fs::read(dir.path().join("f1")).unwrap();
        }
        let quiet = tokio::time::timeout(DEBOUNCE * 4, rx.recv()).await;
        assert!(quiet.is_err(), "a read was reported as a change: {quiet:?}");
        std::fs::write(dir.path().join("new"), "x").unwrap();
        let changed = tokio::time::timeout(Duration::from_secs(10), rx.recv()).await;
        assert!(matches!(changed, Ok(Some(Msg::DirChanged { side: Side::Left, .. }))), "{changed:?}");
    }
}
