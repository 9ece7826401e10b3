//! `scpdeck ls`: the lister on the command line.

use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;

use jiff::tz::TimeZone;

use super::args::LsArgs;
use super::ls_format::{json_line, long, select, short};
use crate::fs::{Entry, local};
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
    list_local(Path::new(&args.target))
}

/// A directory's entries, or the one entry for a path that is not one.
fn list_local(path: &Path) -> Result<Vec<Entry>, String> {
    let shown = escape_str(&path.to_string_lossy());
    if std::fs::metadata(path).is_ok_and(|m| m.is_dir()) {
        return local::list(path).map_err(|e| format!("cannot list {shown}: {e}"));
    }
    std::fs::symlink_metadata(path).map_err(|e| format!("cannot access {shown}: {e}"))?;
    let name = path.file_name().map_or_else(|| path.as_os_str().to_os_string(), |n| n.to_os_string());
    let entry = local::entry_for(path, name, &mut local::NameCache::default())
        .map_err(|e| format!("cannot read {shown}: {e}"))?;
    Ok(vec![entry])
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
