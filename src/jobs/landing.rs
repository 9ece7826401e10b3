//! Putting a complete local temporary copy in place, the way the item's
//! [`Place`] says: the last step of a download or a local copy.

use std::path::Path;

use super::local_copy::describe;
use super::task::{Outcome, Place};
use crate::fs::Location;
use crate::fs::place::{Placed, Rename, place};
pub(super) use crate::scp::in_place_cure;

/// The rename a placement needs; `None` for [`Place::Into`] (no temporary file).
pub(super) fn rename_for(place: Place) -> Option<Rename> {
    match place {
        Place::Replace => Some(Rename::Replace),
        Place::NoReplace => Some(Rename::NoReplace),
        Place::KeepBoth { from } => Some(Rename::KeepBoth { from }),
        Place::Into => None,
    }
}

/// Moves `temp` to `dest` (a local path of `location`). On failure the
/// temporary file is removed.
pub(super) fn land(temp: &Path, dest: &Location, how: Place) -> Result<Outcome, String> {
    let Some(rename) = rename_for(how) else {
        let _ = std::fs::remove_file(temp);
        return Err("internal error: a copy written into its destination has no temporary file".into());
    };
    match place(temp, dest.path(), rename) {
        Ok(Placed::At(path)) if path == dest.path() => Ok(Outcome::Done),
        Ok(Placed::At(path)) => Ok(Outcome::PlacedAs(dest.with_path(path))),
        Ok(Placed::Taken) => {
            Ok(Outcome::Skipped("exists at the destination (it appeared while this copy was made)".into()))
        }
        Err(e) => {
            let _ = std::fs::remove_file(temp);
            Err(describe(dest.path(), &e))
        }
    }
}

/// Whether `dest` is an existing regular file we may write to, the only
/// case where a copy may replace it in place rather than atomically.
pub(super) fn writable_file(dest: &Path) -> bool {
    std::fs::metadata(dest).is_ok_and(|m| m.is_file())
        && nix::unistd::access(dest, nix::unistd::AccessFlags::W_OK).is_ok()
}

/// The log line for a file replaced in place.
pub(super) fn in_place_note(shown: &str, why: &str) -> String {
    format!("{shown}: replaced in place, not atomically ({why}): a failure now would leave it incomplete")
}
