//! Uploads and relays on a lower rung: each file read from its end (this
//! machine, SFTP, `cat`) and written into the destination host's directory
//! under the name the caller gives, one after another.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use tokio_util::sync::CancellationToken;

use super::reader::{Meta, Reader};
use super::store::Store;
use super::{BLOCK, End};
use crate::scp::error::ScpError;
use crate::scp::event::{Cause, Event, FileRef, Summary};
use crate::scp::item::ProgressPace;
use crate::scp::reporter::Reporter;
use crate::scp::throttle::Throttle;
use crate::shell::ExitStatus;
use crate::text::human_size;

/// What the caller listed about a source: what a file read through `cat`
/// is expected to be (`cat` cannot say).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Expected {
    pub size: u64,
    pub mode: u32,
    pub mtime: Option<i64>,
}

impl Expected {
    pub(super) fn meta(&self) -> Meta {
        let mtime = self.mtime.and_then(|t| u64::try_from(t).ok());
        Meta { size: self.size, mode: self.mode & 0o7777, mtime, atime: mtime }
    }
}

/// The two hosts (or this machine and a host) of a lower-rung send.
pub struct Ends<'e, 's> {
    pub from: &'e End<'s>,
    pub from_host: &'e str,
    pub to: &'e End<'s>,
    pub to_host: &'e str,
}

/// Whether an error stops the whole transfer rather than one file.
pub(super) fn stops(e: &ScpError) -> bool {
    matches!(e, ScpError::Connection { .. } | ScpError::Cancelled | ScpError::Panicked(_))
}

/// Why a file failed, where the caller can act on it.
pub(super) fn cause(e: &ScpError) -> Cause {
    let full = |text: &str| text.contains("No space left on device") || text.contains("Disk quota exceeded");
    match e {
        ScpError::Local { source, .. } => Cause::of_io(source),
        ScpError::Command { message, .. } if full(message) => Cause::NoSpace,
        _ => Cause::Other,
    }
}

/// Sends `sources` (with what is `expected` of each) into the directory
/// `target` on the destination, each under `names[k]`. Per-file results are
/// events; an `Err` stops the whole send (a lost connection, a cancel).
#[allow(clippy::too_many_arguments)]
pub fn send_by(
    ends: &Ends<'_, '_>,
    sources: &[OsString],
    expected: &[Expected],
    target: &Path,
    names: &[OsString],
    limit: Option<Throttle>,
    on_event: &mut dyn FnMut(Event),
    cancel: &CancellationToken,
) -> Result<Summary, ScpError> {
    let mut reporter = Reporter::new(on_event);
    let events = reporter.sender();
    for (k, source) in sources.iter().enumerate() {
        let name = names
            .get(k)
            .cloned()
            .unwrap_or_else(|| Path::new(source).file_name().unwrap_or_default().to_owned());
        let file = FileRef { source: k, path: PathBuf::from(&name) };
        let guess = expected.get(k).copied().unwrap_or_default();
        let dest = target.join(&name);
        let flush = &mut || reporter.flush();
        match send_one(ends, source, &guess, &dest, &file, limit.clone(), (&events, flush), cancel) {
            Ok(bytes) => {
                let _ = events.send(Event::Finished { file, bytes, dir: false });
            }
            Err(e) if stops(&e) => {
                reporter.flush();
                return Err(e);
            }
            Err(e) => {
                let _ = events.send(Event::Failed { reason: e.to_string(), cause: cause(&e), file });
            }
        }
        reporter.flush();
    }
    Ok(reporter.finish(ExitStatus { code: Some(0), signal: None }))
}

#[allow(clippy::too_many_arguments)]
fn send_one(
    ends: &Ends<'_, '_>,
    source: &OsString,
    guess: &Expected,
    dest: &Path,
    file: &FileRef,
    limit: Option<Throttle>,
    (events, flush): (&crossbeam_channel::Sender<Event>, &mut dyn FnMut()),
    cancel: &CancellationToken,
) -> Result<u64, ScpError> {
    let (mut reader, found) = Reader::open(ends.from, ends.from_host, source, None, cancel)?;
    let meta = found.unwrap_or_else(|| guess.meta());
    let _ = events.send(Event::Started { file: file.clone(), size: meta.size, dir: false });
    let dest = dest.as_os_str();
    let mut store = match Store::create(ends.to, ends.to_host, dest, meta.mode, limit, cancel) {
        Ok(store) => store,
        Err(e) => {
            reader.abort();
            return Err(e);
        }
    };
    let mut buf = vec![0u8; BLOCK];
    let mut done = 0u64;
    let mut pace = ProgressPace::new();
    let copied = loop {
        let n = match reader.read(&mut buf, ends.from_host, source, cancel) {
            Ok(0) => break Ok(()),
            Ok(n) => n,
            Err(e) => break Err(e),
        };
        if let Err(e) = store.write_all(&buf[..n], ends.to_host, dest, cancel) {
            break Err(e);
        }
        done += n as u64;
        if pace.due() {
            let _ = events.send(Event::Progress { file: file.clone(), bytes: done, size: meta.size });
            flush();
        }
    };
    if let Err(e) = copied {
        reader.abort();
        store.abort();
        return Err(e);
    }
    reader.finish(ends.from_host)?;
    store.finish(ends.to_host, dest)?;
    if done != meta.size {
        return Err(changed(ends.from_host, done, meta.size));
    }
    Ok(done)
}

/// A source whose size is not what it was when it was listed.
pub(super) fn changed(host: &str, arrived: u64, expected: u64) -> ScpError {
    ScpError::Command {
        host: host.into(),
        message: format!(
            "the source changed while it was copied ({} arrived, {} expected)",
            human_size(arrived),
            human_size(expected)
        ),
    }
}
