//! `scpdeck ls`: the lister on the command line.

use std::ffi::OsStr;
use std::io::{self, Write};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use jiff::tz::TimeZone;

use super::args::LsArgs;
use super::connect_args::ConnectArgs;
use super::ls_format::{json_line, long, select, short};
use crate::fs::{Entry, FileSystem, FsError, Listing, LocalFs, RemoteFs};
use crate::shell::Banner;
use crate::ssh::{self, Destination, Resolver, TerminalPrompter, destination};
use crate::text::escape_str;

/// Runs `scpdeck ls` and returns the exit status: 0, or 1 when the listing
/// failed (the reason on stderr).
pub fn run_ls(args: LsArgs) -> ExitCode {
    match list(&args) {
        Ok(entries) => match print(&args, entries) {
            Ok(()) => ExitCode::SUCCESS,
            // A closed pipe (`scpdeck ls host: | head`) is not an error.
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
            Err(e) => fail(&format!("cannot write the listing: {e}")),
        },
        Err(message) => fail(&message),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("scpdeck: {}", escape_str(message));
    ExitCode::FAILURE
}

fn list(args: &LsArgs) -> Result<Vec<Entry>, String> {
    match destination::parse(args.target.as_bytes()).map_err(|e| e.to_string())? {
        Some(Destination { target, path }) => {
            list_remote(&target.to_string(), path.unwrap_or_default().as_bytes(), &args.connect)
        }
        None => list_local(Path::new(&args.target)),
    }
}

fn list_remote(host: &str, path: &[u8], connect: &ConnectArgs) -> Result<Vec<Entry>, String> {
    let config = Resolver::system().resolve_str(host, &connect.overrides()).map_err(|e| e.to_string())?;
    let connection = ssh::connect(&config, &TerminalPrompter::new()).map_err(|e| e.to_string())?;
    let fs = RemoteFs::open(connection.link()).map_err(|e| e.to_string())?;
    report_banner(fs.host().banner());
    let mut path = PathBuf::from(OsStr::from_bytes(path));
    if path.as_os_str().as_bytes().starts_with(b"~") {
        path = fs.resolve(&path).map_err(|e| e.to_string())?;
    }
    list_on(&fs, &path).map_err(|e| e.to_string())
}

/// A directory's entries, or the one entry for a path that is not one
/// (found in its directory's listing).
fn list_on(fs: &dyn FileSystem, path: &Path) -> Result<Vec<Entry>, FsError> {
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
fn quietly(listing: Listing) -> Vec<Entry> {
    for warning in &listing.warnings {
        eprintln!("scpdeck: warning: {warning}");
    }
    listing.entries
}

fn report_banner(banner: &Banner) {
    if !banner.is_empty() {
        eprintln!("scpdeck: note: the remote login shell printed this before the command (ignored):");
        for line in banner.escaped_lines() {
            eprintln!("scpdeck:   | {line}");
        }
    }
}

fn list_local(path: &Path) -> Result<Vec<Entry>, String> {
    list_on(&LocalFs::new(), path).map_err(|e| e.to_string())
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
