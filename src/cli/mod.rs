//! Command-line interface.

mod args;
mod connect_args;
mod cp_ask;
mod cp_command;
mod cp_console;
mod cp_expand;
mod cp_jobs;
mod cp_resume;
mod ls_command;
mod ls_format;
pub mod operand;
mod tui_command;

pub use args::{Cli, Commands, LsArgs};
pub use connect_args::ConnectArgs;
pub use cp_command::{CpArgs, run_cp};
pub use ls_command::run_ls;
pub use tui_command::run_tui;
