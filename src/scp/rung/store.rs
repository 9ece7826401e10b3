//! Writing one file on a host: through SFTP (created, written in blocks,
//! closed) or through `cat >` (its input, then its exit status).

use std::ffi::OsStr;
use std::io::Write as _;
use std::path::Path;
use std::sync::Arc;

use ssh2::{OpenFlags, OpenType};
use tokio_util::sync::CancellationToken;

use super::End;
use super::reader::sftp_refusal;
use crate::scp::error::ScpError;
use crate::scp::pipe::Pipe;
use crate::scp::remote::launch;
use crate::scp::throttle::Throttle;
use crate::shell::Command;
use crate::ssh::sftp::SftpChannel;
use crate::text::escape_bytes;

pub(super) enum Store<'s> {
    Sftp { file: ssh2::File, end: Arc<SftpChannel>, limit: Option<Throttle> },
    Stream(Box<Pipe<'s>>),
}

impl<'s> Store<'s> {
    /// Creates (or truncates) `path` with the permission bits `mode`, less
    /// the host's umask, as scp does.
    pub(super) fn create(
        end: &End<'s>,
        host: &str,
        path: &OsStr,
        mode: u32,
        limit: Option<Throttle>,
        cancel: &CancellationToken,
    ) -> Result<Self, ScpError> {
        match end {
            End::Local => Err(ScpError::Usage("a lower rung writes on a host only".into())),
            End::Sftp(channel) => {
                let flags = OpenFlags::WRITE | OpenFlags::CREATE | OpenFlags::TRUNCATE;
                let file = channel
                    .0
                    .open_mode(Path::new(path), flags, (mode & 0o777) as i32, OpenType::File)
                    .map_err(|e| sftp_refusal(channel, host, path, &e))?;
                Ok(Store::Sftp { file, end: channel.clone(), limit })
            }
            End::Stream(link) => {
                // The mode is set once the data is in, less the umask (the
                // private directory around the file keeps it meanwhile).
                let command = Command::new("u=$(umask); cat >")
                    .arg(path)?
                    .lit(&format!("&& chmod \"$(printf %o $(( 0{:o} & ~0$u )))\"", mode & 0o777))
                    .paths([path])?;
                let mut pipe = launch(*link, host, &command, cancel)?;
                pipe.limit(limit);
                Ok(Store::Stream(Box::new(pipe)))
            }
        }
    }

    pub(super) fn write_all(
        &mut self,
        data: &[u8],
        host: &str,
        path: &OsStr,
        cancel: &CancellationToken,
    ) -> Result<(), ScpError> {
        if cancel.is_cancelled() {
            return Err(ScpError::Cancelled);
        }
        match self {
            Store::Sftp { file, end, limit } => {
                if let Some(limit) = limit
                    && !limit.pace(data.len() as u64, &|| cancel.is_cancelled())
                {
                    return Err(ScpError::Cancelled);
                }
                // After a timeout libssh2 wants the bytes it was not told
                // are written again: `at` keeps where that is.
                let mut at = 0;
                let cancelled = || cancel.is_cancelled();
                let written = end.patiently(&cancelled, || {
                    while at < data.len() {
                        match file.write(&data[at..]) {
                            Ok(0) => return Err(std::io::ErrorKind::WriteZero.into()),
                            Ok(n) => at += n,
                            Err(e) => return Err(e),
                        }
                    }
                    Ok(())
                });
                let failed = |e: std::io::Error| match super::connection_lost(end) {
                    true => ScpError::Connection { host: host.into(), source: e },
                    false => ScpError::Command {
                        host: host.into(),
                        message: format!(
                            "{}: sftp: {}",
                            escape_bytes(path.as_encoded_bytes()),
                            escape_bytes(e.to_string().as_bytes())
                        ),
                    },
                };
                written.map_err(failed)?.ok_or(ScpError::Cancelled)
            }
            Store::Stream(pipe) => pipe.write_all(data),
        }
    }

    /// Ends the file: closed (SFTP), or its input ended and the command's
    /// verdict awaited (`cat >`).
    pub(super) fn finish(self, host: &str, path: &OsStr) -> Result<(), ScpError> {
        match self {
            Store::Sftp { mut file, end, .. } => file.close().map_err(|e| sftp_refusal(&end, host, path, &e)),
            Store::Stream(mut pipe) => {
                pipe.send_eof()?;
                crate::scp::stream::finish(&mut pipe, host)
            }
        }
    }

    pub(super) fn abort(self) {
        match self {
            Store::Stream(mut pipe) => pipe.abort(),
            Store::Sftp { file, end, .. } => end.close_soon(file),
        }
    }
}
