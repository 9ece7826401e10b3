//! `scpdeck ls`: the lister on the command line.

use std::ffi::OsStr;
use std::io::{self, Write};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use jiff::tz::TimeZone;

use super::args::LsArgs;
use super::connect_args::ConnectArgs;
use super::error::CliError;
use super::exit_status::Status;
use super::ls_format::{json_line, long, select, short};
use super::printer::{Printer, Tone};
use crate::eventlog::verbose;
use crate::fs::remote::BannerNote;
use crate::fs::{Entry, FileSystem, FsError, Listing, LocalFs, RemoteFs};
use crate::ssh::{self, Destination, Resolver, TerminalPrompter, destination};

/// Runs `scpdeck ls` (see [`Status`] for its exit statuses; the reason for
/// a failure goes to stderr).
pub fn run_ls(args: LsArgs) -> ExitCode {
    let global = args.global;
    let printer = Printer::new(global.color.for_stderr());
    let out = printer.clone();
    verbose::install(
        global.verbose,
        std::sync::Arc::new(move |line| out.lines(Tone::Verbose, &line.shown())),
    );
    let listed = list(&args, &printer).and_then(|entries| match print(&args, entries) {
        // A closed pipe (`scpdeck ls host: | head`) is not an error.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        written => written.map_err(CliError::Write),
    });
    match listed {
        Ok(()) => Status::Success.into(),
        Err(error) => {
            printer.error(&error.to_string());
            error.status().into()
        }
    }
}

fn list(args: &LsArgs, printer: &Printer) -> Result<Vec<Entry>, CliError> {
    match destination::parse(args.target.as_bytes())? {
        Some(Destination { target, path }) => {
            let host = target.to_string();
            let host = if args.sudo { ssh::root_host(&host) } else { host };
            list_remote(&host, path.unwrap_or_default().as_bytes(), &args.connect, printer)
        }
        None => Ok(list_on(&LocalFs::new(), Path::new(&args.target), printer)?),
    }
}

fn list_remote(
    host: &str,
    path: &[u8],
    connect: &ConnectArgs,
    printer: &Printer,
) -> Result<Vec<Entry>, CliError> {
    let config = Resolver::system().resolve_str(host, &connect.overrides())?;
    let prompter = std::sync::Arc::new(TerminalPrompter::new());
    let connection = ssh::connect(&config, &*prompter)?;
    if config.sudo {
        ssh::as_root::become_root(connection.link(), &config, prompter, Default::default());
    }
    let fs = RemoteFs::open(connection.link())?;
    if let Some(note) = fs.host().banner_note() {
        report_banner(&note, printer);
    }
    let listed = (|| {
        let mut path = PathBuf::from(OsStr::from_bytes(path));
        if path.as_os_str().as_bytes().starts_with(b"~") {
            path = fs.resolve(&path)?;
        }
        list_on(&fs, &path, printer)
    })();
    // A host off the SCP rung says which rung with its failure.
    if listed.is_err()
        && fs.host().protocol() != crate::fs::remote::Protocol::Scp
        && let Some(note) = fs.host().rung_note()
    {
        printer.lines(Tone::Note, &format!("note: {}: {note}", crate::text::escape_str(host)));
    }
    Ok(listed?)
}

/// A directory's entries, or the one entry for a path that is not one
/// (found in its directory's listing).
fn list_on(fs: &dyn FileSystem, path: &Path, printer: &Printer) -> Result<Vec<Entry>, FsError> {
    let quietly = |listing| quietly(listing, printer);
    match fs.list(path) {
        Ok(listing) => Ok(quietly(listing)),
        Err(not_dir @ FsError::NotADirectory(_)) => {
            let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else { return Err(not_dir) };
            let parent = if parent.as_os_str().is_empty() { Path::new(".") } else { parent };
            let listing = fs.list(parent).map_err(|_| not_dir.clone())?;
            let found: Vec<Entry> = quietly(listing).into_iter().filter(|e| e.name == name).collect();
            if found.is_empty() { Err(not_dir) } else { Ok(found) }
        }
        Err(e) => Err(e),
    }
}

/// The entries, the listing's warnings printed on stderr.
fn quietly(listing: Listing, printer: &Printer) -> Vec<Entry> {
    for warning in &listing.warnings {
        printer.lines(Tone::Warning, &format!("warning: {warning}"));
    }
    listing.entries
}

/// The note about the host's login banner: what it printed, whether that
/// matters, and how to stop it.
fn report_banner(note: &BannerNote, printer: &Printer) {
    let tone = if note.harmful() { Tone::Warning } else { Tone::Note };
    for (n, line) in note.lines().iter().enumerate() {
        let line = if n == 0 { format!("note: {line}") } else { line.clone() };
        printer.lines(tone, &line);
    }
}

fn print(args: &LsArgs, entries: Vec<Entry>) -> io::Result<()> {
    let entries = select(entries, args.all);
    let mut out = io::BufWriter::new(io::stdout().lock());
    if args.json {
        for e in &entries {
            writeln!(out, "{}", json_line(e))?;
        }
    } else if args.long {
        out.write_all(long(&entries, &TimeZone::system()).as_bytes())?;
    } else {
        out.write_all(short(&entries).as_bytes())?;
    }
    out.flush()
}
