//! What every layer above talks to a host through: the session, a
//! descriptor of the socket under it to poll, and the knowledge gathered
//! about the connection ([`Facts`]: how its login shell takes scripts,
//! whether it allows a second channel, the host's probed file system).
//! That knowledge lives as long as the connection: a reconnect starts
//! afresh, and no global registry keeps it.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::sync::{Arc, Mutex, PoisonError};

use ssh2::Session;

/// Knowledge about one connection, one value per type, each set by the
/// layer that owns the type.
#[derive(Default)]
pub struct Facts {
    map: Mutex<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>,
}

impl std::fmt::Debug for Facts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let known = self.map.lock().unwrap_or_else(PoisonError::into_inner).len();
        f.debug_struct("Facts").field("known", &known).finish()
    }
}

impl Facts {
    /// The value of type `T`, if one was set.
    pub fn get<T: Any + Send + Sync>(&self) -> Option<Arc<T>> {
        let map = self.map.lock().unwrap_or_else(PoisonError::into_inner);
        map.get(&TypeId::of::<T>()).cloned().and_then(|v| v.downcast::<T>().ok())
    }

    /// Sets (or replaces) the value of type `T`.
    pub fn set<T: Any + Send + Sync>(&self, value: T) -> Arc<T> {
        let value = Arc::new(value);
        let stored: Arc<dyn Any + Send + Sync> = value.clone();
        self.map.lock().unwrap_or_else(PoisonError::into_inner).insert(TypeId::of::<T>(), stored);
        value
    }

    /// The value of type `T`, made by `init` the first time. `init` runs
    /// without the lock held (it may talk to the host), so two callers may
    /// both run it; the first to finish wins.
    pub fn get_or_try_init<T: Any + Send + Sync, E>(
        &self,
        init: impl FnOnce() -> Result<T, E>,
    ) -> Result<Arc<T>, E> {
        if let Some(known) = self.get::<T>() {
            return Ok(known);
        }
        let made = init()?;
        let mut map = self.map.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(first) = map.get(&TypeId::of::<T>()).cloned().and_then(|v| v.downcast::<T>().ok()) {
            return Ok(first);
        }
        let value = Arc::new(made);
        map.insert(TypeId::of::<T>(), value.clone());
        Ok(value)
    }
}

/// A session with its socket and its connection's [`Facts`]. Cheap to copy;
/// use it on the thread that owns the session.
#[derive(Clone, Copy)]
pub struct Link<'a> {
    session: &'a Session,
    socket: BorrowedFd<'a>,
    facts: &'a Arc<Facts>,
}

impl<'a> Link<'a> {
    pub fn new(session: &'a Session, socket: BorrowedFd<'a>, facts: &'a Arc<Facts>) -> Self {
        Link { session, socket, facts }
    }

    /// An owned handle on the same connection (the session shares libssh2's
    /// state, the socket is duplicated, the facts shared), to lend the
    /// connection to another thread while its owner waits.
    pub fn to_owned(&self) -> std::io::Result<OwnedLink> {
        Ok(OwnedLink {
            session: self.session.clone(),
            socket: self.socket.try_clone_to_owned()?,
            facts: Arc::clone(self.facts),
        })
    }

    pub fn session(&self) -> &'a Session {
        self.session
    }

    /// The socket under the session (a duplicate the connection owns), to
    /// poll for readiness and set socket options on.
    pub fn socket(&self) -> BorrowedFd<'a> {
        self.socket
    }

    pub fn facts(&self) -> &'a Facts {
        self.facts
    }
}

impl std::ops::Deref for Link<'_> {
    type Target = Session;

    fn deref(&self) -> &Session {
        self.session
    }
}

/// A [`Link`]'s parts, owned: a connection lent to another thread, or a
/// session made outside the connection layer (tests, benchmarks).
pub struct OwnedLink {
    pub session: Session,
    socket: OwnedFd,
    facts: Arc<Facts>,
}

impl OwnedLink {
    /// A session of its own; `socket` is the stream it runs over (it is
    /// duplicated).
    pub fn new(session: Session, socket: &impl AsFd) -> std::io::Result<Self> {
        Ok(OwnedLink { session, socket: socket.as_fd().try_clone_to_owned()?, facts: Arc::default() })
    }

    pub fn link(&self) -> Link<'_> {
        Link::new(&self.session, self.socket.as_fd(), &self.facts)
    }
}

impl std::ops::Deref for OwnedLink {
    type Target = Session;

    fn deref(&self) -> &Session {
        &self.session
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_value_per_type_made_once() {
        let facts = Facts::default();
        assert!(facts.get::<u32>().is_none());
        let made = facts.get_or_try_init(|| Ok::<_, ()>(7u32)).unwrap();
        assert_eq!(*made, 7);
        let again = facts.get_or_try_init(|| Err::<u32, _>("not called")).unwrap();
        assert_eq!(*again, 7);
        facts.set(String::from("x"));
        assert_eq!(facts.get::<String>().as_deref().map(String::as_str), Some("x"));
        facts.set(9u32);
        assert_eq!(facts.get::<u32>().map(|v| *v), Some(9));
        assert!(facts.get_or_try_init(|| Err::<u64, _>("refused")).is_err());
        assert!(facts.get::<u64>().is_none());
    }
}
