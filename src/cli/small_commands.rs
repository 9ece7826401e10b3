//! `scpdeck completions`, `scpdeck man` and `scpdeck complete-hosts`:
//! commands that print something and end.

use std::io::{self, Write};
use std::process::ExitCode;

use super::args::{CompleteHostsArgs, CompletionsArgs};
use super::exit_status::Status;
use super::printer::Printer;
use super::{completions, man_page};
use crate::ssh::host_aliases;

pub fn run_completions(args: CompletionsArgs) -> ExitCode {
    written(completions::write(args.shell, &mut io::stdout().lock()))
}

pub fn run_man() -> ExitCode {
    written(man_page::write(&mut io::stdout().lock()))
}

/// Host aliases for completion. Quiet on errors: a completion must never
/// print into the command line being typed.
pub fn run_complete_hosts(args: CompleteHostsArgs) -> ExitCode {
    let Ok(aliases) = host_aliases(args.config_file.as_deref()) else { return Status::Failed.into() };
    let mut out = io::stdout().lock();
    written(aliases.iter().try_for_each(|alias| writeln!(out, "{alias}")))
}

fn written(result: io::Result<()>) -> ExitCode {
    match result {
        Ok(()) => Status::Success.into(),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Status::Success.into(),
        Err(e) => {
            Printer::new(false).error(&format!("cannot write: {e}"));
            Status::Failed.into()
        }
    }
}
