//! ssh_config text prepared for the fallback parser.
//!
//! The config-parsing crate merges included files into the enclosing block
//! (so `Host` blocks in `~/.ssh/config.d/*` are lost), does not know `Match`,
//! and splits ProxyCommand into words. So files are expanded here first:
//! Include is replaced by the included text, `Match` blocks become `Host`
//! blocks (or blocks that match nothing), and ProxyCommand is quoted whole.

use std::path::{Path, PathBuf};

use super::expand;

/// Deeper Include chains are refused, as in OpenSSH.
const MAX_INCLUDE_DEPTH: usize = 16;

/// A block header that no host name matches.
const NEVER: &str = "Host !*";

/// The user's config (or the `-F` file), then the system one unless `-F` is
/// given, with every Include expanded.
pub(super) fn load(config_file: Option<&Path>) -> Result<String, String> {
    let (_, home) = expand::local_user();
    let ssh_dir = home.join(".ssh");
    match config_file {
        Some(file) => {
            let file = expand::tilde(&file.to_string_lossy(), &home);
            let text =
                std::fs::read_to_string(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            expand_text(&text, &ssh_dir, 0)
        }
        None => {
            let mut out = String::new();
            for (file, base) in [
                (ssh_dir.join("config"), ssh_dir.clone()),
                (PathBuf::from("/etc/ssh/ssh_config"), PathBuf::from("/etc/ssh")),
            ] {
                if let Ok(text) = std::fs::read_to_string(&file) {
                    out.push_str(&expand_text(&text, &base, 0)?);
                    out.push_str("Host *\n");
                }
            }
            Ok(out)
        }
    }
}

/// Expands Include, rewrites Match and ProxyCommand (see the module docs).
/// Relative Include paths are relative to `base` (~/.ssh or /etc/ssh).
pub(super) fn expand_text(text: &str, base: &Path, depth: usize) -> Result<String, String> {
    if depth > MAX_INCLUDE_DEPTH {
        return Err("Include nested too deeply (a loop?)".to_owned());
    }
    let (_, home) = expand::local_user();
    let mut out = String::with_capacity(text.len());
    let mut block = String::from("Host *");
    for line in text.lines() {
        let Some((keyword, rest)) = split_line(line) else { continue };
        match keyword.to_ascii_lowercase().as_str() {
            "include" => {
                for pattern in words(rest) {
                    let pattern = expand::tilde(&pattern, &home);
                    let pattern = if pattern.is_absolute() { pattern } else { base.join(pattern) };
                    for file in super::include_glob::expand(&pattern)? {
                        let Ok(included) = std::fs::read_to_string(&file) else { continue };
                        out.push_str(&expand_text(&included, base, depth + 1)?);
                    }
                }
                // Lines after an Include belong to the block it appeared in.
                out.push_str(&block);
                out.push('\n');
            }
            "host" => {
                block = format!("Host {rest}");
                out.push_str(&block);
                out.push('\n');
            }
            "match" => {
                block = match_as_host(rest);
                out.push_str(&block);
                out.push('\n');
            }
            "proxycommand" => {
                out.push_str(&format!("ProxyCommand \"{rest}\"\n"));
            }
            _ => {
                out.push_str(line.trim());
                out.push('\n');
            }
        }
    }
    Ok(out)
}

/// `Match all` applies everywhere and `Match [original]host PATTERNS` works
/// like `Host`; other criteria (exec, user, localuser...) need OpenSSH, so
/// their blocks are skipped.
fn match_as_host(rest: &str) -> String {
    let criteria = words(rest);
    match criteria.as_slice() {
        [all] if all.eq_ignore_ascii_case("all") => "Host *".to_owned(),
        [kind, patterns]
            if kind.eq_ignore_ascii_case("host") || kind.eq_ignore_ascii_case("originalhost") =>
        {
            format!("Host {}", patterns.replace(',', " "))
        }
        _ => NEVER.to_owned(),
    }
}

/// A config line as keyword and the rest (`Key value`, `Key=value`), or
/// `None` for blank lines and comments.
pub(super) fn split_line(line: &str) -> Option<(&str, &str)> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    let end = line.find(|c: char| c == '=' || c.is_whitespace()).unwrap_or(line.len());
    let (keyword, rest) = line.split_at(end);
    let rest = rest.trim_start();
    let rest = rest.strip_prefix('=').unwrap_or(rest).trim();
    Some((keyword, rest))
}

/// Splits arguments on whitespace, keeping double-quoted words together.
pub(super) fn words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut any = false;
    for c in text.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                any = true;
            }
            c if c.is_whitespace() && !quoted => {
                if any {
                    words.push(std::mem::take(&mut current));
                    any = false;
                }
            }
            c => {
                current.push(c);
                any = true;
            }
        }
    }
    if any {
        words.push(current);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_includes_and_rewrites_blocks() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("conf.d")).unwrap();
        std::fs::write(dir.path().join("conf.d/b.conf"), "Host beta\n  HostName b.example\n").unwrap();
        std::fs::write(dir.path().join("conf.d/a.conf"), "Host alpha\n  Port 1\n").unwrap();
        let text = "Host top\n  User t\n  Include conf.d/*.conf\n  Port 9\nMatch all\n  ProxyCommand sh -c \"nc %h %p\"\nMatch exec true\n  User x\n";
        let out = expand_text(text, dir.path(), 0).unwrap();
        assert_eq!(
            out,
            "Host top\nUser t\nHost alpha\nPort 1\nHost beta\nHostName b.example\nHost top\nPort 9\nHost *\n\
             ProxyCommand \"sh -c \"nc %h %p\"\"\nHost !*\nUser x\n"
        );
    }

    #[test]
    fn include_loops_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("self");
        std::fs::write(&file, format!("Include {}\n", file.display())).unwrap();
        assert!(expand_text(&std::fs::read_to_string(&file).unwrap(), dir.path(), 0).is_err());
    }
}
