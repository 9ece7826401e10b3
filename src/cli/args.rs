//! The command line, defined with clap.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use super::cp_command::CpArgs;

/// A terminal file commander for SSH hosts: two panes, keyboard browsing, and
/// fast parallel copies with the SCP protocol.
#[derive(Debug, Parser)]
#[command(name = "scpdeck", version, about, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Directory for the left pane (default: the current directory).
    pub left: Option<PathBuf>,

    /// Directory for the right pane (default: your home directory).
    pub right: Option<PathBuf>,
}

/// Commands besides the commander itself.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Copy files to, from and between SSH hosts, with scp's syntax.
    Cp(CpArgs),
}
