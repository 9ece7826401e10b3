//! Command-line interface.

mod args;
mod connect_args;
mod ls_command;
mod ls_format;
mod tui_command;

pub use args::{Cli, Commands, LsArgs};
pub use connect_args::ConnectArgs;
pub use ls_command::run_ls;
pub use tui_command::run_tui;
