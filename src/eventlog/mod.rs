//! The event log: what happened, on which host, for which job. Events are
//! kept in memory for the log pane ([`LogBook`]) and appended to a rotated
//! file in the state directory ([`LogFile`]).

mod book;
mod event;
mod file;
mod sink;
pub mod verbose;

pub use book::{Filter, LogBook};
pub use event::{Event, Level};
pub use file::{LogFile, LogFileError, default_log_dir};
pub use sink::LogSink;
