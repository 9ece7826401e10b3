//! The receiving side of SCP (a download, or the first half of a relay) as a
//! state machine: bytes from the remote `scp -f` in, events and
//! acknowledgement counts out. No I/O.
//!
//! Hardening (OpenSSH's checks and more): names that are empty, `.`, `..`,
//! or hold `/` or NUL are refused; at the top level only the requested names
//! are accepted, in the requested order, and nothing after the last of them
//! (an extra file, any other data); a directory without `-r`, an `E` with
//! no directory open, and malformed records end the transfer with the
//! record shown escaped, as a "protocol error" (OpenSSH's words). Every name that leaves this machine is a single
//! path component, so joining it to a directory never leaves that directory.
//!
//! Acknowledgements are sent ahead as credit: the sink starts by owing
//! `1 + credit` bytes of `\0` and owes one more for every record it reads, so
//! the remote source never waits a round trip. The sink never answers with an
//! error (an error reply would be consumed by whichever record the source is
//! at by then); local failures are the caller's to report. A `\1` message
//! between records is counted as owing an ack too: OpenSSH's source does not
//! wait after it, so the extra `\0` is never read, which is harmless, while
//! not counting it would lose credit for good if some source did wait.

use super::record::{MAX_LINE, Record, RecordError, Times, vis_newline_name};
use crate::text::escape_bytes;

/// What the sink was asked for.
#[derive(Debug, Clone)]
pub struct SinkConfig {
    /// `-r`: directories are allowed.
    pub recursive: bool,
    /// The base names of the requested paths, in order. The source answers
    /// each with exactly one file, one directory tree or one `\1` error.
    pub requested: Vec<Vec<u8>>,
    /// Acknowledgements kept in flight beyond the one the source waits for.
    pub credit: usize,
}

/// Something the source sent.
#[derive(Debug, PartialEq, Eq)]
pub enum SinkEvent<'a> {
    /// A file begins; `size` bytes of [`SinkEvent::Data`] follow, then
    /// [`SinkEvent::FileEnd`]. `operand` indexes [`SinkConfig::requested`].
    File { operand: usize, name: Vec<u8>, mode: u32, size: u64, times: Option<Times> },
    /// Part of the current file's contents.
    Data(&'a [u8]),
    /// The source's verdict on the file it just sent: an error means it
    /// could not read all of it and the data is not to be trusted.
    FileEnd(Result<(), Vec<u8>>),
    /// A directory begins (only with `-r`).
    Dir { operand: usize, name: Vec<u8>, mode: u32, times: Option<Times> },
    /// The current directory ends.
    DirEnd,
    /// A `\1` message between records: the source could not send something
    /// (no such file, permission denied...). `depth` 0 means it concerns the
    /// requested path `operand` itself.
    Error { operand: usize, depth: usize, message: Vec<u8> },
}

/// Why the sink stopped. Every variant ends the transfer. Most are the
/// server breaking the protocol ([`SinkError::is_protocol_violation`]),
/// said as OpenSSH's scp says it: "protocol error".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SinkError {
    #[error("protocol error: the server sent a malformed record: {0}")]
    Record(#[from] RecordError),
    #[error("protocol error: the server sent the file name \"{}\", which {reason}; refused (a hostile or broken server)", escape_bytes(.name))]
    BadName { name: Vec<u8>, reason: &'static str },
    #[error("protocol error: the server sent \"{}\" but \"{}\" was requested; refused (a hostile or broken server)", escape_bytes(.name), escape_bytes(.expected))]
    Unrequested { name: Vec<u8>, expected: Vec<u8> },
    #[error("protocol error: the server sent \"{}\", which was not requested, after the requested files; refused (a hostile or broken server)", escape_bytes(.name))]
    Extra { name: Vec<u8> },
    #[error("protocol error: the server sent more after the requested files (\"{}\"); refused (a hostile or broken server)", escape_bytes(.0))]
    Trailing(Vec<u8>),
    #[error("protocol error: the server sent a directory (\"{}\") where only files were requested; refused", escape_bytes(.line))]
    DirWithoutRecursive { line: Vec<u8> },
    #[error("protocol error: the server ended a directory that was never started; refused")]
    UnbalancedEnd,
    #[error("protocol error: the server sent an empty line where a record was expected")]
    EmptyLine,
    #[error("protocol error: the server sent a line longer than {MAX_LINE} bytes")]
    LineTooLong,
    #[error("protocol error: after the data of \"{}\" the server sent byte {byte:#04x} instead of a status byte", escape_bytes(.name))]
    BadStatus { name: Vec<u8>, byte: u8 },
    #[error("the remote scp said: {}", escape_bytes(.0))]
    UnexpectedText(Vec<u8>),
    #[error("the remote scp gave up: {}", escape_bytes(.0))]
    Fatal(Vec<u8>),
    #[error("the connection closed {0}")]
    Truncated(String),
}

impl SinkError {
    /// The server broke the protocol: what it sent before, in the same
    /// stream, is not to be trusted either. Not so for text printed instead
    /// of the protocol (a shell's error, no record at all), the remote
    /// scp's own fatal error, or a stream cut short.
    pub fn is_protocol_violation(&self) -> bool {
        !matches!(self, SinkError::UnexpectedText(_) | SinkError::Fatal(_) | SinkError::Truncated(_))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Reading a record or a `\1`/`\2` message line.
    Line,
    Data {
        remaining: u64,
    },
    /// Waiting for the status byte after a file's data.
    Status,
    /// Reading the message after a `\1`/`\2` status byte.
    StatusMessage {
        fatal: bool,
    },
    Failed,
}

/// The sink state machine.
#[derive(Debug, Clone)]
pub struct Sink {
    config: SinkConfig,
    state: State,
    line: Vec<u8>,
    times: Option<Times>,
    depth: usize,
    operand: usize,
    acks: usize,
    seen_record: bool,
    current: Option<(Vec<u8>, u64)>,
}

impl Sink {
    pub fn new(config: SinkConfig) -> Self {
        let acks = 1 + config.credit;
        Sink {
            config,
            state: State::Line,
            line: Vec::new(),
            times: None,
            depth: 0,
            operand: 0,
            acks,
            seen_record: false,
            current: None,
        }
    }

    /// How many `\0` acknowledgements to send now; resets the count.
    pub fn take_acks(&mut self) -> usize {
        for _ in 0..self.acks {
            super::trace::sent(&[0]);
        }
        std::mem::take(&mut self.acks)
    }

    /// The index of the requested path being received (or the number of
    /// requested paths once all are done).
    pub fn operand(&self) -> usize {
        self.operand
    }

    /// Consumes input. Returns how many bytes were used and at most one
    /// event. Uses at least one byte of a non-empty input or returns an event,
    /// so calling it until the input is used up always ends.
    pub fn feed<'a>(&mut self, input: &'a [u8]) -> Result<(usize, Option<SinkEvent<'a>>), SinkError> {
        let result = self.step(input);
        if result.is_err() {
            self.state = State::Failed;
        }
        result
    }

    /// Called when the source closed its output: an error unless the stream
    /// ended between records at the top level.
    pub fn finish(&self) -> Result<(), SinkError> {
        let name = || self.current.as_ref().map(|(n, _)| escape_bytes(n)).unwrap_or_default();
        match self.state {
            State::Line if self.line.is_empty() && self.depth == 0 => Ok(()),
            State::Line if self.all_answered() => Err(SinkError::Trailing(self.line.clone())),
            State::Line | State::StatusMessage { .. } => {
                Err(SinkError::Truncated("in the middle of a record".into()))
            }
            State::Data { remaining } => {
                let size = self.current.as_ref().map_or(0, |(_, s)| *s);
                Err(SinkError::Truncated(format!(
                    "after {} of {size} bytes of \"{}\"",
                    size - remaining,
                    name()
                )))
            }
            State::Status => Err(SinkError::Truncated(format!("before the status of \"{}\"", name()))),
            State::Failed => Err(SinkError::Truncated("after an error".into())),
        }
    }

    fn step<'a>(&mut self, input: &'a [u8]) -> Result<(usize, Option<SinkEvent<'a>>), SinkError> {
        if input.is_empty() {
            return Ok((0, None));
        }
        match self.state {
            State::Failed => Err(SinkError::Truncated("after an error".into())),
            State::Data { remaining } => {
                let n = usize::try_from(remaining).unwrap_or(usize::MAX).min(input.len());
                let left = remaining - n as u64;
                self.state = if left == 0 { State::Status } else { State::Data { remaining: left } };
                Ok((n, Some(SinkEvent::Data(&input[..n]))))
            }
            State::Status => match input[0] {
                0 => {
                    super::trace::received(&[0]);
                    Ok((1, Some(self.end_file(Ok(())))))
                }
                code @ (1 | 2) => {
                    self.state = State::StatusMessage { fatal: code == 2 };
                    self.line.clear();
                    Ok((1, None))
                }
                byte => {
                    let name = self.current.take().map(|(n, _)| n).unwrap_or_default();
                    Err(SinkError::BadStatus { name, byte })
                }
            },
            State::Line | State::StatusMessage { .. } => {
                let (used, complete) = match input.iter().position(|&b| b == b'\n') {
                    Some(i) => (i + 1, true),
                    None => (input.len(), false),
                };
                let body = if complete { &input[..used - 1] } else { input };
                if self.line.len() + body.len() > MAX_LINE {
                    return Err(SinkError::LineTooLong);
                }
                self.line.extend_from_slice(body);
                if complete && self.state == State::Line && self.message_continues() {
                    self.line.push(b'\n');
                    return Ok((used, None));
                }
                if !complete {
                    return Ok((used, None));
                }
                let line = std::mem::take(&mut self.line);
                if let State::StatusMessage { fatal } = self.state {
                    super::trace::received(&[&[if fatal { 2 } else { 1 }], &line[..]].concat());
                } else {
                    super::trace::received(&line);
                }
                let event = match self.state {
                    State::StatusMessage { fatal: true } => return Err(SinkError::Fatal(line)),
                    State::StatusMessage { fatal: false } => Some(self.end_file(Err(line))),
                    _ => self.line_event(line)?,
                };
                Ok((used, event))
            }
        }
    }

    /// OpenSSH writes `\1scp: PATH: reason` with PATH as it is, so a
    /// newline in the requested name ends the line early: when the line so
    /// far ends with the name up to one of its newlines, the message goes on.
    fn message_continues(&self) -> bool {
        if self.line.first() != Some(&1) || self.depth != 0 {
            return false;
        }
        let Some(name) = self.config.requested.get(self.operand) else { return false };
        let seen = self.line.iter().filter(|&&b| b == b'\n').count();
        let Some(cut) = name.iter().enumerate().filter(|(_, b)| **b == b'\n').nth(seen).map(|(i, _)| i)
        else {
            return false;
        };
        self.line.ends_with(&name[..cut])
    }

    fn end_file<'a>(&mut self, verdict: Result<(), Vec<u8>>) -> SinkEvent<'a> {
        self.acks += 1;
        self.state = State::Line;
        self.current = None;
        if self.depth == 0 {
            self.operand += 1;
        }
        SinkEvent::FileEnd(verdict)
    }

    /// Every requested path has had its answer (and no directory is open):
    /// anything but the end of the stream breaks the protocol.
    fn all_answered(&self) -> bool {
        self.depth == 0 && self.operand >= self.config.requested.len()
    }

    fn line_event<'a>(&mut self, line: Vec<u8>) -> Result<Option<SinkEvent<'a>>, SinkError> {
        let first = !self.seen_record;
        self.seen_record = true;
        if self.all_answered() && line.first() != Some(&2) {
            return Err(match Record::parse(&line) {
                Ok(Record::File { name, .. } | Record::Dir { name, .. }) => SinkError::Extra { name },
                _ => SinkError::Trailing(line),
            });
        }
        match line.first() {
            None => return Err(SinkError::EmptyLine),
            Some(1) => {
                self.acks += 1;
                let event = SinkEvent::Error {
                    operand: self.operand,
                    depth: self.depth,
                    message: line[1..].to_vec(),
                };
                if self.depth == 0 {
                    self.operand += 1;
                }
                return Ok(Some(event));
            }
            Some(2) => return Err(SinkError::Fatal(line[1..].to_vec())),
            Some(_) => {}
        }
        let record = match Record::parse(&line) {
            Ok(r) => r,
            // Text where the first record belongs was printed by something
            // other than scp (a shell, a wrapper): show it as what it is.
            Err(e) if first && !matches!(line[0], b'C' | b'D' | b'T' | b'E') => {
                return Err(SinkError::UnexpectedText(e.line));
            }
            Err(e) => return Err(e.into()),
        };
        self.acks += 1;
        match record {
            Record::Times(t) => {
                self.times = Some(t);
                Ok(None)
            }
            Record::File { mode, size, name } => {
                self.check_name(&name)?;
                let operand = self.operand;
                self.current = Some((name.clone(), size));
                self.state = if size == 0 { State::Status } else { State::Data { remaining: size } };
                Ok(Some(SinkEvent::File { operand, name, mode, size, times: self.times.take() }))
            }
            Record::Dir { mode, name } => {
                if !self.config.recursive {
                    return Err(SinkError::DirWithoutRecursive { line });
                }
                self.check_name(&name)?;
                let operand = self.operand;
                self.depth += 1;
                Ok(Some(SinkEvent::Dir { operand, name, mode, times: self.times.take() }))
            }
            Record::End => {
                if self.depth == 0 {
                    return Err(SinkError::UnbalancedEnd);
                }
                self.depth -= 1;
                self.times = None;
                if self.depth == 0 {
                    self.operand += 1;
                }
                Ok(Some(SinkEvent::DirEnd))
            }
        }
    }

    fn check_name(&self, name: &[u8]) -> Result<(), SinkError> {
        if let Some(reason) = name_problem(name) {
            return Err(SinkError::BadName { name: name.to_vec(), reason });
        }
        if self.depth > 0 {
            return Ok(());
        }
        let Some(expected) = self.config.requested.get(self.operand) else {
            return Err(SinkError::Extra { name: name.to_vec() });
        };
        let matches = name == expected.as_slice()
            || (expected.contains(&b'\n') && name == vis_newline_name(expected).as_slice());
        if !matches {
            return Err(SinkError::Unrequested { name: name.to_vec(), expected: expected.clone() });
        }
        Ok(())
    }
}

/// Why `name` cannot be a single path component, if it cannot.
pub(super) fn name_problem(name: &[u8]) -> Option<&'static str> {
    if name.is_empty() {
        Some("is empty")
    } else if name == b"." || name == b".." {
        Some("names a directory itself or its parent")
    } else if name.contains(&b'/') {
        Some("holds a slash")
    } else if name.contains(&0) {
        Some("holds a NUL byte")
    } else {
        None
    }
}

#[cfg(test)]
mod tests;
