//! Saved places: bookmarks (`bookmarks.toml`) and recent connections
//! (`recent.toml`) in the config directory, and the last directory visited
//! on each host (`recent-dirs.toml`) in the state directory. A target is a
//! local path or `[user@]host[:path]`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::error::ConfigError;
use super::paths::{BOOKMARKS_FILE, RECENT_DIRS_FILE, RECENT_FILE};

/// How many recent connections are kept.
pub const RECENT_LIMIT: usize = 20;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bookmark {
    pub name: String,
    pub target: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BookmarksFile {
    #[serde(default)]
    bookmark: Vec<Bookmark>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RecentFile {
    #[serde(default)]
    recent: Vec<String>,
    /// The recent hosts that were typed (not picked from ssh_config).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    typed: Vec<String>,
}

/// The recent connections, most recent first, and which of them were typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recent {
    pub hosts: Vec<String>,
    pub typed: Vec<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RecentDirsFile {
    /// By host as the user names it: the last directory visited there.
    #[serde(default)]
    dirs: BTreeMap<String, PathBuf>,
}

/// Reads the bookmarks; a missing file means none.
pub fn load_bookmarks(dir: &Path) -> (Vec<Bookmark>, Vec<ConfigError>) {
    let (file, problems) = read::<BookmarksFile>(&dir.join(BOOKMARKS_FILE));
    (file.bookmark, problems)
}

/// Reads the recent connections, most recent first.
pub fn load_recent(dir: &Path) -> (Recent, Vec<ConfigError>) {
    let (file, problems) = read::<RecentFile>(&dir.join(RECENT_FILE));
    (Recent { hosts: file.recent, typed: file.typed }, problems)
}

/// Reads the last directory visited on each host (from the state directory).
pub fn load_recent_dirs(state_dir: &Path) -> (BTreeMap<String, PathBuf>, Vec<ConfigError>) {
    let (file, problems) = read::<RecentDirsFile>(&state_dir.join(RECENT_DIRS_FILE));
    (file.dirs, problems)
}

pub fn save_recent_dirs(state_dir: &Path, dirs: &BTreeMap<String, PathBuf>) -> Result<(), ConfigError> {
    write(&state_dir.join(RECENT_DIRS_FILE), &RecentDirsFile { dirs: dirs.clone() })
}

pub fn save_bookmarks(dir: &Path, bookmarks: &[Bookmark]) -> Result<(), ConfigError> {
    let file = BookmarksFile { bookmark: bookmarks.to_vec() };
    write(&dir.join(BOOKMARKS_FILE), &file)
}

pub fn save_recent(dir: &Path, recent: &Recent) -> Result<(), ConfigError> {
    let hosts: Vec<String> = recent.hosts.iter().take(RECENT_LIMIT).cloned().collect();
    let typed = recent.typed.iter().filter(|t| hosts.contains(t)).cloned().collect();
    write(&dir.join(RECENT_FILE), &RecentFile { recent: hosts, typed })
}

fn read<T: for<'de> Deserialize<'de> + Default>(path: &Path) -> (T, Vec<ConfigError>) {
    match std::fs::read_to_string(path) {
        Ok(text) => match toml::from_str(&text) {
            Ok(value) => (value, Vec::new()),
            Err(e) => (T::default(), vec![ConfigError::parse(path, &text, &e)]),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => (T::default(), Vec::new()),
        Err(e) => {
            (T::default(), vec![ConfigError::Read { path: path.to_path_buf(), message: e.to_string() }])
        }
    }
}

/// Writes through a temporary file and a rename, so a crash never leaves half a file.
fn write<T: Serialize>(path: &Path, value: &T) -> Result<(), ConfigError> {
    let failed = |message: String| ConfigError::Write { path: path.to_path_buf(), message };
    let text = toml::to_string(value).map_err(|e| failed(e.to_string()))?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| failed(e.to_string()))?;
    }
    let temp = path.with_extension("toml.tmp");
    std::fs::write(&temp, text).map_err(|e| failed(e.to_string()))?;
    std::fs::rename(&temp, path).map_err(|e| failed(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bookmarks_and_recent_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("new");
        let marks = vec![Bookmark { name: "logs".into(), target: "alice@web:/var/log".into() }];
        save_bookmarks(&sub, &marks).unwrap();
        assert_eq!(load_bookmarks(&sub), (marks, Vec::new()));
        let hosts: Vec<String> = (0..30).map(|i| format!("host{i}")).collect();
        let typed = vec!["host1".to_owned(), "host29".to_owned()];
        save_recent(&sub, &Recent { hosts, typed }).unwrap();
        let (loaded, problems) = load_recent(&sub);
        assert!(problems.is_empty());
        assert_eq!(loaded.hosts.len(), RECENT_LIMIT);
        assert_eq!(loaded.typed, ["host1"], "a host no longer recent is no longer typed either");
        assert_eq!(load_recent(dir.path()), (Recent::default(), Vec::new()));
    }

    #[test]
    fn recent_dirs_round_trip_in_the_state_dir() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state");
        let dirs = BTreeMap::from([
            ("alice@web1:2222".to_owned(), PathBuf::from("/var/log/nginx")),
            ("db".to_owned(), PathBuf::from("/srv/a b")),
        ]);
        save_recent_dirs(&state, &dirs).unwrap();
        assert_eq!(load_recent_dirs(&state), (dirs, Vec::new()));
        assert_eq!(load_recent_dirs(dir.path()).0, BTreeMap::new());
    }
}
