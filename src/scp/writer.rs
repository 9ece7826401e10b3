//! The disk half of a download, on its own thread: turns [`Item`]s into
//! files and directories under the target.
//!
//! A file is written to a temporary name beside its destination
//! (`.NAME.XXXXXX.scpdeck`, at most 16 bytes of the name) and renamed over
//! the destination only when the source's status byte said the data is
//! good; or, when the request says so ([`Landing::Keep`]), left complete
//! for the caller to place. A file that fails (a remote read error, a local
//! write error) has its temporary file removed; one the transfer stopped
//! in the middle of (a lost connection, a cancel) too, unless the caller
//! places it ([`Landing::Keep`]): then what arrived is kept for a resume.
//! So an existing file is never truncated or replaced by a partial one. Blocks
//! of zeros are skipped with positioned writes, so sparse files stay sparse.
//!
//! As with scp, a destination that is a device or a named pipe is written
//! into, never replaced; and an existing writable file is written in place
//! when no temporary file can be made beside it (a directory we may not
//! create files in, a name too long): reported as [`Landed::InPlace`].

use std::ffi::{OsStr, OsString};
use std::fs::{DirBuilder, File, FileTimes, Permissions};
use std::io::ErrorKind;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::{DirBuilderExt, FileExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crossbeam_channel::Sender;
use tempfile::NamedTempFile;

use super::event::{Cause, Event, FileRef, Landed};
use super::handoff;
use super::item::{Item, ProgressPace};
use super::record::{Times, Timestamp};
use super::request::Landing;
use crate::text::escape_bytes;
use tokio_util::sync::CancellationToken;

pub(crate) struct WriterConfig {
    pub target: PathBuf,
    /// The target is an existing directory: top-level items go inside it.
    pub target_is_dir: bool,
    pub preserve: bool,
    /// Where each requested top-level file goes, by source index, when the
    /// caller decides (empty: under the target, renamed into place).
    pub landing: Vec<Landing>,
}

struct OpenDir {
    file: FileRef,
    path: PathBuf,
    mode: u32,
    times: Option<Times>,
    created: bool,
    failed: Option<String>,
}

/// What the data of a file is written to.
enum Out {
    /// A temporary file, renamed over the destination at the end (or kept
    /// for the caller when `keep`).
    Temp { temp: NamedTempFile, keep: bool },
    /// The destination itself, a device or a pipe: written in order.
    Into(File),
    /// The existing destination file itself, rewritten from its start.
    InPlace { file: File, why: &'static str },
    /// Nothing (the file failed).
    None,
}

struct OpenFile {
    file: FileRef,
    dest: PathBuf,
    out: Out,
    size: u64,
    written: u64,
    mode: u32,
    times: Option<Times>,
    /// Without -p, an existing destination keeps its permissions.
    keep_mode: Option<u32>,
    failed: Option<(String, Cause)>,
    pace: ProgressPace,
}

struct Writer {
    config: WriterConfig,
    events: Sender<Event>,
    dirs: Vec<OpenDir>,
    file: Option<OpenFile>,
}

/// Runs until the producer is done, gone, or the transfer is cancelled.
/// Data buffers go back through `spares` once written, for the reader to
/// fill again (no allocation, no copy per chunk).
pub(crate) fn run(
    items: handoff::Receiver<Item>,
    events: Sender<Event>,
    config: WriterConfig,
    cancel: CancellationToken,
    spares: Sender<Vec<u8>>,
) {
    let mut w = Writer { config, events, dirs: Vec::new(), file: None };
    while let Ok(Some(item)) = items.recv(&cancel) {
        match item {
            Item::Data(data) => {
                w.data(&data);
                let _ = spares.try_send(data);
            }
            other => w.handle(other),
        }
    }
    if let Some(f) = w.file.take() {
        if let Out::Temp { temp, keep: true } = f.out {
            // The caller resumes it later: what arrived stays.
            match temp.keep() {
                Ok((_, path)) => w.emit(Event::Kept { file: f.file, path, bytes: f.written }),
                Err(e) => w.emit(Event::failed(f.file, format!("{}: {}", show(&f.dest), e.error))),
            }
            return;
        }
        let mut reason = "the transfer stopped before the file was complete".to_string();
        if let Out::InPlace { why, .. } = f.out {
            reason.push_str(&format!(
                " (it was being written in place because {why}; {} is now incomplete)",
                show(&f.dest)
            ));
        }
        w.emit(Event::failed(f.file, reason));
    }
}

fn show(path: &Path) -> String {
    escape_bytes(path.as_os_str().as_bytes())
}

impl Writer {
    fn emit(&self, event: Event) {
        let _ = self.events.send(event);
    }

    fn dest_for(&self, name: &OsStr) -> PathBuf {
        match self.dirs.last() {
            Some(d) => d.path.join(name),
            None if self.config.target_is_dir => self.config.target.join(name),
            None => self.config.target.clone(),
        }
    }

    fn parent_failure(&self) -> Option<String> {
        self.dirs.last().and_then(|d| d.failed.clone())
    }

    fn handle(&mut self, item: Item) {
        match item {
            Item::File { file, name, mode, size, times, .. } => {
                self.begin_file(file, &name, mode, size, times)
            }
            Item::Data(data) => self.data(&data),
            Item::FileEnd(verdict) => self.end_file(verdict),
            Item::Dir { file, name, mode, times, .. } => self.begin_dir(file, &name, mode, times),
            Item::DirEnd => self.end_dir(),
        }
    }

    fn begin_file(&mut self, file: FileRef, name: &OsStr, mode: u32, size: u64, times: Option<Times>) {
        let landing = match self.dirs.is_empty() {
            true => self.config.landing.get(file.source).cloned(),
            false => None,
        };
        let dest = match &landing {
            Some(Landing::Keep { dest, .. } | Landing::Into { dest }) => dest.clone(),
            None => self.dest_for(name),
        };
        self.emit(Event::Started { file: file.clone(), size, dir: false });
        let mut open = OpenFile {
            file,
            dest,
            out: Out::None,
            size,
            written: 0,
            mode,
            times,
            keep_mode: None,
            failed: self.parent_failure().map(|r| (r, Cause::Other)),
            pace: ProgressPace::new(),
        };
        if open.failed.is_none() {
            match self.open_out(&open.dest, name, mode, landing.as_ref()) {
                Ok((out, keep)) => {
                    if let Out::Temp { temp, keep: true } = &out {
                        let path = temp.path().to_path_buf();
                        self.emit(Event::Temp { file: open.file.clone(), path });
                    }
                    open.out = out;
                    open.keep_mode = if self.config.preserve { None } else { keep };
                }
                Err(reason) => open.failed = Some((reason, Cause::Other)),
            }
        }
        self.file = Some(open);
    }

    /// Where a file's data goes: a device or pipe itself, a temporary file,
    /// or (when none can be made) an existing file in place. Returns the
    /// existing destination's permissions too.
    fn open_out(
        &self,
        dest: &Path,
        name: &OsStr,
        mode: u32,
        landing: Option<&Landing>,
    ) -> Result<(Out, Option<u32>), String> {
        let fail = |e: std::io::Error| format!("{}: {e}", show(dest));
        let existing = match std::fs::metadata(dest) {
            Ok(m) if m.is_dir() => return Err(format!("{}: is a directory", show(dest))),
            Ok(m) => Some(m),
            Err(e) if e.kind() == ErrorKind::NotFound => None,
            Err(e) => return Err(fail(e)),
        };
        let special = existing.as_ref().is_some_and(|m| !m.is_file());
        let keep = existing.as_ref().map(|m| m.permissions().mode() & 0o7777);
        if special || matches!(landing, Some(Landing::Into { .. })) {
            let file = std::fs::OpenOptions::new().write(true).open(dest).map_err(fail)?;
            if !special && existing.is_some() {
                return Ok((Out::InPlace { file, why: "the caller asked for it" }, keep));
            }
            return Ok((Out::Into(file), None));
        }
        let may_replace_in_place = match landing {
            Some(Landing::Keep { in_place, .. }) => *in_place,
            _ => true,
        };
        match create_temp(dest, name, mode) {
            Ok(temp) => Ok((Out::Temp { temp, keep: landing.is_some() }, keep)),
            Err(e) => match (in_place_cure(&e), existing) {
                (Some(why), Some(m)) if may_replace_in_place && m.is_file() => {
                    let file = std::fs::OpenOptions::new().write(true).open(dest).map_err(fail)?;
                    Ok((Out::InPlace { file, why }, keep))
                }
                _ => Err(fail(e)),
            },
        }
    }

    fn data(&mut self, data: &[u8]) {
        let Some(f) = self.file.as_mut() else { return };
        let written = match &mut f.out {
            Out::Temp { temp, .. } => write_sparse(temp.as_file(), data, f.written),
            Out::InPlace { file, .. } => file.write_all_at(data, f.written),
            Out::Into(file) => std::io::Write::write_all(file, data),
            Out::None => Ok(()),
        };
        if let Err(e) = written {
            f.failed = Some((format!("{}: {e}", show(&f.dest)), Cause::of_io(&e)));
            // Frees the space now: a full disk should not stay full.
            if matches!(f.out, Out::Temp { .. }) {
                f.out = Out::None;
            }
        }
        f.written += data.len() as u64;
        if f.failed.is_none() && f.pace.due() {
            let event = Event::Progress { file: f.file.clone(), bytes: f.written, size: f.size };
            self.emit(event);
        }
    }

    fn end_file(&mut self, verdict: Result<(), String>) {
        let Some(mut f) = self.file.take() else { return };
        let result = match (verdict, f.failed.take()) {
            (Err(reason), _) => Err((reason, Cause::Other)),
            (Ok(()), Some(failure)) => Err(failure),
            (Ok(()), None) => self.finalize(&mut f).map_err(|r| (r, Cause::Other)),
        };
        match result {
            Ok(landed) => {
                if let Some(at) = landed {
                    self.emit(Event::Landed { file: f.file.clone(), at });
                }
                self.emit(Event::Finished { file: f.file, bytes: f.size, dir: false })
            }
            Err((mut reason, cause)) => {
                if let Out::InPlace { why, .. } = f.out {
                    reason.push_str(&format!(
                        " (it was being written in place because {why}; it is now incomplete)"
                    ));
                }
                self.emit(Event::Failed { file: f.file, reason, cause })
            }
        }
    }

    /// Sets size, mode and times on what was written; a temporary file is
    /// then renamed over the destination (or kept, as asked). On error a
    /// temporary file is removed.
    fn finalize(&self, f: &mut OpenFile) -> Result<Option<Landed>, String> {
        let dest = show(&f.dest);
        let fail = |e: std::io::Error| format!("{dest}: {e}");
        let mode = if self.config.preserve { Some(f.mode & 0o7777) } else { f.keep_mode };
        let times = if self.config.preserve { f.times.and_then(file_times) } else { None };
        match std::mem::replace(&mut f.out, Out::None) {
            Out::None => Err(fail(ErrorKind::NotFound.into())),
            Out::Into(_) => Ok(Some(Landed::Into)),
            Out::InPlace { file, why } => {
                file.set_len(f.size).map_err(fail)?;
                set_attributes(&file, mode, times).map_err(fail)?;
                Ok(Some(Landed::InPlace(why)))
            }
            Out::Temp { temp, keep } => {
                let handle = temp.as_file();
                handle.set_len(f.size).map_err(fail)?;
                set_attributes(handle, mode, times).map_err(fail)?;
                if keep {
                    let (_, path) = temp.keep().map_err(|e| fail(e.error))?;
                    return Ok(Some(Landed::Temp(path)));
                }
                temp.persist(&f.dest).map(|_| None).map_err(|e| fail(e.error))
            }
        }
    }

    fn begin_dir(&mut self, file: FileRef, name: &OsStr, mode: u32, times: Option<Times>) {
        let path = self.dest_for(name);
        self.emit(Event::Started { file: file.clone(), size: 0, dir: true });
        let mut dir = OpenDir { file, path, mode, times, created: false, failed: self.parent_failure() };
        if dir.failed.is_none() {
            match std::fs::metadata(&dir.path) {
                Ok(m) if m.is_dir() => {}
                Ok(_) => dir.failed = Some(format!("{}: exists and is not a directory", show(&dir.path))),
                Err(e) if e.kind() == ErrorKind::NotFound => {
                    // Writable for us while its contents arrive; the real mode
                    // is applied when the directory ends.
                    match DirBuilder::new().mode((mode & 0o777) | 0o700).create(&dir.path) {
                        Ok(()) => dir.created = true,
                        Err(e) => dir.failed = Some(format!("{}: {e}", show(&dir.path))),
                    }
                }
                Err(e) => dir.failed = Some(format!("{}: {e}", show(&dir.path))),
            }
        }
        self.dirs.push(dir);
    }

    fn end_dir(&mut self) {
        let Some(dir) = self.dirs.pop() else { return };
        let result = match dir.failed.clone() {
            Some(reason) => Err(reason),
            None => self.finish_dir(&dir).map_err(|e| format!("{}: {e}", show(&dir.path))),
        };
        match result {
            Ok(()) => self.emit(Event::Finished { file: dir.file, bytes: 0, dir: true }),
            Err(reason) => self.emit(Event::failed(dir.file, reason)),
        }
    }

    fn finish_dir(&self, dir: &OpenDir) -> std::io::Result<()> {
        if self.config.preserve {
            std::fs::set_permissions(&dir.path, Permissions::from_mode(dir.mode & 0o7777))?;
        } else if dir.created && dir.mode & 0o700 != 0o700 {
            // The umask was applied at creation; drop the owner bits that
            // were only added so the contents could be written.
            let now = std::fs::metadata(&dir.path)?.permissions().mode() & 0o7777;
            std::fs::set_permissions(&dir.path, Permissions::from_mode(now & !(0o700 & !dir.mode)))?;
        }
        if self.config.preserve
            && let Some(times) = dir.times.and_then(file_times)
        {
            File::open(&dir.path)?.set_times(times)?;
        }
        Ok(())
    }
}

fn set_attributes(file: &File, mode: Option<u32>, times: Option<FileTimes>) -> std::io::Result<()> {
    if let Some(mode) = mode {
        file.set_permissions(Permissions::from_mode(mode))?;
    }
    if let Some(times) = times {
        file.set_times(times)?;
    }
    Ok(())
}

/// Why no temporary file can be made beside a destination, when writing the
/// destination in place avoids the cause (as scp does): a directory we may
/// not create files in, a temporary name too long for the system.
pub fn in_place_cure(e: &std::io::Error) -> Option<&'static str> {
    use nix::errno::Errno;
    match e.raw_os_error().map(Errno::from_raw) {
        Some(Errno::EACCES | Errno::EPERM) => Some("no temporary file can be created in its directory"),
        Some(Errno::ENAMETOOLONG) => Some("a temporary name beside it would be too long"),
        Some(Errno::ENOSPC | Errno::EDQUOT) => Some("there is no room for a temporary copy beside it"),
        _ => None,
    }
}

/// Creates the temporary file beside `dest`, with a short name so that a
/// destination path near the system's limit still has room for it.
fn create_temp(dest: &Path, name: &OsStr, mode: u32) -> std::io::Result<NamedTempFile> {
    let parent = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let bytes = name.as_bytes();
    let mut prefix = b".".to_vec();
    prefix.extend_from_slice(&bytes[..bytes.len().min(16)]);
    prefix.push(b'.');
    tempfile::Builder::new()
        .prefix(&OsString::from_vec(prefix))
        .suffix(".scpdeck")
        .rand_bytes(6)
        // New files get the sender's mode less the umask, as with OpenSSH.
        .permissions(Permissions::from_mode(mode & 0o777))
        .tempfile_in(parent)
}

const HOLE: usize = 64 * 1024;
static ZEROS: [u8; HOLE] = [0; HOLE];

/// Writes `data` at `offset`, leaving aligned blocks of zeros as holes;
/// runs of other blocks go in one write.
fn write_sparse(file: &File, data: &[u8], offset: u64) -> std::io::Result<()> {
    let mut pos = 0;
    // Start of the run of non-zero blocks not yet written.
    let mut run = 0;
    while pos < data.len() {
        let at = offset + pos as u64;
        let to_boundary = HOLE - (at % HOLE as u64) as usize;
        let len = to_boundary.min(data.len() - pos);
        if data[pos..pos + len] == ZEROS[..len] {
            if run < pos {
                file.write_all_at(&data[run..pos], offset + run as u64)?;
            }
            run = pos + len;
        }
        pos += len;
    }
    if run < data.len() {
        file.write_all_at(&data[run..], offset + run as u64)?;
    }
    Ok(())
}

fn system_time(t: Timestamp) -> Option<SystemTime> {
    SystemTime::UNIX_EPOCH.checked_add(Duration::new(t.secs, t.micros.saturating_mul(1000)))
}

/// Times a file system can hold; `None` when they are out of range.
fn file_times(t: Times) -> Option<FileTimes> {
    Some(FileTimes::new().set_modified(system_time(t.mtime)?).set_accessed(system_time(t.atime)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;

    #[test]
    fn zero_blocks_become_holes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sparse");
        let f = File::create(&path).unwrap();
        let mut data = vec![0u8; 8 * HOLE];
        data[10] = 1;
        data[8 * HOLE - 1] = 2;
        write_sparse(&f, &data, 0).unwrap();
        write_sparse(&f, &data, 100 * HOLE as u64 + 7).unwrap();
        let size = 108 * HOLE as u64 + 7;
        f.set_len(size).unwrap();
        let back = std::fs::read(&path).unwrap();
        assert_eq!(back.len() as u64, size);
        assert_eq!(&back[..8 * HOLE], &data[..]);
        assert_eq!(&back[100 * HOLE + 7..], &data[..]);
        assert!(f.metadata().unwrap().blocks() * 512 < 32 * HOLE as u64);
    }
}
