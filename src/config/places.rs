//! Saved places: bookmarks (`bookmarks.toml`) and recent connections
//! (`recent.toml`). A target is a local path or `[user@]host[:path]`.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::error::ConfigError;
use super::paths::{BOOKMARKS_FILE, RECENT_FILE};

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
}

/// Reads the bookmarks; a missing file means none.
pub fn load_bookmarks(dir: &Path) -> (Vec<Bookmark>, Vec<ConfigError>) {
    let (file, problems) = read::<BookmarksFile>(&dir.join(BOOKMARKS_FILE));
    (file.bookmark, problems)
}

/// Reads the recent connections, most recent first.
pub fn load_recent(dir: &Path) -> (Vec<String>, Vec<ConfigError>) {
    let (file, problems) = read::<RecentFile>(&dir.join(RECENT_FILE));
    (file.recent, problems)
}

pub fn save_bookmarks(dir: &Path, bookmarks: &[Bookmark]) -> Result<(), ConfigError> {
    let file = BookmarksFile { bookmark: bookmarks.to_vec() };
    write(&dir.join(BOOKMARKS_FILE), &file)
}

pub fn save_recent(dir: &Path, recent: &[String]) -> Result<(), ConfigError> {
    let file = RecentFile { recent: recent.iter().take(RECENT_LIMIT).cloned().collect() };
    write(&dir.join(RECENT_FILE), &file)
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
        let recent: Vec<String> = (0..30).map(|i| format!("host{i}")).collect();
        save_recent(&sub, &recent).unwrap();
        assert_eq!(load_recent(&sub).0.len(), RECENT_LIMIT);
        assert_eq!(load_recent(dir.path()), (Vec::new(), Vec::new()));
    }
}
