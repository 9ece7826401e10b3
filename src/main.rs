#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::ExitCode;

use scpdeck::cli::{Cli, Commands, run_complete_hosts, run_completions, run_cp, run_ls, run_man, run_tui};

fn main() -> ExitCode {
    let mut cli = Cli::from_env();
    match cli.command.take() {
        Some(Commands::Cp(args)) => run_cp(args),
        Some(Commands::Ls(args)) => run_ls(args),
        Some(Commands::Completions(args)) => run_completions(args),
        Some(Commands::Man) => run_man(),
        Some(Commands::CompleteHosts(args)) => run_complete_hosts(args),
        None => run_tui(cli),
    }
}
