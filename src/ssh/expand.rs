//! `~` and `%` expansion in ssh_config values, as OpenSSH does it.

use std::path::{Path, PathBuf};

use sha1::{Digest, Sha1};

/// The values `%` tokens stand for.
#[derive(Debug, Clone, Default)]
pub(super) struct Tokens {
    /// %h: the remote host name (after HostName).
    pub host: String,
    /// %n: the host as typed.
    pub original_host: String,
    /// %p
    pub port: u16,
    /// %r
    pub remote_user: String,
    /// %k: HostKeyAlias, or the host as typed.
    pub host_key_alias: String,
}

impl Tokens {
    /// The token values for a resolved host.
    pub(super) fn for_config(config: &super::host_config::HostConfig) -> Self {
        Tokens {
            host: config.hostname.clone(),
            original_host: config.alias.clone(),
            port: config.port,
            remote_user: config.user.clone(),
            host_key_alias: config.host_key_alias.clone().unwrap_or_else(|| config.alias.clone()),
        }
    }
}

/// The local user's name and home directory, from the password database
/// (OpenSSH uses it, not `$HOME`, for `~` and %d).
pub(super) fn local_user() -> (String, PathBuf) {
    let uid = nix::unistd::Uid::current();
    match nix::unistd::User::from_uid(uid) {
        Ok(Some(user)) => (user.name, user.dir),
        _ => (
            std::env::var("USER").unwrap_or_else(|_| uid.to_string()),
            std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("/")),
        ),
    }
}

/// Replaces a leading `~` or `~/` with the home directory.
pub(super) fn tilde(path: &str, home: &Path) -> PathBuf {
    if path == "~" {
        home.to_path_buf()
    } else if let Some(rest) = path.strip_prefix("~/") {
        home.join(rest)
    } else {
        PathBuf::from(path)
    }
}

/// Expands `%` tokens. `allowed` lists the token letters valid for this
/// option; another token is an error, as in OpenSSH.
pub(super) fn percent(text: &str, tokens: &Tokens, allowed: &str) -> Result<String, String> {
    let (local_user, home) = local_user();
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let Some(token) = chars.next() else {
            return Err(format!("{text:?} ends with a lone '%'"));
        };
        if token != '%' && !allowed.contains(token) {
            return Err(format!("unknown token %{token} in {text:?}"));
        }
        match token {
            '%' => out.push('%'),
            'h' => out.push_str(&tokens.host),
            'n' => out.push_str(&tokens.original_host),
            'p' => out.push_str(&tokens.port.to_string()),
            'r' => out.push_str(&tokens.remote_user),
            'u' => out.push_str(&local_user),
            'd' => out.push_str(&home.to_string_lossy()),
            'k' => out.push_str(&tokens.host_key_alias),
            'i' => out.push_str(&nix::unistd::Uid::current().to_string()),
            'l' => out.push_str(&local_hostname()),
            'L' => out.push_str(local_hostname().split('.').next().unwrap_or_default()),
            'C' => out.push_str(&connection_hash(tokens)),
            _ => return Err(format!("unknown token %{token} in {text:?}")),
        }
    }
    Ok(out)
}

/// Token letters valid in file names (IdentityFile, UserKnownHostsFile).
pub(super) const FILE_TOKENS: &str = "CdhiklLnpru";
/// Token letters valid in ProxyCommand.
pub(super) const PROXY_TOKENS: &str = "hnpr";

/// Expands a file option: `~`, then `%` tokens.
pub(super) fn file(text: &str, tokens: &Tokens) -> Result<PathBuf, String> {
    let (_, home) = local_user();
    let expanded = percent(text, tokens, FILE_TOKENS)?;
    Ok(tilde(&expanded, &home))
}

fn local_hostname() -> String {
    nix::unistd::gethostname().map(|h| h.to_string_lossy().into_owned()).unwrap_or_default()
}

/// %C: SHA-1 of %l%h%p%r, in hex.
fn connection_hash(tokens: &Tokens) -> String {
    let mut hasher = Sha1::new();
    hasher.update(local_hostname().as_bytes());
    hasher.update(tokens.host.as_bytes());
    hasher.update(tokens.port.to_string().as_bytes());
    hasher.update(tokens.remote_user.as_bytes());
    hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens() -> Tokens {
        Tokens {
            host: "10.0.0.1".into(),
            original_host: "web".into(),
            port: 2222,
            remote_user: "alice".into(),
            host_key_alias: "web".into(),
        }
    }

    #[test]
    fn expands_proxy_tokens() {
        assert_eq!(
            percent("nc %h %p # %r@%n 100%%", &tokens(), PROXY_TOKENS).unwrap(),
            "nc 10.0.0.1 2222 # alice@web 100%"
        );
        assert!(percent("nc %d", &tokens(), PROXY_TOKENS).is_err());
        assert!(percent("x%", &tokens(), PROXY_TOKENS).is_err());
    }

    #[test]
    fn expands_files() {
        let (_, home) = local_user();
        assert_eq!(file("~/.ssh/id_%r", &tokens()).unwrap(), home.join(".ssh/id_alice"));
        assert_eq!(file("%d/k", &tokens()).unwrap(), PathBuf::from(format!("{}/k", home.display())));
        assert_eq!(file("/abs/~x", &tokens()).unwrap(), PathBuf::from("/abs/~x"));
        assert_eq!(percent("%C", &tokens(), FILE_TOKENS).unwrap().len(), 40);
    }
}
