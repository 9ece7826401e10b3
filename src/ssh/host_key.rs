//! Host key verification with OpenSSH's semantics (StrictHostKeyChecking,
//! known_hosts in the user's and the global files).

use std::path::PathBuf;

use ssh2::{MethodType, Session};

use super::asker::Asker;
use super::error::ConnectError;
use super::expand;
use super::host_config::{HostConfig, StrictHostKeyChecking};
use super::known_hosts::{self, HostKey, KnownHosts, Verdict};
use super::prompt::{HostKeyQuestion, PromptAnswer, Question};

fn all_files(config: &HostConfig) -> Vec<PathBuf> {
    config.user_known_hosts_files.iter().chain(&config.global_known_hosts_files).cloned().collect()
}

/// Before the handshake: offer the host key algorithms this host is already
/// known with first, as OpenSSH does, so that a server with several keys
/// presents the one on record.
pub(super) fn prefer_known_algorithms(session: &Session, config: &HostConfig) {
    let known = KnownHosts::load(&all_files(config)).known_types(&config.known_hosts_name());
    if known.is_empty() {
        return;
    }
    let Ok(supported) = session.supported_algs(MethodType::HostKey) else { return };
    let key_type_of =
        |alg: &str| if alg.starts_with("rsa-sha2-") { "ssh-rsa".to_owned() } else { alg.to_owned() };
    let (mut first, rest): (Vec<&str>, Vec<&str>) =
        supported.iter().partition(|alg| known.contains(&key_type_of(alg)));
    first.extend(rest);
    let _ = session.method_pref(MethodType::HostKey, &first.join(","));
}

/// After the handshake: accepts, records, asks about or refuses the key.
pub(super) fn verify(session: &Session, config: &HostConfig, asker: &Asker<'_>) -> Result<(), ConnectError> {
    let host = config.label();
    let Some((blob, _)) = session.host_key() else {
        return Err(ConnectError::Handshake { host, detail: "the server sent no host key".to_owned() });
    };
    let key = HostKey::new(blob);
    let name = config.known_hosts_name();
    let known = KnownHosts::load(&all_files(config));
    let key_type = key.key_type();
    let fingerprint = key.fingerprint();
    log::info!("server host key: {key_type} {fingerprint}");
    let other_types = match known.check(&name, &key) {
        Verdict::Known => {
            log::info!("host key for {name} found in known_hosts");
            return Ok(());
        }
        Verdict::Changed { file, line } => {
            return Err(ConnectError::HostKeyChanged { host, key_type, fingerprint, file, line });
        }
        Verdict::Revoked { file, line } => {
            return Err(ConnectError::HostKeyRevoked { host, key_type, fingerprint, file, line });
        }
        Verdict::Unknown { other_types } => other_types,
    };
    let record_in = config
        .user_known_hosts_files
        .first()
        .cloned()
        .unwrap_or_else(|| expand::local_user().1.join(".ssh/known_hosts"));
    let refuse = |reason| ConnectError::HostKeyUnknown {
        host: host.clone(),
        key_type: key_type.clone(),
        fingerprint: fingerprint.clone(),
        known_hosts: record_in.clone(),
        reason,
    };
    match config.strict_host_key_checking {
        StrictHostKeyChecking::Yes => return Err(refuse("StrictHostKeyChecking is yes")),
        StrictHostKeyChecking::Ask if asker.batch_mode() => {
            return Err(refuse("BatchMode is on, so scpdeck could not ask you to confirm it"));
        }
        StrictHostKeyChecking::Ask => {
            let question = Question::HostKey(HostKeyQuestion {
                host: name.clone(),
                key_type: key_type.clone(),
                fingerprint: fingerprint.clone(),
                known_hosts_file: record_in.clone(),
                known_key_types: other_types,
            });
            if asker.ask(&question) != PromptAnswer::Yes {
                return Err(refuse("you did not accept it"));
            }
        }
        StrictHostKeyChecking::AcceptNew | StrictHostKeyChecking::No => {}
    }
    let line = known_hosts::line_for(&name, &key, config.hash_known_hosts);
    let text = match known_hosts::append(&record_in, &line) {
        Ok(()) => format!("Warning: Permanently added '{name}' ({key_type}) to the list of known hosts."),
        Err(e) => format!("Failed to add the host key to {}: {e}", record_in.display()),
    };
    asker.ask(&Question::Message { host, text });
    Ok(())
}
