//! Host key verification with OpenSSH's semantics (sshconnect.c's
//! `check_host_key`): the names of [`HostKeyNames`] looked up in the
//! user's and the global known_hosts files, StrictHostKeyChecking, and
//! CheckHostIP. A changed or revoked key is refused in every mode.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use ssh2::{MethodType, Session};

use super::asker::Asker;
use super::error::{AddressKeyChanged, ChangedKey, ConnectError};
use super::expand;
use super::host_config::{HostConfig, StrictHostKeyChecking};
use super::host_key_names::HostKeyNames;
use super::known_hosts::{self, HostKey, KnownHosts, Verdict};
use super::prompt::{HostKeyQuestion, PromptAnswer, Question};

/// `UserKnownHostsFile none` and the like: no file at all.
fn is_none(file: &Path) -> bool {
    file.as_os_str() == "none"
}

fn all_files(config: &HostConfig) -> Vec<PathBuf> {
    let files = config.user_known_hosts_files.iter().chain(&config.global_known_hosts_files);
    files.filter(|f| !is_none(f)).cloned().collect()
}

/// Where new keys are recorded: the first user file (`None` for
/// `UserKnownHostsFile none`, which records nothing).
fn record_file(config: &HostConfig) -> Option<PathBuf> {
    match config.user_known_hosts_files.first() {
        Some(file) if is_none(file) => None,
        Some(file) => Some(file.clone()),
        None => Some(expand::local_user().1.join(".ssh/known_hosts")),
    }
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
/// `peer` is the address connected to (`None` through a proxy).
pub(super) fn verify(
    session: &Session,
    config: &HostConfig,
    peer: Option<SocketAddr>,
    asker: &Asker<'_>,
) -> Result<(), ConnectError> {
    let Some((blob, _)) = session.host_key() else {
        let detail = "the server sent no host key".to_owned();
        return Err(ConnectError::Handshake { host: config.label(), detail });
    };
    let known = KnownHosts::load(&all_files(config));
    let key = HostKey::new(blob);
    log::info!("server host key: {} {}", key.key_type(), key.fingerprint());
    check(config, &HostKeyNames::new(config, peer), &known, &key, asker)
}

/// The decision on `key`, given what known_hosts holds: Ok to go on (after
/// recording what OpenSSH records), or why not.
fn check(
    config: &HostConfig,
    names: &HostKeyNames,
    known: &KnownHosts,
    key: &HostKey,
    asker: &Asker<'_>,
) -> Result<(), ConnectError> {
    let check = Check { config, names, key, asker, record_in: record_file(config) };
    let address = names.address.as_deref().map(|a| (a, known.check(a, key)));
    let address_is_new = matches!(address, Some((_, Verdict::Unknown { .. })));
    match known.check(&names.name, key) {
        Verdict::Revoked { file, line } => {
            return Err(ConnectError::HostKeyRevoked {
                host: config.label(),
                key_type: key.key_type(),
                fingerprint: key.fingerprint(),
                file,
                line,
            });
        }
        Verdict::Changed { file, line, recorded } => {
            return Err(ConnectError::HostKeyChanged(Box::new(ChangedKey {
                host: config.label(),
                name: names.name.clone(),
                key_type: key.key_type(),
                fingerprint: key.fingerprint(),
                file,
                line,
                address_note: address.as_ref().and_then(|(a, v)| spoofing_note(a, v, &recorded)),
            })));
        }
        Verdict::Known => {
            log::info!("host key for {} found in known_hosts", names.name);
            if let Some((address, _)) = address.as_ref().filter(|_| address_is_new) {
                check.record_address(address);
            }
        }
        Verdict::Unknown { other_types } => {
            let known_without_port =
                names.portless.as_deref().is_some_and(|name| known.check(name, key) == Verdict::Known);
            if !known_without_port {
                check.accept_new(other_types)?;
                check.record_new(address.as_ref().filter(|_| address_is_new).map(|(a, _)| *a));
            }
        }
    }
    if let Some((address, Verdict::Changed { file, line, .. })) = address {
        check.address_changed(known, address, file, line)?;
    }
    Ok(())
}

/// OpenSSH's "POSSIBLE DNS SPOOFING" when the host's key changed: what the
/// address says, unless it holds the same old key.
fn spoofing_note(address: &str, verdict: &Verdict, recorded: &HostKey) -> Option<String> {
    let state = match verdict {
        Verdict::Unknown { .. } => "is unknown",
        Verdict::Known => "is unchanged",
        Verdict::Changed { recorded: for_address, .. } if for_address == recorded => return None,
        Verdict::Changed { file, line, .. } => {
            return Some(format!(
                "the key for the IP address {address} has a different value, in {}:{line}",
                file.display()
            ));
        }
        Verdict::Revoked { .. } => "is revoked",
    };
    Some(format!("the key for the IP address {address} {state}"))
}

struct Check<'a> {
    config: &'a HostConfig,
    names: &'a HostKeyNames,
    key: &'a HostKey,
    asker: &'a Asker<'a>,
    record_in: Option<PathBuf>,
}

impl Check<'_> {
    /// StrictHostKeyChecking for a key known under no name.
    fn accept_new(&self, other_types: Vec<String>) -> Result<(), ConnectError> {
        let refuse = |reason| ConnectError::HostKeyUnknown {
            host: self.config.label(),
            key_type: self.key.key_type(),
            fingerprint: self.key.fingerprint(),
            known_hosts: self.record_in.clone().unwrap_or_else(|| PathBuf::from("none")),
            reason,
        };
        let Some(record_in) = &self.record_in else {
            return Err(refuse("UserKnownHostsFile is none, so it could not be recorded"));
        };
        match self.config.strict_host_key_checking {
            StrictHostKeyChecking::Yes => Err(refuse("StrictHostKeyChecking is yes")),
            StrictHostKeyChecking::Ask if self.asker.batch_mode() => {
                Err(refuse("BatchMode is on, so scpdeck could not ask you to confirm it"))
            }
            StrictHostKeyChecking::Ask => {
                let question = Question::HostKey(HostKeyQuestion {
                    host: self.names.name.clone(),
                    key_type: self.key.key_type(),
                    fingerprint: self.key.fingerprint(),
                    known_hosts_file: record_in.clone(),
                    known_key_types: other_types,
                });
                match self.asker.ask(&question) {
                    PromptAnswer::Yes => Ok(()),
                    _ => Err(refuse("you did not accept it")),
                }
            }
            StrictHostKeyChecking::AcceptNew | StrictHostKeyChecking::No => Ok(()),
        }
    }

    /// Records a new host: `name,address` on one line, or one hashed line
    /// each, as OpenSSH does.
    fn record_new(&self, address: Option<&str>) {
        let name = self.names.name.as_str();
        let key_type = self.key.key_type();
        let (shown, lines) = match address {
            None => (name.to_owned(), vec![self.line(name)]),
            Some(address) if self.config.hash_known_hosts => {
                (format!("{name},{address}"), vec![self.line(name), self.line(address)])
            }
            Some(address) => {
                let both = format!("{name},{address}");
                (both.clone(), vec![self.line(&both)])
            }
        };
        let added = format!("Warning: Permanently added '{shown}' ({key_type}) to the list of known hosts.");
        self.append(&lines, added);
    }

    /// CheckHostIP on a known host whose address is not recorded yet.
    fn record_address(&self, address: &str) {
        let key_type = self.key.key_type();
        let added = format!(
            "Warning: Permanently added the {key_type} host key for IP address '{address}' to the list of known hosts."
        );
        self.append(&[self.line(address)], added);
    }

    fn line(&self, name: &str) -> String {
        known_hosts::line_for(name, self.key, self.config.hash_known_hosts)
    }

    fn append(&self, lines: &[String], added: String) {
        let Some(file) = &self.record_in else { return };
        let result = lines.iter().try_for_each(|line| known_hosts::append(file, line));
        let text = match result {
            Ok(()) => added,
            Err(e) => format!("Failed to add the host key to {}: {e}", file.display()),
        };
        self.asker.ask(&Question::Message { host: self.config.label(), text });
    }

    /// CheckHostIP: the address holds another key than the one accepted
    /// for the name. Asked about under `ask`, told under `no`, refused
    /// otherwise.
    fn address_changed(
        &self,
        known: &KnownHosts,
        address: &str,
        file: PathBuf,
        line: usize,
    ) -> Result<(), ConnectError> {
        let name = &self.names.name;
        let mut text = format!(
            "Warning: the {} host key for '{name}'\n\
             differs from the key for the IP address '{address}'\n\
             Offending key for IP in {}:{line}",
            self.key.key_type(),
            file.display()
        );
        if let Some((matching, at)) = known.line_of(name, self.key) {
            text.push_str(&format!("\nMatching host key in {}:{at}", matching.display()));
        }
        let host = self.config.label();
        let refuse = |reason| {
            ConnectError::HostKeyAddressChanged(Box::new(AddressKeyChanged {
                host: host.clone(),
                name: name.clone(),
                address: address.to_owned(),
                key_type: self.key.key_type(),
                file: file.clone(),
                line,
                reason,
            }))
        };
        match self.config.strict_host_key_checking {
            StrictHostKeyChecking::Yes => Err(refuse("StrictHostKeyChecking is yes")),
            StrictHostKeyChecking::AcceptNew => Err(refuse("StrictHostKeyChecking is accept-new")),
            StrictHostKeyChecking::Ask if self.asker.batch_mode() => {
                Err(refuse("BatchMode is on, so scpdeck could not ask you whether to go on"))
            }
            StrictHostKeyChecking::Ask => {
                match self.asker.ask(&Question::Confirm { host: host.clone(), text }) {
                    PromptAnswer::Yes => Ok(()),
                    _ => Err(refuse("you did not go on")),
                }
            }
            StrictHostKeyChecking::No => {
                self.asker.ask(&Question::Message { host: host.clone(), text });
                Ok(())
            }
        }
    }
}

#[cfg(test)]
#[path = "host_key_tests.rs"]
mod tests;
