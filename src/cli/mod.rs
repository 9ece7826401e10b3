//! Command-line interface.

mod args;
mod connect_args;
mod cp_console;
mod cp_plan;
pub mod operand;
mod tui_command;

pub use args::Cli;
pub use connect_args::ConnectArgs;
pub use tui_command::run_tui;
