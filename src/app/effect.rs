//! Effects: work that `update` asks for and the runtime carries out off the
//! UI thread. Each result comes back as a [`super::Msg`].

use super::side::Side;
use crate::fs::Location;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// List a directory for a pane; the result is `Msg::Listed` with the same
    /// generation.
    List { side: Side, generation: u64, location: Location },
}
