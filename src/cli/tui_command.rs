//! `scpdeck [LEFT] [RIGHT]`: the interactive commander.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use jiff::tz::TimeZone;

use super::args::Cli;
use crate::app::{self, Effect, Side, State, Target};
use crate::config;
use crate::fs::Location;
use crate::text::escape_str;
use crate::tui::{self, TerminalGuard};

/// Starts the full-screen interface and returns the process exit code.
pub fn run_tui(cli: Cli) -> ExitCode {
    let (state, initial) = match initial_state(&cli) {
        Ok(start) => start,
        Err(message) => {
            eprintln!("scpdeck: {message}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("scpdeck: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mouse = state.settings.mouse;
    let overrides = cli.connect.overrides();
    let result = runtime.block_on(async {
        let mut guard = TerminalGuard::enter(mouse)?;
        tui::run(guard.terminal(), state, initial, overrides).await
    });
    // Connection threads may still be blocked on the network: don't wait for them.
    runtime.shutdown_background();
    // The guard has restored the terminal by now; errors print on a clean screen.
    match result {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("scpdeck: {}", escape_str(&e.to_string()));
            ExitCode::FAILURE
        }
    }
}

/// The state for the command line, and the connections to open for remote panes.
fn initial_state(cli: &Cli) -> Result<(State, Vec<Effect>), String> {
    let cwd = std::env::current_dir().map_err(|e| format!("cannot read the current directory: {e}"))?;
    let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(|| cwd.clone());
    let mut config = config::load(config::config_dir().as_deref(), cli.theme.as_deref());
    if config.settings.editor.trim().is_empty() {
        let from_env =
            ["VISUAL", "EDITOR"].iter().find_map(|v| std::env::var(v).ok().filter(|e| !e.trim().is_empty()));
        config.settings.editor = from_env.unwrap_or_default();
    }
    let parse = |t: &str| Target::parse(t, false).map_err(|e| e.to_string());
    let targets = [cli.left.as_deref().map(parse).transpose()?, cli.right.as_deref().map(parse).transpose()?];
    // A remote pane shows a local directory until its connection is up.
    let local = |target: &Option<Target>, default: &Path| -> Result<PathBuf, String> {
        match target {
            Some(Target::Local(path)) => absolute_dir(path, &cwd),
            _ => Ok(default.to_path_buf()),
        }
    };
    let left = local(&targets[0], &cwd)?;
    let right = local(&targets[1], &home)?;
    let mut state =
        State::with_config(Location::Local(left), Location::Local(right), TimeZone::system(), config);
    state.home = home;
    let mut initial = Vec::new();
    for (side, target) in [Side::Left, Side::Right].into_iter().zip(targets) {
        if let Some(target @ Target::Remote { .. }) = target {
            initial.extend(app::open_target(&mut state, side, target));
        }
    }
    Ok((state, initial))
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
