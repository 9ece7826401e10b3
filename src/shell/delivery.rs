//! How framed scripts reach the remote `sh` on one connection, and the one
//! place that remembers it.
//!
//! Exec functions only get a `&Session`, so what was learned is kept in a
//! small registry keyed by the session's address and host key. An entry
//! outlived by its session (a new session at the same address, to the same
//! host) costs at most a retry or a slower start, never correctness: the
//! profile that decided it belongs to the same host. When hosts get a service
//! of their own, [`recall`] and [`learn`] move there.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{LazyLock, Mutex, PoisonError};

use ssh2::Session;

/// How a script is delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Nothing learned yet on this connection.
    Unknown,
    /// `sh` is exec'd and the script written at once (the fast path).
    Pipelined,
    /// The login profile reads standard input: the bootstrap runs first and
    /// the script follows its ready marker ([`super::bootstrap`]). `lines`:
    /// how many empty lines the profile read last time, fed at once.
    Careful { lines: u32 },
}

/// Most connections a process holds at once is far below this; past it the
/// registry starts over (forgetting costs only speed).
const CAPACITY: usize = 1024;

type Key = (usize, u64);

static BOOK: LazyLock<Mutex<HashMap<Key, Delivery>>> = LazyLock::new(Mutex::default);

fn key(session: &Session) -> Key {
    let mut hasher = DefaultHasher::new();
    session.host_key().map(|(bytes, _)| bytes).hash(&mut hasher);
    let address = &*session.raw() as *const _ as usize;
    (address, hasher.finish())
}

/// What is known about `session`.
pub fn recall(session: &Session) -> Delivery {
    let book = BOOK.lock().unwrap_or_else(PoisonError::into_inner);
    book.get(&key(session)).copied().unwrap_or(Delivery::Unknown)
}

/// Remembers how scripts reach the shell on `session`.
pub fn learn(session: &Session, delivery: Delivery) {
    let mut book = BOOK.lock().unwrap_or_else(PoisonError::into_inner);
    if book.len() >= CAPACITY {
        book.clear();
    }
    book.insert(key(session), delivery);
}
