//! Live refresh: a debounced notify watcher per local pane. Changes arrive
//! as `Msg::DirChanged`; the watcher thread sleeps while nothing changes.

use std::path::PathBuf;
use std::time::Duration;

use notify::{RecommendedWatcher, RecursiveMode};
use notify_debouncer_mini::{DebounceEventResult, Debouncer, new_debouncer};
use tokio::sync::mpsc::UnboundedSender;

use crate::app::{Msg, Side};

/// Changes within this window become one refresh.
const DEBOUNCE: Duration = Duration::from_millis(250);

pub struct DirWatcher {
    _debouncer: Debouncer<RecommendedWatcher>,
}

impl DirWatcher {
    /// Watches `dir` (not its subdirectories) for the pane on `side`.
    pub fn start(side: Side, dir: PathBuf, tx: UnboundedSender<Msg>) -> Result<Self, String> {
        let sent_dir = dir.clone();
        let mut debouncer = new_debouncer(DEBOUNCE, move |result: DebounceEventResult| {
            if result.is_ok_and(|events| !events.is_empty()) {
                let _ = tx.send(Msg::DirChanged { side, dir: sent_dir.clone() });
            }
        })
        .map_err(|e| format!("cannot watch {}: {e}", dir.display()))?;
        debouncer
            .watcher()
            .watch(&dir, RecursiveMode::NonRecursive)
            .map_err(|e| format!("cannot watch {}: {e}; press ctrl-r to refresh", dir.display()))?;
        Ok(DirWatcher { _debouncer: debouncer })
    }
}
