//! The files an `Include` pattern names, as OpenSSH finds them with
//! glob(3): `*`, `?`, `[...]` and `\` within one path component, no braces,
//! a leading `.` only matched by a pattern that starts with one, and the
//! result sorted. Only paths that exist are returned.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};

use globset::{GlobBuilder, GlobMatcher};

/// The existing paths `pattern` matches, sorted.
pub fn expand(pattern: &Path) -> Result<Vec<PathBuf>, String> {
    let mut found = vec![PathBuf::new()];
    for component in pattern.components() {
        let Component::Normal(part) = component else {
            found.iter_mut().for_each(|path| path.push(component));
            continue;
        };
        if !is_pattern(part) {
            found.iter_mut().for_each(|path| path.push(part));
            continue;
        }
        let matcher = matcher(part).map_err(|e| format!("bad Include pattern {}: {e}", pattern.display()))?;
        // glob(3) without GLOB_PERIOD: `*` does not reveal dot files.
        let dots = part.as_bytes().starts_with(b".");
        let mut next = Vec::new();
        for dir in &found {
            let here = if dir.as_os_str().is_empty() { Path::new(".") } else { dir.as_path() };
            let Ok(entries) = std::fs::read_dir(here) else { continue };
            for name in entries.flatten().map(|entry| entry.file_name()) {
                if (dots || !name.as_bytes().starts_with(b".")) && matcher.is_match(&name) {
                    next.push(dir.join(name));
                }
            }
        }
        found = next;
    }
    found.retain(|path| !path.as_os_str().is_empty() && path.exists());
    found.sort();
    Ok(found)
}

fn is_pattern(part: &OsStr) -> bool {
    part.as_bytes().iter().any(|b| matches!(b, b'*' | b'?' | b'[' | b'\\'))
}

/// One component as a globset matcher; braces are literal, as in glob(3).
fn matcher(part: &OsStr) -> Result<GlobMatcher, globset::Error> {
    let text = part.to_string_lossy();
    let mut glob = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                glob.push(c);
                glob.extend(chars.next());
            }
            '{' | '}' => glob.push_str(&globset::escape(c.encode_utf8(&mut [0; 4]))),
            _ => glob.push(c),
        }
    }
    Ok(GlobBuilder::new(&glob).literal_separator(true).backslash_escape(true).build()?.compile_matcher())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_within_components_sorted_skipping_dot_files() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("conf.d/sub")).unwrap();
        for name in ["b.conf", "a.conf", ".a.conf.swp", "x.txt", "{c}.conf", "sub/c.conf"] {
            std::fs::write(d.join("conf.d").join(name), "").unwrap();
        }
        let names = |pattern: &str| -> Vec<String> {
            expand(&d.join(pattern))
                .unwrap()
                .iter()
                .map(|p| p.strip_prefix(d).unwrap().display().to_string())
                .collect()
        };
        assert_eq!(names("conf.d/*.conf"), ["conf.d/a.conf", "conf.d/b.conf", "conf.d/{c}.conf"]);
        assert_eq!(names("conf.d/.*.swp"), ["conf.d/.a.conf.swp"]);
        assert_eq!(names("conf.d/[ab].conf"), ["conf.d/a.conf", "conf.d/b.conf"]);
        assert_eq!(names("*/s?b/*"), ["conf.d/sub/c.conf"]);
        assert_eq!(names("conf.d/{a,b}.conf"), Vec::<String>::new());
        assert_eq!(names("conf.d/a.conf"), ["conf.d/a.conf"]);
        assert_eq!(names("conf.d/missing.conf"), Vec::<String>::new());
        assert!(expand(&d.join("conf.d/[a.conf")).is_err());
    }
}
