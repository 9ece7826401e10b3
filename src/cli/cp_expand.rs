//! What scp's remote shell does to a remote operand before anything is
//! copied: `~NAME/…` becomes that user's home, and a source with a glob
//! pattern (`host:'logs/*.gz'`) becomes the files it matches. Done once per
//! such operand, over the host's browsing connection, with the pattern quoted
//! so that nothing but globbing happens there (`shell::quote_pattern`).

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::PathBuf;

use super::error::CliError;
use super::operand::{Operand, RemotePath};
use crate::fs::{FileSystem, RemoteFs};
use crate::shell::{is_pattern, split_tilde};
use crate::ssh::{Overrides, Pool, Resolver};
use crate::text::escape_bytes;

/// Whether the remote shell has something to do with this path.
fn needs_shell(path: &[u8], source: bool) -> bool {
    let home_of_other = split_tilde(path).is_some_and(|(home, _)| home.len() > 1);
    home_of_other || (source && is_pattern(path))
}

/// The operands with remote homes and patterns expanded; the errors of
/// those that match nothing or cannot be expanded.
pub(super) async fn expand(
    pool: &Pool,
    resolver: &Resolver,
    overrides: &Overrides,
    sources: Vec<Operand>,
    target: Operand,
) -> (Vec<Operand>, Operand, Vec<CliError>) {
    let mut errors = Vec::new();
    let mut expanded = Vec::new();
    for source in sources {
        match source {
            Operand::Remote(remote) if needs_shell(remote.path.as_bytes(), true) => {
                match expand_one(pool, resolver, overrides, &remote, true).await {
                    Ok(paths) => expanded.extend(
                        paths.into_iter().map(|path| Operand::Remote(RemotePath { path, ..remote.clone() })),
                    ),
                    Err(e) => errors.push(e),
                }
            }
            other => expanded.push(other),
        }
    }
    let target = match target {
        Operand::Remote(remote) if needs_shell(remote.path.as_bytes(), false) => {
            match expand_one(pool, resolver, overrides, &remote, false).await {
                Ok(mut paths) if paths.len() == 1 => {
                    let path = paths.remove(0);
                    Operand::Remote(RemotePath { path, ..remote })
                }
                Ok(_) => {
                    errors.push(CliError::TargetNotOnePath { operand: shown(&remote) });
                    Operand::Remote(remote)
                }
                Err(e) => {
                    errors.push(e);
                    Operand::Remote(remote)
                }
            }
        }
        other => other,
    };
    (expanded, target, errors)
}

fn shown(remote: &RemotePath) -> String {
    format!("{}:{}", remote.destination(), escape_bytes(remote.path.as_bytes()))
}

/// Asks the host's shell for what `remote.path` names (`FileSystem::expand`).
/// A target is not a pattern: only its home directory is expanded.
async fn expand_one(
    pool: &Pool,
    resolver: &Resolver,
    overrides: &Overrides,
    remote: &RemotePath,
    source: bool,
) -> Result<Vec<OsString>, CliError> {
    let whole = remote.path.as_bytes();
    let (asked, rest): (&[u8], &[u8]) = match split_tilde(whole) {
        Some((home, rest)) if !source => (home, rest),
        _ => (whole, b""),
    };
    let path = PathBuf::from(OsStr::from_bytes(asked));
    let (resolver, overrides, host) = (resolver.clone(), overrides.clone(), remote.destination());
    let config = tokio::task::spawn_blocking(move || resolver.resolve_str(&host, &overrides))
        .await
        .map_err(|e| CliError::Runtime(std::io::Error::other(e)))??;
    let actor = pool.browser(&config)?;
    let expanded = actor
        .run_async(move |link| RemoteFs::open(link).and_then(|fs| fs.expand(&path)))
        .await?
        .map_err(|source| CliError::Expand { operand: shown(remote), source: Box::new(source) })?;
    Ok(expanded
        .into_iter()
        .map(|found| {
            let mut joined = found.into_os_string().into_vec();
            joined.extend_from_slice(rest);
            OsString::from_vec(joined)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_the_remote_shell_expands() {
        assert!(needs_shell(b"~alice/x", true));
        assert!(needs_shell(b"~alice", false));
        assert!(!needs_shell(b"~/x", true), "the user's own home is the starting directory");
        assert!(needs_shell(b"logs/*.gz", true));
        assert!(!needs_shell(b"logs/*.gz", false), "a target is not a pattern");
        assert!(!needs_shell(b"plain/path", true));
    }
}
