//! `scpdeck cp`: scp's command line on the TUI's transfer scheduler (the
//! one transfer path): parallel sessions, a shared bandwidth limit, the
//! copy dialog's overwrite and verify options.

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::args::GlobalArgs;
use super::color::progress_bar;
use super::cp_ask;
use super::cp_console::Console;
use super::cp_expand;
use super::cp_jobs::jobs;
use super::cp_resume;
use super::error::CliError;
use super::jobs_run::{Run, any_signal, catch_signals, conclude, journal, log, pool, run_jobs};
use super::operand::{Operand, parse};
use crate::eventlog::verbose;
use crate::fs::remote::Prelist;
use crate::jobs::{JobSpec, Options, OverwritePolicy};
use crate::shell::is_pattern;
use crate::ssh::{HostConfig, Overrides, Pool, Resolver};
use crate::text::escape_bytes;

/// Copy files to, from and between SSH hosts with the SCP protocol.
///
/// Operands are local paths or `[user@]host:path` (`[user@][addr]:path` for
/// IPv6); a colon after a slash is part of a local path. Several sources go
/// into a directory. Remote to remote copies go through this machine.
#[derive(Debug, clap::Args)]
#[command(override_usage = "scpdeck cp [OPTIONS] SOURCE... TARGET", after_help = CP_EXAMPLES)]
pub struct CpArgs {
    /// Copy directories recursively.
    #[arg(short = 'r')]
    pub recursive: bool,
    /// Keep modification times and modes (including setuid and setgid
    /// bits, which are dropped otherwise).
    #[arg(short = 'p')]
    pub preserve: bool,
    /// Show no progress bar.
    #[arg(short = 'q')]
    pub quiet: bool,
    /// Copy between two remote hosts through this machine (always the case;
    /// accepted for compatibility with scp).
    #[arg(short = '3')]
    pub through_local: bool,
    /// Parallel SSH sessions (per host and in all).
    #[arg(short = 'j', value_name = "N", default_value_t = 4,
          value_parser = clap::value_parser!(u16).range(1..=64))]
    pub sessions: u16,
    /// Limit the bandwidth of the whole command to KBIT Kbit/s (1 Kbit =
    /// 1024 bits), as scp's -l.
    #[arg(short = 'l', value_name = "KBIT", value_parser = crate::scp::parse_kbit)]
    pub limit: Option<u64>,
    /// What to do with a file that exists at the destination: ask (on the
    /// terminal, per file), overwrite, skip, newer (overwrite if the source
    /// is newer), size (overwrite if the sizes differ), rename (keep both:
    /// `name (1).ext`).
    #[arg(long, value_name = "POLICY", default_value = "overwrite", value_parser = policies())]
    pub overwrite: OverwritePolicy,
    /// Compare SHA-256 checksums of every source and its copy.
    #[arg(long)]
    pub verify: bool,
    /// Continue an interrupted copy (the same operands): skip files that
    /// are complete at the destination (same size and modification time,
    /// or the same SHA-256 with --verify), resume the partial copies the
    /// earlier run left, and keep them for the next run if this one is
    /// interrupted or files fail.
    #[arg(short = 'c', long = "resume")]
    pub resume: bool,
    /// Send each file of at least `segment_threshold` bytes (config.toml;
    /// 64 MiB by default) as N byte ranges at once, on N channels of one
    /// session (N sessions within -j where the server takes one channel
    /// per connection); 0 or 1: one stream per file. Default: `segments`
    /// in config.toml, 8.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(0..=64))]
    pub segments: Option<u16>,
    /// Follow symbolic links, at every depth, and copy what they point to
    /// (dangling links and loops are skipped with a notice), as OpenSSH's
    /// scp -O does. Without it a link is recreated as a link with the same
    /// target.
    #[arg(short = 'L', long = "follow-links")]
    pub follow_links: bool,
    /// Run everything on the remote hosts as root through sudo: without a
    /// password where sudo allows it, otherwise sudo's password is asked
    /// once per host on the terminal (never echoed, never stored).
    #[arg(long)]
    pub sudo: bool,
    #[command(flatten)]
    pub connect: super::ConnectArgs,
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to copy: local paths or [user@]host:path (several go into a
    /// directory).
    #[arg(required = true, num_args = 1.., value_name = "SOURCE")]
    pub sources: Vec<OsString>,
    /// Where to: a local path or [user@]host:[path] (empty: the remote home).
    #[arg(required = true, value_name = "TARGET")]
    pub target: OsString,
}

const CP_EXAMPLES: &str = "\
Examples:
  Upload a file:            scpdeck cp report.pdf web1:/srv/www/
  Download a file:          scpdeck cp web1:/var/log/syslog .
  A directory, recursively: scpdeck cp -r photos/ bob@nas:backup/
  Between two hosts:        scpdeck cp web1:/etc/motd web2:/tmp/
  Through a jump host:      scpdeck cp -J bastion app.internal:logs/app.log .
  What a pattern matches:   scpdeck cp 'web1:logs/*.gz' archive/

Exit status: 0 every file copied (or skipped: a special file, a dangling link),
1 some file failed, 2 usage error, 255 a host could not be reached or logged in
to before any file moved.";

/// `--overwrite` names no policy.
#[derive(Debug, thiserror::Error)]
#[error("one of ask, overwrite, skip, newer, size, rename")]
pub(super) struct UnknownPolicy;

/// The names `--overwrite` takes (listed in completions and errors).
fn policies() -> impl clap::builder::TypedValueParser<Value = OverwritePolicy> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(["ask", "overwrite", "skip", "newer", "size", "rename"])
        .try_map(|name| overwrite_policy(&name))
}

fn overwrite_policy(name: &str) -> Result<OverwritePolicy, UnknownPolicy> {
    match name {
        "rename" => Ok(OverwritePolicy::KeepBoth),
        _ => OverwritePolicy::from_name(name).ok_or(UnknownPolicy),
    }
}

/// Runs `scpdeck cp` (its exit statuses: `cli::exit_status`).
pub fn run_cp(args: CpArgs) -> ExitCode {
    let global = args.global;
    let mut console = Console::new(progress_bar(args.quiet), global.color.for_stderr());
    verbose::install(global.verbose, console.verbose_output());
    let result = copy(&args, &mut console);
    conclude(&mut console, result)
}

/// Copies; true when every job was done.
fn copy(args: &CpArgs, console: &mut Console) -> Result<bool, CliError> {
    let prepared = prepare(args)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(CliError::Runtime)?;
    let result = runtime.block_on(run(args, prepared, console));
    // A question may still wait for a line on the terminal: do not wait for it.
    runtime.shutdown_background();
    result
}

/// The operands and options, checked before anything connects.
struct Prepared {
    sources: Vec<Operand>,
    target: Operand,
    cwd: std::path::PathBuf,
    options: Options,
}

/// What to copy, or why the command cannot run.
fn prepare(args: &CpArgs) -> Result<Prepared, CliError> {
    let root = |operand: Operand| if args.sudo { super::operand::as_root(operand) } else { operand };
    let sources = args.sources.iter().map(|a| parse(a).map(root)).collect::<Result<Vec<_>, _>>()?;
    let target = root(parse(&args.target)?);
    if args.overwrite == OverwritePolicy::Ask && !cp_ask::can_ask() {
        return Err(CliError::AskWithoutTerminal);
    }
    check_target(&sources, &target)?;
    let cwd = std::env::current_dir().map_err(CliError::CurrentDir)?;
    let options = Options {
        preserve: args.preserve,
        overwrite: args.overwrite,
        verify: args.verify,
        direct: false,
        limit_kbit: args.limit,
        files_only: !args.recursive,
        resume: args.resume,
        follow_links: args.follow_links,
    };
    Ok(Prepared { sources, target, cwd, options })
}

/// Several sources go into a directory.
fn check_target(sources: &[Operand], target: &Operand) -> Result<(), CliError> {
    match target {
        Operand::Local(p) if sources.len() > 1 && !p.is_dir() => {
            Err(CliError::TargetNotADirectory { path: escape_bytes(p.as_os_str().as_bytes()) })
        }
        _ => Ok(()),
    }
}

/// Connects to every host named in the operands before anything is copied,
/// so that a host that cannot be reached or logged in to ends the command
/// with [`Status::Connection`] and nothing half done. Each connection goes
/// back to the pool, where the first transfer to its host takes it.
/// Returns each host's resolved configuration, which the jobs then use
/// (`ssh -G` is not run again for them).
async fn connect_hosts(
    pool: &Pool,
    overrides: &Overrides,
    operands: &[&Operand],
) -> Result<Vec<(String, HostConfig)>, CliError> {
    let mut hosts: Vec<String> = Vec::new();
    for operand in operands {
        if let Operand::Remote(remote) = operand
            && !hosts.contains(&remote.destination())
        {
            hosts.push(remote.destination());
        }
    }
    let mut resolved = Vec::new();
    for host in hosts {
        let named = prelist(operands, &host);
        let (resolver, overrides, text) = (Resolver::system(), overrides.clone(), host.clone());
        let config = tokio::task::spawn_blocking(move || resolver.resolve_str(&text, &overrides))
            .await
            .map_err(|e| CliError::Runtime(std::io::Error::other(e)))??;
        let lease = pool.transfer_async(&config).await?;
        if !named.is_empty() {
            lease.run_async(move |link| drop(link.facts().set(Prelist(named)))).await?;
        }
        resolved.push((host, config));
    }
    Ok(resolved)
}

/// The paths on `host` the probe looks at too (one command less before
/// the first byte): the operands as named, but those the remote shell
/// expands (`~user`, patterns) and those used as root; and, when the
/// target is on `host`, the sources' names in it (what the copy looks up
/// there when the target is a directory: no command of its own).
fn prelist(operands: &[&Operand], host: &str) -> Vec<PathBuf> {
    let named = |operand: &Operand| match operand {
        Operand::Remote(remote) => {
            let bytes = remote.path.as_bytes();
            let plain = remote.destination() == host
                && !remote.root
                && !bytes.is_empty()
                && !bytes.starts_with(b"~")
                && !is_pattern(bytes);
            plain.then(|| PathBuf::from(&remote.path))
        }
        Operand::Local(_) => None,
    };
    let mut paths: Vec<PathBuf> = operands.iter().filter_map(|o| named(o)).collect();
    if let Some((target, sources)) = operands.split_last()
        && let Some(target) = named(target)
    {
        for source in sources {
            let name = match source {
                Operand::Local(path) => path.file_name(),
                Operand::Remote(remote) => Path::new(&remote.path).file_name(),
            };
            if let Some(name) = name.filter(|n| !is_pattern(n.as_bytes())) {
                paths.push(target.join(name));
            }
        }
    }
    paths.truncate(PRELIST_MOST);
    paths
}

/// The most operands the probe looks at (its command line stays short).
const PRELIST_MOST: usize = 32;

/// The jobs, once remote homes and patterns are expanded (see
/// `cp_expand`); `None` when nothing is left to copy.
async fn jobs_for(
    args: &CpArgs,
    prepared: Prepared,
    pool: &Pool,
    console: &mut Console,
) -> Result<Option<(Vec<JobSpec>, Vec<(String, HostConfig)>)>, CliError> {
    let Prepared { sources, target, cwd, options } = prepared;
    let overrides = args.connect.overrides();
    let operands: Vec<&Operand> = sources.iter().chain([&target]).collect();
    let configs = connect_hosts(pool, &overrides, &operands).await?;
    let (sources, target, errors) =
        cp_expand::expand(pool, &Resolver::system(), &overrides, sources, target).await;
    for error in errors {
        if let CliError::Connect(_) = error {
            return Err(error);
        }
        console.error(&error.to_string());
    }
    check_target(&sources, &target)?;
    if sources.is_empty() {
        return Ok(None);
    }
    Ok(Some((jobs(&sources, &target, &cwd, &options), configs)))
}

/// Runs the jobs to their end; true when all of them were done.
async fn run(args: &CpArgs, prepared: Prepared, console: &mut Console) -> Result<bool, CliError> {
    let mut signals = catch_signals(console);
    let (sink, mut events) = log();
    let journal = journal(console);
    let sessions = usize::from(args.sessions);
    let pool = pool(sessions, &sink);
    // Connecting may take long (an unreachable host, a password prompt):
    // a signal ends it too.
    let planned = tokio::select! {
        specs = jobs_for(args, prepared, &pool, console) => Some(specs?),
        () = any_signal(&mut signals) => None,
    };
    let Some(planned) = planned else {
        console.error("interrupted");
        return Ok(false);
    };
    let Some((specs, configs)) = planned else { return Ok(false) };
    let adopted = match (&journal, args.resume) {
        (Some(journal), true) => cp_resume::adopt(journal, &specs),
        _ => Vec::new(),
    };
    let run = Run {
        pool,
        overrides: args.connect.overrides(),
        sessions,
        limit_kbit: args.limit,
        journal,
        adopted,
        resume: args.resume,
        segments: segments(args.segments),
        configs,
    };
    Ok(run_jobs(run, specs, sink, &mut events, &mut signals, console).await)
}

/// How large files are split: config.toml's `segments` and
/// `segment_threshold`, with `--segments` winning.
pub(super) fn segments(flag: Option<u16>) -> crate::jobs::Segments {
    let settings = crate::config::load(crate::config::config_dir().as_deref(), None).settings;
    let mut segments = settings.segments();
    if let Some(count) = flag {
        segments.count = usize::from(count);
    }
    segments
}
