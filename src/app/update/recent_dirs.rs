//! Where the panes were: the last local directory (where "this machine",
//! `local:` and disconnecting go back to) and the last directory visited
//! on each host (a recent host reopens there; kept in the state dir).

use crate::app::effect::Effect;
use crate::app::state::State;
use crate::fs::Location;

/// A pane now shows `location`: remembered; returns the effect that saves
/// the hosts' directories when one changed.
pub(super) fn remember(state: &mut State, location: &Location) -> Option<Effect> {
    match location {
        Location::Local(path) => {
            state.last_local = Some(path.clone());
            None
        }
        Location::Remote { host, path } => {
            // By the host as the picker names it (as root or not).
            let host = crate::ssh::plain_host(host);
            if state.recent_dirs.get(host) == Some(path) {
                return None;
            }
            state.recent_dirs.insert(host.to_owned(), path.clone());
            // Only recent hosts keep theirs: the file stays as short as the list.
            let recent = &state.recent.hosts;
            state.recent_dirs.retain(|host, _| recent.contains(host));
            save(state)
        }
    }
}

/// Saves the hosts' last directories (nowhere without a state dir).
pub(super) fn save(state: &State) -> Option<Effect> {
    let dir = state.state_dir.clone()?;
    Some(Effect::SaveRecentDirs { dir, dirs: state.recent_dirs.clone() })
}
