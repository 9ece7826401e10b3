//! `scpdeck cp`: scp's command line on top of the SCP engine.

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;
use std::process::ExitCode;

use super::cp_console::Console;
use super::cp_plan::{Step, plan};
use super::operand::{Operand, RemotePath, parse};
use crate::scp::{self, CancelToken, DownloadRequest, Options, RelayRequest, Summary, UploadRequest};
use crate::text::escape_bytes;

/// Copy files to, from and between SSH hosts with the SCP protocol.
///
/// Operands are local paths or `[user@]host:path` (`[user@][addr]:path` for
/// IPv6); a colon after a slash is part of a local path. Several sources go
/// into a directory. Remote to remote copies go through this machine.
#[derive(Debug, clap::Args)]
pub struct CpArgs {
    /// Copy directories recursively.
    #[arg(short = 'r')]
    pub recursive: bool,
    /// Keep modification and access times and modes (including setuid and
    /// setgid bits, which are dropped otherwise).
    #[arg(short = 'p')]
    pub preserve: bool,
    /// Show no progress line.
    #[arg(short = 'q')]
    pub quiet: bool,
    /// Copy between two remote hosts through this machine (always the case;
    /// accepted for compatibility with scp).
    #[arg(short = '3')]
    pub through_local: bool,
    #[command(flatten)]
    pub connect: super::ConnectArgs,
    /// SOURCE... TARGET
    #[arg(required = true, num_args = 2.., value_name = "SOURCE... TARGET")]
    pub operands: Vec<OsString>,
}

/// Runs `scpdeck cp`. Exit status 0 only when every file was copied.
pub fn run_cp(args: CpArgs) -> ExitCode {
    let mut console = Console::new(args.quiet);
    let cancel = CancelToken::new();
    // Ctrl-C and friends cancel the transfer, so temporary files are removed
    // before the process ends.
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM, signal_hook::consts::SIGHUP] {
        let _ = signal_hook::flag::register(signal, cancel.flag());
    }
    if let Err(text) = cp(&args, &mut console, &cancel) {
        console.error(&text);
    }
    console.finish();
    if console.failed { ExitCode::from(1) } else { ExitCode::SUCCESS }
}

fn cp(args: &CpArgs, console: &mut Console, cancel: &CancelToken) -> Result<(), String> {
    let operands =
        args.operands.iter().map(|a| parse(a)).collect::<Result<Vec<_>, _>>().map_err(|e| e.to_string())?;
    let Some((target, sources)) = operands.split_last() else {
        return Err("missing SOURCE or TARGET".into());
    };
    let target = match target {
        // Sources from several places all go into one directory: make every
        // step require it, even one with a single source.
        Operand::Remote(r)
            if sources.len() > 1 && !r.path.as_bytes().ends_with(b"/") && !r.path.is_empty() =>
        {
            let mut path = r.path.clone();
            path.push("/");
            Operand::Remote(RemotePath { path, ..r.clone() })
        }
        Operand::Local(p) if sources.len() > 1 && !p.is_dir() => {
            return Err(format!("{}: not a directory", escape_bytes(p.as_os_str().as_bytes())));
        }
        other => other.clone(),
    };
    let options = Options { recursive: args.recursive, preserve: args.preserve };
    let mut sessions = super::cp_connect::Sessions::new(&args.connect);
    for step in plan(sources, &target) {
        if cancel.is_cancelled() {
            return Err("cancelled".into());
        }
        if let Err(text) = run_step(step, options, &mut sessions, console, cancel) {
            console.error(&text);
        }
    }
    Ok(())
}

fn run_step(
    step: Step,
    options: Options,
    sessions: &mut super::cp_connect::Sessions<'_>,
    console: &mut Console,
    cancel: &CancelToken,
) -> Result<(), String> {
    let summary: Summary = match step {
        Step::Local { sources, target } => return local_copy(&sources, &target, options),
        Step::Download { from, sources, target } => {
            let host = from.destination();
            let session = sessions.get(&from)?;
            let request = DownloadRequest { host: host.clone(), sources, target, options };
            scp::download(session, &request, &mut |e| console.event(&host, e), cancel)
        }
        Step::Upload { sources, to } => {
            let host = to.destination();
            let session = sessions.get(&to)?;
            let request = UploadRequest { host: host.clone(), sources, target: to.path.clone(), options };
            scp::upload(session, &request, &mut |e| console.event(&host, e), cancel)
        }
        Step::Relay { from, sources, to } => {
            sessions.get(&from)?;
            // Each side needs a session of its own, even on one host.
            let second = if from.user == to.user && from.host == to.host {
                Some(sessions.another(&to)?)
            } else {
                sessions.get(&to)?;
                None
            };
            let from_session = sessions.cached(&from)?;
            let to_session = match &second {
                Some(connection) => connection.session(),
                None => sessions.cached(&to)?,
            };
            let request = RelayRequest {
                from_host: from.destination(),
                sources,
                to_host: to.destination(),
                target: to.path.clone(),
                options,
            };
            let host = format!("{} -> {}", request.from_host, request.to_host);
            scp::relay(from_session, to_session, &request, &mut |e| console.event(&host, e), cancel)
        }
    }
    .map_err(|e| e.to_string())?;
    if !summary.success() {
        console.failed = true;
    }
    Ok(())
}

/// Local to local, with `cp` as OpenSSH's scp does.
fn local_copy(
    sources: &[std::path::PathBuf],
    target: &std::path::Path,
    options: Options,
) -> Result<(), String> {
    let mut cmd = std::process::Command::new("cp");
    if options.recursive {
        cmd.arg("-R");
    }
    if options.preserve {
        cmd.arg("-p");
    }
    let status = cmd.arg("--").args(sources).arg(target).status().map_err(|e| format!("cp: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("cp ended with {status}")) }
}
