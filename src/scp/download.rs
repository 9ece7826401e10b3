//! Downloads: the remote `scp -f` sends, the [`Sink`] checks what it sends,
//! and the writer thread puts it on disk.

use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

use crate::ssh::Link;
use crossbeam_channel::{Receiver, Sender, bounded};

use super::handoff;

use super::error::ScpError;
use super::event::{Event, FileRef, Summary};
use super::item::{CHUNK, Item, QUEUE, next_id};
use super::pipe::Pipe;
use super::remote::{self, Role};
use super::reporter::Reporter;
use super::request::{DownloadRequest, base_name, needs_dir, os};
use super::sink::{Sink, SinkConfig, SinkEvent};
use super::writer::{self, WriterConfig};
use crate::text::escape_bytes;
use tokio_util::sync::CancellationToken;

/// Acknowledgements kept in flight ahead of the remote source.
pub const CREDIT: usize = 256;

/// Copies `request.sources` from the host behind `session` to
/// `request.target`, through one channel. Per-file results arrive as
/// events; an `Err` means the transfer as a whole stopped (files already
/// reported `Finished` are complete).
pub fn download(
    link: Link<'_>,
    request: &DownloadRequest,
    on_event: &mut dyn FnMut(Event),
    cancel: &CancellationToken,
) -> Result<Summary, ScpError> {
    if request.sources.is_empty() {
        return Err(ScpError::Usage("nothing to download: no source paths".into()));
    }
    let target = &request.target;
    let target_is_dir = target.is_dir();
    if needs_dir(request.sources.len(), target.as_os_str().as_bytes()) && !target_is_dir {
        let source = std::io::Error::new(std::io::ErrorKind::NotADirectory, "not a directory");
        return Err(ScpError::Local { path: target.clone(), source });
    }
    let requested: Vec<Vec<u8>> = request.sources.iter().map(|s| base_name(s.as_bytes())).collect();
    let config = SinkConfig { recursive: request.options.recursive, requested, credit: CREDIT };
    let role = Role::Source { paths: &request.sources };
    // The first acknowledgements (the ones owed ahead) go with the command.
    let mut sink = Sink::new(config.clone());
    let lead = vec![0u8; sink.take_acks()];
    let mut pipe = remote::start_with(link, &request.host, role, &request.options, cancel, &lead)?;
    pipe.limit(request.options.limit.clone());

    let mut reporter = Reporter::new(on_event);
    let (items_tx, items_rx) = handoff::bounded(QUEUE, Item::urgent);
    let events = reporter.sender();
    let writer_config = WriterConfig {
        target: target.clone(),
        target_is_dir,
        preserve: request.options.preserve,
        landing: request.landing.clone(),
    };
    let pulled = std::thread::scope(|scope| {
        let writer_events = events.clone();
        let writer_cancel = cancel.clone();
        let (spares_tx, spares) = bounded(QUEUE + 2);
        let writer = scope
            .spawn(move || writer::run(items_rx, writer_events, writer_config, writer_cancel, spares_tx));
        let flush = &mut || reporter.flush();
        let queue = Queue { items: &items_tx, spares: &spares };
        let result = pull(&mut pipe, sink, &config.requested, queue, &events, flush, cancel);
        drop(items_tx);
        // A writer that panicked left files unwritten and unreported: that,
        // not whatever the pull then ran into, is why the transfer failed.
        writer.join().map_err(|_| ScpError::Panicked("disk writer")).and(result)
    });
    let outcome = match pulled {
        Ok(outcome) => outcome,
        Err(e) => {
            remote::report(&mut pipe, None, &events);
            pipe.abort();
            reporter.flush();
            return Err(e);
        }
    };
    reporter.flush();
    let ending = remote::finish(&mut pipe, outcome.spoke, outcome.remote_errors > 0, &events);
    let ending = match ending {
        Ok(ending) => ending,
        Err(e) => {
            reporter.flush();
            return Err(e);
        }
    };
    for (index, source) in request.sources.iter().enumerate().skip(outcome.answered) {
        let file = FileRef { source: index, path: PathBuf::from(os(base_name(source.as_bytes()))) };
        let reason = "the remote scp ended without sending it".to_string();
        let _ = events.send(Event::failed(file, reason));
    }
    Ok(reporter.finish(ending.status))
}

/// What [`pull`] saw.
pub(crate) struct Pulled {
    /// The remote sent at least one byte of protocol.
    pub spoke: bool,
    /// Requested paths answered (sent or refused).
    pub answered: usize,
    /// Errors the remote reported (which explain an unsuccessful exit).
    pub remote_errors: usize,
}

/// Where [`pull`] puts what arrives: items for the consumer, and the data
/// buffers the consumer gives back to be filled again.
#[derive(Clone, Copy)]
pub(crate) struct Queue<'q> {
    pub items: &'q handoff::Sender<Item>,
    pub spares: &'q Receiver<Vec<u8>>,
}

/// Reads the remote source to its end, acknowledging ahead, checking every
/// record, and turning what arrives into [`Item`]s. `flush` is called after
/// every read, on the calling thread.
pub(crate) fn pull(
    pipe: &mut Pipe<'_>,
    mut sink: Sink,
    requested: &[Vec<u8>],
    queue: Queue<'_>,
    events: &Sender<Event>,
    flush: &mut dyn FnMut(),
    cancel: &CancellationToken,
) -> Result<Pulled, ScpError> {
    let items = queue.items;
    let mut state = PullState { dir: PathBuf::new(), file: None, requested, spoke: false, remote_errors: 0 };
    send_acks(pipe, &mut sink)?;
    let pending = pipe.take_pending();
    state.process(&pending, &mut sink, items, events, pipe, cancel)?;
    loop {
        let mut buf = queue.spares.try_recv().unwrap_or_default();
        buf.resize(CHUNK, 0);
        let n = pipe.read(&mut buf)?;
        if n == 0 {
            break;
        }
        buf.truncate(n);
        state.process_owned(buf, &mut sink, items, events, pipe, cancel)?;
        send_acks(pipe, &mut sink)?;
        remote::report(pipe, state.file.as_ref(), events);
        flush();
    }
    remote::report(pipe, state.file.as_ref(), events);
    sink.finish().map_err(|source| ScpError::Hostile { host: pipe.host.clone(), source })?;
    Ok(Pulled { spoke: state.spoke, answered: sink.operand(), remote_errors: state.remote_errors })
}

/// Sends the acknowledgements the sink owes. A remote that has already
/// exited cannot take them, which is not an error: its output says how it
/// ended.
fn send_acks(pipe: &mut Pipe<'_>, sink: &mut Sink) -> Result<(), ScpError> {
    const ZEROS: [u8; 512] = [0; 512];
    let mut owed = sink.take_acks();
    while owed > 0 {
        let n = owed.min(ZEROS.len());
        match pipe.write_all(&ZEROS[..n]) {
            Err(ScpError::Connection { .. }) => return Ok(()),
            other => other?,
        }
        owed -= n;
    }
    Ok(())
}

struct PullState<'r> {
    /// Path of the current directory relative to the target.
    dir: PathBuf,
    file: Option<FileRef>,
    requested: &'r [Vec<u8>],
    spoke: bool,
    remote_errors: usize,
}

impl PullState<'_> {
    /// Like [`PullState::process`]; a buffer that holds file data only is
    /// handed over as it is instead of copied.
    fn process_owned(
        &mut self,
        buf: Vec<u8>,
        sink: &mut Sink,
        items: &handoff::Sender<Item>,
        events: &Sender<Event>,
        pipe: &Pipe<'_>,
        cancel: &CancellationToken,
    ) -> Result<(), ScpError> {
        self.spoke |= !buf.is_empty();
        let hostile = |source| ScpError::Hostile { host: pipe.host.clone(), source };
        let (used, event) = sink.feed(&buf).map_err(hostile)?;
        if used == buf.len() && matches!(&event, Some(SinkEvent::Data(d)) if d.len() == used) {
            return items.send(Item::Data(buf), cancel).map_err(|e| e.unwrap_or_else(|| gone(pipe)));
        }
        if let Some(item) = event.and_then(|e| self.item(e, events)) {
            items.send(item, cancel).map_err(|e| e.unwrap_or_else(|| gone(pipe)))?;
        }
        self.process(&buf[used..], sink, items, events, pipe, cancel)
    }

    fn process(
        &mut self,
        mut input: &[u8],
        sink: &mut Sink,
        items: &handoff::Sender<Item>,
        events: &Sender<Event>,
        pipe: &Pipe<'_>,
        cancel: &CancellationToken,
    ) -> Result<(), ScpError> {
        self.spoke |= !input.is_empty();
        let hostile = |source| ScpError::Hostile { host: pipe.host.clone(), source };
        while !input.is_empty() {
            let (used, event) = sink.feed(input).map_err(hostile)?;
            let item = event.and_then(|e| self.item(e, events));
            input = &input[used..];
            if let Some(item) = item {
                items.send(item, cancel).map_err(|e| e.unwrap_or_else(|| gone(pipe)))?;
            }
        }
        Ok(())
    }

    fn item(&mut self, event: SinkEvent<'_>, events: &Sender<Event>) -> Option<Item> {
        match event {
            SinkEvent::File { operand, name, mode, size, times } => {
                let name = self.local_name(operand, name);
                let file = FileRef { source: operand, path: self.dir.join(os(name.clone())) };
                self.file = Some(file.clone());
                Some(Item::File { id: next_id(), file, name: os(name), mode, size, times })
            }
            SinkEvent::Data(data) => Some(Item::Data(data.to_vec())),
            SinkEvent::FileEnd(verdict) => {
                self.file = None;
                self.remote_errors += usize::from(verdict.is_err());
                Some(Item::FileEnd(verdict.map_err(|m| escape_bytes(&m))))
            }
            SinkEvent::Dir { operand, name, mode, times } => {
                let name = self.local_name(operand, name);
                self.dir.push(os(name.clone()));
                let file = FileRef { source: operand, path: self.dir.clone() };
                Some(Item::Dir { id: next_id(), file, name: os(name), mode, times })
            }
            SinkEvent::DirEnd => {
                self.dir.pop();
                Some(Item::DirEnd)
            }
            SinkEvent::Error { operand, depth, message } => {
                self.remote_errors += 1;
                let name = match self.requested.get(operand) {
                    Some(requested) if depth == 0 => requested.clone(),
                    _ => named_in(&message),
                };
                let file = FileRef { source: operand, path: self.dir.join(os(name)) };
                let _ = events.send(Event::failed(file, escape_bytes(&message)));
                None
            }
        }
    }
}

impl PullState<'_> {
    /// The name to use locally. At the top level it is the requested name:
    /// the sink has checked that what arrived is that name, or for a name
    /// with a newline, OpenSSH's encoding of it.
    fn local_name(&self, operand: usize, name: Vec<u8>) -> Vec<u8> {
        match self.requested.get(operand) {
            Some(requested) if self.dir.as_os_str().is_empty() => requested.clone(),
            _ => name,
        }
    }
}

fn gone(pipe: &Pipe<'_>) -> ScpError {
    ScpError::Connection { host: pipe.host.clone(), source: std::io::ErrorKind::BrokenPipe.into() }
}

/// The file an OpenSSH error line (`scp: PATH: REASON`) is about: the last
/// component of PATH.
fn named_in(message: &[u8]) -> Vec<u8> {
    let text = message.strip_prefix(b"scp: ").unwrap_or(message);
    let path = match text.windows(2).rposition(|w| w == b": ") {
        Some(i) => &text[..i],
        None => text,
    };
    base_name(path)
}
