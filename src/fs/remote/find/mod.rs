//! Searching a host: the command for the best tool the probe found
//! (`command.rs`), its records parsed as they stream (`records.rs`), and
//! the run itself, which stops within [`crate::scp::pipe`]'s wait (50 ms)
//! of a cancel and closes the channel, which stops the remote search.

mod command;
mod records;

pub use command::Tool;

use tokio_util::sync::CancellationToken;

use self::records::FoundParser;
use super::caps::Capabilities;
use super::script::{shown, warning_lines};
use crate::fs::error::FsError;
use crate::fs::find::{FindEnd, FindQuery, Found};
use crate::scp::ScpError;
use crate::scp::pipe::Pipe;
use crate::shell::{self, ExecOptions, Output};
use crate::ssh::Link;

/// Searches the host behind `link` with `tool` (use [`Tool::best`] unless
/// testing one), handing results to `found` as they arrive.
pub(crate) fn find_with(
    link: Link<'_>,
    tool: Tool,
    query: &FindQuery,
    cancel: &CancellationToken,
    found: &mut dyn FnMut(Vec<Found>),
) -> Result<FindEnd, FsError> {
    if cancel.is_cancelled() {
        return Err(FsError::Cancelled);
    }
    let action = format!("search {}", shown(&query.root));
    let cmd = command::script(query, tool, &action)?;
    let started = shell::exec::start(link, &cmd, ExecOptions::default())
        .map_err(|source| FsError::exec(&action, source))?;
    let mut pipe = Pipe::new(link, started, cancel.clone(), String::new());
    let mut parser = FoundParser::default();
    parser.feed(&pipe.take_pending());
    let mut buf = vec![0u8; 64 * 1024];
    let lost = |e: ScpError| match e {
        ScpError::Cancelled => FsError::Cancelled,
        other => FsError::Lost { action: action.clone(), detail: other.to_string() },
    };
    loop {
        let batch = parser.take();
        if !batch.is_empty() {
            found(batch);
        }
        match pipe.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => parser.feed(&buf[..n]),
            Err(e) => {
                // Closing the channel ends the watchdog's `read`: it kills
                // the search on the host.
                pipe.abort();
                return Err(lost(e));
            }
        }
    }
    let ending = match pipe.finish() {
        Ok(ending) => ending,
        Err(e) => {
            pipe.abort();
            return Err(lost(e));
        }
    };
    let banner = pipe.take_banner().unwrap_or_default();
    let stderr = ending.stderr.join(&b'\n');
    // Unreadable directories make find fail while it still finds the rest:
    // only a search that found nothing and failed is an error.
    if !ending.status.success() && parser.count == 0 && !stderr.is_empty() {
        let output = Output { banner, stdout: Vec::new(), stderr, status: ending.status };
        return Err(FsError::from_output(&action, cmd.as_bytes(), &output));
    }
    parser.finish().map_err(|detail| FsError::Malformed { action: action.clone(), detail })?;
    Ok(FindEnd { tool: tool.describe(), warnings: warning_lines(&stderr) })
}

/// Searches with the best tool the host has.
pub(crate) fn find(
    link: Link<'_>,
    caps: &Capabilities,
    query: &FindQuery,
    cancel: &CancellationToken,
    found: &mut dyn FnMut(Vec<Found>),
) -> Result<FindEnd, FsError> {
    let tool = Tool::best(caps).ok_or_else(|| FsError::MissingProgram {
        action: format!("search {}", shown(&query.root)),
        program: "find with -printf or -exec, stat, or perl".into(),
    })?;
    find_with(link, tool, query, cancel, found)
}
