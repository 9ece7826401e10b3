//! The disk half of an upload, on its own thread: walks the local sources
//! and turns them into [`Item`]s, reading ahead of the network.
//!
//! Symbolic links are followed, as OpenSSH's scp does; a link back to a
//! directory being copied is reported instead of recursing forever. When
//! the remote refuses an item, the network side stores its id in `skip`,
//! and reading stops at the next chunk or entry.

use std::fs::{File, Metadata};
use std::io::{ErrorKind, Read};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use crossbeam_channel::Sender;

use super::event::{Event, FileRef};
use super::handoff;
use super::item::{CHUNK, Item, next_id};
use super::record::{Times, Timestamp, vis_newline_name};
use super::request::{Options, base_name, os};
use crate::text::escape_bytes;
use tokio_util::sync::CancellationToken;

/// Opens a file to read it only if it is a regular file: opened without
/// waiting (a named pipe swapped in since it was looked at would otherwise
/// block the open for ever), then checked. O_NONBLOCK changes nothing for
/// reading a regular file.
pub fn open_regular(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(nix::fcntl::OFlag::O_NONBLOCK.bits())
        .open(path)?;
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::new(ErrorKind::InvalidInput, "not a regular file"));
    }
    Ok(file)
}

/// OpenSSH sends permission bits and setuid/setgid, not the sticky bit.
const MODE_MASK: u32 = 0o6777;

pub(crate) struct Reader<'a> {
    pub items: &'a handoff::Sender<Item>,
    pub events: &'a Sender<Event>,
    pub skip: &'a AtomicU64,
    pub options: Options,
    pub cancel: &'a CancellationToken,
}

/// The producer stopped: cancelled, or the network side went away.
struct Stop;

fn show(path: &Path) -> String {
    escape_bytes(path.as_os_str().as_bytes())
}

impl Reader<'_> {
    /// Reads every source; `sources` pairs each with its index in the request.
    pub(super) fn run(&self, sources: &[(usize, PathBuf)]) {
        for (index, path) in sources {
            if self.source(*index, path).is_err() {
                return;
            }
        }
    }

    fn put(&self, item: Item) -> Result<(), Stop> {
        self.items.send(item, self.cancel).map_err(|_| Stop)
    }

    fn fail(&self, file: FileRef, reason: String) {
        let _ = self.events.send(Event::failed(file, reason));
    }

    fn source(&self, index: usize, path: &Path) -> Result<(), Stop> {
        let name = top_name(path);
        let file = FileRef { source: index, path: PathBuf::from(os(name.clone())) };
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) => {
                self.fail(file, format!("{}: {e}", show(path)));
                return Ok(());
            }
        };
        if meta.is_dir() && !self.options.recursive {
            self.fail(file, format!("{}: is a directory (use -r to copy directories)", show(path)));
            return Ok(());
        }
        // A newline cannot travel in a record; such a top-level source is
        // sent to its full remote path (see `upload`), under OpenSSH's
        // encoding of the name in case that path is a directory.
        let wire = if name.contains(&b'\n') { vis_newline_name(&name) } else { name };
        self.entry(path, &wire, file, &meta, &mut Vec::new())
    }

    fn entry(
        &self,
        path: &Path,
        name: &[u8],
        file: FileRef,
        meta: &Metadata,
        ancestors: &mut Vec<(u64, u64)>,
    ) -> Result<(), Stop> {
        if name.contains(&b'\n') {
            let reason = format!(
                "{}: the SCP protocol cannot carry a name with a newline inside a directory",
                show(path)
            );
            self.fail(file, reason);
            Ok(())
        } else if meta.is_dir() {
            self.dir(path, name, file, meta, ancestors)
        } else if meta.is_file() {
            self.file(path, name, file)
        } else {
            self.fail(file, format!("{}: not a regular file", show(path)));
            Ok(())
        }
    }

    fn dir(
        &self,
        path: &Path,
        name: &[u8],
        file: FileRef,
        meta: &Metadata,
        ancestors: &mut Vec<(u64, u64)>,
    ) -> Result<(), Stop> {
        let key = (meta.dev(), meta.ino());
        if ancestors.contains(&key) {
            self.fail(
                file,
                format!("{}: a symbolic link loops back to a directory being copied", show(path)),
            );
            return Ok(());
        }
        let mut entries: Vec<_> = match std::fs::read_dir(path) {
            Ok(list) => list.filter_map(Result::ok).map(|e| e.file_name()).collect(),
            Err(e) => {
                self.fail(file, format!("{}: {e}", show(path)));
                return Ok(());
            }
        };
        entries.sort();
        let id = next_id();
        self.put(Item::Dir {
            id,
            file: file.clone(),
            name: os(name.to_vec()),
            mode: meta.permissions().mode() & MODE_MASK,
            times: self.times(meta),
        })?;
        ancestors.push(key);
        for entry in entries {
            if self.skip.load(Ordering::SeqCst) == id {
                break;
            }
            let child = path.join(&entry);
            let child_ref = FileRef { source: file.source, path: file.path.join(&entry) };
            match std::fs::metadata(&child) {
                Ok(m) => self.entry(&child, entry.as_bytes(), child_ref, &m, ancestors)?,
                Err(e) => self.fail(child_ref, format!("{}: {e}", show(&child))),
            }
        }
        ancestors.pop();
        self.put(Item::DirEnd)
    }

    fn times(&self, meta: &Metadata) -> Option<Times> {
        if !self.options.preserve {
            return None;
        }
        let stamp = |t: std::io::Result<SystemTime>| {
            let d = t.ok()?.duration_since(UNIX_EPOCH).ok()?;
            Some(Timestamp { secs: d.as_secs(), micros: d.subsec_micros() })
        };
        Some(Times {
            mtime: stamp(meta.modified()).unwrap_or_default(),
            atime: stamp(meta.accessed()).unwrap_or_default(),
        })
    }

    fn file(&self, path: &Path, name: &[u8], file: FileRef) -> Result<(), Stop> {
        let opened = open_regular(path).and_then(|f| f.metadata().map(|m| (f, m)));
        let (mut handle, meta) = match opened {
            Ok(v) => v,
            Err(e) => {
                self.fail(file, format!("{}: {e}", show(path)));
                return Ok(());
            }
        };
        let size = meta.len();
        let id = next_id();
        let times = self.times(&meta);
        let mode = meta.permissions().mode() & MODE_MASK;
        self.put(Item::File { id, file, name: os(name.to_vec()), mode, size, times })?;
        let mut done = 0u64;
        let mut error: Option<String> = None;
        while done < size {
            if self.skip.load(Ordering::SeqCst) == id {
                // The receiver drops the rest; no need to read it.
                return self.put(Item::FileEnd(Err("skipped".into())));
            }
            let want = (size - done).min(CHUNK as u64) as usize;
            let mut chunk = vec![0u8; want];
            if error.is_none() {
                match read_full(&mut handle, &mut chunk) {
                    Ok(n) if n == want => {}
                    Ok(n) => {
                        error = Some(format!("{}: the file shrank while it was being read", show(path)));
                        chunk[n..].fill(0);
                    }
                    Err(e) => {
                        error = Some(format!("{}: {e}", show(path)));
                        chunk.fill(0);
                    }
                }
            }
            // After an error, zeros keep the stream in step with the size
            // announced; the status byte then says the data is bad.
            done += want as u64;
            self.put(Item::Data(chunk))?;
        }
        self.put(Item::FileEnd(error.map_or(Ok(()), Err)))
    }
}

fn read_full(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match file.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// The name a top-level source is sent under: its last component, or for
/// `.`, `..` and the like, the name of the directory it denotes.
pub(crate) fn top_name(path: &Path) -> Vec<u8> {
    let name = base_name(path.as_os_str().as_bytes());
    if !matches!(name.as_slice(), b"" | b"." | b"..") {
        return name;
    }
    std::fs::canonicalize(path)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.as_bytes().to_vec()))
        .unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A named pipe is refused at once, never waited on: a fifo where a
    /// file was cannot hang a transfer.
    #[test]
    fn a_fifo_is_refused_without_waiting() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
        let (done, result) = std::sync::mpsc::channel();
        let path = fifo.clone();
        std::thread::spawn(move || {
            let _ = done.send(open_regular(&path).map(drop).map_err(|e| e.to_string()));
        });
        let opened = result.recv_timeout(std::time::Duration::from_secs(10));
        if opened.is_err() {
            // Unblock the stuck open before failing.
            let _ = std::fs::OpenOptions::new().write(true).open(&fifo);
        }
        assert_eq!(opened.expect("open_regular waited on a fifo"), Err("not a regular file".into()));
        let file = dir.path().join("f");
        std::fs::write(&file, b"x").unwrap();
        assert!(open_regular(&file).is_ok());
    }
}
