//! What scpdeck needs to know about a private key file before using it:
//! whether it is encrypted, and its public key (so the server can be asked
//! whether it accepts the key before its passphrase is asked for).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// A private key file's contents, as far as scpdeck looks into them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct KeyFileInfo {
    pub encrypted: bool,
    /// `type base64`, when the file shows it without decryption.
    pub public_key: Option<String>,
}

const OPENSSH_BEGIN: &str = "-----BEGIN OPENSSH PRIVATE KEY-----";
const OPENSSH_END: &str = "-----END OPENSSH PRIVATE KEY-----";
const MAGIC: &[u8] = b"openssh-key-v1\0";

/// Looks at a private key file's text (OpenSSH or PEM format).
pub(super) fn inspect(text: &str) -> KeyFileInfo {
    if let Some(info) = inspect_openssh(text) {
        return info;
    }
    // PEM: "Proc-Type: 4,ENCRYPTED" (traditional) or PKCS#8's
    // "BEGIN ENCRYPTED PRIVATE KEY".
    KeyFileInfo { encrypted: text.contains("ENCRYPTED"), public_key: None }
}

fn inspect_openssh(text: &str) -> Option<KeyFileInfo> {
    let start = text.find(OPENSSH_BEGIN)? + OPENSSH_BEGIN.len();
    let end = text[start..].find(OPENSSH_END)? + start;
    let body: String = text[start..end].chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = STANDARD.decode(body).ok()?;
    let mut rest = bytes.strip_prefix(MAGIC)?;
    let cipher = take_string(&mut rest)?;
    let _kdf = take_string(&mut rest)?;
    let _kdf_options = take_string(&mut rest)?;
    let count = take_u32(&mut rest)?;
    let public_key = if count >= 1 {
        let blob = take_string(&mut rest)?;
        let mut blob_rest = blob;
        let key_type = take_string(&mut blob_rest)?;
        Some(format!("{} {}", String::from_utf8_lossy(key_type), STANDARD.encode(blob)))
    } else {
        None
    };
    Some(KeyFileInfo { encrypted: cipher != b"none", public_key })
}

fn take_u32(rest: &mut &[u8]) -> Option<u32> {
    let (head, tail) = rest.split_at_checked(4)?;
    *rest = tail;
    Some(u32::from_be_bytes([head[0], head[1], head[2], head[3]]))
}

fn take_string<'a>(rest: &mut &'a [u8]) -> Option<&'a [u8]> {
    let len = take_u32(rest)? as usize;
    let (head, tail) = rest.split_at_checked(len)?;
    *rest = tail;
    Some(head)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keygen(passphrase: &str) -> Option<(String, String)> {
        let dir = tempfile::tempdir().ok()?;
        let path = dir.path().join("k");
        let status = std::process::Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", passphrase, "-C", "c", "-f"])
            .arg(&path)
            .status()
            .ok()?;
        assert!(status.success());
        let private = std::fs::read_to_string(&path).ok()?;
        let public = std::fs::read_to_string(path.with_extension("pub")).ok()?;
        Some((private, public.split_whitespace().take(2).collect::<Vec<_>>().join(" ")))
    }

    #[test]
    fn reads_openssh_keys() {
        let Some((plain, plain_pub)) = keygen("") else { return };
        assert_eq!(inspect(&plain), KeyFileInfo { encrypted: false, public_key: Some(plain_pub) });
        let Some((locked, locked_pub)) = keygen("secret") else { return };
        assert_eq!(inspect(&locked), KeyFileInfo { encrypted: true, public_key: Some(locked_pub) });
    }

    #[test]
    fn recognises_pem_encryption() {
        let pem = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n";
        assert!(inspect(pem).encrypted);
        assert!(!inspect("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n").encrypted);
        assert!(!inspect("garbage").encrypted);
    }
}
