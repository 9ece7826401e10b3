//! `scpdeck [LEFT] [RIGHT]`: the interactive commander.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use jiff::tz::TimeZone;

use super::args::Cli;
use super::error::CliError;
use super::exit_status::Status;
use super::printer::{Printer, Tone};
use crate::app::layout::{MIN_HEIGHT, MIN_WIDTH};
use crate::app::{self, Effect, Side, State, Target};
use crate::config;
use crate::eventlog::verbose;
use crate::fs::Location;
use crate::text::escape_str;
use crate::tui::{self, TerminalGuard};

/// Starts the full-screen interface and returns the process exit status.
pub fn run_tui(cli: Cli) -> ExitCode {
    let printer = Printer::new(cli.global.color.for_stderr());
    match commander(cli, &printer) {
        Ok(()) => Status::Success.into(),
        Err(error) => {
            // The guard has restored the terminal by now; errors print on a clean screen.
            printer.error(&error.to_string());
            error.status().into()
        }
    }
}

fn commander(cli: Cli, printer: &Printer) -> Result<(), CliError> {
    let (state, initial) = initial_state(&cli)?;
    check_size(crossterm::terminal::size().ok())?;
    // -v goes to standard error when it is not the screen drawn on (e.g.
    // `scpdeck -vv 2>trace`), else into the log (alt-l, and the log file).
    let output = if std::io::stderr().is_terminal() {
        verbose::to_log()
    } else {
        let printer = printer.clone();
        Arc::new(move |line: &verbose::VerboseLine| printer.lines(Tone::Verbose, &line.shown()))
    };
    verbose::install(cli.global.verbose, output);
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(CliError::Runtime)?;
    let mouse = state.settings.mouse;
    let overrides = cli.connect.overrides();
    let result = runtime.block_on(async {
        let mut guard = TerminalGuard::enter(mouse)?;
        tui::run(guard.terminal(), state, initial, overrides).await
    });
    // Connection threads may still be blocked on the network: don't wait for them.
    runtime.shutdown_background();
    result.map(|_| ()).map_err(CliError::Terminal)
}

/// Refuses a terminal too small to draw the panes (an unknown size is
/// left to the terminal library, which fails clearly by itself).
fn check_size(size: Option<(u16, u16)>) -> Result<(), CliError> {
    match size {
        Some((width, height)) if width < MIN_WIDTH || height < MIN_HEIGHT => {
            Err(CliError::TerminalTooSmall { width, height, min_width: MIN_WIDTH, min_height: MIN_HEIGHT })
        }
        _ => Ok(()),
    }
}

/// The state for the command line, and the connections to open for remote panes.
fn initial_state(cli: &Cli) -> Result<(State, Vec<Effect>), CliError> {
    let cwd = std::env::current_dir().map_err(CliError::CurrentDir)?;
    let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(|| cwd.clone());
    let mut config = config::load(config::config_dir().as_deref(), cli.theme.as_deref());
    // The commander draws on a terminal: only NO_COLOR and --color decide.
    if !cli.global.color.decide(std::env::var_os("NO_COLOR").as_deref(), true) {
        config.theme = config.theme.without_color();
    }
    if config.settings.editor.trim().is_empty() {
        let from_env =
            ["VISUAL", "EDITOR"].iter().find_map(|v| std::env::var(v).ok().filter(|e| !e.trim().is_empty()));
        config.settings.editor = from_env.unwrap_or_default();
    }
    let parse = |t: &str| Target::parse(t, false);
    let targets = [cli.left.as_deref().map(parse).transpose()?, cli.right.as_deref().map(parse).transpose()?];
    // A remote pane shows a local directory until its connection is up.
    let local = |target: &Option<Target>, default: &Path| -> Result<PathBuf, CliError> {
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
    // The last directory on each host: state, kept beside the log.
    if let Some(dir) = crate::eventlog::default_log_dir() {
        let (dirs, problems) = config::load_recent_dirs(&dir);
        state.recent_dirs = dirs;
        state.state_dir = Some(dir);
        for problem in problems {
            state.error(problem.to_string());
        }
    }
    let mut initial = Vec::new();
    for (side, target) in [Side::Left, Side::Right].into_iter().zip(targets) {
        if let Some(target @ Target::Remote { .. }) = target {
            initial.extend(app::open_target(&mut state, side, target));
        }
    }
    Ok((state, initial))
}

fn absolute_dir(path: &Path, cwd: &Path) -> Result<PathBuf, CliError> {
    let full = cwd.join(path);
    let shown = escape_str(&full.to_string_lossy());
    match std::fs::metadata(&full) {
        Ok(meta) if meta.is_dir() => Ok(full.canonicalize().unwrap_or(full)),
        Ok(_) => Err(CliError::PaneNotADirectory { path: shown }),
        Err(source) => Err(CliError::PaneDirectory { path: shown, source }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn too_small_is_refused_with_both_sizes() {
        assert!(check_size(Some((MIN_WIDTH, MIN_HEIGHT))).is_ok());
        assert!(check_size(None).is_ok());
        let error = check_size(Some((MIN_WIDTH - 1, 40))).unwrap_err();
        assert_eq!(error.status(), Status::Failed);
        let text = error.to_string();
        assert!(text.contains(&format!("{}x40", MIN_WIDTH - 1)), "{text}");
        assert!(text.contains(&format!("{MIN_WIDTH}x{MIN_HEIGHT}")), "{text}");
        assert!(check_size(Some((200, MIN_HEIGHT - 1))).is_err());
    }
}
