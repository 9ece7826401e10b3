//! Carries out effects off the UI thread and sends their results back as
//! messages.

use tokio::sync::mpsc::UnboundedSender;

use crate::app::{Effect, Msg};
use crate::fs::{Location, local};

#[derive(Clone)]
pub struct Executor {
    tx: UnboundedSender<Msg>,
}

impl Executor {
    pub fn new(tx: UnboundedSender<Msg>) -> Self {
        Self { tx }
    }

    pub fn run(&self, effect: Effect) {
        match effect {
            Effect::List { side, generation, location } => {
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || {
                    let result = list(&location);
                    // The receiver is gone only when the app is quitting.
                    let _ = tx.send(Msg::Listed { side, generation, result });
                });
            }
        }
    }
}

fn list(location: &Location) -> Result<Vec<crate::fs::Entry>, String> {
    match location {
        Location::Local(path) => local::list(path)
            .map_err(|e| format!("cannot list {location}: {}", crate::text::escape_str(&e.to_string()))),
        Location::Remote { .. } => Err(format!("cannot list {location}: remote panes are not available yet")),
    }
}
