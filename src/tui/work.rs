//! The blocking work behind each effect, local or remote, turned into the
//! message that reports it.

use std::path::PathBuf;

use super::local_ops;
use crate::app::dialog::ViewContent;
use crate::app::{Effect, Msg, Op};
use crate::config;
use crate::fs::{Location, local};
use crate::text::escape_str;

/// Runs one effect to completion (on a blocking thread).
pub fn run(effect: Effect) -> Option<Msg> {
    Some(match effect {
        // The scheduler takes these (see `Executor::run`).
        Effect::Submit(_) | Effect::Jobs(_) => return None,
        Effect::List { side, generation, location } => {
            Msg::Listed { side, generation, result: list(&location) }
        }
        Effect::FreeSpace { side, location } => {
            let result = local_path(&location).and_then(|p| local_ops::free_space(&p));
            Msg::FreeSpace { side, location, result }
        }
        Effect::DirSize { side, location } => {
            let result = local_path(&location).and_then(|p| local_ops::dir_size(&p));
            Msg::DirSize { side, location, result }
        }
        Effect::Count { token, targets } => {
            Msg::Counted { token, result: local_paths(&targets).and_then(|p| local_ops::count(&p)) }
        }
        Effect::Mkdir { location } => {
            let result = local_path(&location).and_then(|p| local_ops::mkdir(&p));
            Msg::Done { op: Op::Mkdir(location), result }
        }
        Effect::Rename { sources, target } => {
            let result = local_paths(&sources)
                .and_then(|s| local_path(&target).map(|t| (s, t)))
                .and_then(|(s, t)| local_ops::rename(&s, &t));
            Msg::Done { op: Op::Rename { sources, target }, result }
        }
        Effect::Delete { targets } => {
            let result = local_paths(&targets).and_then(|p| local_ops::delete(&p));
            Msg::Done { op: Op::Delete(targets), result }
        }
        Effect::Complete { token, dir, prefix } => {
            let result = local_path(&dir).map(|d| local_ops::complete(&d, &prefix)).unwrap_or_default();
            Msg::Completed { token, result }
        }
        Effect::View { token, location, limit } => {
            let result = local_path(&location)
                .and_then(|p| local_ops::read_prefix(&p, limit))
                .map(|(bytes, total)| ViewContent::new(bytes, total));
            Msg::Viewed { token, result }
        }
        Effect::LoadSshHosts { token } => Msg::SshHosts { token, hosts: Vec::new() },
        Effect::SaveBookmarks { dir, bookmarks } => {
            return config::save_bookmarks(&dir, &bookmarks).err().map(|e| Msg::Problem(e.to_string()));
        }
        Effect::SaveRecent { dir, recent } => {
            return config::save_recent(&dir, &recent).err().map(|e| Msg::Problem(e.to_string()));
        }
        Effect::Connect { id, host } => Msg::Connected {
            id,
            result: Err(format!(
                "cannot connect to {}: remote hosts are not available yet",
                escape_str(&host)
            )),
        },
        Effect::CancelConnect { .. }
        | Effect::Watch { .. }
        | Effect::Answer { .. }
        | Effect::Edit { .. }
        | Effect::Ticks { .. } => return None,
    })
}

fn list(location: &Location) -> Result<Vec<crate::fs::Entry>, String> {
    let path = local_path(location)?;
    local::list(&path).map_err(|e| format!("cannot list {location}: {}", escape_str(&e.to_string())))
}

fn local_path(location: &Location) -> Result<PathBuf, String> {
    match location {
        Location::Local(path) => Ok(path.clone()),
        Location::Remote { .. } => Err(format!("{location}: remote hosts are not available yet")),
    }
}

fn local_paths(locations: &[Location]) -> Result<Vec<PathBuf>, String> {
    locations.iter().map(local_path).collect()
}
