//! The choices a user names in the keymap, `config.toml`, dialogs and on
//! the command line: actions, sort keys, overwrite policies, connection
//! limits, when the jobs panel opens. Plain enums and values with their names and labels; a leaf that
//! depends on no other module, so `config` (which reads them) and `app`,
//! `jobs` and `ui` (which act on them) never depend on each other for them.

mod action;
mod jobs_panel;
mod limits;
mod overwrite_policy;
mod sort_key;

pub use action::{Action, KeyContext};
pub use jobs_panel::JobsPanel;
pub use limits::Limits;
pub use overwrite_policy::OverwritePolicy;
pub use sort_key::SortKey;
