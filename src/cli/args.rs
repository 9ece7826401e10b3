//! The command line, defined with clap.

use std::ffi::OsString;

use clap::{Parser, Subcommand};

use super::connect_args::ConnectArgs;
use super::cp_command::CpArgs;

/// A terminal file commander for SSH hosts: two panes, keyboard browsing, and
/// fast parallel copies with the SCP protocol.
#[derive(Debug, Parser)]
#[command(name = "scpdeck", version, about, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Commands>,

    /// Left pane: a local directory or [user@]host[:path] (default: the current directory).
    pub left: Option<String>,

    /// Right pane: a local directory or [user@]host[:path] (default: your home directory).
    pub right: Option<String>,

    /// Colour theme: default, light, high-contrast, gruvbox, or a theme in the config dir.
    #[arg(long)]
    pub theme: Option<String>,

    /// How remote panes connect (as for `scpdeck cp`).
    #[command(flatten)]
    pub connect: ConnectArgs,
}

/// Scriptable commands (without one, the full-screen commander starts).
#[derive(Debug, Subcommand)]
pub enum Commands {
    /// Copy files to, from and between SSH hosts, with scp's syntax.
    Cp(CpArgs),
    /// List a local or remote directory exactly (names as they are, control
    /// characters escaped).
    Ls(LsArgs),
}

/// `scpdeck ls [-l] [-a] [--json] [connection options] [user@]host[:path]`.
#[derive(Debug, clap::Args)]
pub struct LsArgs {
    /// Long listing: mode, owner, group, size, modification time, name.
    #[arg(short = 'l')]
    pub long: bool,

    /// Include entries whose names start with a dot.
    #[arg(short = 'a')]
    pub all: bool,

    /// One JSON object per line and entry: name, kind, size, mode, mtime,
    /// owner, group, and target for symlinks.
    #[arg(long)]
    pub json: bool,

    #[command(flatten)]
    pub connect: ConnectArgs,

    /// `[user@]host:[path]` (a path relative to the remote home; `host:`
    /// alone is the home), or a local path.
    pub target: OsString,
}
