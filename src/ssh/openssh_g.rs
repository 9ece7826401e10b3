//! Resolution by the installed OpenSSH client: `ssh -G` prints the settings
//! it would use for a host (Include, Match, tokens and all), so scpdeck
//! reads those instead of re-implementing ssh_config.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use super::error::ConnectError;
use super::expand::{self, Tokens};
use super::host_config::{AuthMethod, HostConfig, IdentityAgent, StrictHostKeyChecking};
use super::overrides::Overrides;
use super::target::Target;
use crate::text::escape_str;

/// The `ssh -G` command line for a target with command-line overrides.
pub(super) fn command(program: &Path, target: &Target, overrides: &Overrides) -> Command {
    let mut cmd = Command::new(program);
    cmd.arg("-G");
    if let Some(file) = &overrides.config_file {
        cmd.arg("-F").arg(file);
    }
    for option in &overrides.options {
        cmd.arg("-o").arg(option);
    }
    if let Some(port) = target.port.or(overrides.port) {
        cmd.arg("-p").arg(port.to_string());
    }
    for identity in &overrides.identities {
        cmd.arg("-i").arg(identity);
    }
    if let Some(jump) = &overrides.jump {
        cmd.arg("-J").arg(jump);
    }
    if let Some(user) = &target.user {
        cmd.arg("-l").arg(user);
    }
    cmd.arg("--").arg(&target.host);
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    cmd
}

/// Runs `ssh -G` and parses what it prints.
pub(super) fn resolve(
    program: &Path,
    target: &Target,
    overrides: &Overrides,
) -> Result<HostConfig, ConnectError> {
    let mut config = settings(program, target, overrides)?;
    forget_default_algorithms(program, &mut config);
    Ok(config)
}

/// What `ssh -G` prints, parsed, with the algorithm lists as printed.
pub(super) fn settings(
    program: &Path,
    target: &Target,
    overrides: &Overrides,
) -> Result<HostConfig, ConnectError> {
    let config_error = |detail: String| ConnectError::Config { host: target.host.clone(), detail };
    let output = command(program, target, overrides)
        .output()
        .map_err(|e| config_error(format!("cannot run {} -G: {e}", program.display())))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let detail = stderr
            .lines()
            .filter(|l| !l.starts_with("Pseudo-terminal will not be allocated"))
            .map(escape_str)
            .collect::<Vec<_>>()
            .join("; ");
        return Err(config_error(format!("`ssh -G` failed: {detail}")));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let mut config = parse(&target.host, &text).map_err(config_error)?;
    config.config_file = overrides.config_file.clone();
    config.ssh_program = Some(program.to_path_buf());
    Ok(config)
}

/// `ssh -G` prints Ciphers and MACs whether or not the user set them. The
/// same client run without any configuration prints its defaults; a list
/// equal to those is what nobody chose, so scpdeck's own order applies.
/// (A list that the user wrote out equal to the default is therefore
/// treated as unset.) If that run fails, the lists stay as the user's:
/// scpdeck then asks for exactly what OpenSSH would.
fn forget_default_algorithms(program: &Path, config: &mut HostConfig) {
    let Ok(output) = Command::new(program)
        .args(["-G", "-F", "none", "--", "localhost"])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
    else {
        return;
    };
    let Ok(defaults) = parse("localhost", &String::from_utf8_lossy(&output.stdout)) else { return };
    if !output.status.success() {
        return;
    }
    if config.ciphers == defaults.ciphers {
        config.ciphers = None;
    }
    if config.macs == defaults.macs {
        config.macs = None;
    }
}

/// A comma-separated algorithm list.
pub(super) fn algorithm_list(value: &str) -> Vec<String> {
    value.split(',').map(str::trim).filter(|a| !a.is_empty()).map(str::to_owned).collect()
}

/// Parses `ssh -G` output (`keyword value` lines, keywords in lower case).
pub(super) fn parse(alias: &str, text: &str) -> Result<HostConfig, String> {
    let (local_user, _) = expand::local_user();
    let mut config = HostConfig::defaults(alias, &local_user);
    let mut identity_files = Vec::new();
    let mut identity_agent = None;
    for line in text.lines() {
        let Some((key, value)) = line.split_once(' ') else { continue };
        let value = value.trim();
        match key {
            "hostname" => config.hostname = value.to_owned(),
            "port" => config.port = value.parse().map_err(|_| format!("bad port {value:?}"))?,
            "user" => config.user = value.to_owned(),
            "identityfile" => identity_files.push(value.to_owned()),
            "identitiesonly" => config.identities_only = yes(value),
            "identityagent" => identity_agent = Some(value.to_owned()),
            "proxyjump" => config.proxy_jump = jump_list(value),
            "proxycommand" if value != "none" => config.proxy_command = Some(value.to_owned()),
            "userknownhostsfile" => {
                config.user_known_hosts_files = value.split_whitespace().map(PathBuf::from).collect()
            }
            "globalknownhostsfile" => {
                config.global_known_hosts_files = value.split_whitespace().map(PathBuf::from).collect()
            }
            "stricthostkeychecking" => {
                config.strict_host_key_checking = StrictHostKeyChecking::parse(value)
                    .ok_or_else(|| format!("bad StrictHostKeyChecking {value:?}"))?
            }
            "hashknownhosts" => config.hash_known_hosts = yes(value),
            "hostkeyalias" if value != "none" => config.host_key_alias = Some(value.to_owned()),
            "checkhostip" => config.check_host_ip = yes(value),
            "connecttimeout" => config.connect_timeout = seconds(value),
            "serveraliveinterval" => config.server_alive_interval = seconds(value).unwrap_or(Duration::ZERO),
            "serveralivecountmax" => config.server_alive_count_max = value.parse().unwrap_or(3),
            "batchmode" => config.batch_mode = yes(value),
            "numberofpasswordprompts" => config.number_of_password_prompts = value.parse().unwrap_or(3),
            "preferredauthentications" => config.preferred_authentications = AuthMethod::parse_list(value),
            "pubkeyauthentication" => config.pubkey_authentication = !no(value),
            "kbdinteractiveauthentication" => config.kbd_interactive_authentication = !no(value),
            "passwordauthentication" => config.password_authentication = !no(value),
            "ciphers" => config.ciphers = Some(algorithm_list(value)),
            "macs" => config.macs = Some(algorithm_list(value)),
            _ => {}
        }
    }
    finish(&mut config, &identity_files, identity_agent.as_deref())?;
    Ok(config)
}

/// Expands the file options of a parsed configuration (shared with the
/// fallback resolver).
pub(super) fn finish(
    config: &mut HostConfig,
    identity_files: &[String],
    identity_agent: Option<&str>,
) -> Result<(), String> {
    let tokens = Tokens::for_config(config);
    config.identity_files =
        identity_files.iter().map(|f| expand::file(f, &tokens)).collect::<Result<_, _>>()?;
    let expand_all = |files: &[PathBuf]| -> Result<Vec<PathBuf>, String> {
        files.iter().map(|f| expand::file(&f.to_string_lossy(), &tokens)).collect()
    };
    config.user_known_hosts_files = expand_all(&config.user_known_hosts_files)?;
    config.global_known_hosts_files = expand_all(&config.global_known_hosts_files)?;
    config.identity_agent = match identity_agent {
        None | Some("SSH_AUTH_SOCK") => IdentityAgent::FromEnvironment,
        Some("none") => IdentityAgent::Disabled,
        Some(env) if env.starts_with('$') => match std::env::var_os(&env[1..]) {
            Some(path) => IdentityAgent::Socket(PathBuf::from(path)),
            None => IdentityAgent::Disabled,
        },
        Some(path) => IdentityAgent::Socket(expand::file(path, &tokens)?),
    };
    Ok(())
}

/// A ProxyJump value as a list of hops (`none` is no hop).
pub(super) fn jump_list(value: &str) -> Vec<String> {
    if value.eq_ignore_ascii_case("none") {
        return Vec::new();
    }
    value.split(',').map(str::trim).filter(|h| !h.is_empty()).map(str::to_owned).collect()
}

fn yes(value: &str) -> bool {
    matches!(value.to_ascii_lowercase().as_str(), "yes" | "true")
}

fn no(value: &str) -> bool {
    matches!(value.to_ascii_lowercase().as_str(), "no" | "false")
}

fn seconds(value: &str) -> Option<Duration> {
    value.parse::<u64>().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "user bob\nhostname 10.1.1.1\nport 2200\nbatchmode no\nhashknownhosts yes\n\
identitiesonly yes\nkbdinteractiveauthentication yes\npasswordauthentication no\npubkeyauthentication true\n\
stricthostkeychecking accept-new\nnumberofpasswordprompts 2\nserveralivecountmax 5\nserveraliveinterval 7\n\
identityfile ~/.ssh/id_ed25519\nidentityfile /k/%r\nglobalknownhostsfile /etc/ssh/ssh_known_hosts /etc/ssh/ssh_known_hosts2\n\
userknownhostsfile /u/kh /u/kh2\nconnecttimeout none\nproxyjump hop1,u@hop2:22\nproxycommand sh -c 'nc %h %p'\n\
identityagent none\ncheckhostip yes\nciphers aes256-ctr, aes128-gcm@openssh.com\nmacs hmac-sha2-512-etm@openssh.com\n";

    #[test]
    fn parses_ssh_g_output() {
        let c = parse("web", SAMPLE).unwrap();
        assert_eq!(
            (c.alias.as_str(), c.hostname.as_str(), c.port, c.user.as_str()),
            ("web", "10.1.1.1", 2200, "bob")
        );
        assert!(c.identities_only && c.hash_known_hosts && !c.batch_mode && !c.password_authentication);
        assert!(c.check_host_ip);
        assert_eq!(c.strict_host_key_checking, StrictHostKeyChecking::AcceptNew);
        assert_eq!(c.identity_files[0], expand::local_user().1.join(".ssh/id_ed25519"));
        assert_eq!(c.identity_files[1], PathBuf::from("/k/bob"));
        assert_eq!(c.user_known_hosts_files, vec![PathBuf::from("/u/kh"), PathBuf::from("/u/kh2")]);
        assert_eq!(c.global_known_hosts_files.len(), 2);
        assert_eq!(c.connect_timeout, None);
        assert_eq!(c.server_alive_interval, Duration::from_secs(7));
        assert_eq!((c.server_alive_count_max, c.number_of_password_prompts), (5, 2));
        assert_eq!(c.proxy_jump, vec!["hop1", "u@hop2:22"]);
        assert_eq!(c.proxy_command.as_deref(), Some("sh -c 'nc %h %p'"));
        assert_eq!(c.identity_agent, IdentityAgent::Disabled);
        assert_eq!(c.ciphers, Some(vec!["aes256-ctr".to_owned(), "aes128-gcm@openssh.com".to_owned()]));
        assert_eq!(c.macs, Some(vec!["hmac-sha2-512-etm@openssh.com".to_owned()]));
    }

    #[test]
    fn builds_the_command_line() {
        let target = Target::parse("al@h:7").unwrap();
        let overrides = Overrides {
            config_file: Some("/c".into()),
            options: vec!["A=b".into()],
            port: Some(9),
            identities: vec!["/i".into()],
            jump: Some("j".into()),
        };
        let cmd = command(Path::new("ssh"), &target, &overrides);
        let args: Vec<_> = cmd.get_args().map(|a| a.to_string_lossy().into_owned()).collect();
        assert_eq!(
            args,
            ["-G", "-F", "/c", "-o", "A=b", "-p", "7", "-i", "/i", "-J", "j", "-l", "al", "--", "h"]
        );
    }
}
