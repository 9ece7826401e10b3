//! The network half of an upload (and of a relay's receiving host): feeds
//! [`Item`]s to the remote `scp -t` through the [`Source`] state machine.
//!
//! It waits only where the protocol needs it: for the reply to a `C` record
//! before the data, and for the reply to a `D` record before the contents.
//! Times, end-of-directory records and data status bytes stay in flight;
//! their replies are read whenever the channel has them and are tied back
//! to their file by tag.

use std::collections::HashMap;
use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;
use std::sync::atomic::{AtomicU64, Ordering};

use crossbeam_channel::Sender;

use super::error::ScpError;
use super::event::{Cause, Event, FileRef};
use super::handoff;
use super::item::{Item, ProgressPace};
use super::pipe::Pipe;
use super::remote;
use super::source::{Answer, Sent, Source};
use crate::text::escape_bytes;

struct InFlight {
    file: FileRef,
    bytes: u64,
    dir: bool,
    /// Already reported as failed (a local read error).
    failed: bool,
}

struct Current {
    id: u64,
    file: FileRef,
    name: Vec<u8>,
    size: u64,
    sent: u64,
    pace: ProgressPace,
}

/// What happened to an upload stream.
pub(crate) enum Pushed {
    /// Everything was sent and every reply read.
    Done,
    /// The remote closed before greeting: it never started (see its exit status).
    Silent,
}

pub(crate) struct Push<'p, 's> {
    pub pipe: &'p mut Pipe<'s>,
    pub events: Sender<Event>,
    /// Where to store the id of an item the remote refused, so the producer
    /// can stop reading it.
    pub skip: &'p AtomicU64,
    /// Names to send top-level sources under, by source index.
    names: &'p [OsString],
    source: Source,
    inflight: HashMap<u64, InFlight>,
    dirs: Vec<u64>,
    current: Option<Current>,
    /// Dropping the data of a refused file, or (Some(depth)) everything
    /// inside a refused directory.
    discard_file: bool,
    discard_depth: Option<usize>,
    buf: Vec<u8>,
    /// A command follows scp in the same shell (`Role::Sink`'s `then`):
    /// once the end of input went and every reply came, what stdout still
    /// brings is that command's, kept in `after`.
    then_follows: bool,
    eof_sent: bool,
    after: Vec<u8>,
    /// Items whose bytes went with the command (see [`super::lead`]).
    led: Vec<Item>,
    /// The file whose records went with the command, and whether its data
    /// went too.
    ahead: Option<(u64, bool)>,
    /// The sink refused a file whose data went with its records: it reads
    /// that data as records, so nothing more it says is a reply.
    deaf: bool,
    /// The reply to those records, when it came while another was awaited.
    ahead_answer: Option<Result<(), Vec<u8>>>,
    /// The reply to its data, when it came before its end was handled.
    ahead_data: Option<Answer>,
}

impl<'p, 's> Push<'p, 's> {
    pub(super) fn new(
        pipe: &'p mut Pipe<'s>,
        events: Sender<Event>,
        skip: &'p AtomicU64,
        names: &'p [OsString],
    ) -> Self {
        Push {
            pipe,
            events,
            skip,
            names,
            source: Source::new(),
            inflight: HashMap::new(),
            dirs: Vec::new(),
            current: None,
            discard_file: false,
            discard_depth: None,
            buf: vec![0u8; 4096],
            then_follows: false,
            eof_sent: false,
            after: Vec::new(),
            led: Vec::new(),
            ahead: None,
            deaf: false,
            ahead_answer: None,
            ahead_data: None,
        }
    }

    /// The first items went with the command as `lead`, written by
    /// `source` (which expects their replies).
    pub(super) fn led(mut self, source: Source, lead: super::lead::Lead) -> Self {
        self.source = source;
        if let Some(Item::File { id, .. }) = lead.items.first() {
            self.ahead = lead.header.then_some((*id, lead.whole));
        }
        self.led = lead.items;
        self
    }

    /// A command follows scp in the same shell: its output is kept (see
    /// [`Push::take_after`]), not read as replies.
    pub(super) fn then_follows(mut self) -> Self {
        self.then_follows = true;
        self
    }

    /// What came after the last reply, once the end of input went (with
    /// [`Push::then_follows`] only).
    pub(super) fn take_after(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.after)
    }

    fn emit(&self, event: Event) {
        let _ = self.events.send(event);
    }

    /// Sends every item, then waits for the remaining replies.
    pub(super) fn run(
        &mut self,
        items: &handoff::Receiver<Item>,
        flush: &mut dyn FnMut(),
        cancel: &super::CancellationToken,
    ) -> Result<Pushed, ScpError> {
        let result = self.run_inner(items, flush, cancel);
        if result.is_err() {
            self.fail_unconfirmed();
        }
        result
    }

    fn run_inner(
        &mut self,
        items: &handoff::Receiver<Item>,
        flush: &mut dyn FnMut(),
        cancel: &super::CancellationToken,
    ) -> Result<Pushed, ScpError> {
        let pending = self.pipe.take_pending();
        let mut greeting = None;
        self.handle_answers(&pending, &mut greeting, 0, Sent::Start)?;
        if greeting.is_none() {
            greeting = self.await_answer(0, Sent::Start)?;
        }
        match greeting {
            None => return Ok(Pushed::Silent),
            Some(Err(message)) => {
                let message = escape_bytes(&message);
                return Err(ScpError::Remote { host: self.pipe.host.clone(), message });
            }
            Some(Ok(())) => {}
        }
        let led = std::mem::take(&mut self.led).into_iter().map(|item| Ok(Some(item)));
        let mut queued = led.chain(std::iter::repeat_with(|| items.recv(cancel)));
        while let Some(item) = queued.next().unwrap_or(Ok(None))? {
            self.item(item)?;
            let out = self.source.take_output();
            self.pipe.write_all(&out)?;
            self.poll_answers()?;
            remote::report(self.pipe, self.current.as_ref().map(|c| &c.file), &self.events);
            flush();
        }
        if self.current.is_some() || self.discard_file || !self.dirs.is_empty() {
            // The producer stopped in the middle of a file or directory.
            let message = "the sending side stopped in the middle of a file".to_string();
            return Err(ScpError::Remote { host: self.pipe.host.clone(), message });
        }
        // Everything is sent: the end of input goes now, not after the
        // last answers (one round trip less). The remote scp still answers
        // every file first (an error in its own words), then reads the end
        // and exits with its status.
        self.pipe.send_eof()?;
        self.eof_sent = true;
        while self.source.outstanding() > 0 {
            if !self.read_answers()? {
                return Err(self.stopped_early());
            }
        }
        Ok(Pushed::Done)
    }

    fn stopped_early(&self) -> ScpError {
        let message = "the remote scp stopped before confirming every file".to_string();
        ScpError::Remote { host: self.pipe.host.clone(), message }
    }

    fn fail_unconfirmed(&mut self) {
        let reason = "the transfer stopped before the remote scp confirmed this file";
        let mut lost: Vec<FileRef> =
            self.inflight.drain().filter(|(_, f)| !f.failed).map(|(_, f)| f.file).collect();
        lost.extend(self.current.take().map(|c| c.file));
        for file in lost {
            self.emit(Event::failed(file, reason));
        }
    }

    fn item(&mut self, item: Item) -> Result<(), ScpError> {
        if let Some(depth) = self.discard_depth {
            self.discard_depth = match item {
                Item::Dir { .. } => Some(depth + 1),
                Item::DirEnd if depth == 1 => None,
                Item::DirEnd => Some(depth - 1),
                _ => Some(depth),
            };
            return Ok(());
        }
        let (top, names) = (self.dirs.is_empty(), self.names);
        let renamed = |file: &FileRef, name: OsString| match names.get(file.source) {
            Some(wire) if top => wire.clone(),
            _ => name,
        };
        match item {
            Item::Dir { id, file, name, mode, times } => {
                let name = renamed(&file, name);
                if let Some(t) = times {
                    self.source.times(id, t);
                }
                let refused = match self.source.dir(id, mode, name.as_bytes()) {
                    Err(e) => Some(e.to_string()),
                    Ok(()) => self.send_and_await(id, Sent::Dir)?,
                };
                match refused {
                    None => {
                        self.emit(Event::Started { file: file.clone(), size: 0, dir: true });
                        self.inflight.insert(id, InFlight { file, bytes: 0, dir: true, failed: false });
                        self.dirs.push(id);
                    }
                    Some(reason) => {
                        self.skip.store(id, Ordering::SeqCst);
                        self.discard_depth = Some(1);
                        self.emit(Event::failed(file, reason));
                    }
                }
            }
            Item::DirEnd => {
                if let Some(id) = self.dirs.pop() {
                    self.source.end_dir(id);
                }
            }
            Item::File { id, file, name, mode, size, times } => {
                let name = renamed(&file, name);
                let refused = if self.ahead.is_some_and(|(ahead, _)| ahead == id) {
                    // Its records went with the command.
                    match self.ahead_answer.take() {
                        Some(answer) => answer.err().map(|message| escape_bytes(&message)),
                        None => self.send_and_await(id, Sent::File)?,
                    }
                } else {
                    if let Some(t) = times {
                        self.source.times(id, t);
                    }
                    match self.source.file(id, mode, size, name.as_bytes()) {
                        Err(e) => Some(e.to_string()),
                        Ok(()) => self.send_and_await(id, Sent::File)?,
                    }
                };
                match refused {
                    None => {
                        self.emit(Event::Started { file: file.clone(), size, dir: false });
                        let name = name.as_bytes().to_vec();
                        self.current =
                            Some(Current { id, file, name, size, sent: 0, pace: ProgressPace::new() });
                    }
                    Some(reason) => {
                        self.skip.store(id, Ordering::SeqCst);
                        self.discard_file = true;
                        let cause = Cause::of_remote(reason.as_bytes());
                        self.emit(Event::Failed { file, reason, cause });
                    }
                }
            }
            Item::Data(data) => {
                if self.discard_file {
                    return Ok(());
                }
                if !self.whole_ahead() {
                    self.pipe.write_all(&data)?;
                }
                if let Some(c) = self.current.as_mut() {
                    c.sent += data.len() as u64;
                    if c.pace.due() {
                        let event = Event::Progress { file: c.file.clone(), bytes: c.sent, size: c.size };
                        let _ = self.events.send(event);
                    }
                }
            }
            Item::FileEnd(verdict) => {
                let whole_ahead = self.whole_ahead();
                self.ahead = None;
                if std::mem::take(&mut self.discard_file) {
                    return Ok(());
                }
                let Some(c) = self.current.take() else { return Ok(()) };
                let failed = verdict.is_err();
                match verdict {
                    // Its status byte went with the command.
                    Ok(()) if whole_ahead => {}
                    Ok(()) => self.source.data_end(c.id, Ok(())),
                    Err(reason) => {
                        let mut message = b"scp: ".to_vec();
                        message.extend_from_slice(&c.name);
                        message.extend_from_slice(b": ");
                        message.extend_from_slice(reason.as_bytes());
                        self.source.data_end(c.id, Err(&message));
                        self.emit(Event::failed(c.file.clone(), reason));
                    }
                }
                self.inflight.insert(c.id, InFlight { file: c.file, bytes: c.size, dir: false, failed });
                if let Some(answer) = self.ahead_data.take() {
                    self.settle(answer);
                }
            }
        }
        Ok(())
    }

    /// The current file's data and status byte went with the command.
    fn whole_ahead(&self) -> bool {
        matches!(self.ahead, Some((_, true)))
    }

    /// Sends what is queued and waits for the reply to (`id`, `sent`).
    /// Returns the refusal message, if refused.
    fn send_and_await(&mut self, id: u64, sent: Sent) -> Result<Option<String>, ScpError> {
        let out = self.source.take_output();
        self.pipe.write_all(&out)?;
        match self.await_answer(id, sent)? {
            None => Err(self.stopped_early()),
            Some(Ok(())) => Ok(None),
            Some(Err(message)) => Ok(Some(escape_bytes(&message))),
        }
    }

    /// Reads replies until the one to (`id`, `sent`) arrives; `None` if the
    /// remote closed first.
    fn await_answer(&mut self, id: u64, sent: Sent) -> Result<Option<Result<(), Vec<u8>>>, ScpError> {
        let mut found = None;
        while found.is_none() && self.read_answers_into(&mut found, id, sent)? {}
        Ok(found)
    }

    /// Reads once (waiting) and handles the replies; false at end of stream.
    fn read_answers(&mut self) -> Result<bool, ScpError> {
        let mut none = None;
        self.read_answers_into(&mut none, u64::MAX, Sent::Start)
    }

    fn read_answers_into(
        &mut self,
        found: &mut Option<Result<(), Vec<u8>>>,
        id: u64,
        sent: Sent,
    ) -> Result<bool, ScpError> {
        let mut buf = std::mem::take(&mut self.buf);
        let n = self.pipe.read(&mut buf);
        let result = n.and_then(|n| {
            if n == 0 {
                return Ok(false);
            }
            self.handle_answers(&buf[..n], found, id, sent)?;
            Ok(true)
        });
        self.buf = buf;
        result
    }

    /// Handles replies that have already arrived, without waiting.
    fn poll_answers(&mut self) -> Result<(), ScpError> {
        let mut buf = std::mem::take(&mut self.buf);
        let result = loop {
            match self.pipe.try_read(&mut buf) {
                Ok(Some(n)) if n > 0 => {
                    if let Err(e) = self.handle_answers(&buf[..n], &mut None, u64::MAX, Sent::Start) {
                        break Err(e);
                    }
                }
                Ok(_) => break Ok(()),
                Err(e) => break Err(e),
            }
        };
        self.buf = buf;
        result
    }

    fn handle_answers(
        &mut self,
        mut input: &[u8],
        found: &mut Option<Result<(), Vec<u8>>>,
        id: u64,
        sent: Sent,
    ) -> Result<(), ScpError> {
        while !input.is_empty() && !self.deaf {
            // scp has answered everything and read the end of input: the
            // rest is the following command's (it can run only then).
            if self.then_follows && self.eof_sent && self.source.outstanding() == 0 {
                let room = super::pipe::AFTER_MAX.saturating_sub(self.after.len());
                self.after.extend_from_slice(&input[..input.len().min(room)]);
                return Ok(());
            }
            let (used, answer) = self
                .source
                .feed(input)
                .map_err(|source| ScpError::Refused { host: self.pipe.host.clone(), source })?;
            input = &input[used..];
            let Some(answer) = answer else { continue };
            let led = answer.sent == Sent::File && self.ahead.is_some_and(|(a, _)| a == answer.tag);
            if led && answer.result.is_err() && self.whole_ahead() {
                // Its data, already sent, is being read as records.
                self.source.forget();
                self.deaf = true;
            }
            if answer.tag == id && answer.sent == sent {
                *found = Some(answer.result);
            } else if led {
                self.ahead_answer = Some(answer.result);
            } else {
                self.settle(answer);
            }
        }
        Ok(())
    }

    /// A reply to something that was left in flight.
    fn settle(&mut self, answer: Answer) {
        match answer.sent {
            Sent::Data | Sent::End => {
                let Some(f) = self.inflight.remove(&answer.tag) else {
                    if self.ahead.is_some_and(|(ahead, _)| ahead == answer.tag) {
                        // Its data went with the command: the reply came
                        // before the end of it was handled.
                        self.ahead_data = Some(answer);
                    }
                    return;
                };
                match answer.result {
                    _ if f.failed => {}
                    Ok(()) => self.emit(Event::Finished { file: f.file, bytes: f.bytes, dir: f.dir }),
                    Err(message) => self.emit(Event::Failed {
                        file: f.file,
                        reason: escape_bytes(&message),
                        cause: Cause::of_remote(&message),
                    }),
                }
            }
            // The sink answers times with ok or gives up; a refusal here
            // shows in the reply to the record that follows.
            Sent::Times | Sent::Start | Sent::File | Sent::Dir => {}
        }
    }
}
