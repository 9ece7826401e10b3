//! Resolution without OpenSSH: the config-parsing crate (ssh2-config) reads
//! the prepared config text (see `config_text`), and OpenSSH's defaults fill
//! the rest. Used only when no `ssh` binary is installed.

use std::collections::HashMap;
use std::io::BufReader;
use std::path::PathBuf;
use std::time::Duration;

use ssh2_config::{Algorithms, ParseRule, SshConfig};

use super::config_text;
use super::error::ConnectError;
use super::expand;
use super::host_config::{AuthMethod, HostConfig, StrictHostKeyChecking};
use super::openssh_g::{algorithm_list, finish, jump_list};
use super::overrides::Overrides;
use super::target::Target;

/// Identity files OpenSSH tries when none is configured.
const DEFAULT_IDENTITIES: [&str; 7] = [
    "~/.ssh/id_rsa",
    "~/.ssh/id_ecdsa",
    "~/.ssh/id_ecdsa_sk",
    "~/.ssh/id_ed25519",
    "~/.ssh/id_ed25519_sk",
    "~/.ssh/id_xmss",
    "~/.ssh/id_dsa",
];

pub(super) fn resolve(target: &Target, overrides: &Overrides) -> Result<HostConfig, ConnectError> {
    let config_error = |detail: String| ConnectError::Config { host: target.host.clone(), detail };
    // Command-line values come first: in ssh_config the first value wins.
    let mut text = String::from("Host *\n");
    if let Some(user) = &target.user {
        text.push_str(&format!("User {user}\n"));
    }
    if let Some(port) = target.port.or(overrides.port) {
        text.push_str(&format!("Port {port}\n"));
    }
    if let Some(jump) = &overrides.jump {
        text.push_str(&format!("ProxyJump {jump}\n"));
    }
    for option in &overrides.options {
        let (key, value) = Overrides::split_option(option)
            .ok_or_else(|| config_error(format!("bad -o option {option:?}: write Key=Value")))?;
        text.push_str(&format!("{key} {value}\n"));
    }
    let text = config_text::expand_text(&text, &PathBuf::from("/"), 0).map_err(config_error)?
        + "Host *\n"
        + &config_text::load(overrides.config_file.as_deref()).map_err(config_error)?;

    let parsed = SshConfig::default()
        .parse(
            &mut BufReader::new(text.as_bytes()),
            ParseRule::ALLOW_UNKNOWN_FIELDS | ParseRule::ALLOW_UNSUPPORTED_FIELDS,
        )
        .map_err(|e| config_error(e.to_string()))?;
    let params = parsed.query(&target.host);
    let mut other: HashMap<String, Vec<String>> = params.ignored_fields.clone();
    for (key, value) in &params.unsupported_fields {
        other.entry(key.clone()).or_insert_with(|| value.clone());
    }
    let get = |key: &str| other.get(key).map(|v| v.join(" "));

    let (local_user, _) = expand::local_user();
    let mut config = HostConfig::defaults(&target.host, &local_user);
    if let Some(hostname) = &params.host_name {
        config.hostname = hostname.replace("%h", &target.host).replace("%%", "%");
    }
    config.port = params.port.unwrap_or(22);
    config.user = params.user.clone().unwrap_or(local_user);
    let mut identity_files: Vec<String> =
        overrides.identities.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    match &params.identity_file {
        Some(files) => identity_files.extend(files.iter().map(|p| p.to_string_lossy().into_owned())),
        None if identity_files.is_empty() => {
            identity_files.extend(DEFAULT_IDENTITIES.iter().map(|s| s.to_string()))
        }
        None => {}
    }
    config.identities_only = get("identitiesonly").is_some_and(|v| yes(&v));
    config.proxy_jump = get("proxyjump").map(|v| jump_list(&v)).unwrap_or_default();
    config.proxy_command = get("proxycommand").filter(|v| v != "none");
    if !config.proxy_jump.is_empty() {
        // ssh refuses both; like OpenSSH's first-wins, ProxyJump set on the
        // command line is the one that applies.
        config.proxy_command = None;
    }
    config.user_known_hosts_files =
        paths(get("userknownhostsfile"), "~/.ssh/known_hosts ~/.ssh/known_hosts2");
    config.global_known_hosts_files =
        paths(get("globalknownhostsfile"), "/etc/ssh/ssh_known_hosts /etc/ssh/ssh_known_hosts2");
    if let Some(value) = get("stricthostkeychecking") {
        config.strict_host_key_checking = StrictHostKeyChecking::parse(&value)
            .ok_or_else(|| config_error(format!("bad StrictHostKeyChecking {value:?}")))?;
    }
    config.hash_known_hosts = get("hashknownhosts").is_some_and(|v| yes(&v));
    config.host_key_alias = get("hostkeyalias").filter(|v| v != "none");
    config.check_host_ip = get("checkhostip").is_some_and(|v| yes(&v));
    config.connect_timeout = params.connect_timeout;
    config.server_alive_interval = params.server_alive_interval.unwrap_or(Duration::ZERO);
    config.server_alive_count_max = get("serveralivecountmax").and_then(|v| v.parse().ok()).unwrap_or(3);
    config.batch_mode = get("batchmode").is_some_and(|v| yes(&v));
    if config.batch_mode && params.server_alive_interval.is_none() {
        // OpenSSH notices dead servers in unattended sessions by default.
        config.server_alive_interval = Duration::from_secs(300);
    }
    config.number_of_password_prompts =
        get("numberofpasswordprompts").and_then(|v| v.parse().ok()).unwrap_or(3);
    if let Some(value) = get("preferredauthentications") {
        config.preferred_authentications = AuthMethod::parse_list(&value);
    }
    config.pubkey_authentication = params.pubkey_authentication.unwrap_or(true);
    config.kbd_interactive_authentication = !get("kbdinteractiveauthentication").is_some_and(|v| no(&v));
    config.password_authentication = !get("passwordauthentication").is_some_and(|v| no(&v));
    config.ciphers = chosen(&params.ciphers);
    config.macs = chosen(&params.mac);
    config.config_file = overrides.config_file.clone();
    let agent = get("identityagent");
    finish(&mut config, &identity_files, agent.as_deref()).map_err(config_error)?;
    Ok(config)
}

/// The list the user's configuration made (`+`, `-` and `^` applied to
/// OpenSSH's defaults by the parser); `None` where it left the default.
fn chosen(algorithms: &Algorithms) -> Option<Vec<String>> {
    // The crate's default holds several names per entry ("a,b").
    (!algorithms.is_default()).then(|| algorithm_list(&algorithms.algorithms().join(",")))
}

fn paths(value: Option<String>, default: &str) -> Vec<PathBuf> {
    value.as_deref().unwrap_or(default).split_whitespace().map(PathBuf::from).collect()
}

fn yes(value: &str) -> bool {
    matches!(value.to_ascii_lowercase().as_str(), "yes" | "true")
}

fn no(value: &str) -> bool {
    matches!(value.to_ascii_lowercase().as_str(), "no" | "false")
}
