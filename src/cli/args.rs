//! The command line, defined with clap.

use clap::Parser;

/// A terminal file commander for SSH hosts: two panes, keyboard browsing, and
/// fast parallel copies with the SCP protocol.
#[derive(Debug, Parser)]
#[command(name = "scpdeck", version, about)]
pub struct Cli {
    /// Left pane: a local directory or [user@]host[:path] (default: the current directory).
    pub left: Option<String>,

    /// Right pane: a local directory or [user@]host[:path] (default: your home directory).
    pub right: Option<String>,

    /// Colour theme: default, light, high-contrast, gruvbox, or a theme in the config dir.
    #[arg(long)]
    pub theme: Option<String>,
}
