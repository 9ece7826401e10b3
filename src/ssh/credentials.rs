//! Secrets that worked, kept in memory for later connections to the same
//! host (the pool opens several, and reconnects), so a password is typed once
//! per host rather than once per transfer. Wiped from memory when dropped.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use zeroize::Zeroizing;

#[derive(Debug, Default)]
struct Secrets {
    /// By `user@host:port`.
    passwords: HashMap<String, Zeroizing<String>>,
    /// By key file.
    passphrases: HashMap<PathBuf, Zeroizing<String>>,
}

/// Remembered passwords (per user and host) and key passphrases (per file).
#[derive(Debug, Default)]
pub struct Credentials {
    secrets: Mutex<Secrets>,
    /// One connection at a time finds out what sudo needs (see
    /// `shell::sudo`), so the others take the password it remembered
    /// instead of asking again.
    sudo_turn: Mutex<()>,
}

impl Credentials {
    pub fn new() -> Credentials {
        Credentials::default()
    }

    fn with<T>(&self, f: impl FnOnce(&mut Secrets) -> T) -> T {
        let mut guard = self.secrets.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut guard)
    }

    pub fn password(&self, account: &str) -> Option<Zeroizing<String>> {
        self.with(|s| s.passwords.get(account).cloned())
    }

    pub fn remember_password(&self, account: &str, password: &str) {
        self.with(|s| s.passwords.insert(account.to_owned(), Zeroizing::new(password.to_owned())));
    }

    pub fn forget_password(&self, account: &str) {
        self.with(|s| s.passwords.remove(account));
    }

    /// Waits for this process's turn to ask for (and check) a sudo
    /// password.
    pub fn sudo_turn(&self) -> std::sync::MutexGuard<'_, ()> {
        self.sudo_turn.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn passphrase(&self, key: &Path) -> Option<Zeroizing<String>> {
        self.with(|s| s.passphrases.get(key).cloned())
    }

    pub fn remember_passphrase(&self, key: &Path, passphrase: &str) {
        self.with(|s| s.passphrases.insert(key.to_path_buf(), Zeroizing::new(passphrase.to_owned())));
    }

    pub fn forget_passphrase(&self, key: &Path) {
        self.with(|s| s.passphrases.remove(key));
    }
}
