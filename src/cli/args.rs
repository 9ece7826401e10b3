//! The command line, defined with clap.

use std::path::PathBuf;

use clap::Parser;

/// A terminal file commander for SSH hosts: two panes, keyboard browsing, and
/// fast parallel copies with the SCP protocol.
#[derive(Debug, Parser)]
#[command(name = "scpdeck", version, about)]
pub struct Cli {
    /// Directory for the left pane (default: the current directory).
    pub left: Option<PathBuf>,

    /// Directory for the right pane (default: your home directory).
    pub right: Option<PathBuf>,
}
