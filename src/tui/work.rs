//! The blocking work behind each effect, on this machine or on the host of
//! the locations involved, turned into the message that reports it.

use std::path::PathBuf;
use std::sync::Arc;

use super::local_ops;
use super::remote::{self, HostHandle, Remotes};
use crate::app::dialog::ViewContent;
use crate::app::{Effect, Msg, Op};
use crate::config;
use crate::fs::{Location, local};
use crate::text::escape_str;

/// Where a group of locations lives.
enum Place {
    Local,
    Remote(Arc<HostHandle>),
}

/// The place of `locations` (all on one host) and their paths.
fn place(locations: &[&Location], remotes: &Remotes) -> Result<(Place, Vec<PathBuf>), String> {
    let paths = locations.iter().map(|l| l.path().to_path_buf()).collect();
    let host = locations.first().and_then(|l| l.host());
    if locations.iter().any(|l| l.host() != host) {
        return Err("these entries are on different hosts: copying between hosts comes with F5".into());
    }
    match host {
        None => Ok((Place::Local, paths)),
        Some(host) => Ok((Place::Remote(remotes.host(host)?), paths)),
    }
}

fn one(location: &Location, remotes: &Remotes) -> Result<(Place, PathBuf), String> {
    let (place, mut paths) = place(&[location], remotes)?;
    Ok((place, paths.pop().unwrap_or_default()))
}

/// Runs one effect to completion (on a blocking thread).
pub fn run(effect: Effect, remotes: &Remotes) -> Option<Msg> {
    Some(match effect {
        // The scheduler takes these (see `Executor::run`).
        Effect::Submit(_) | Effect::Jobs(_) => return None,
        Effect::List { side, generation, location } => {
            let result = one(&location, remotes).and_then(|(place, path)| match place {
                Place::Local => local::list(&path)
                    .map_err(|e| format!("cannot list {location}: {}", escape_str(&e.to_string()))),
                Place::Remote(host) => remote::list(&host, &path),
            });
            Msg::Listed { side, generation, result }
        }
        Effect::FreeSpace { side, location } => {
            let result = one(&location, remotes).and_then(|(place, path)| match place {
                Place::Local => local_ops::free_space(&path),
                Place::Remote(host) => remote::free_space(&host, &path),
            });
            Msg::FreeSpace { side, location, result }
        }
        Effect::DirSize { side, location } => {
            let result = one(&location, remotes).and_then(|(place, path)| match place {
                Place::Local => local_ops::dir_size(&path),
                Place::Remote(host) => remote::dir_size(&host, &path),
            });
            Msg::DirSize { side, location, result }
        }
        Effect::Count { token, targets } => {
            let refs: Vec<&Location> = targets.iter().collect();
            let result = place(&refs, remotes).and_then(|(place, paths)| match place {
                Place::Local => local_ops::count(&paths),
                Place::Remote(host) => remote::count(&host, &paths),
            });
            Msg::Counted { token, result }
        }
        Effect::Mkdir { location } => {
            let result = one(&location, remotes).and_then(|(place, path)| match place {
                Place::Local => local_ops::mkdir(&path),
                Place::Remote(host) => remote::mkdir(&host, &path),
            });
            Msg::Done { op: Op::Mkdir(location), result }
        }
        Effect::Rename { sources, target } => {
            let mut refs: Vec<&Location> = sources.iter().collect();
            refs.push(&target);
            let result = place(&refs, remotes).and_then(|(place, mut paths)| {
                let to = paths.pop().unwrap_or_default();
                match place {
                    Place::Local => local_ops::rename(&paths, &to),
                    Place::Remote(host) => remote::rename(&host, &paths, &to),
                }
            });
            Msg::Done { op: Op::Rename { sources, target }, result }
        }
        Effect::Delete { targets } => {
            let refs: Vec<&Location> = targets.iter().collect();
            let result = place(&refs, remotes).and_then(|(place, paths)| match place {
                Place::Local => local_ops::delete(&paths),
                Place::Remote(host) => remote::delete(&host, &paths),
            });
            Msg::Done { op: Op::Delete(targets), result }
        }
        Effect::Complete { token, dir, prefix } => {
            let result = match one(&dir, remotes) {
                Ok((Place::Local, path)) => local_ops::complete(&path, &prefix),
                Ok((Place::Remote(host), path)) => remote::complete(&host, &path, &prefix),
                Err(_) => Vec::new(),
            };
            Msg::Completed { token, result }
        }
        Effect::View { token, location, limit } => {
            let result = one(&location, remotes)
                .and_then(|(place, path)| match place {
                    Place::Local => local_ops::read_prefix(&path, limit),
                    Place::Remote(host) => remote::read_prefix(&host, &path, limit),
                })
                .map(|(bytes, total)| ViewContent::new(bytes, total));
            Msg::Viewed { token, result }
        }
        Effect::LoadSshHosts { token } => Msg::SshHosts { token, hosts: remotes.ssh_hosts() },
        Effect::SaveBookmarks { dir, bookmarks } => {
            return config::save_bookmarks(&dir, &bookmarks).err().map(|e| Msg::Problem(e.to_string()));
        }
        Effect::SaveRecent { dir, recent } => {
            return config::save_recent(&dir, &recent).err().map(|e| Msg::Problem(e.to_string()));
        }
        Effect::Connect { id, host } => Msg::Connected { id, result: remotes.connect(id, &host) },
        Effect::CancelConnect { id } => {
            remotes.cancel(id);
            return None;
        }
        Effect::Watch { .. } | Effect::Answer { .. } | Effect::Edit { .. } | Effect::Ticks { .. } => {
            return None;
        }
    })
}
