//! Application state and the pure `update` function (no I/O here).

mod action;
mod effect;
mod keys;
mod msg;
mod pane;
mod side;
mod state;
mod update;

pub use action::Action;
pub use effect::Effect;
pub use keys::action_for;
pub use msg::Msg;
pub use pane::{Pane, Pending, sort_entries};
pub use side::Side;
pub use state::State;
pub use update::{act, reload, start, update};
