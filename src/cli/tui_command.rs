//! `scpdeck [LEFT] [RIGHT]`: the interactive commander.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use jiff::tz::TimeZone;

use super::args::Cli;
use crate::app::State;
use crate::text::escape_str;
use crate::tui::{self, TerminalGuard};

/// Starts the full-screen interface and returns the process exit code.
pub fn run_tui(cli: Cli) -> ExitCode {
    let (left, right) = match initial_dirs(&cli) {
        Ok(dirs) => dirs,
        Err(message) => {
            eprintln!("scpdeck: {message}");
            return ExitCode::from(2);
        }
    };
    let state = State::new(left, right, TimeZone::system());
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("scpdeck: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        let mut guard = TerminalGuard::enter()?;
        tui::run(guard.terminal(), state).await
    });
    // The guard has restored the terminal by now; errors print on a clean screen.
    match result {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("scpdeck: {}", escape_str(&e.to_string()));
            ExitCode::FAILURE
        }
    }
}

fn initial_dirs(cli: &Cli) -> Result<(PathBuf, PathBuf), String> {
    let cwd = std::env::current_dir().map_err(|e| format!("cannot read the current directory: {e}"))?;
    let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(|| cwd.clone());
    let left = absolute_dir(cli.left.as_deref().unwrap_or(&cwd), &cwd)?;
    let right = absolute_dir(cli.right.as_deref().unwrap_or(&home), &cwd)?;
    Ok((left, right))
}

fn absolute_dir(path: &Path, cwd: &Path) -> Result<PathBuf, String> {
    let full = cwd.join(path);
    let shown = escape_str(&full.to_string_lossy());
    match std::fs::metadata(&full) {
        Ok(meta) if meta.is_dir() => Ok(full.canonicalize().unwrap_or(full)),
        Ok(_) => Err(format!("{shown} is not a directory")),
        Err(e) => Err(format!("cannot open {shown}: {e}")),
    }
}
