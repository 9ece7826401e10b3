//! Using a host as root through `sudo`: how a host name says so, and what a
//! connection that should become root carries for the layer that runs its
//! commands (`shell::sudo`): whom to ask for sudo's password and where the
//! password is kept once it worked (in memory, wiped when dropped).
//!
//! A host used as root is named with [`MARK`] after it (`web1 [sudo]`):
//! panes, jobs, the job journal and log lines carry that name, so every
//! place that shows a host shows that it is used as root, and a job queued
//! "as root" reaches the root connections of the pool (a [`super::HostConfig`]
//! with `sudo` set is another pool entry than the same host without).

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use zeroize::Zeroizing;

use super::credentials::Credentials;
use super::prompt::{PromptAnswer, Prompter, Question};

/// What follows a host's name when it is used as root.
pub const MARK: &str = " [sudo]";

/// `host` used as root (marked once, however often asked).
pub fn root_host(host: &str) -> String {
    let (plain, _) = split_root(host);
    format!("{plain}{MARK}")
}

/// The host's name without the mark, and whether it had it.
pub fn split_root(host: &str) -> (&str, bool) {
    match host.strip_suffix(MARK) {
        Some(plain) => (plain, true),
        None => (host, false),
    }
}

/// `host` as the user's own account: the mark removed.
pub fn plain_host(host: &str) -> &str {
    split_root(host).0
}

/// Set in a connection's facts when its host is used as root: the shell
/// layer wraps every command in `sudo` and asks for the password (once per
/// host: a password that worked is remembered for the pool's other
/// connections and reconnections).
pub struct RootWanted {
    host: String,
    user: String,
    prompter: Arc<dyn Prompter>,
    credentials: Arc<Credentials>,
    /// Passwords asked on this connection so far.
    asked: AtomicU32,
}

impl std::fmt::Debug for RootWanted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RootWanted").field("host", &self.host).field("user", &self.user).finish()
    }
}

impl RootWanted {
    pub(crate) fn new(
        host: String,
        user: String,
        prompter: Arc<dyn Prompter>,
        credentials: Arc<Credentials>,
    ) -> Self {
        RootWanted { host, user, prompter, credentials, asked: AtomicU32::new(0) }
    }

    /// The host as named in messages.
    pub fn host(&self) -> &str {
        &self.host
    }

    fn account(&self) -> String {
        format!("sudo:{}@{}", self.user, self.host)
    }

    /// Waits for this connection's turn to find out what sudo needs (one
    /// connection of a host at a time: the others then find the password
    /// remembered).
    pub fn turn(&self) -> std::sync::MutexGuard<'_, ()> {
        self.credentials.sudo_turn()
    }

    /// The password for sudo: the one remembered for the host, otherwise
    /// asked (once per call). `None` when the user cancelled (or cannot be
    /// asked).
    pub fn password(&self) -> Option<Zeroizing<String>> {
        if let Some(known) = self.credentials.password(&self.account()) {
            return Some(known);
        }
        let attempt = self.asked.fetch_add(1, Ordering::Relaxed) + 1;
        let question = Question::SudoPassword { host: self.host.clone(), user: self.user.clone(), attempt };
        match self.prompter.ask(&question) {
            PromptAnswer::Secret(secret) => Some(Zeroizing::new(secret)),
            _ => None,
        }
    }

    /// Keeps a password sudo took, for the host's other connections.
    pub fn remember(&self, password: &str) {
        self.credentials.remember_password(&self.account(), password);
    }

    /// Forgets a password sudo refused.
    pub fn forget(&self) {
        self.credentials.forget_password(&self.account());
    }
}

/// Makes every later command on `link`'s connection run as root (for a
/// connection made outside the pool, as `scpdeck ls` makes one).
pub fn become_root(
    link: super::Link<'_>,
    config: &super::HostConfig,
    prompter: Arc<dyn Prompter>,
    credentials: Arc<Credentials>,
) {
    let wanted = RootWanted::new(config.plain_label_for_sudo(), config.user.clone(), prompter, credentials);
    link.facts().set(wanted);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mark_is_added_once_and_split_off() {
        assert_eq!(root_host("web1"), "web1 [sudo]");
        assert_eq!(root_host("web1 [sudo]"), "web1 [sudo]");
        assert_eq!(split_root("alice@web1:2222 [sudo]"), ("alice@web1:2222", true));
        assert_eq!(split_root("web1"), ("web1", false));
        assert_eq!(plain_host("web1 [sudo]"), "web1");
    }
}
