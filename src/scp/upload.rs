//! Uploads: the reader thread walks the local sources, [`Push`] feeds the
//! remote `scp -t`.

use std::ffi::OsString;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::PathBuf;
use std::sync::atomic::AtomicU64;

use crate::ssh::Link;

use super::error::ScpError;
use super::event::{Event, Summary};
use super::item::{Item, QUEUE};
use super::lead::{self, Lead};
use super::pipe::AFTER_MAX;
use super::push::{Push, Pushed};
use super::reader::{Reader, top_name};
use super::remote::{self, Role};
use super::reporter::Reporter;
use super::request::{Options, UploadRequest, needs_dir};
use super::source::Source;
use crate::shell::{self, Command, ExitStatus};
use tokio_util::sync::CancellationToken;

/// Copies local `request.sources` to `request.target` on the host behind
/// `session`, through one channel (plus one per top-level name holding a
/// newline, which must be given to the remote scp as a path instead).
pub fn upload(
    link: Link<'_>,
    request: &UploadRequest,
    on_event: &mut dyn FnMut(Event),
    cancel: &CancellationToken,
) -> Result<Summary, ScpError> {
    upload_into(link, request, None, None, on_event, cancel).map(|(summary, _)| summary)
}

/// [`upload`] into a directory (`request.target`, which ends in `/`) that
/// the `scp -t` command makes first with mode `mode`: a private directory
/// costs no command of its own. Not made (it exists, no permission, no
/// room): [`ScpError::NotMade`] with what `mkdir` said, and nothing sent.
pub fn upload_into_new_dir(
    link: Link<'_>,
    request: &UploadRequest,
    mode: u32,
    on_event: &mut dyn FnMut(Event),
    cancel: &CancellationToken,
) -> Result<Summary, ScpError> {
    upload_into(link, request, Some(mode), None, on_event, cancel).map(|(summary, _)| summary)
}

/// [`upload_into_new_dir`], then `then` in the same remote shell once
/// `scp -t` exited 0 (every file arrived whole): the placing of the files
/// costs no command of its own. Returns, beside the summary, what `then`
/// printed on stdout; `None` when it did not run (scp failed: its status
/// is the summary's, as without `then`). The names the files are sent
/// under (`request.names`) must not hold a newline.
pub fn upload_into_new_dir_then(
    link: Link<'_>,
    request: &UploadRequest,
    mode: u32,
    then: &Command,
    on_event: &mut dyn FnMut(Event),
    cancel: &CancellationToken,
) -> Result<(Summary, Option<Vec<u8>>), ScpError> {
    upload_into(link, request, Some(mode), Some(then), on_event, cancel)
}

fn upload_into(
    link: Link<'_>,
    request: &UploadRequest,
    mut make: Option<u32>,
    then: Option<&Command>,
    on_event: &mut dyn FnMut(Event),
    cancel: &CancellationToken,
) -> Result<(Summary, Option<Vec<u8>>), ScpError> {
    if request.sources.is_empty() {
        return Err(ScpError::Usage("nothing to upload: no source paths".into()));
    }
    let target = request.target.as_os_str();
    let dir = needs_dir(request.sources.len(), target.as_bytes());
    let wire = |index: usize, path: &PathBuf| match request.names.get(index) {
        Some(name) => name.as_bytes().to_vec(),
        None => top_name(path),
    };
    let (plain, odd): (Vec<_>, Vec<_>) =
        request.sources.iter().cloned().enumerate().partition(|(n, path)| !wire(*n, path).contains(&b'\n'));
    if then.is_some() && (!odd.is_empty() || !dir) {
        return Err(ScpError::Usage("a command after scp needs a target directory and plain names".into()));
    }
    let mut reporter = Reporter::new(on_event);
    let mut status = ExitStatus { code: Some(0), signal: None };
    let mut after = None;
    if !plain.is_empty() {
        let names = &request.names;
        let to = To { target, dir, make: make.take(), then };
        let ended = batch(link, &request.host, &plain, &to, names, &request.options, &mut reporter, cancel)?;
        status = ended.0;
        after = then.and(status.success().then_some(ended.1));
    }
    for source in odd {
        let full = newline_target(link, target, dir, &wire(source.0, &source.1))?;
        let to = To { target: &full, dir: false, make: make.take(), then: None };
        let (one, _) = batch(
            link,
            &request.host,
            &[source],
            &to,
            &request.names,
            &request.options,
            &mut reporter,
            cancel,
        )?;
        if !one.success() {
            status = one;
        }
    }
    Ok((reporter.finish(status), after))
}

/// The remote path for a top-level source whose name holds a newline: the
/// name inside the target when the target is a directory.
fn newline_target(
    link: Link<'_>,
    target: &std::ffi::OsStr,
    dir: bool,
    name: &[u8],
) -> Result<OsString, ScpError> {
    let is_dir = dir || {
        let test = Command::new("test -d").arg(target)?;
        shell::exec::run(link, &test).map(|out| out.status.success()).unwrap_or(false)
    };
    if !is_dir {
        return Ok(target.to_os_string());
    }
    let mut full = target.as_bytes().to_vec();
    if !full.ends_with(b"/") {
        full.push(b'/');
    }
    full.extend_from_slice(name);
    Ok(OsString::from_vec(full))
}

/// Where one `scp -t` writes: `target` (a directory with `dir`), made
/// first with mode `make`; `then` runs after it (see
/// [`upload_into_new_dir_then`]).
struct To<'a> {
    target: &'a std::ffi::OsStr,
    dir: bool,
    make: Option<u32>,
    then: Option<&'a Command>,
}

/// One remote `scp -t` for `sources`: its exit status, and what stdout
/// brought after the protocol's end (a `then` command's output).
#[allow(clippy::too_many_arguments)]
fn batch(
    link: Link<'_>,
    host: &str,
    sources: &[(usize, PathBuf)],
    to: &To<'_>,
    names: &[OsString],
    options: &Options,
    reporter: &mut Reporter<'_>,
    cancel: &CancellationToken,
) -> Result<(ExitStatus, Vec<u8>), ScpError> {
    let role = Role::Sink { target: to.target, dir: to.dir, make: to.make, then: to.then };
    let events = reporter.sender();
    let skip = AtomicU64::new(0);
    let (items_tx, items_rx) = super::handoff::bounded(QUEUE, Item::urgent);
    let pushed = std::thread::scope(|scope| {
        let reader_events = events.clone();
        let (skip, cancel_ref) = (&skip, cancel);
        let producer = scope.spawn(move || {
            let reader = Reader {
                items: &items_tx,
                events: &reader_events,
                skip,
                options: options.clone(),
                cancel: cancel_ref,
            };
            reader.run(sources);
        });
        // Only where a refused file stops the placing (OpenSSH's sink over
        // the fold) does the first file's data go with its records.
        let mut source = Source::new();
        let started = match to.then {
            Some(_) => {
                let whole = sources.len() == 1 && options.limit.is_none();
                lead::take(&items_rx, &mut source, names, whole, cancel)
            }
            None => Ok(Lead::default()),
        }
        .and_then(|lead| {
            let pipe = remote::start_with(link, host, role, options, cancel, &lead.bytes)?;
            Ok((pipe, lead))
        });
        let (mut pipe, lead) = match started {
            Ok(started) => started,
            Err(e) => {
                drop(items_rx);
                return producer.join().map_err(|_| ScpError::Panicked("file reader")).and(Err(e));
            }
        };
        pipe.limit(options.limit.clone());
        let mut push = Push::new(&mut pipe, events.clone(), skip, names).led(source, lead);
        if to.then.is_some() {
            push = push.then_follows();
        }
        let result = push.run(&items_rx, &mut || reporter.flush(), cancel);
        let after = push.take_after();
        drop(items_rx);
        // A reader that panicked ended its files early: never a success.
        let pushed = producer.join().map_err(|_| ScpError::Panicked("file reader")).and(result);
        Ok((pipe, pushed.map(|p| (p, after))))
    });
    let (mut pipe, pushed) = pushed?;
    let (spoke, mut after) = match pushed {
        Ok((Pushed::Done, after)) => (true, after),
        Ok((Pushed::Silent, after)) => (false, after),
        Err(e) => {
            // What the remote said so far may explain the error.
            remote::report(&mut pipe, None, &events);
            pipe.abort();
            reporter.flush();
            return Err(e);
        }
    };
    reporter.flush();
    // Every file was answered: a placing that follows may be running.
    let finished = match to.then {
        Some(_) if spoke => pipe.finish_placing(),
        _ => pipe.finish(),
    };
    let ending = match finished {
        // The directory was not made: scp never ran, and what mkdir said is
        // the error (not a diagnostic of scp's).
        Ok(ending) if !spoke && to.make.is_some() && ending.status.code == Some(remote::NOT_MADE) => {
            remote::report(&mut pipe, None, &events);
            reporter.flush();
            let said = ending.stderr.last().cloned().unwrap_or_default();
            return Err(ScpError::NotMade { host: host.to_string(), said });
        }
        Ok(ending) => remote::ended(&mut pipe, ending, spoke, reporter.failed() > 0, &events),
        Err(e) => Err(e),
    };
    reporter.flush();
    let ending = ending?;
    if !spoke {
        let message = format!("the remote scp exited without answering ({})", ending.status);
        return Err(ScpError::Remote { host: host.to_string(), message });
    }
    after.extend_from_slice(&ending.after[..ending.after.len().min(AFTER_MAX.saturating_sub(after.len()))]);
    Ok((ending.status, after))
}
