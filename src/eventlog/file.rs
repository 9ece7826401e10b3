//! The log file: `$XDG_STATE_HOME/scpdeck/scpdeck.log`, rotated by size so
//! that it never grows without bound (file-rotate keeps the older parts as
//! `scpdeck.log.1` ... `scpdeck.log.N`).

use std::fs;
use std::io::{self, Write};
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
        Ok(Self { dir: dir.to_path_buf(), file })
    }

    pub fn path(&self) -> PathBuf {
        self.dir.join(FILE_NAME)
    }

    pub fn write(&mut self, event: &Event) -> Result<(), LogFileError> {
        let line = event.file_line();
        self.file
            .write_all(line.as_bytes())
            .and_then(|()| self.file.write_all(b"\n"))
            .and_then(|()| self.file.flush())
            .map_err(|source| LogFileError::Write { dir: self.dir.clone(), source })
    }
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
        assert!(text.contains("error host=h job=7 permission denied"), "{text}");
        assert!(!text.contains('\x1b'));

        let big = "x".repeat(4096);
        for _ in 0..(PART_BYTES / 4096 + 2) {
            log.write(&Event::info(&big)).unwrap();
        }
        assert!(dir.path().join("state/scpdeck/scpdeck.log.1").exists());
        assert!(fs::metadata(log.path()).unwrap().len() < PART_BYTES as u64);
    }
}
