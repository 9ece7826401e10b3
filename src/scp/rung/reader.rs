//! Reading one file's bytes from where it is: this machine, an SFTP
//! channel, or `cat` on a host.

use std::ffi::OsStr;
use std::io::Read;
use std::path::Path;

use tokio_util::sync::CancellationToken;

use super::{End, connection_lost};
use crate::scp::error::ScpError;
use crate::scp::pipe::Pipe;
use crate::scp::remote::{download_window, launch};
use crate::scp::throttle::Throttle;
use crate::shell::Command;
use crate::text::escape_bytes;

/// What a file is, as its reader found it (SFTP and this machine say;
/// `cat` cannot, so the caller's expectation stands).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Meta {
    pub size: u64,
    pub mode: u32,
    pub mtime: Option<u64>,
    pub atime: Option<u64>,
}

pub(super) enum Reader<'s> {
    Local(std::fs::File),
    Sftp {
        file: ssh2::File,
        end: std::sync::Arc<crate::ssh::sftp::SftpChannel>,
        limit: Option<Throttle>,
    },
    /// `cat`, and what it printed together with the marker line.
    Stream(Box<Pipe<'s>>, Vec<u8>),
}

fn shown(path: &OsStr) -> String {
    escape_bytes(path.as_encoded_bytes())
}

impl<'s> Reader<'s> {
    /// Opens `path` for reading; also what it is, where the end can tell.
    pub(super) fn open(
        end: &End<'s>,
        host: &str,
        path: &OsStr,
        limit: Option<Throttle>,
        cancel: &CancellationToken,
    ) -> Result<(Self, Option<Meta>), ScpError> {
        match end {
            End::Local => {
                let local = |source| ScpError::Local { path: path.into(), source };
                let file = std::fs::File::open(path).map_err(local)?;
                let meta = file.metadata().map_err(local)?;
                if meta.is_dir() {
                    return Err(local(std::io::Error::from(std::io::ErrorKind::IsADirectory)));
                }
                use std::os::unix::fs::MetadataExt;
                let found = Meta {
                    size: meta.len(),
                    mode: meta.mode() & 0o7777,
                    mtime: u64::try_from(meta.mtime()).ok(),
                    atime: u64::try_from(meta.atime()).ok(),
                };
                Ok((Reader::Local(file), Some(found)))
            }
            End::Sftp(channel) => {
                let refused = |e: ssh2::Error| sftp_refusal(channel, host, path, &e);
                let mut file = channel.0.open(Path::new(path)).map_err(refused)?;
                let stat = file.stat().map_err(refused)?;
                if stat.is_dir() {
                    return Err(ScpError::Command {
                        host: host.into(),
                        message: format!("{}: is a directory", shown(path)),
                    });
                }
                let found = Meta {
                    size: stat.size.unwrap_or(0),
                    mode: stat.perm.unwrap_or(0o644) & 0o7777,
                    mtime: stat.mtime,
                    atime: stat.atime,
                };
                Ok((Reader::Sftp { file, end: channel.clone(), limit }, Some(found)))
            }
            End::Stream(link) => {
                let command = Command::new("exec cat").paths([path])?;
                let mut pipe = launch(*link, host, &command, cancel)?;
                pipe.grow_window(download_window(pipe.round_trip()));
                pipe.limit(limit);
                let pending = pipe.take_pending();
                Ok((Reader::Stream(Box::new(pipe), pending), None))
            }
        }
    }

    /// Reads up to `buf.len()` bytes; 0 at the end.
    pub(super) fn read(
        &mut self,
        buf: &mut [u8],
        host: &str,
        path: &OsStr,
        cancel: &CancellationToken,
    ) -> Result<usize, ScpError> {
        if cancel.is_cancelled() {
            return Err(ScpError::Cancelled);
        }
        match self {
            Reader::Local(file) => {
                file.read(buf).map_err(|source| ScpError::Local { path: path.into(), source })
            }
            Reader::Sftp { file, end, limit } => {
                let cancelled = || cancel.is_cancelled();
                let read = end.patiently(&cancelled, || file.read(buf));
                let n = read
                    .map_err(|e| match connection_lost(end) {
                        true => ScpError::Connection { host: host.into(), source: e },
                        false => ScpError::Command {
                            host: host.into(),
                            message: format!("{}: {}", shown(path), escape_bytes(e.to_string().as_bytes())),
                        },
                    })?
                    .ok_or(ScpError::Cancelled)?;
                if let Some(limit) = limit
                    && n > 0
                    && !limit.pace(n as u64, &|| cancel.is_cancelled())
                {
                    return Err(ScpError::Cancelled);
                }
                Ok(n)
            }
            Reader::Stream(_, pending) if !pending.is_empty() => {
                let n = pending.len().min(buf.len());
                buf[..n].copy_from_slice(&pending[..n]);
                pending.drain(..n);
                Ok(n)
            }
            Reader::Stream(pipe, _) => pipe.read(buf),
        }
    }

    /// After the last byte: whether the reading went well (`cat`'s exit
    /// status and its own words).
    pub(super) fn finish(self, host: &str) -> Result<(), ScpError> {
        match self {
            Reader::Stream(mut pipe, _) => crate::scp::stream::finish(&mut pipe, host),
            _ => Ok(()),
        }
    }

    /// Gives up on the file (a stream's command is stopped).
    pub(super) fn abort(self) {
        match self {
            Reader::Stream(mut pipe, _) => pipe.abort(),
            Reader::Sftp { file, end, .. } => end.close_soon(file),
            Reader::Local(_) => {}
        }
    }
}

/// An SFTP refusal of `path` as the engine's error: the file's own
/// failure, or the connection's.
pub(super) fn sftp_refusal(
    channel: &crate::ssh::sftp::SftpChannel,
    host: &str,
    path: &OsStr,
    e: &ssh2::Error,
) -> ScpError {
    if crate::ssh::is_transport_lost(e) || connection_lost(channel) {
        let source = std::io::Error::new(std::io::ErrorKind::ConnectionAborted, e.message().to_owned());
        return ScpError::Connection { host: host.into(), source };
    }
    ScpError::Command {
        host: host.into(),
        message: format!("{}: sftp: {}", shown(path), escape_bytes(e.message().as_bytes())),
    }
}
