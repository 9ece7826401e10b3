//! The command line, defined with clap.

use std::ffi::OsString;

use clap::{ArgAction, CommandFactory, FromArgMatches, Parser, Subcommand};

use super::color::ColorWhen;
use super::connect_args::ConnectArgs;
use super::cp_command::CpArgs;
use super::sync_command::SyncArgs;

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

    #[command(flatten)]
    pub global: GlobalArgs,

    /// How remote panes connect (as for `scpdeck cp`).
    #[command(flatten)]
    pub connect: ConnectArgs,
}

/// Options the commander, `cp` and `ls` take (after the command's name).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::Args)]
pub struct GlobalArgs {
    /// Verbose: -v shows the connection steps and what each host offers,
    /// -vv also each remote command and its exit status, -vvv also the SCP
    /// protocol records. Never passwords, passphrases or keys.
    #[arg(short = 'v', action = ArgAction::Count, display_order = 100)]
    pub verbose: u8,

    /// Colour on standard error (and in the commander): auto (on a terminal,
    /// unless NO_COLOR is set), always, never.
    #[arg(long, value_name = "WHEN", value_enum, default_value_t, display_order = 101)]
    pub color: ColorWhen,
}

/// Scriptable commands (without one, the full-screen commander starts).
#[derive(Debug, Subcommand)]
pub enum Commands {
    /// Copy files to, from and between SSH hosts, with scp's syntax.
    Cp(CpArgs),
    /// Make a directory like another (copy what is missing or different,
    /// --delete extras), local or on SSH hosts; --dry-run shows the plan.
    Sync(SyncArgs),
    /// List a local or remote directory exactly (names as they are, control
    /// characters escaped).
    Ls(LsArgs),
    /// Print a completion script for bash, zsh or fish (host names come
    /// from your ssh_config).
    Completions(CompletionsArgs),
    /// Print the manual page (roff), e.g. `scpdeck man | man -l -`.
    Man,
    /// Print the host aliases of ssh_config, one per line (for completion).
    #[command(name = "complete-hosts", hide = true)]
    CompleteHosts(CompleteHostsArgs),
}

/// `scpdeck ls [-l] [-a] [--json] [connection options] [user@]host[:path]`.
#[derive(Debug, clap::Args)]
#[command(after_help = LS_EXAMPLES)]
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

    /// List as root through sudo: without a password where sudo allows it,
    /// otherwise sudo's password is asked on the terminal (never echoed,
    /// never stored).
    #[arg(long)]
    pub sudo: bool,

    #[command(flatten)]
    pub connect: ConnectArgs,

    #[command(flatten)]
    pub global: GlobalArgs,

    /// `[user@]host:[path]` (a path relative to the remote home; `host:`
    /// alone is the home), or a local path.
    pub target: OsString,
}

const LS_EXAMPLES: &str = "\
Examples:
  scpdeck ls web1:                 your home directory on web1
  scpdeck ls -la web1:/var/log     every entry, long format
  scpdeck ls --json bob@web1:src   one JSON object per entry";

/// `scpdeck completions SHELL`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Install (see README.md):\n  \
    bash: scpdeck completions bash > ~/.local/share/bash-completion/completions/scpdeck\n  \
    zsh:  scpdeck completions zsh > ~/.zfunc/_scpdeck   (with fpath+=(~/.zfunc) before compinit)\n  \
    fish: scpdeck completions fish > ~/.config/fish/completions/scpdeck.fish")]
pub struct CompletionsArgs {
    #[arg(value_enum)]
    pub shell: super::completions::Shell,
}

/// `scpdeck complete-hosts [-F FILE]`.
#[derive(Debug, clap::Args)]
pub struct CompleteHostsArgs {
    /// Read this ssh_config instead of ~/.ssh/config.
    #[arg(short = 'F', value_name = "FILE")]
    pub config_file: Option<std::path::PathBuf>,
}

impl Cli {
    /// Parses the process's arguments; clap's help and errors are coloured
    /// as `--color` says, and usage errors exit with status 2.
    pub fn from_env() -> Cli {
        let args: Vec<OsString> = std::env::args_os().collect();
        let color = ColorWhen::from_args(&args);
        let matches = Cli::command().color(color.clap()).get_matches_from(args);
        Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
    }
}
