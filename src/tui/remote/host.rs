//! One remote host as the panes see it: the pool's browsing connection
//! (an actor thread owning the session) and the host's probed capabilities.

use std::sync::{Arc, Mutex};

use crate::fs::remote::{Capabilities, Remote};
use crate::ssh::{Actor, HostConfig};
use crate::text::escape_str;

pub struct HostHandle {
    pub config: HostConfig,
    actor: Actor,
    caps: Arc<Mutex<Option<Arc<Capabilities>>>>,
}

impl HostHandle {
    pub fn new(config: HostConfig, actor: Actor) -> Self {
        HostHandle { config, actor, caps: Arc::new(Mutex::new(None)) }
    }

    /// Runs `job` on the connection's thread (connecting, and probing the
    /// host once, when needed). Blocks the calling thread, never the UI.
    pub fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce(Remote<'_>) -> Result<T, String> + Send + 'static,
    ) -> Result<T, String> {
        let cache = Arc::clone(&self.caps);
        let result = self.actor.run(move |session| {
            let known = cache.lock().unwrap_or_else(|p| p.into_inner()).clone();
            let caps = match known {
                Some(caps) => caps,
                None => {
                    let caps = Arc::new(Capabilities::probe(session).map_err(|e| e.to_string())?);
                    *cache.lock().unwrap_or_else(|p| p.into_inner()) = Some(Arc::clone(&caps));
                    caps
                }
            };
            job(Remote::new(session, &caps))
        });
        result.map_err(|e| escape_str(&e.to_string()))?
    }

    /// Connects now (asking the user's questions) without running anything.
    pub fn connect(&self) -> Result<(), String> {
        self.actor.connect().map_err(|e| escape_str(&e.to_string()))
    }
}
