//! Application state and the pure `update` function (no I/O here).

pub mod compare;
pub mod dialog;
mod effect;
mod filter;
pub mod help;
mod history;
mod jobs;
pub mod layout;
mod menu;
mod messages;
mod msg;
mod pane;
mod side;
mod sort;
mod state;
mod target;
mod update;
mod work_error;

pub use dialog::Dialog;
pub use effect::Effect;
pub use history::{History, Nav};
pub use jobs::{JobsUi, Panel};
pub use menu::MENU;
pub use messages::{Messages, Note, Status, Subject};
pub use msg::{Msg, Op};
pub use pane::{FreeSpace, Pane, Pending, Received};
pub use side::Side;
pub use sort::{Sort, sort_indices};
pub use state::{Connecting, State};
pub use target::Target;
pub use update::{act, open_target, reload, start, update};
pub use work_error::WorkError;
