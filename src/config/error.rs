//! What can go wrong with the configuration files. None of it is fatal:
//! scpdeck reports the problem and uses the defaults for that file.

use std::path::{Path, PathBuf};

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ConfigError {
    #[error("cannot read {}: {message}; using the defaults", path.display())]
    Read { path: PathBuf, message: String },

    #[error("{}:{line}:{column}: {message}; using the defaults for this file", path.display())]
    Parse { path: PathBuf, line: usize, column: usize, message: String },

    #[error("{}:{line}:{column}: {message}; this entry is ignored", path.display())]
    Entry { path: PathBuf, line: usize, column: usize, message: String },

    /// A keymap binding took another action's key (a warning: it applies).
    #[error("{}:{line}:{column}: {message}", path.display())]
    Rebound { path: PathBuf, line: usize, column: usize, message: String },

    #[error("{}:{line}:{column}: unknown setting {key:?} is ignored; the other settings apply (see docs/user-guide.md)", path.display())]
    UnknownKey { path: PathBuf, line: usize, column: usize, key: String },

    #[error("unknown theme {name:?} (known: {known}); add {name}.toml to {} or pick a known one", dir.display())]
    UnknownTheme { name: String, known: String, dir: PathBuf },

    #[error("cannot write {}: {message}", path.display())]
    Write { path: PathBuf, message: String },
}

impl ConfigError {
    /// A parse error of `text` (the contents of `path`) at `span`.
    pub fn parse(path: &Path, text: &str, error: &toml::de::Error) -> Self {
        let (line, column) = line_column(text, error.span().map_or(0, |s| s.start));
        ConfigError::Parse {
            path: path.to_path_buf(),
            line,
            column,
            message: error.message().trim().to_owned(),
        }
    }

    /// A problem with one entry at byte `offset` of `text`.
    pub fn entry(path: &Path, text: &str, offset: usize, message: String) -> Self {
        let (line, column) = line_column(text, offset);
        ConfigError::Entry { path: path.to_path_buf(), line, column, message }
    }
}

/// 1-based line and column (in characters) of byte `offset`.
pub(super) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset.min(text.len())).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns_are_one_based() {
        assert_eq!(line_column("ab\ncd", 0), (1, 1));
        assert_eq!(line_column("ab\ncd", 4), (2, 2));
        assert_eq!(line_column("ab\ncd", 99), (2, 3));
    }
}
