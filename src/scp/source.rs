//! The sending side of SCP (an upload, or the second half of a relay) as a
//! state machine: calls describe what to send and produce bytes; replies
//! from the remote `scp -t` go in and come out as answers tied to the item
//! (a caller-chosen tag) they concern. No I/O.
//!
//! Every record and every file's data gets exactly one reply, in order, so a
//! queue of what was sent tells which item each reply answers. The caller
//! must wait for the reply to a `C` record before sending the data (a sink
//! that refused the file would read the data as records) and for the reply to
//! a `D` record before sending what is inside (a refused directory would put
//! its contents one level up); everything else may stay in flight.

use std::collections::VecDeque;

use super::record::{MAX_LINE, Record, Reply, Times};
use super::sink::name_problem;
use crate::text::escape_bytes;

/// What a reply answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    /// The sink's greeting, before anything is sent.
    Start,
    Times,
    File,
    /// A file's data and status byte.
    Data,
    Dir,
    End,
}

/// A reply, tied to what it answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub tag: u64,
    pub sent: Sent,
    /// The sink's `\1` message if it refused or failed.
    pub result: Result<(), Vec<u8>>,
}

/// Why the source stopped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    #[error("the remote scp gave up: {}", escape_bytes(.0))]
    Fatal(Vec<u8>),
    #[error("protocol error: the remote scp sent a reply when none was expected: \"{}\"", escape_bytes(.0))]
    Unexpected(Vec<u8>),
    #[error("protocol error: the remote scp sent a reply line longer than {MAX_LINE} bytes")]
    LineTooLong,
    #[error("\"{}\" cannot be sent: the name {reason}", escape_bytes(.name))]
    BadName { name: Vec<u8>, reason: &'static str },
}

impl SourceError {
    /// The receiving side broke the protocol: what it acknowledged before,
    /// in the same stream, is not to be trusted either.
    pub fn is_protocol_violation(&self) -> bool {
        matches!(self, SourceError::Unexpected(_) | SourceError::LineTooLong)
    }
}

/// The source state machine.
#[derive(Debug, Clone)]
pub struct Source {
    out: Vec<u8>,
    pending: VecDeque<(u64, Sent)>,
    /// A `\1`/`\2` message being read; `Some(fatal)`.
    message: Option<bool>,
    line: Vec<u8>,
}

impl Default for Source {
    fn default() -> Self {
        Self::new()
    }
}

impl Source {
    /// A source that first expects the sink's greeting (tag 0).
    pub fn new() -> Self {
        Source {
            out: Vec::new(),
            pending: VecDeque::from([(0, Sent::Start)]),
            message: None,
            line: Vec::new(),
        }
    }

    /// Bytes to send, oldest first; clears them.
    pub fn take_output(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.out)
    }

    /// Replies still due.
    pub fn outstanding(&self) -> usize {
        self.pending.len()
    }

    /// Expects no more replies: the stream is given up on (what still
    /// comes is not read as replies).
    pub fn forget(&mut self) {
        self.pending.clear();
        self.message = None;
        self.line.clear();
    }

    pub fn times(&mut self, tag: u64, times: Times) {
        self.push(tag, Sent::Times, &Record::Times(times));
    }

    /// A `C` record. Wait for its answer before calling [`Source::data`].
    pub fn file(&mut self, tag: u64, mode: u32, size: u64, name: &[u8]) -> Result<(), SourceError> {
        check(name)?;
        self.push(tag, Sent::File, &Record::File { mode, size, name: name.to_vec() });
        Ok(())
    }

    /// The status byte after a file's data: `Err` tells the sink the data is
    /// not to be trusted (the file could not be read to the end).
    pub fn data_end(&mut self, tag: u64, result: Result<(), &[u8]>) {
        let reply = match result {
            Ok(()) => Reply::Ok.to_bytes(),
            Err(message) => Reply::Error(message.to_vec()).to_bytes(),
        };
        super::trace::sent(&reply);
        self.out.extend(reply);
        self.pending.push_back((tag, Sent::Data));
    }

    /// A `D` record. Wait for its answer before sending what is inside.
    pub fn dir(&mut self, tag: u64, mode: u32, name: &[u8]) -> Result<(), SourceError> {
        check(name)?;
        self.push(tag, Sent::Dir, &Record::Dir { mode, name: name.to_vec() });
        Ok(())
    }

    pub fn end_dir(&mut self, tag: u64) {
        self.push(tag, Sent::End, &Record::End);
    }

    fn push(&mut self, tag: u64, sent: Sent, record: &Record) {
        let line = record.to_line();
        super::trace::sent(&line);
        self.out.extend(line);
        self.pending.push_back((tag, sent));
    }

    /// Consumes replies. Returns the bytes used and at most one answer; uses
    /// at least one byte of a non-empty input or returns an answer.
    pub fn feed(&mut self, input: &[u8]) -> Result<(usize, Option<Answer>), SourceError> {
        let Some(&first) = input.first() else { return Ok((0, None)) };
        let Some(fatal) = self.message else {
            return match first {
                0 => {
                    super::trace::received(&[0]);
                    Ok((1, Some(self.answer(Ok(()), &[0])?)))
                }
                1 | 2 => {
                    self.message = Some(first == 2);
                    self.line.clear();
                    Ok((1, None))
                }
                // OpenSSH's sink reads any other byte as the start of a message.
                _ => {
                    self.message = Some(false);
                    self.line.clear();
                    self.line.push(first);
                    Ok((1, None))
                }
            };
        };
        let (used, complete) = match input.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (input.len(), false),
        };
        let body = if complete { &input[..used - 1] } else { input };
        if self.line.len() + body.len() > MAX_LINE {
            return Err(SourceError::LineTooLong);
        }
        self.line.extend_from_slice(body);
        if !complete {
            return Ok((used, None));
        }
        self.message = None;
        let message = std::mem::take(&mut self.line);
        super::trace::received(&[&[if fatal { 2 } else { 1 }], &message[..]].concat());
        if fatal {
            return Err(SourceError::Fatal(message));
        }
        Ok((used, Some(self.answer(Err(message.clone()), &message)?)))
    }

    fn answer(&mut self, result: Result<(), Vec<u8>>, raw: &[u8]) -> Result<Answer, SourceError> {
        let (tag, sent) = self.pending.pop_front().ok_or_else(|| SourceError::Unexpected(raw.to_vec()))?;
        Ok(Answer { tag, sent, result })
    }
}

fn check(name: &[u8]) -> Result<(), SourceError> {
    let reason = if name.contains(&b'\n') { Some("holds a newline") } else { name_problem(name) };
    match reason {
        Some(reason) => Err(SourceError::BadName { name: name.to_vec(), reason }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scp::sink::{Sink, SinkConfig, SinkEvent};
    use proptest::prelude::*;

    fn feed_all(source: &mut Source, input: &[u8]) -> Result<Vec<Answer>, SourceError> {
        let mut answers = Vec::new();
        let mut pos = 0;
        while pos < input.len() {
            let (used, answer) = source.feed(&input[pos..])?;
            pos += used;
            answers.extend(answer);
        }
        Ok(answers)
    }

    #[test]
    fn replies_are_tied_to_what_they_answer() {
        let mut s = Source::new();
        assert_eq!(feed_all(&mut s, b"\0").unwrap()[0].sent, Sent::Start);
        s.file(1, 0o644, 2, b"a").unwrap();
        assert_eq!(s.outstanding(), 1);
        assert_eq!(s.take_output(), b"C0644 2 a\n");
        let answers = feed_all(&mut s, b"\0").unwrap();
        assert_eq!(answers, [Answer { tag: 1, sent: Sent::File, result: Ok(()) }]);
        s.data_end(1, Ok(()));
        s.file(2, 0o600, 0, b"b").unwrap();
        assert_eq!(s.take_output(), b"\0C0600 0 b\n");
        let answers =
            feed_all(&mut s, b"\x01scp: a: No space left on device\n\x01scp: b: Permission denied\n")
                .unwrap();
        assert_eq!(
            answers[0],
            Answer { tag: 1, sent: Sent::Data, result: Err(b"scp: a: No space left on device".to_vec()) }
        );
        assert_eq!(
            answers[1],
            Answer { tag: 2, sent: Sent::File, result: Err(b"scp: b: Permission denied".to_vec()) }
        );
        assert_eq!(s.outstanding(), 0);
    }

    #[test]
    fn fatal_and_unexpected_replies_stop_the_source() {
        let mut s = Source::new();
        assert!(matches!(feed_all(&mut s, b"\x02scp: ambiguous target\n"), Err(SourceError::Fatal(_))));
        let mut s = Source::new();
        assert!(matches!(feed_all(&mut s, b"\0\0"), Err(SourceError::Unexpected(_))));
    }

    #[test]
    fn names_that_cannot_travel_are_refused() {
        let mut s = Source::new();
        for name in [&b"a\nb"[..], b"", b".", b"..", b"a/b"] {
            assert!(s.file(1, 0o644, 0, name).is_err());
            assert!(s.dir(1, 0o755, name).is_err());
        }
        assert!(s.take_output().is_empty());
    }

    #[test]
    fn errors_after_data_are_single_lines() {
        let mut s = Source::new();
        s.data_end(3, Err(b"read\nerror"));
        assert_eq!(s.take_output(), b"\x01read error\n");
    }

    proptest! {
        #[test]
        fn arbitrary_replies_never_panic(input in proptest::collection::vec(any::<u8>(), 0..256)) {
            let mut s = Source::new();
            for tag in 0..10 { s.end_dir(tag); }
            let _ = feed_all(&mut s, &input);
        }

        /// What the source emits, the sink reads back as the same files.
        #[test]
        fn source_output_round_trips_through_the_sink(
            files in proptest::collection::vec(("[a-z]{1,8}", proptest::collection::vec(any::<u8>(), 0..64), 0..=0o7777u32), 1..6)
        ) {
            let mut s = Source::new();
            let mut stream = Vec::new();
            for (i, (name, data, mode)) in files.iter().enumerate() {
                s.file(i as u64, *mode, data.len() as u64, name.as_bytes()).unwrap();
                stream.extend(s.take_output());
                stream.extend_from_slice(data);
                s.data_end(i as u64, Ok(()));
                stream.extend(s.take_output());
            }
            let requested = files.iter().map(|(n, ..)| n.as_bytes().to_vec()).collect();
            let mut sink = Sink::new(SinkConfig { recursive: false, requested, credit: 0 });
            let mut got: Vec<(Vec<u8>, u32, Vec<u8>)> = Vec::new();
            let mut pos = 0;
            while pos < stream.len() {
                let (used, ev) = sink.feed(&stream[pos..]).unwrap();
                pos += used;
                match ev {
                    Some(SinkEvent::File { name, mode, .. }) => got.push((name, mode, Vec::new())),
                    Some(SinkEvent::Data(d)) => got.last_mut().unwrap().2.extend_from_slice(d),
                    _ => {}
                }
            }
            let want: Vec<_> = files.iter().map(|(n, d, m)| (n.as_bytes().to_vec(), *m, d.clone())).collect();
            prop_assert_eq!(got, want);
        }
    }
}
