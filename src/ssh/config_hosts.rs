//! The hosts a user can pick from the ssh configuration, each with the file
//! and line of its `Host` line (the host picker shows where an entry comes
//! from; shell completion takes the names).

use std::path::{Path, PathBuf};

use super::config_text::{split_line, words};
use super::expand;

/// Deeper Include chains are refused, as in OpenSSH.
const MAX_INCLUDE_DEPTH: usize = 16;

/// One `Host` name without wildcards or negation, and where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigHost {
    pub alias: String,
    pub file: PathBuf,
    /// 1-based line of the `Host` line.
    pub line: usize,
}

impl ConfigHost {
    /// `file:line`, with the home directory as `~`.
    pub fn origin(&self, home: &Path) -> String {
        let file = match self.file.strip_prefix(home) {
            Ok(rest) => format!("~/{}", rest.display()),
            Err(_) => self.file.display().to_string(),
        };
        format!("{file}:{}", self.line)
    }
}

/// The names in `Host` lines of the user's config (or the `-F` file), in
/// file order, following Include; each name once (its first line). A
/// missing default file means none; a missing `-F` file is an error.
pub(super) fn config_hosts(config_file: Option<&Path>) -> Result<Vec<ConfigHost>, String> {
    let (_, home) = expand::local_user();
    let file = match config_file {
        Some(file) => expand::tilde(&file.to_string_lossy(), &home),
        None => home.join(".ssh").join("config"),
    };
    let text = match std::fs::read_to_string(&file) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && config_file.is_none() => return Ok(Vec::new()),
        Err(e) => return Err(format!("cannot read {}: {e}", file.display())),
    };
    let mut hosts = Vec::new();
    walk(&text, &file, &home.join(".ssh"), &home, 0, &mut hosts)?;
    Ok(hosts)
}

/// Adds the hosts of `text` (read from `file`); relative Include paths are
/// relative to `base` (~/.ssh), as in OpenSSH.
fn walk(
    text: &str,
    file: &Path,
    base: &Path,
    home: &Path,
    depth: usize,
    hosts: &mut Vec<ConfigHost>,
) -> Result<(), String> {
    if depth > MAX_INCLUDE_DEPTH {
        return Err("Include nested too deeply (a loop?)".to_owned());
    }
    for (index, line) in text.lines().enumerate() {
        let Some((keyword, rest)) = split_line(line) else { continue };
        if keyword.eq_ignore_ascii_case("include") {
            for pattern in words(rest) {
                let pattern = expand::tilde(&pattern, home);
                let pattern = if pattern.is_absolute() { pattern } else { base.join(pattern) };
                for included in super::include_glob::expand(&pattern)? {
                    let Ok(text) = std::fs::read_to_string(&included) else { continue };
                    walk(&text, &included, base, home, depth + 1, hosts)?;
                }
            }
        } else if keyword.eq_ignore_ascii_case("host") {
            for pattern in words(rest) {
                let plain = !pattern.contains(['*', '?', '!']);
                if plain && !hosts.iter().any(|h| h.alias == pattern) {
                    hosts.push(ConfigHost { alias: pattern, file: file.to_path_buf(), line: index + 1 });
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_with_their_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let inc = dir.path().join("inc");
        std::fs::write(&inc, "# included\nHost included other\n").unwrap();
        let cfg = dir.path().join("config");
        std::fs::write(
            &cfg,
            format!(
                "Host a b *.example !c\n  User x\nHost=a d?\nInclude {}\nhost \"spaced name\"\n",
                inc.display()
            ),
        )
        .unwrap();
        let hosts = config_hosts(Some(&cfg)).unwrap();
        let found: Vec<(&str, &Path, usize)> =
            hosts.iter().map(|h| (h.alias.as_str(), h.file.as_path(), h.line)).collect();
        assert_eq!(
            found,
            [
                ("a", cfg.as_path(), 1),
                ("b", cfg.as_path(), 1),
                ("included", inc.as_path(), 2),
                ("other", inc.as_path(), 2),
                ("spaced name", cfg.as_path(), 5)
            ]
        );
        assert_eq!(hosts[2].origin(dir.path()), "~/inc:2");
        assert_eq!(hosts[0].origin(Path::new("/elsewhere")), format!("{}:1", cfg.display()));
        assert!(config_hosts(Some(&dir.path().join("missing"))).is_err());
    }

    #[test]
    fn include_loops_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("self");
        std::fs::write(&file, format!("Include {}\n", file.display())).unwrap();
        assert!(config_hosts(Some(&file)).is_err());
    }
}
