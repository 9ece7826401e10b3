//! The blocking work behind each effect, on the file system of the
//! locations involved (this machine's, or a host's on its connection
//! thread), turned into the message that reports it.

use std::path::{Path, PathBuf};

use super::remote::Remotes;
use crate::app::dialog::{Counts, ViewContent, octal};
use crate::app::{Effect, Msg, Note, Op, WorkError};
use crate::config;
use tokio::sync::mpsc::UnboundedSender;
use tokio_util::sync::CancellationToken;

use crate::fs::{FileSystem, FindEnd, FindQuery, Found, FsError, LocalFs, Location, complete};
use crate::text::{escape_bytes, escape_str};

fn shown(path: &Path) -> String {
    escape_bytes(path.as_os_str().as_encoded_bytes())
}

/// Runs `op` on the file system holding `locations` (all on one host).
pub(super) fn on_fs<T: Send + 'static>(
    locations: &[&Location],
    remotes: &Remotes,
    op: impl FnOnce(&dyn FileSystem) -> Result<T, FsError> + Send + 'static,
) -> Result<T, WorkError> {
    let host = locations.first().and_then(|l| l.host());
    if locations.iter().any(|l| l.host() != host) {
        return Err(WorkError::MixedHosts);
    }
    match host {
        None => Ok(op(&LocalFs::new())?),
        Some(host) => remotes.host(host)?.run(op),
    }
}

/// One path as shown, or how many there are.
fn what(paths: &[PathBuf]) -> String {
    match paths {
        [one] => shown(one),
        many => format!("{} entries", many.len()),
    }
}

fn within(recursive: bool) -> &'static str {
    if recursive { " (recursively)" } else { "" }
}

fn paths(locations: &[Location]) -> Vec<PathBuf> {
    locations.iter().map(|l| l.path().to_path_buf()).collect()
}

/// Runs one effect to completion (on a blocking thread).
pub(super) fn run(effect: Effect, remotes: &Remotes) -> Option<Msg> {
    Some(match effect {
        // The scheduler takes these (see `Executor::run`).
        Effect::Submit(_) | Effect::Jobs(_) => return None,
        Effect::Scan { token, left, right, options, progress } => {
            Msg::Scanned { token, result: super::scan::scan(&left, &right, &options, &progress, remotes) }
        }
        Effect::List { side, generation, location } => {
            let dir = location.path().to_path_buf();
            let result = on_fs(&[&location], remotes, move |fs| fs.list(&dir)).map(|l| l.entries);
            Msg::Listed { side, generation, result }
        }
        Effect::FreeSpace { side, location } => {
            let path = location.path().to_path_buf();
            let result = on_fs(&[&location], remotes, move |fs| fs.free_space(&path));
            Msg::FreeSpace { side, location, result }
        }
        Effect::DirSize { side, location } => {
            let dir = vec![location.path().to_path_buf()];
            let result = on_fs(&[&location], remotes, move |fs| fs.usage(&dir)).map(|u| u.bytes);
            Msg::DirSize { side, location, result }
        }
        Effect::Count { token, targets } => {
            let (refs, paths): (Vec<&Location>, _) = (targets.iter().collect(), paths(&targets));
            let result = on_fs(&refs, remotes, move |fs| fs.usage(&paths)).map(|u| Counts {
                files: u.files.unwrap_or(0),
                dirs: u.dirs.unwrap_or(0),
                bytes: u.bytes,
                ..Counts::default()
            });
            Msg::Counted { token, result }
        }
        Effect::CountCopy { token, targets, follow } => {
            let (refs, paths): (Vec<&Location>, _) = (targets.iter().collect(), paths(&targets));
            let result =
                on_fs(&refs, remotes, move |fs| crate::jobs::tally(fs, &paths, follow)).map(|t| Counts {
                    files: t.files,
                    dirs: t.dirs,
                    bytes: t.bytes,
                    links: t.links,
                    skipped: t.skipped + t.unreadable,
                });
            Msg::Counted { token, result }
        }
        Effect::Mkdir { location } => {
            let path = location.path().to_path_buf();
            let note = format!("created {}", shown(&path));
            let result = on_fs(&[&location], remotes, move |fs| fs.make_dir(&path)).map(|()| note);
            Msg::Done { op: Op::Mkdir(location), result }
        }
        Effect::Rename { sources, target } => {
            let mut refs: Vec<&Location> = sources.iter().collect();
            refs.push(&target);
            let (from, to) = (paths(&sources), target.path().to_path_buf());
            let note = match from.as_slice() {
                [one] => format!("moved {} to {}", shown(one), shown(&to)),
                many => format!("moved {} entries to {}", many.len(), shown(&to)),
            };
            let result = on_fs(&refs, remotes, move |fs| rename(fs, &from, &to)).map(|()| note);
            Msg::Done { op: Op::Rename { sources, target }, result }
        }
        Effect::Delete { targets } => {
            let (refs, paths): (Vec<&Location>, _) = (targets.iter().collect(), paths(&targets));
            let note = match paths.as_slice() {
                [one] => format!("deleted {}", shown(one)),
                many => format!("deleted {} entries", many.len()),
            };
            let result = on_fs(&refs, remotes, move |fs| fs.delete(&paths)).map(|()| note);
            Msg::Done { op: Op::Delete(targets), result }
        }
        Effect::Chmod { targets, mode, recursive } => {
            let (refs, paths): (Vec<&Location>, _) = (targets.iter().collect(), paths(&targets));
            let note = format!("mode of {} set to {}{}", what(&paths), octal(mode), within(recursive));
            let result = on_fs(&refs, remotes, move |fs| fs.chmod(&paths, mode, recursive)).map(|()| note);
            Msg::Done { op: Op::Chmod(targets), result }
        }
        Effect::Chown { targets, owner, group, recursive } => {
            let (refs, paths): (Vec<&Location>, _) = (targets.iter().collect(), paths(&targets));
            let to = match (&owner, &group) {
                (Some(o), Some(g)) => format!("owner {o}, group {g}"),
                (Some(o), None) => format!("owner {o}"),
                (None, g) => format!("group {}", g.as_deref().unwrap_or_default()),
            };
            let note = format!("{} of {} set{}", escape_str(&to), what(&paths), within(recursive));
            let result = on_fs(&refs, remotes, move |fs| {
                fs.chown(&paths, owner.as_deref(), group.as_deref(), recursive)
            })
            .map(|()| note);
            Msg::Done { op: Op::Chown(targets), result }
        }
        Effect::Symlink { target, link } => {
            let path = link.path().to_path_buf();
            let note = format!("linked {} to {}", shown(&path), escape_bytes(target.as_encoded_bytes()));
            let result = on_fs(&[&link], remotes, move |fs| fs.symlink(&target, &path)).map(|()| note);
            Msg::Done { op: Op::Symlink(link), result }
        }
        Effect::Touch { location } => {
            let path = location.path().to_path_buf();
            let note = format!("created the empty file {}", shown(&path));
            let result = on_fs(&[&location], remotes, move |fs| fs.touch(&path)).map(|()| note);
            Msg::Done { op: Op::Touch(location), result }
        }
        Effect::ModeOf { token, location } => {
            let path = location.path().to_path_buf();
            // `stat` follows the link: the mode chmod would change.
            let result = on_fs(&[&location], remotes, move |fs| {
                Ok(fs.stat(&[&path])?.into_iter().next().transpose()?.flatten().map(|s| s.mode & 0o7777))
            });
            Msg::ModeOf { token, result }
        }
        Effect::Complete { token, dir, prefix } => {
            let path = dir.path().to_path_buf();
            let result =
                on_fs(&[&dir], remotes, move |fs| Ok(complete(fs, &path, &prefix))).unwrap_or_default();
            Msg::Completed { token, result }
        }
        Effect::View { token, location, limit } => {
            let path = location.path().to_path_buf();
            let result = on_fs(&[&location], remotes, move |fs| fs.read_prefix(&path, limit))
                .map(|(bytes, total)| ViewContent::new(bytes, total));
            Msg::Viewed { token, result }
        }
        Effect::Follow { token, generation, location, offset, limit, delay: _ } => {
            let path = location.path().to_path_buf();
            let result = on_fs(&[&location], remotes, move |fs| fs.read_from(&path, offset, limit));
            Msg::Followed { token, generation, result }
        }
        Effect::LoadSshHosts { token } => Msg::SshHosts { token, hosts: remotes.ssh_hosts() },
        Effect::ResolveHosts { token, hosts } => {
            Msg::HostAddresses { token, addresses: remotes.addresses(&hosts) }
        }
        Effect::SaveBookmarks { dir, bookmarks } => {
            return config::save_bookmarks(&dir, &bookmarks)
                .err()
                .map(|e| Msg::Report(Note::error(&e.to_string())));
        }
        Effect::SaveRecent { dir, recent } => {
            return config::save_recent(&dir, &recent)
                .err()
                .map(|e| Msg::Report(Note::error(&e.to_string())));
        }
        Effect::ProbeTarget { token, location } => {
            let path = location.path().to_path_buf();
            let result = on_fs(&[&location], remotes, move |fs| {
                let found = fs.stat(&[&path])?.into_iter().next().transpose()?.flatten();
                Ok(found.map(|stat| stat.kind))
            });
            Msg::TargetProbed { token, result }
        }
        Effect::CreateTarget { side, location, spec } => {
            let path = location.path().to_path_buf();
            let result = on_fs(&[&location], remotes, move |fs| fs.make_dir(&path));
            Msg::TargetCreated { side, spec, result }
        }
        Effect::SaveRecentDirs { dir, dirs } => {
            return config::save_recent_dirs(&dir, &dirs)
                .err()
                .map(|e| Msg::Report(Note::error(&e.to_string())));
        }
        Effect::Disconnect { host } => {
            remotes.disconnect(&host);
            return None;
        }
        Effect::Connect { id, host } => Msg::Connected { id, result: remotes.connect(id, &host) },
        Effect::CancelConnect { id } => {
            remotes.cancel(id);
            return None;
        }
        Effect::Watch { .. }
        | Effect::Answer { .. }
        | Effect::Edit { .. }
        | Effect::Ticks { .. }
        | Effect::Find { .. }
        | Effect::CancelFind { .. } => {
            return None;
        }
    })
}

/// Runs a search on the host of `location`, each batch of results sent
/// as `Msg::Found` as it comes; returns how it ended.
pub(super) fn find(
    remotes: &Remotes,
    location: &Location,
    query: FindQuery,
    cancel: CancellationToken,
    tx: &UnboundedSender<Msg>,
    token: u64,
) -> Result<FindEnd, WorkError> {
    let tx = tx.clone();
    let found = move |batch: Vec<Found>| {
        // The receiver is gone only when the app is quitting.
        let _ = tx.send(Msg::Found { token, batch });
    };
    match location.host() {
        None => {
            let mut found = found;
            Ok(LocalFs::new().find(&query, &cancel, &mut found)?)
        }
        Some(host) => remotes.find(host, query, cancel, found),
    }
}

/// Renames one entry, or moves entries into the directory `target`;
/// nothing existing is replaced.
fn rename(fs: &dyn FileSystem, sources: &[PathBuf], target: &Path) -> Result<(), FsError> {
    let is_dir = fs
        .stat(&[target])?
        .pop()
        .and_then(Result::ok)
        .flatten()
        .is_some_and(|s| s.kind == crate::fs::Kind::Dir);
    let into_dir = is_dir && !(sources.len() == 1 && sources[0] == target);
    match sources {
        _ if into_dir => fs.move_into(sources, target),
        [one] => fs.rename(one, target),
        _ => Err(FsError::Refused {
            action: format!("move {} entries", sources.len()),
            reason: format!("{} is not a directory", escape_str(&target.to_string_lossy())),
        }),
    }
}
