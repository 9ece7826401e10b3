//! The SCP protocol, both roles, spoken by scpdeck itself over ssh2 exec
//! channels (libssh2's own scp functions hide remote errors, skip the final
//! status byte and cannot recurse).
//!
//! - Sans-IO core: [`record`] (records and replies), [`Sink`] (receiving),
//!   [`Source`] (sending). Bytes in, bytes and events out.
//! - Drivers: [`download`], [`upload`] and [`relay`] run the remote `scp`
//!   through [`crate::shell::exec`] and move many files through one channel,
//!   with disk I/O on a second thread. They take the `&Session` of the thread
//!   that owns it, report per-file [`Event`]s to a callback on that thread,
//!   and stop within [`CANCEL_LATENCY`] of a [`CancellationToken::cancel`]
//!   (an upload whose placing follows in its command, once every file was
//!   answered: within [`pipe::PLACING_GRACE`], for the exit status)
//!   (tokio_util's token: the scheduler's own, used from blocking and async
//!   code alike).
//!
//! See docs/architecture.md ("SCP engine") for the pipelining.

mod download;
mod error;
mod event;
mod handoff;
mod item;
pub mod lanes;
mod lead;
pub(crate) mod pipe;
mod push;
mod reader;
pub mod record;
mod relay;
mod remote;
mod reporter;
mod request;
pub mod rung;
mod sink;
mod source;
mod stream;
mod throttle;
mod trace;
mod upload;
mod writer;

pub use download::{CREDIT, download};
pub use error::ScpError;
pub use event::{Cause, Diagnostic, Event, FileRef, Landed, Summary};
pub use item::{CHUNK, PROGRESS_INTERVAL, QUEUE};
pub use reader::open_regular;
pub use record::{Record, RecordError, Reply, Times, Timestamp};
pub use relay::relay;
pub use remote::DOWNLOAD_WINDOW;
pub use request::{DownloadRequest, Landing, Options, RelayRequest, UploadRequest};
pub use sink::{Sink, SinkConfig, SinkError, SinkEvent};
pub use source::{Answer, Sent, Source, SourceError};
pub use stream::{Stream, pull, push};
pub use throttle::{LimitError, QUANTUM, Throttle, parse_kbit};
pub use tokio_util::sync::CancellationToken;
pub use upload::{upload, upload_into_new_dir, upload_into_new_dir_then};
pub use writer::in_place_cure;

/// How long a cancel may take to be noticed: the longest single wait.
pub const CANCEL_LATENCY: std::time::Duration = pipe::WAIT;
