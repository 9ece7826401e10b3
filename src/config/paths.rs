//! Where the configuration lives: `$SCPDECK_CONFIG_DIR` when set, otherwise
//! the XDG config directory (`$XDG_CONFIG_HOME/scpdeck`, by default
//! `~/.config/scpdeck`).

use std::path::PathBuf;

use directories::ProjectDirs;

/// The environment variable that overrides the config directory.
pub const CONFIG_DIR_ENV: &str = "SCPDECK_CONFIG_DIR";

pub const CONFIG_FILE: &str = "config.toml";
pub const KEYMAP_FILE: &str = "keymap.toml";
pub const THEMES_DIR: &str = "themes";
pub const BOOKMARKS_FILE: &str = "bookmarks.toml";
pub const RECENT_FILE: &str = "recent.toml";
/// In the state directory: the last directory visited on each host.
pub(super) const RECENT_DIRS_FILE: &str = "recent-dirs.toml";

/// The config directory, or `None` when there is no home directory to put it in.
pub fn config_dir() -> Option<PathBuf> {
    match std::env::var_os(CONFIG_DIR_ENV) {
        Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir)),
        _ => ProjectDirs::from("", "", "scpdeck").map(|dirs| dirs.config_dir().to_path_buf()),
    }
}
