//! The ciphers and MACs a connection asks for: the user's `Ciphers` and
//! `MACs` when their ssh_config sets them, otherwise the order that is
//! fastest with libssh2 (measured in docs/benchmarks.md).

use ssh2::{MethodType, Session};

use super::error::ConnectError;
use super::host_config::HostConfig;

/// Fastest first, as measured through scpdeck on loopback
/// (docs/benchmarks.md, "Ciphers"): AES-GCM, which the patched libssh2
/// hands to OpenSSL a packet at a time, far ahead; AES-CTR with a SHA-256
/// MAC before chacha20-poly1305, which libssh2 computes in portable C. The
/// server picks the first of ours it also offers; libssh2's other ciphers
/// follow in its own order.
const PREFERRED_CIPHERS: [&str; 6] = [
    "aes128-gcm@openssh.com",
    "aes256-gcm@openssh.com",
    "aes128-ctr",
    "aes192-ctr",
    "aes256-ctr",
    "chacha20-poly1305@openssh.com",
];

/// Used only with a cipher that has no MAC of its own (AES-CTR, -CBC):
/// encrypt-then-MAC, and SHA-256 before SHA-512 (faster where the CPU has
/// SHA extensions, as current x86-64 and ARMv8 CPUs do).
const PREFERRED_MACS: [&str; 4] =
    ["hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com", "hmac-sha2-256", "hmac-sha2-512"];

/// Ciphers that authenticate by themselves: they need no MAC.
const AEAD_CIPHERS: [&str; 3] =
    ["chacha20-poly1305@openssh.com", "aes128-gcm@openssh.com", "aes256-gcm@openssh.com"];

/// Sets the cipher and MAC preferences of `session` (before the
/// handshake). Fails like OpenSSH's "no matching cipher" when none of the
/// user's ciphers is one libssh2 has.
pub(super) fn prefer(session: &Session, config: &HostConfig) -> Result<(), ConnectError> {
    for (cipher_dir, mac_dir) in
        [(MethodType::CryptCs, MethodType::MacCs), (MethodType::CryptSc, MethodType::MacSc)]
    {
        let (Ok(ciphers), Ok(macs)) = (session.supported_algs(cipher_dir), session.supported_algs(mac_dir))
        else {
            continue;
        };
        let macs = order(config.macs.as_deref(), &PREFERRED_MACS, &macs);
        let mut ciphers = order(config.ciphers.as_deref(), &PREFERRED_CIPHERS, &ciphers);
        if macs.is_empty() {
            // None of the user's MACs exists here: only ciphers that bring
            // their own integrity can honour the setting (as in OpenSSH,
            // which negotiates a MAC only for the others).
            ciphers.retain(|c| AEAD_CIPHERS.contains(c));
        }
        if ciphers.is_empty() {
            return Err(unsupported(config, &session.supported_algs(cipher_dir).unwrap_or_default()));
        }
        let _ = session.method_pref(cipher_dir, &ciphers.join(","));
        if !macs.is_empty() {
            let _ = session.method_pref(mac_dir, &macs.join(","));
        }
    }
    Ok(())
}

/// The user's list where they set one, else `preferred` then the rest,
/// each reduced to what libssh2 `supported` (never `none`).
fn order<'a>(user: Option<&[String]>, preferred: &[&str], supported: &[&'a str]) -> Vec<&'a str> {
    let wanted: Vec<&str> = match user {
        Some(list) => list.iter().map(String::as_str).collect(),
        None => preferred.iter().copied().chain(supported.iter().copied()).collect(),
    };
    let mut out: Vec<&'a str> = Vec::new();
    for name in wanted {
        let Some(&found) = supported.iter().find(|s| **s == name) else { continue };
        if found != "none" && !out.contains(&found) {
            out.push(found);
        }
    }
    out
}

fn unsupported(config: &HostConfig, supported: &[&str]) -> ConnectError {
    let asked = config.ciphers.as_deref().unwrap_or_default().join(",");
    let macs = config.macs.as_deref().unwrap_or_default().join(",");
    let usable: Vec<&str> = supported.iter().copied().filter(|c| *c != "none").collect();
    ConnectError::Config {
        host: config.label(),
        detail: format!(
            "no cipher in Ciphers {asked} (with MACs {macs}) is one scpdeck can use; it has {}",
            usable.join(",")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIBSSH2: [&str; 6] = [
        "chacha20-poly1305@openssh.com",
        "aes256-gcm@openssh.com",
        "aes128-gcm@openssh.com",
        "aes256-ctr",
        "aes128-cbc",
        "none",
    ];

    fn owned(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn without_a_user_list_the_preference_comes_first_then_the_rest() {
        assert_eq!(
            order(None, &PREFERRED_CIPHERS, &LIBSSH2),
            [
                "aes128-gcm@openssh.com",
                "aes256-gcm@openssh.com",
                "aes256-ctr",
                "chacha20-poly1305@openssh.com",
                "aes128-cbc"
            ]
        );
    }

    #[test]
    fn the_users_list_wins_in_its_order_without_what_libssh2_lacks() {
        let user = owned(&["aes192-gcm@example.com", "aes256-ctr", "chacha20-poly1305@openssh.com", "none"]);
        assert_eq!(
            order(Some(&user), &PREFERRED_CIPHERS, &LIBSSH2),
            ["aes256-ctr", "chacha20-poly1305@openssh.com"]
        );
        assert!(order(Some(&owned(&["arcfour"])), &PREFERRED_CIPHERS, &LIBSSH2).is_empty());
    }
}
