//! Raw byte streams through a remote command, beside SCP: the rest of a
//! file read from an offset (`tail -c +N`, `dd skip=`) into a local file,
//! or the rest of a local file written into a remote one (`dd seek=`,
//! `cat >>`). This is how a transfer resumes, since the SCP protocol
//! cannot seek. The channel is the engine's [`Pipe`]: paced by the same
//! bandwidth limit, stopped within [`WAIT`](super::pipe::WAIT) of a cancel.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::Path;

use crate::shell::Command;
use crate::ssh::Link;
use crate::text::escape_bytes;
use tokio_util::sync::CancellationToken;

use super::error::ScpError;
use super::item::{CHUNK, ProgressPace};
use super::pipe::Pipe;
use super::remote::{download_window, launch};
use super::throttle::Throttle;

/// A remote command to stream through, on `host` (named in messages).
pub struct Stream<'a> {
    pub host: &'a str,
    pub command: &'a Command,
    /// The bandwidth limit shared with the rest of the job.
    pub limit: Option<Throttle>,
    /// How many streams of one file run at once (ranged transfers; 1 for
    /// one stream): a download's receive window is shared among them, so
    /// that N ranges buffer no more than one stream would.
    pub shares: u32,
}

/// Writes what the command prints into `out` (the local file at `path`)
/// from `offset` on, reporting the position reached as it goes; returns
/// the position after the last byte. A command that fails is
/// [`ScpError::Command`] with what it said.
pub fn pull(
    link: Link<'_>,
    stream: &Stream,
    (out, path): (&File, &Path),
    offset: u64,
    progress: &mut dyn FnMut(u64),
    cancel: &CancellationToken,
) -> Result<u64, ScpError> {
    let mut pipe = launch(link, stream.host, stream.command, cancel)?;
    pipe.grow_window(download_window(pipe.round_trip()) / stream.shares.max(1));
    pipe.limit(stream.limit.clone());
    let result = pull_into(&mut pipe, out, path, offset, progress);
    let end = match result {
        Ok(end) => end,
        Err(e) => {
            pipe.abort();
            return Err(e);
        }
    };
    finish(&mut pipe, stream.host)?;
    Ok(end)
}

fn pull_into(
    pipe: &mut Pipe<'_>,
    out: &File,
    path: &Path,
    offset: u64,
    progress: &mut dyn FnMut(u64),
) -> Result<u64, ScpError> {
    let local = |source| ScpError::Local { path: path.to_path_buf(), source };
    let mut at = offset;
    let pending = pipe.take_pending();
    out.write_all_at(&pending, at).map_err(local)?;
    at += pending.len() as u64;
    let mut pace = ProgressPace::new();
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = pipe.read(&mut buf)?;
        if n == 0 {
            break;
        }
        out.write_all_at(&buf[..n], at).map_err(local)?;
        at += n as u64;
        if pace.due() {
            progress(at);
        }
    }
    progress(at);
    Ok(at)
}

/// Writes `input` (the local file at `path`) from `offset` to `end` into
/// the command, then ends its input and waits for its verdict.
pub fn push(
    link: Link<'_>,
    stream: &Stream,
    (input, path): (&File, &Path),
    (offset, end): (u64, u64),
    progress: &mut dyn FnMut(u64),
    cancel: &CancellationToken,
) -> Result<(), ScpError> {
    let mut pipe = launch(link, stream.host, stream.command, cancel)?;
    pipe.limit(stream.limit.clone());
    match push_from(&mut pipe, input, path, (offset, end), progress) {
        Ok(()) => {}
        // The command may have stopped taking input because it failed: its
        // own words explain the broken stream better.
        Err(e @ ScpError::Connection { .. }) => {
            return match finish(&mut pipe, stream.host) {
                Err(failed @ ScpError::Command { .. }) => Err(failed),
                _ => Err(e),
            };
        }
        Err(e) => {
            pipe.abort();
            return Err(e);
        }
    }
    pipe.send_eof()?;
    finish(&mut pipe, stream.host)
}

fn push_from(
    pipe: &mut Pipe<'_>,
    input: &File,
    path: &Path,
    (offset, end): (u64, u64),
    progress: &mut dyn FnMut(u64),
) -> Result<(), ScpError> {
    let local = |source| ScpError::Local { path: path.to_path_buf(), source };
    let mut at = offset;
    let mut pace = ProgressPace::new();
    let mut buf = vec![0u8; CHUNK];
    while at < end {
        let want = (end - at).min(CHUNK as u64) as usize;
        let n = input.read_at(&mut buf[..want], at).map_err(local)?;
        if n == 0 {
            let shrunk = std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "the file got shorter");
            return Err(local(shrunk));
        }
        pipe.write_all(&buf[..n])?;
        at += n as u64;
        if pace.due() {
            progress(at);
        }
    }
    progress(at);
    Ok(())
}

/// Waits for the command to end; an unsuccessful end is an error with its
/// stderr.
pub(super) fn finish(pipe: &mut Pipe<'_>, host: &str) -> Result<(), ScpError> {
    let ending = pipe.finish()?;
    if ending.status.success() {
        return Ok(());
    }
    let said: Vec<String> = ending.stderr.iter().map(|l| escape_bytes(l)).collect();
    let message = match said.is_empty() {
        true => format!("it ended with {}", ending.status),
        false => format!("{} ({})", said.join(" / "), ending.status),
    };
    Err(ScpError::Command { host: host.to_string(), message })
}
