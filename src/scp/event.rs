//! What a transfer reports while it runs: per-file start, progress, success
//! and failure, and diagnostics about the remote side. All text in events
//! that came from a remote host is already escaped.

use std::path::PathBuf;

use crate::shell::ExitStatus;

/// One file or directory of a request.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FileRef {
    /// Index into the request's `sources`.
    pub source: usize,
    /// The source's own name for the source itself, `name/sub/file` for
    /// what a recursive copy finds inside it. Raw bytes, not escaped: use
    /// [`FileRef::display`] to show it.
    pub path: PathBuf,
}

impl FileRef {
    /// The path, escaped for display.
    pub fn display(&self) -> String {
        use std::os::unix::ffi::OsStrExt;
        crate::text::escape_bytes(self.path.as_os_str().as_bytes())
    }
}

/// Something that happened during a transfer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A file (`size` bytes) or a directory begins.
    Started { file: FileRef, size: u64, dir: bool },
    /// Bytes of a file done so far; sent at most every
    /// [`PROGRESS_INTERVAL`](super::PROGRESS_INTERVAL) per file.
    Progress { file: FileRef, bytes: u64, size: u64 },
    /// The file is complete at its destination (for a download: renamed into
    /// place; for an upload: acknowledged by the remote scp).
    Finished { file: FileRef, bytes: u64, dir: bool },
    /// The file or directory was not copied. `reason` is escaped text.
    Failed { file: FileRef, reason: String, cause: Cause },
    /// Where a download's file went when the request said how
    /// ([`Landing`](super::Landing)); sent before its `Finished`.
    Landed { file: FileRef, at: Landed },
    /// A download the caller places itself ([`Landing::Keep`](super::Landing))
    /// is written to this temporary file. Should the transfer stop before
    /// the file is complete (a cancel, a lost connection, a remote scp that
    /// ended), the file is kept there with what arrived, and `Kept` says so.
    Temp { file: FileRef, path: PathBuf },
    /// The transfer stopped in the middle of this file: what arrived
    /// (`bytes`) is kept at its temporary file, to be resumed.
    Kept { file: FileRef, path: PathBuf, bytes: u64 },
    /// Something about the remote side worth showing.
    Diagnostic(Diagnostic),
}

impl Event {
    /// A failure with no cause the caller could act on.
    pub fn failed(file: FileRef, reason: impl Into<String>) -> Event {
        Event::Failed { file, reason: reason.into(), cause: Cause::Other }
    }
}

/// What made a file fail, where the caller can do something about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Cause {
    #[default]
    Other,
    /// The destination's disk (or the user's quota) is full: an existing
    /// file may still be replaced in place, where a temporary copy beside
    /// it does not fit.
    NoSpace,
    /// Permission was denied (a host used as root may do it: see
    /// `ssh::as_root`).
    Denied,
}

impl Cause {
    /// The cause of a local I/O error.
    pub fn of_io(e: &std::io::Error) -> Cause {
        let errno = e.raw_os_error().map(nix::errno::Errno::from_raw);
        if e.kind() == std::io::ErrorKind::StorageFull
            || matches!(errno, Some(nix::errno::Errno::ENOSPC | nix::errno::Errno::EDQUOT))
        {
            Cause::NoSpace
        } else if e.kind() == std::io::ErrorKind::PermissionDenied {
            Cause::Denied
        } else {
            Cause::Other
        }
    }

    /// The cause of a remote scp's error line (`scp: PATH: REASON`, in the
    /// C locale the remote command runs in).
    pub fn of_remote(message: &[u8]) -> Cause {
        let reason = message.rsplit(|&b| b == b':').next().unwrap_or(message).trim_ascii();
        match reason {
            b"No space left on device" | b"Disk quota exceeded" => Cause::NoSpace,
            b"Permission denied" => Cause::Denied,
            _ => Cause::Other,
        }
    }
}

/// Where a downloaded file went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Landed {
    /// A complete temporary file at this path, beside the destination,
    /// left for the caller to put in place.
    Temp(std::path::PathBuf),
    /// Written straight into the destination (a device or a pipe, as asked).
    Into,
    /// Written straight into the existing destination file, because no
    /// temporary file was possible beside it; the reason, for the log.
    InPlace(&'static str),
}

/// Text from the remote side that is not a file's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Diagnostic {
    /// The login profile printed text before scp started, on standard
    /// output and on standard error (escaped lines). The transfer is
    /// unaffected (the text is separated from the protocol), but text on
    /// standard output breaks OpenSSH's scp and other tools. How to stop
    /// it depends on the host's login shell, which the file system's probe
    /// knows (`fs::remote::BannerNote`).
    Banner { host: String, stdout: Vec<String>, stderr: Vec<String> },
    /// A line the remote scp wrote on stderr, tied to the file in flight.
    Stderr { host: String, file: Option<FileRef>, line: String },
    /// The remote scp exited unsuccessfully.
    Exit { host: String, status: ExitStatus },
}

impl Diagnostic {
    /// The diagnostic as lines of escaped text, ready for a log or stderr.
    pub fn lines(&self) -> Vec<String> {
        match self {
            Diagnostic::Banner { host, stdout, stderr } => {
                let count = stdout.len() + stderr.len();
                let mut out = vec![format!(
                    "{host}: the login shell printed {count} {} before scp started (kept apart: the \
                     transfer is not affected):",
                    if count == 1 { "line" } else { "lines" }
                )];
                out.extend(stdout.iter().map(|l| format!("{host}:   stdout | {l}")));
                out.extend(stderr.iter().map(|l| format!("{host}:   stderr | {l}")));
                out
            }
            Diagnostic::Stderr { host, file: Some(f), line } => {
                vec![format!("{host}: remote scp (while copying {}): {line}", f.display())]
            }
            Diagnostic::Stderr { host, file: None, line } => vec![format!("{host}: remote scp: {line}")],
            Diagnostic::Exit { host, status } => vec![format!("{host}: remote scp ended with {status}")],
        }
    }
}

/// The result of a transfer that ran to its end.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Files copied.
    pub files: u64,
    /// Directories created or entered.
    pub dirs: u64,
    /// Files and directories that failed.
    pub failed: u64,
    /// Bytes of file data copied.
    pub bytes: u64,
    /// The remote scp's exit status (for a relay: the receiving side's).
    pub remote_status: ExitStatus,
}

impl Summary {
    /// True when everything was copied and the remote scp agreed.
    pub fn success(&self) -> bool {
        self.failed == 0 && self.remote_status.success()
    }

    /// Counts an event on its way to the caller.
    pub(crate) fn count(&mut self, event: &Event) {
        match event {
            Event::Finished { dir: true, .. } => self.dirs += 1,
            Event::Finished { bytes, .. } => {
                self.files += 1;
                self.bytes += bytes;
            }
            Event::Failed { .. } => self.failed += 1,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causes_of_remote_error_lines() {
        assert_eq!(Cause::of_remote(b"scp: /root/x: Permission denied"), Cause::Denied);
        assert_eq!(Cause::of_remote(b"scp: /srv/x: No space left on device"), Cause::NoSpace);
        assert_eq!(Cause::of_remote(b"scp: /srv/x: Is a directory"), Cause::Other);
        let denied = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        assert_eq!(Cause::of_io(&denied), Cause::Denied);
    }
}
