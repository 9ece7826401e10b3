#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::ExitCode;

use clap::Parser;
use scpdeck::cli::{Cli, run_tui};

fn main() -> ExitCode {
    run_tui(Cli::parse())
}
