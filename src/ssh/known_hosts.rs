//! known_hosts files: parsing, matching (plain patterns, `[host]:port`,
//! hashed `|1|` names, negation, `@revoked`), and new lines. No I/O except
//! in [`KnownHosts::load`] and [`append`].

use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use globset::GlobBuilder;
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};

/// A server's public host key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostKey {
    /// The SSH wire-format key blob.
    pub blob: Vec<u8>,
}

impl HostKey {
    pub fn new(blob: &[u8]) -> HostKey {
        HostKey { blob: blob.to_vec() }
    }

    /// The key type named inside the blob (`ssh-ed25519`...).
    pub fn key_type(&self) -> String {
        let name = self
            .blob
            .get(..4)
            .map(|len| u32::from_be_bytes([len[0], len[1], len[2], len[3]]) as usize)
            .and_then(|len| self.blob.get(4..4 + len));
        name.map(|n| String::from_utf8_lossy(n).into_owned()).unwrap_or_else(|| "unknown".to_owned())
    }

    /// `SHA256:` + unpadded base64, as `ssh-keygen -l` prints it.
    pub fn fingerprint(&self) -> String {
        format!("SHA256:{}", STANDARD_NO_PAD.encode(Sha256::digest(&self.blob)))
    }

    /// The key as written in known_hosts (`type base64`).
    pub fn to_line_part(&self) -> String {
        format!("{} {}", self.key_type(), STANDARD.encode(&self.blob))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Marker {
    None,
    Revoked,
    CertAuthority,
}

#[derive(Debug, Clone)]
struct Entry {
    file: PathBuf,
    line: usize,
    marker: Marker,
    hosts: String,
    key_type: String,
    blob: Vec<u8>,
}

/// What known_hosts says about a host's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Verdict {
    /// A line for this host has this key.
    Known,
    /// A line for this host has another key of the same type: `recorded`.
    Changed { file: PathBuf, line: usize, recorded: HostKey },
    /// This key is marked `@revoked`.
    Revoked { file: PathBuf, line: usize },
    /// No line for this host has a key of this type; `other_types` lists
    /// the types it is known with.
    Unknown { other_types: Vec<String> },
}

/// The lines of every known_hosts file, in order.
#[derive(Debug, Clone, Default)]
pub(super) struct KnownHosts {
    entries: Vec<Entry>,
}

impl KnownHosts {
    /// Reads the files that exist; unreadable lines are skipped, as in
    /// OpenSSH.
    pub(super) fn load(files: &[PathBuf]) -> KnownHosts {
        let mut known = KnownHosts::default();
        for file in files {
            if let Ok(text) = std::fs::read_to_string(file) {
                known.add_text(file, &text);
            }
        }
        known
    }

    /// Parses one file's text.
    pub(super) fn add_text(&mut self, file: &Path, text: &str) {
        for (index, line) in text.lines().enumerate() {
            if let Some(entry) = parse_line(file, index + 1, line) {
                self.entries.push(entry);
            }
        }
    }

    /// Checks `key` for `name` (`host` or `[host]:port`).
    pub(super) fn check(&self, name: &str, key: &HostKey) -> Verdict {
        let key_type = key.key_type();
        let mut changed = None;
        let mut known = false;
        let mut other_types = Vec::new();
        for entry in self.entries.iter().filter(|e| host_matches(&e.hosts, name)) {
            match entry.marker {
                Marker::CertAuthority => continue,
                Marker::Revoked if entry.blob == key.blob => {
                    return Verdict::Revoked { file: entry.file.clone(), line: entry.line };
                }
                Marker::Revoked => continue,
                Marker::None => {}
            }
            if entry.key_type == key_type && entry.blob == key.blob {
                known = true;
            } else if entry.key_type == key_type {
                changed.get_or_insert_with(|| (entry.file.clone(), entry.line, HostKey::new(&entry.blob)));
            } else if !other_types.contains(&entry.key_type) {
                other_types.push(entry.key_type.clone());
            }
        }
        match (known, changed) {
            (true, _) => Verdict::Known,
            (false, Some((file, line, recorded))) => Verdict::Changed { file, line, recorded },
            (false, None) => Verdict::Unknown { other_types },
        }
    }

    /// The first line that records `key` for `name`.
    pub(super) fn line_of(&self, name: &str, key: &HostKey) -> Option<(PathBuf, usize)> {
        self.entries
            .iter()
            .find(|e| e.marker == Marker::None && e.blob == key.blob && host_matches(&e.hosts, name))
            .map(|e| (e.file.clone(), e.line))
    }

    /// Key types recorded for `name`, to prefer them in the handshake (as
    /// OpenSSH does) so a host known by its ECDSA key is not asked about its
    /// Ed25519 key.
    pub(super) fn known_types(&self, name: &str) -> Vec<String> {
        let mut types = Vec::new();
        for entry in self.entries.iter().filter(|e| e.marker == Marker::None && host_matches(&e.hosts, name))
        {
            if !types.contains(&entry.key_type) {
                types.push(entry.key_type.clone());
            }
        }
        types
    }
}

fn parse_line(file: &Path, line: usize, text: &str) -> Option<Entry> {
    let text = text.trim();
    if text.is_empty() || text.starts_with('#') {
        return None;
    }
    let mut fields = text.split_whitespace();
    let mut first = fields.next()?;
    let marker = match first {
        "@revoked" => Marker::Revoked,
        "@cert-authority" => Marker::CertAuthority,
        m if m.starts_with('@') => return None,
        _ => Marker::None,
    };
    if marker != Marker::None {
        first = fields.next()?;
    }
    let key_type = fields.next()?.to_owned();
    let blob = STANDARD.decode(fields.next()?).ok()?;
    Some(Entry { file: file.to_path_buf(), line, marker, hosts: first.to_owned(), key_type, blob })
}

/// Whether a known_hosts host field matches `name`.
fn host_matches(hosts: &str, name: &str) -> bool {
    if let Some(hashed) = hosts.strip_prefix("|1|") {
        return hashed_matches(hashed, name);
    }
    let name = name.to_ascii_lowercase();
    let mut matched = false;
    for pattern in hosts.split(',') {
        let (negated, pattern) = match pattern.strip_prefix('!') {
            Some(p) => (true, p),
            None => (false, pattern),
        };
        if pattern_matches(&pattern.to_ascii_lowercase(), &name) {
            if negated {
                return false;
            }
            matched = true;
        }
    }
    matched
}

/// OpenSSH's host patterns know `*` and `?` only: everything else, the
/// `[` and `]` of `[host]:port` too, is matched literally.
fn pattern_matches(pattern: &str, name: &str) -> bool {
    if !pattern.contains(['*', '?']) {
        return pattern == name;
    }
    let mut glob = String::with_capacity(pattern.len() + 8);
    let mut literal = String::new();
    for c in pattern.chars() {
        if !matches!(c, '*' | '?') {
            literal.push(c);
            continue;
        }
        glob.push_str(&globset::escape(&literal));
        // A run of `*` is one `*` (globset gives `**` a meaning of its own).
        if !(c == '*' && literal.is_empty() && glob.ends_with('*')) {
            glob.push(c);
        }
        literal.clear();
    }
    glob.push_str(&globset::escape(&literal));
    GlobBuilder::new(&glob)
        .backslash_escape(false)
        .build()
        .is_ok_and(|glob| glob.compile_matcher().is_match(name))
}

/// `|1|salt|hash`: HMAC-SHA1 of the name keyed with the salt.
fn hashed_matches(salt_and_hash: &str, name: &str) -> bool {
    let Some((salt, hash)) = salt_and_hash.split_once('|') else { return false };
    let (Ok(salt), Ok(hash)) = (STANDARD.decode(salt), STANDARD.decode(hash)) else { return false };
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(&salt) else { return false };
    mac.update(name.as_bytes());
    mac.verify_slice(&hash).is_ok()
}

/// A hashed host field for `name` with a fresh random salt.
pub(super) fn hash_name(name: &str) -> String {
    let salt: [u8; 20] = rand::random();
    hash_name_with_salt(name, &salt)
}

fn hash_name_with_salt(name: &str, salt: &[u8]) -> String {
    let digest = match Hmac::<Sha1>::new_from_slice(salt) {
        Ok(mut mac) => {
            mac.update(name.as_bytes());
            mac.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    };
    format!("|1|{}|{}", STANDARD.encode(salt), STANDARD.encode(digest))
}

/// The known_hosts line recording `key` for `name`.
pub(super) fn line_for(name: &str, key: &HostKey, hashed: bool) -> String {
    let host = if hashed { hash_name(name) } else { name.to_owned() };
    format!("{host} {}", key.to_line_part())
}

/// Appends a line to a known_hosts file, creating it (and `~/.ssh`, mode
/// 0700) when missing.
pub(super) fn append(file: &Path, line: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty() && !d.exists()) {
        std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
    }
    let needs_newline = std::fs::read(file).is_ok_and(|bytes| bytes.last().is_some_and(|b| *b != b'\n'));
    let mut out = std::fs::OpenOptions::new().append(true).create(true).mode(0o644).open(file)?;
    let mut text = String::new();
    if needs_newline {
        text.push('\n');
    }
    text.push_str(line);
    text.push('\n');
    out.write_all(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(kind: &str, body: &[u8]) -> HostKey {
        let mut blob = (kind.len() as u32).to_be_bytes().to_vec();
        blob.extend_from_slice(kind.as_bytes());
        blob.extend_from_slice(body);
        HostKey { blob }
    }

    fn known(text: &str) -> KnownHosts {
        let mut k = KnownHosts::default();
        k.add_text(Path::new("/kh"), text);
        k
    }

    #[test]
    fn plain_and_port_entries() {
        let a = key("ssh-ed25519", b"A");
        let text = format!(
            "# comment\n\nexample.org,10.0.0.1 {}\n[example.org]:2222 {}\n",
            a.to_line_part(),
            a.to_line_part()
        );
        let k = known(&text);
        assert_eq!(k.check("example.org", &a), Verdict::Known);
        assert_eq!(k.check("10.0.0.1", &a), Verdict::Known);
        assert_eq!(k.check("EXAMPLE.org", &a), Verdict::Known);
        assert_eq!(k.check("[example.org]:2222", &a), Verdict::Known);
        assert_eq!(k.check("[example.org]:2223", &a), Verdict::Unknown { other_types: vec![] });
    }

    #[test]
    fn changed_key_names_file_and_line() {
        let old = key("ssh-ed25519", b"old");
        let new = key("ssh-ed25519", b"new");
        let rsa = key("ssh-rsa", b"r");
        let k = known(&format!("h {}\nh {}\n", rsa.to_line_part(), old.to_line_part()));
        assert_eq!(
            k.check("h", &new),
            Verdict::Changed { file: "/kh".into(), line: 2, recorded: old.clone() }
        );
        assert_eq!(
            k.check("h", &key("ecdsa-sha2-nistp256", b"e")),
            Verdict::Unknown { other_types: vec!["ssh-rsa".into(), "ssh-ed25519".into()] }
        );
        // A second line with the right key wins, as in OpenSSH.
        let k = known(&format!("h {}\nh {}\n", old.to_line_part(), new.to_line_part()));
        assert_eq!(k.check("h", &new), Verdict::Known);
    }

    #[test]
    fn hashed_entries_match() {
        let a = key("ssh-ed25519", b"A");
        let line = line_for("[127.0.0.1]:2222", &a, true);
        assert!(line.starts_with("|1|"));
        let k = known(&line);
        assert_eq!(k.check("[127.0.0.1]:2222", &a), Verdict::Known);
        assert_eq!(k.check("127.0.0.1", &a), Verdict::Unknown { other_types: vec![] });
        // A line made by OpenSSH's `ssh-keygen -H` for "localhost".
        let salt = STANDARD.decode("4gx/SOrOhuAF7NzCOXkVvBz+V4k=").unwrap();
        assert_eq!(hash_name_with_salt("localhost", &salt).split('|').count(), 4);
    }

    #[test]
    fn wildcards_negation_and_markers() {
        let a = key("ssh-ed25519", b"A");
        let k = known(&format!("*.example.org,!bad.example.org {}\n", a.to_line_part()));
        assert_eq!(k.check("www.example.org", &a), Verdict::Known);
        assert!(matches!(k.check("bad.example.org", &a), Verdict::Unknown { .. }));
        let k = known(&format!(
            "@revoked * {}\nh {}\n@cert-authority h {}\n",
            a.to_line_part(),
            a.to_line_part(),
            key("ssh-rsa", b"x").to_line_part()
        ));
        assert_eq!(k.check("h", &a), Verdict::Revoked { file: "/kh".into(), line: 1 });
        assert_eq!(k.known_types("h"), vec!["ssh-ed25519".to_owned()]);
    }

    #[test]
    fn patterns_know_only_star_and_question_mark() {
        assert!(pattern_matches("*.example.org", "a.b.example.org"));
        assert!(pattern_matches("**.example.org", "a.example.org"));
        assert!(pattern_matches("web?", "web1"));
        assert!(!pattern_matches("web?", "web12"));
        assert!(pattern_matches("[*.example.org]:2222", "[a.example.org]:2222"));
        assert!(!pattern_matches("[*.example.org]:2222", "a.example.org"));
        assert!(pattern_matches("h[1]*", "h[1]x"));
        assert!(!pattern_matches("h[1]*", "h1x"));
        assert!(pattern_matches("{a,b}*", "{a,b}c"));
        assert!(!pattern_matches("{a,b}*", "ac"));
    }

    #[test]
    fn fingerprint_format() {
        let a = key("ssh-ed25519", b"A");
        let fp = a.fingerprint();
        assert!(fp.starts_with("SHA256:") && !fp.ends_with('='), "{fp}");
        assert_eq!(fp.len(), "SHA256:".len() + 43);
    }

    #[test]
    fn append_adds_a_missing_newline() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("sub/known_hosts");
        append(&file, "a x y").unwrap();
        std::fs::write(&file, "a x y").unwrap();
        append(&file, "b x y").unwrap();
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "a x y\nb x y\n");
    }
}
