//! Downloads on a lower rung: each file read from the host (SFTP, `cat`)
//! and handed to the engine's disk writer as SCP's sink would hand it, so
//! temporary names, landing, modes and times are the SCP rung's own.

use std::path::PathBuf;

use crossbeam_channel::{Receiver, bounded};
use tokio_util::sync::CancellationToken;

use super::reader::Reader;
use super::send::{Expected, cause, changed, stops};
use super::{BLOCK, End};
use crate::scp::error::ScpError;
use crate::scp::event::{Event, FileRef, Summary};
use crate::scp::handoff;
use crate::scp::item::{Item, QUEUE, next_id};
use crate::scp::record::{Times, Timestamp};
use crate::scp::reporter::Reporter;
use crate::scp::request::{DownloadRequest, base_name, os};
use crate::scp::writer::{self, WriterConfig};
use crate::shell::ExitStatus;

/// Copies `request.sources` (files, with what is `expected` of each) from
/// the host behind `end` to `request.target`, one after another. Per-file
/// results are events; an `Err` stops the whole transfer.
pub fn download_by(
    end: &End<'_>,
    request: &DownloadRequest,
    expected: &[Expected],
    on_event: &mut dyn FnMut(Event),
    cancel: &CancellationToken,
) -> Result<Summary, ScpError> {
    let target = &request.target;
    let mut reporter = Reporter::new(on_event);
    let (items_tx, items_rx) = handoff::bounded(QUEUE, Item::urgent);
    let events = reporter.sender();
    let config = WriterConfig {
        target: target.clone(),
        target_is_dir: target.is_dir(),
        preserve: request.options.preserve,
        landing: request.landing.clone(),
    };
    let produced = std::thread::scope(|scope| {
        let (writer_events, writer_cancel) = (events.clone(), cancel.clone());
        let (spares_tx, spares) = bounded(QUEUE + 2);
        let writer =
            scope.spawn(move || writer::run(items_rx, writer_events, config, writer_cancel, spares_tx));
        let flush = &mut || reporter.flush();
        let result = produce(end, request, expected, (&items_tx, &spares), &events, flush, cancel);
        drop(items_tx);
        writer.join().map_err(|_| ScpError::Panicked("disk writer")).and(result)
    });
    reporter.flush();
    produced?;
    Ok(reporter.finish(ExitStatus { code: Some(0), signal: None }))
}

fn produce(
    end: &End<'_>,
    request: &DownloadRequest,
    expected: &[Expected],
    (items, spares): (&handoff::Sender<Item>, &Receiver<Vec<u8>>),
    events: &crossbeam_channel::Sender<Event>,
    flush: &mut dyn FnMut(),
    cancel: &CancellationToken,
) -> Result<(), ScpError> {
    let host = request.host.as_str();
    let hand =
        |item: Item| items.send(item, cancel).map_err(|e| e.unwrap_or(ScpError::Panicked("disk writer")));
    for (k, source) in request.sources.iter().enumerate() {
        let name = os(base_name(source.as_encoded_bytes()));
        let file = FileRef { source: k, path: PathBuf::from(&name) };
        let (mut reader, found) = match Reader::open(end, host, source, request.options.limit.clone(), cancel)
        {
            Ok(opened) => opened,
            Err(e) if stops(&e) => return Err(e),
            Err(e) => {
                let _ = events.send(Event::Failed { reason: e.to_string(), cause: cause(&e), file });
                continue;
            }
        };
        let meta = found.unwrap_or_else(|| expected.get(k).copied().unwrap_or_default().meta());
        let times = meta.mtime.map(|mtime| Times {
            mtime: Timestamp { secs: mtime, micros: 0 },
            atime: Timestamp { secs: meta.atime.unwrap_or(mtime), micros: 0 },
        });
        hand(Item::File { id: next_id(), file, name, mode: meta.mode, size: meta.size, times })?;
        let mut done = 0u64;
        let verdict = loop {
            let mut buf = spares.try_recv().unwrap_or_default();
            buf.resize(BLOCK, 0);
            let n = match reader.read(&mut buf, host, source, cancel) {
                Ok(n) => n,
                Err(e) => break Err(e),
            };
            if n == 0 {
                break Ok(());
            }
            // Never more than announced: the rest makes the file fail below.
            let keep = n.min(usize::try_from(meta.size.saturating_sub(done)).unwrap_or(usize::MAX));
            buf.truncate(keep);
            done += n as u64;
            if keep > 0 {
                hand(Item::Data(buf))?;
            }
            // The writer's progress reaches the caller as it comes.
            flush();
        };
        let verdict = match verdict {
            Ok(()) => reader.finish(host),
            Err(e) => {
                reader.abort();
                Err(e)
            }
        };
        let verdict = verdict.and_then(|()| match done == meta.size {
            true => Ok(()),
            false => Err(changed(host, done, meta.size)),
        });
        flush();
        match verdict {
            Ok(()) => hand(Item::FileEnd(Ok(())))?,
            Err(e) if stops(&e) => {
                let _ = hand(Item::FileEnd(Err(e.to_string())));
                return Err(e);
            }
            Err(e) => hand(Item::FileEnd(Err(e.to_string())))?,
        }
    }
    Ok(())
}
