//! Ciphers and MACs against a real sshd: the user's ssh_config `Ciphers`
//! and `MACs` (a config line or `-o`) win over scpdeck's own preference,
//! checked by what the session negotiated.

mod support;

use std::path::PathBuf;

use scpdeck::ssh::{self, ConnectError, HostConfig, NoPrompter, Overrides, Resolver};
use ssh2::MethodType;
use support::Sshd;

const GCM128: &str = "aes128-gcm@openssh.com";
const CHACHA: &str = "chacha20-poly1305@openssh.com";

/// An ssh_config whose `Host lined` block is the harness's plus `extra`.
fn config_with(sshd: &Sshd, extra: &str) -> PathBuf {
    let path = sshd.path("cipher_config");
    std::fs::write(&path, sshd.config_block("lined") + extra).expect("config");
    path
}

fn resolve(resolver: &Resolver, config: PathBuf, options: &[&str]) -> HostConfig {
    let overrides = Overrides {
        config_file: Some(config),
        options: options.iter().map(|o| o.to_string()).collect(),
        ..Overrides::default()
    };
    resolver.resolve_str("lined", &overrides).expect("resolve")
}

/// The cipher and MAC of each direction: [client to server, server to
/// client] as (cipher, MAC).
fn negotiated(config: &HostConfig) -> [(String, String); 2] {
    let connection = ssh::connect(config, &NoPrompter).expect("connect");
    let session = connection.session();
    let method = |t: MethodType| session.methods(t).unwrap_or("").to_owned();
    [
        (method(MethodType::CryptCs), method(MethodType::MacCs)),
        (method(MethodType::CryptSc), method(MethodType::MacSc)),
    ]
}

fn both(cipher: &str, mac: &str) -> [(String, String); 2] {
    [(cipher.to_owned(), mac.to_owned()), (cipher.to_owned(), mac.to_owned())]
}

fn resolvers() -> [Resolver; 2] {
    [Resolver::system(), Resolver::fallback_only()]
}

/// libssh2 reports AES-GCM's built-in MAC under this made-up name.
const GCM_MAC: &str = "INTEGRATED-AES-GCM";

#[test]
fn without_a_ciphers_line_the_fastest_is_asked_for() {
    let sshd = Sshd::start();
    for resolver in resolvers() {
        let config = resolve(&resolver, config_with(&sshd, ""), &[]);
        assert_eq!((config.ciphers.as_deref(), config.macs.as_deref()), (None, None));
        assert_eq!(negotiated(&config), both(GCM128, GCM_MAC));
    }
}

#[test]
fn a_ciphers_line_in_ssh_config_wins() {
    let sshd = Sshd::start();
    let file = config_with(&sshd, "  Ciphers aes256-ctr,aes128-gcm@openssh.com\n  MACs hmac-sha2-512\n");
    for resolver in resolvers() {
        let config = resolve(&resolver, file.clone(), &[]);
        assert_eq!(negotiated(&config), both("aes256-ctr", "hmac-sha2-512"));
    }
}

#[test]
fn a_ciphers_option_on_the_command_line_wins_over_the_file() {
    let sshd = Sshd::start();
    let file = config_with(&sshd, "  Ciphers aes256-ctr\n");
    for resolver in resolvers() {
        let config = resolve(&resolver, file.clone(), &[&format!("Ciphers={CHACHA}")]);
        assert_eq!(negotiated(&config)[0].0, CHACHA);
        assert_eq!(negotiated(&config)[1].0, CHACHA);
    }
}

#[test]
fn an_edited_default_list_is_the_users_too() {
    let sshd = Sshd::start();
    // OpenSSH's default without chacha20 (a common Terrapin mitigation):
    // its order, with AES-CTR before AES-GCM, is what the user gets.
    let file = config_with(&sshd, &format!("  Ciphers -{CHACHA}\n"));
    let config = resolve(&Resolver::system(), file, &[]);
    assert_eq!(config.ciphers.as_ref().and_then(|c| c.first()).map(String::as_str), Some("aes128-ctr"));
    assert_eq!(negotiated(&config)[0].0, "aes128-ctr");
}

#[test]
fn macs_that_libssh2_lacks_leave_only_ciphers_with_their_own() {
    let sshd = Sshd::start();
    let file =
        config_with(&sshd, &format!("  Ciphers aes128-ctr,{CHACHA}\n  MACs umac-64-etm@openssh.com\n"));
    for resolver in resolvers() {
        let config = resolve(&resolver, file.clone(), &[]);
        assert_eq!(negotiated(&config)[0].0, CHACHA);
    }
}

#[test]
fn ciphers_that_libssh2_lacks_fail_like_openssh() {
    let sshd = Sshd::start();
    let file = config_with(&sshd, "  Ciphers 3des-cbc\n");
    for resolver in resolvers() {
        let config = resolve(&resolver, file.clone(), &[]);
        match ssh::connect(&config, &NoPrompter) {
            Err(ConnectError::Config { detail, .. }) => {
                assert!(detail.contains("3des-cbc") && detail.contains(GCM128), "{detail}")
            }
            Err(other) => panic!("expected a configuration error, got {other}"),
            Ok(_) => panic!("connected with a cipher the user did not allow"),
        }
    }
}
