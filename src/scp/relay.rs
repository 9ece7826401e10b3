//! Remote to remote: `scp -f` on one host streams through this process into
//! `scp -t` on the other. Each session is driven by its own thread (the
//! sending host's on a scoped thread, the receiving host's on the caller's);
//! between them, a bounded queue of [`Item`]s, so nothing touches the disk
//! and memory stays bounded.
//!
//! The sending host's records are checked by the same [`Sink`] as a
//! download's, so a hostile source cannot make the receiving host write
//! outside its target either.

use std::os::unix::ffi::OsStrExt;
use std::sync::atomic::AtomicU64;

use crate::ssh::Link;

use super::download::{CREDIT, Queue, pull};
use super::error::ScpError;
use super::event::{Event, Summary};
use super::item::{Item, QUEUE};
use super::push::{Push, Pushed};
use super::remote::{self, Role};
use super::reporter::Reporter;
use super::request::{RelayRequest, base_name, needs_dir};
use super::sink::{Sink, SinkConfig};
use tokio_util::sync::CancellationToken;

/// Copies `request.sources` on the host behind `from` to `request.target`
/// on the host behind `to`. Per-file results arrive as events on the
/// calling thread.
pub fn relay(
    from: Link<'_>,
    to: Link<'_>,
    request: &RelayRequest,
    on_event: &mut dyn FnMut(Event),
    cancel: &CancellationToken,
) -> Result<Summary, ScpError> {
    if request.sources.is_empty() {
        return Err(ScpError::Usage("nothing to copy: no source paths".into()));
    }
    let target = request.target.as_os_str();
    let dir = needs_dir(request.sources.len(), target.as_bytes());
    let mut to_pipe = remote::start(
        to,
        &request.to_host,
        Role::Sink { target, dir, make: None, then: None },
        &request.options,
        cancel,
    )?;
    let requested: Vec<Vec<u8>> = request.sources.iter().map(|s| base_name(s.as_bytes())).collect();
    let config =
        SinkConfig { recursive: request.options.recursive, requested: requested.clone(), credit: CREDIT };

    let mut reporter = Reporter::new(on_event);
    let events = reporter.sender();
    // Stops the sending side when the receiving side gives up (or the
    // caller cancels): it may be waiting on its own network.
    let stop = CancellationToken::new();
    let skip = AtomicU64::new(0);
    let (items_tx, items_rx) = super::handoff::bounded(QUEUE, Item::urgent);
    let (pushed, pulled) = std::thread::scope(|scope| {
        let (a_events, a_stop, a_config, a_requested) = (events.clone(), stop.clone(), config, &requested);
        let sender = scope.spawn(move || {
            let role = Role::Source { paths: &request.sources };
            let mut pipe = remote::start(from, &request.from_host, role, &request.options, &a_stop)?;
            // Paced where the data comes in; the other side follows.
            pipe.limit(request.options.limit.clone());
            let result = {
                // The sending side does not give buffers back.
                let queue = Queue { items: &items_tx, spares: &crossbeam_channel::never() };
                pull(&mut pipe, Sink::new(a_config), a_requested, queue, &a_events, &mut || {}, &a_stop)
            };
            drop(items_tx);
            match result {
                Ok(pulled) => {
                    let explained = pulled.remote_errors > 0;
                    remote::finish(&mut pipe, pulled.spoke, explained, &a_events).map(|_| pulled)
                }
                Err(e) => {
                    remote::report(&mut pipe, None, &a_events);
                    pipe.abort();
                    Err(e)
                }
            }
        });
        let mut push = Push::new(&mut to_pipe, events.clone(), &skip, &request.names);
        let pushed = push.run(&items_rx, &mut || reporter.flush(), cancel);
        if pushed.is_err() {
            stop.cancel();
        }
        drop(items_rx);
        let pulled = sender.join().unwrap_or(Err(ScpError::Panicked("sending host's")));
        (pushed, pulled)
    });
    let result = match (pushed, pulled) {
        _ if cancel.is_cancelled() => Err(ScpError::Cancelled),
        // The sending side's error explains the receiving side's.
        (_, Err(e)) => Err(e),
        (Err(e), Ok(_)) => Err(e),
        (Ok(pushed), Ok(pulled)) => Ok((pushed, pulled)),
    };
    let (pushed, pulled) = match result {
        Ok(v) => v,
        Err(e) => {
            remote::report(&mut to_pipe, None, &events);
            to_pipe.abort();
            reporter.flush();
            return Err(e);
        }
    };
    for (index, name) in requested.iter().enumerate().skip(pulled.answered) {
        let file = super::event::FileRef { source: index, path: super::request::os(name.clone()).into() };
        let _ = events.send(Event::failed(file, "the remote scp ended without sending it"));
    }
    let spoke = matches!(pushed, Pushed::Done);
    reporter.flush();
    let ending = remote::finish(&mut to_pipe, spoke, reporter.failed() > 0, &events);
    reporter.flush();
    let ending = ending?;
    if !spoke {
        let message = format!("the remote scp exited without answering ({})", ending.status);
        return Err(ScpError::Remote { host: request.to_host.clone(), message });
    }
    Ok(reporter.finish(ending.status))
}
