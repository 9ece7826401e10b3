//! File-system model shared by local and remote panes.

mod entry;
pub mod local;
mod location;
pub mod place;
pub mod remote;

pub use entry::{Entry, Kind, LinkTarget, Mtime, permission_string};
pub use location::Location;
