//! Exclude patterns (globset, as the pane's select by glob): a pattern
//! without `/` matches a name at any depth (`*.tmp`, `.git`), one with `/`
//! the path relative to the synchronized directory (`build/*.o`). What is
//! excluded is neither compared, copied nor deleted, and an excluded
//! directory is not entered.

use std::path::Path;

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};

/// A pattern globset cannot read.
#[derive(Debug, thiserror::Error)]
#[error("bad exclude pattern {pattern:?}: {source}")]
pub struct ExcludeError {
    pub pattern: String,
    source: globset::Error,
}

#[derive(Debug, Clone, Default)]
pub struct Excludes {
    patterns: Vec<String>,
    names: GlobSet,
    paths: GlobSet,
}

impl Excludes {
    pub fn new<S: AsRef<str>>(patterns: &[S]) -> Result<Excludes, ExcludeError> {
        let (mut names, mut paths) = (GlobSetBuilder::new(), GlobSetBuilder::new());
        let mut kept = Vec::new();
        for pattern in patterns.iter().map(AsRef::as_ref).filter(|p| !p.is_empty()) {
            let error = |source| ExcludeError { pattern: pattern.to_owned(), source };
            let trimmed = pattern.trim_end_matches('/');
            if trimmed.contains('/') {
                let glob = GlobBuilder::new(trimmed.trim_start_matches('/'))
                    .literal_separator(true)
                    .build()
                    .map_err(error)?;
                paths.add(glob);
            } else {
                names.add(Glob::new(trimmed).map_err(error)?);
            }
            kept.push(pattern.to_owned());
        }
        let error = |source| ExcludeError { pattern: kept.join(" "), source };
        Ok(Excludes {
            names: names.build().map_err(error)?,
            paths: paths.build().map_err(error)?,
            patterns: kept,
        })
    }

    /// True when `relative` (a path below the synchronized directory) is
    /// excluded.
    pub fn excludes(&self, relative: &Path) -> bool {
        let name_matches = relative.file_name().is_some_and(|n| self.names.is_match(Path::new(n)));
        name_matches || self.paths.is_match(relative)
    }

    pub fn patterns(&self) -> &[String] {
        &self.patterns
    }

    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_at_any_depth_and_paths_from_the_top() {
        let x = Excludes::new(&["*.tmp", ".git/", "build/*.o", "{a,b}.log"]).unwrap();
        assert!(x.excludes(Path::new("x.tmp")));
        assert!(x.excludes(Path::new("deep/down/x.tmp")));
        assert!(x.excludes(Path::new("sub/.git")));
        assert!(x.excludes(Path::new("build/m.o")));
        assert!(!x.excludes(Path::new("build/sub/m.o")));
        assert!(!x.excludes(Path::new("other/build/m.o")));
        assert!(x.excludes(Path::new("b.log")));
        assert!(!x.excludes(Path::new("c.log")));
        assert!(!Excludes::default().excludes(Path::new("anything")));
        assert!(Excludes::new(&["a[b"]).is_err());
    }
}
