//! The remote side of transfers, over SSH sessions.

use std::sync::Arc;

use futures::future::BoxFuture;

use super::backend::Reporter;
use super::system::RemoteSide;
use super::task::{Task, TaskError};
use crate::eventlog::LogSink;

/// The remote side for the app and `scpdeck cp`.
pub fn remote_side(log: LogSink) -> Arc<dyn RemoteSide> {
    Arc::new(Unwired { _log: log })
}

struct Unwired {
    _log: LogSink,
}

impl RemoteSide for Unwired {
    fn run(&self, _task: Task, _reporter: Reporter) -> BoxFuture<'static, Result<(), TaskError>> {
        Box::pin(async {
            Err(TaskError::Connection("remote transfers are not wired to SSH sessions yet".into()))
        })
    }
}
