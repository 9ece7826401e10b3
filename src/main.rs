#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::ExitCode;

use clap::Parser;
use scpdeck::cli::{Cli, Commands, run_cp, run_ls, run_tui};

fn main() -> ExitCode {
    let mut cli = Cli::parse();
    match cli.command.take() {
        Some(Commands::Cp(args)) => run_cp(args),
        Some(Commands::Ls(args)) => run_ls(args),
        None => run_tui(cli),
    }
}
