//! Command-line interface.

mod args;
mod color;
mod completions;
mod connect_args;
mod cp_ask;
mod cp_command;
mod cp_console;
mod cp_expand;
mod cp_jobs;
mod cp_resume;
mod error;
mod exit_status;
mod jobs_run;
mod ls_command;
mod ls_format;
mod man_page;
mod markdown_roff;
pub mod operand;
mod printer;
mod small_commands;
mod sync_command;
mod sync_ends;
mod sync_format;
mod tui_command;

pub use args::{Cli, Commands, GlobalArgs, LsArgs};
pub use color::ColorWhen;
pub use connect_args::ConnectArgs;
pub use cp_command::{CpArgs, run_cp};
pub use error::CliError;
pub use exit_status::Status;
pub use ls_command::run_ls;
pub use small_commands::{run_complete_hosts, run_completions, run_man};
pub use sync_command::{SyncArgs, run_sync};
pub use tui_command::run_tui;
