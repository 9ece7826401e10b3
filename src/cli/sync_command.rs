//! `scpdeck sync`: make TARGET like SOURCE with the commander's plan engine
//! (`crate::sync`), one way; the copies are ordinary jobs on the scheduler
//! (as `cp`'s), the deletions calls on the target's file system.

use std::ffi::OsString;
use std::io::{self, Write};
use std::process::ExitCode;

use super::args::GlobalArgs;
use super::color::progress_bar;
use super::cp_console::Console;
use super::cp_jobs::location;
use super::error::CliError;
use super::jobs_run::{Run, any_signal, catch_signals, conclude, journal, log, pool, run_jobs};
use super::operand::parse;
use super::sync_ends::{Scanned, delete, make_target, scan};
use super::sync_format::{json_line, text_line};
use crate::eventlog::verbose;
use crate::sync::{Criterion, Direction, Excludes, Op, SyncOptions, jobs_for};

/// Make TARGET like SOURCE: copy what TARGET lacks, update what differs
/// (by size and modification time unless told otherwise) and, with
/// --delete, delete what only TARGET has.
///
/// SOURCE and TARGET are directories: local paths or [user@]host:path (as
/// for `cp`). Copies keep modification times and modes, so that a second
/// run finds nothing to do.
#[derive(Debug, clap::Args)]
#[command(override_usage = "scpdeck sync [OPTIONS] SOURCE TARGET", after_help = SYNC_EXAMPLES)]
pub struct SyncArgs {
    /// Into subdirectories (without it, only the files directly in SOURCE).
    #[arg(short = 'r')]
    pub recursive: bool,
    /// Print the plan, one action per line (copy, update, delete,
    /// conflict), and change nothing.
    #[arg(short = 'n', long)]
    pub dry_run: bool,
    /// With --dry-run: one JSON object per action and line (op, path, dir,
    /// size, why).
    #[arg(long, requires = "dry_run")]
    pub json: bool,
    /// Delete files and directories that only TARGET has.
    #[arg(long)]
    pub delete: bool,
    /// Files of the same size differ when their SHA-256 differ (computed on
    /// each host); modification times are not compared.
    #[arg(long, conflicts_with = "size_only")]
    pub checksum: bool,
    /// Files differ only when their sizes differ.
    #[arg(long)]
    pub size_only: bool,
    /// Leave out names (`*.tmp`, `.git`) or paths below SOURCE and TARGET
    /// (`build/*.o`): neither compared, copied nor deleted. Repeatable.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Compare SHA-256 checksums of every copy with its source.
    #[arg(long)]
    pub verify: bool,
    /// Show no progress bar.
    #[arg(short = 'q')]
    pub quiet: bool,
    /// Parallel SSH sessions (per host and in all).
    #[arg(short = 'j', value_name = "N", default_value_t = 4,
          value_parser = clap::value_parser!(u16).range(1..=64))]
    pub sessions: u16,
    /// Limit the bandwidth to KBIT Kbit/s, as cp's -l.
    #[arg(short = 'l', value_name = "KBIT", value_parser = crate::scp::parse_kbit)]
    pub limit: Option<u64>,
    #[command(flatten)]
    pub connect: super::ConnectArgs,
    #[command(flatten)]
    pub global: GlobalArgs,
    /// The directory to copy from: a local path or [user@]host:path.
    #[arg(value_name = "SOURCE")]
    pub source: OsString,
    /// The directory to make like SOURCE (created when missing).
    #[arg(value_name = "TARGET")]
    pub target: OsString,
}

const SYNC_EXAMPLES: &str = "\
Examples:
  What would change:        scpdeck sync -r --dry-run site/ web1:/srv/www
  Mirror, deleting extras:  scpdeck sync -r --delete site/ web1:/srv/www
  By content, not times:    scpdeck sync -r --checksum web1:photos backup/photos
  Leaving some out:         scpdeck sync -r --exclude '*.tmp' --exclude .git src/ nas:src

Exit status: 0 in sync or synchronized, 1 some action failed or a conflict was
left (a file on one side, a directory on the other), 2 usage error, 255 a host
could not be reached or logged in to.";

/// Runs `scpdeck sync` (its exit statuses: `cli::exit_status`).
pub fn run_sync(args: SyncArgs) -> ExitCode {
    let global = args.global;
    let mut console = Console::new(progress_bar(args.quiet || args.dry_run), global.color.for_stderr());
    verbose::install(global.verbose, console.verbose_output());
    let result = sync(&args, &mut console);
    conclude(&mut console, result)
}

fn options(args: &SyncArgs) -> Result<SyncOptions, CliError> {
    let criterion = match (args.checksum, args.size_only) {
        (true, _) => Criterion::Checksum,
        (_, true) => Criterion::SizeOnly,
        _ => Criterion::TimeAndSize,
    };
    Ok(SyncOptions {
        direction: Direction::ToRight,
        recursive: args.recursive,
        criterion,
        delete: args.delete,
        excludes: Excludes::new(&args.exclude)?,
        preserve: true,
    })
}

/// Synchronizes (or prints the plan); true when nothing failed.
fn sync(args: &SyncArgs, console: &mut Console) -> Result<bool, CliError> {
    let options = options(args)?;
    let (source, target) = (parse(&args.source)?, parse(&args.target)?);
    let cwd = std::env::current_dir().map_err(CliError::CurrentDir)?;
    let (left, right) = (location(&source, &cwd), location(&target, &cwd));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(CliError::Runtime)?;
    let result = runtime.block_on(async {
        let mut signals = catch_signals(console);
        let (sink, mut events) = log();
        let sessions = usize::from(args.sessions);
        let pool = pool(sessions, &sink);
        let overrides = args.connect.overrides();
        let scanned = tokio::select! {
            scanned = scan(&pool, &overrides, &left, &right, &options) => scanned?,
            () = any_signal(&mut signals) => {
                console.error("interrupted");
                return Ok(false);
            }
        };
        let Scanned { plan, target_missing } = scanned;
        if args.dry_run {
            print_plan(&plan, args.json).map_err(CliError::Write)?;
            return Ok(true);
        }
        let mut done = true;
        for conflict in plan.actions.iter().filter(|a| a.op == Op::Conflict) {
            console.error(&format!("conflict, left alone: {}", text_line(conflict)));
            done = false;
        }
        let (specs, deletions) = jobs_for(&plan, &left, &right, &options, args.verify);
        if target_missing && !specs.is_empty() {
            make_target(&pool, &overrides, &right).await?;
        }
        if !specs.is_empty() {
            let run = Run {
                pool: pool.clone(),
                overrides: overrides.clone(),
                sessions,
                limit_kbit: args.limit,
                journal: journal(console),
                adopted: Vec::new(),
                resume: false,
                segments: super::cp_command::segments(None),
                configs: Vec::new(),
            };
            done &= run_jobs(run, specs, sink, &mut events, &mut signals, console).await;
        }
        if !deletions.is_empty() {
            for error in delete(&pool, &overrides, &right, deletions).await? {
                console.error(&error.to_string());
                done = false;
            }
        }
        Ok(done)
    });
    runtime.shutdown_background();
    result
}

/// `--dry-run`: the plan on stdout (a closed pipe is not an error).
fn print_plan(plan: &crate::sync::Plan, json: bool) -> io::Result<()> {
    let mut out = io::BufWriter::new(io::stdout().lock());
    let written = plan.actions.iter().try_for_each(|action| {
        let line = if json { json_line(action) } else { text_line(action) };
        writeln!(out, "{line}")
    });
    match written.and_then(|()| out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}
