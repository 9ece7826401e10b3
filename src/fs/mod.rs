//! File-system model shared by local and remote panes.

mod entry;
mod error;
pub mod find;
pub mod local;
mod location;
pub mod place;
pub mod remote;
mod system;
mod tally;

pub use entry::{Entry, Kind, LinkTarget, Mtime, permission_string};
pub use error::{Failure, FsError};
pub use find::{FindEnd, FindQuery, Found, KindFilter};
pub use local::LocalFs;
pub use location::Location;
pub use remote::RemoteFs;
pub use system::{ByteRange, Digest, Each, FileSystem, Listing, Placement, Stat, Usage, complete};
pub use tally::{MAX_FOLLOWED, Tally};
