//! Command-line interface.

mod args;
mod tui_command;

pub use args::Cli;
pub use tui_command::run_tui;
