//! The log file: `$XDG_STATE_HOME/scpdeck/scpdeck.log`, rotated by size so
//! that it never grows without bound (file-rotate keeps the older parts as
//! `scpdeck.log.1` ... `scpdeck.log.N`).
//!
//! Job ids start at 1 in every process, so each line also carries the
//! run it was written by (`run=N`): a counter in the same directory
//! (`runs`), raised under a lock by every process that opens the log, so
//! two runs (even at the same time) never share a number and `job=3
//! run=7` names one job.

use std::fs;
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};

use directories::ProjectDirs;
use file_rotate::suffix::AppendCount;
use file_rotate::{ContentLimit, FileRotate, compression::Compression};

use super::event::Event;

/// Size of one part of the log before it is rotated.
const PART_BYTES: usize = 1024 * 1024;
/// Rotated parts kept besides the current one.
const PARTS_KEPT: usize = 5;
pub(super) const FILE_NAME: &str = "scpdeck.log";
/// The run counter, next to the log.
const RUNS_FILE: &str = "runs";

#[derive(Debug, thiserror::Error)]
pub enum LogFileError {
    #[error("cannot create the log directory {dir}: {source}; set XDG_STATE_HOME to a writable directory")]
    CreateDir { dir: PathBuf, source: io::Error },
    #[error("cannot write the log file in {dir}: {source}")]
    Write { dir: PathBuf, source: io::Error },
}

/// The directory for the log file: the XDG state directory (the same
/// `directories` project paths the config file uses), or the local data
/// directory on systems without one.
pub fn default_log_dir() -> Option<PathBuf> {
    let dirs = ProjectDirs::from("", "", "scpdeck")?;
    Some(dirs.state_dir().unwrap_or_else(|| dirs.data_local_dir()).to_path_buf())
}

pub struct LogFile {
    dir: PathBuf,
    file: FileRotate<AppendCount>,
    run: u64,
}

impl LogFile {
    pub fn open(dir: &Path) -> Result<Self, LogFileError> {
        // file-rotate creates the directory itself but panics when it cannot.
        fs::create_dir_all(dir)
            .map_err(|source| LogFileError::CreateDir { dir: dir.to_path_buf(), source })?;
        let file = FileRotate::new(
            dir.join(FILE_NAME),
            AppendCount::new(PARTS_KEPT),
            ContentLimit::BytesSurpassed(PART_BYTES),
            Compression::None,
            None,
        );
        let run = next_run(dir).map_err(|source| LogFileError::Write { dir: dir.to_path_buf(), source })?;
        let mut log = Self { dir: dir.to_path_buf(), file, run };
        // Where each run begins, for whoever reads the file later.
        let started =
            format!("run {run} started: scpdeck {}, pid {}", env!("CARGO_PKG_VERSION"), std::process::id());
        log.write(&Event::info(&started))?;
        Ok(log)
    }

    /// This process's run number, on every line it writes.
    pub fn run(&self) -> u64 {
        self.run
    }

    pub fn path(&self) -> PathBuf {
        self.dir.join(FILE_NAME)
    }

    pub fn write(&mut self, event: &Event) -> Result<(), LogFileError> {
        let line = event.file_line(self.run);
        self.file
            .write_all(line.as_bytes())
            .and_then(|()| self.file.write_all(b"\n"))
            .and_then(|()| self.file.flush())
            .map_err(|source| LogFileError::Write { dir: self.dir.clone(), source })
    }
}

/// Raises the run counter in `dir` under an exclusive lock and returns it.
fn next_run(dir: &Path) -> io::Result<u64> {
    use nix::fcntl::{Flock, FlockArg};
    let file = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(dir.join(RUNS_FILE))?;
    let mut file = Flock::lock(file, FlockArg::LockExclusive).map_err(|(_, errno)| io::Error::from(errno))?;
    let mut text = String::new();
    file.read_to_string(&mut text)?;
    // A counter that is not a number (edited by hand) starts again past 0.
    let run = text.trim().parse::<u64>().unwrap_or(0) + 1;
    file.rewind()?;
    file.set_len(0)?;
    writeln!(file, "{run}")?;
    file.sync_all()?;
    Ok(run)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_escaped_lines_and_rotates() {
        let dir = tempfile::tempdir().unwrap();
        let mut log = LogFile::open(&dir.path().join("state/scpdeck")).unwrap();
        log.write(&Event::error("permission denied: \x1b]0;pwn\x07").host("h").job(7)).unwrap();
        let text = fs::read_to_string(log.path()).unwrap();
        assert!(text.contains("error host=h job=7 run=1 permission denied"), "{text}");
        assert!(!text.contains('\x1b'));

        let big = "x".repeat(4096);
        for _ in 0..(PART_BYTES / 4096 + 2) {
            log.write(&Event::info(&big)).unwrap();
        }
        assert!(dir.path().join("state/scpdeck/scpdeck.log.1").exists());
        assert!(fs::metadata(log.path()).unwrap().len() < PART_BYTES as u64);
    }

    /// Two runs (one after the other, as a restart) write job 1 each; the
    /// lines tell them apart.
    #[test]
    fn runs_are_numbered_so_job_ids_read_unambiguously_after_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let first = LogFile::open(dir.path()).unwrap();
        assert_eq!(first.run(), 1);
        let mut first = first;
        first.write(&Event::info("copy started").job(1)).unwrap();
        drop(first);
        let mut second = LogFile::open(dir.path()).unwrap();
        assert_eq!(second.run(), 2);
        second.write(&Event::info("copy started").job(1)).unwrap();
        let text = fs::read_to_string(second.path()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].contains(" run=1 run 1 started: scpdeck "), "{text}");
        assert!(lines[1].contains("job=1 run=1 copy started"), "{text}");
        assert!(lines[2].contains(" run=2 run 2 started: scpdeck "), "{text}");
        assert!(lines[3].contains("job=1 run=2 copy started"), "{text}");
        // Opened at once by two processes' worth of threads: no number twice.
        let runs: Vec<u64> = std::thread::scope(|s| {
            let handles: Vec<_> =
                (0..8).map(|_| s.spawn(|| LogFile::open(dir.path()).unwrap().run())).collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let mut sorted = runs.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), 8, "{runs:?}");
    }
}
