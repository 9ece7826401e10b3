//! The remote file system over plain SSH: small shell commands over exec
//! channels, all built with [`crate::shell`]'s quoting and framing.
//!
//! [`Capabilities::probe`] finds out once per connection what the host has;
//! [`Remote`] borrows the session and those capabilities and offers the
//! listing and the file operations, each a blocking call for the thread that
//! owns the session. Every result is a [`Reply`] carrying what the login
//! profile printed, so banners are reported and never mixed into results.

mod banner_note;
mod batch;
mod caps;
mod find;
mod folded;
mod host;
mod list;
mod login_shell;
mod ops;
mod protocol;
mod ranges;
mod remote_fs;
mod script;
mod sftp;
mod tally;
mod usage;

pub use banner_note::BannerNote;
pub use batch::{PathKind, PlacedThenRemoved};
pub use caps::{Capabilities, HashTool, RemoteClock, StatFlavor};
pub use find::Tool as FindTool;
pub use folded::FoldedPlacing;
pub use host::{Host, Prelist};
pub use list::{Listing, Method, TimePrecision};
pub use login_shell::{Guard, LoginShell, ProfileFix, SSH_RC_FIX};
pub use ops::Overwrite;
pub use protocol::Protocol;
pub use ranges::{Append, BLOCK};
pub use remote_fs::RemoteFs;
pub use script::Reply;
pub use sftp::SftpFs;
pub use tally::TallyMethod;
pub use usage::{Space, Usage, UsageMethod};

use std::path::Path;

use crate::fs::FsError;
use crate::ssh::Link;

/// A remote host's file system: a session and its probed capabilities.
#[derive(Clone, Copy)]
pub struct Remote<'a> {
    pub link: Link<'a>,
    pub caps: &'a Capabilities,
}

impl<'a> Remote<'a> {
    pub fn new(link: Link<'a>, caps: &'a Capabilities) -> Self {
        Self { link, caps }
    }

    /// Lists `dir` (entries unsorted, without `.` and `..`) with the best
    /// method the host has.
    pub fn list(&self, dir: &Path) -> Result<Reply<Listing>, FsError> {
        self.list_with(dir, self.caps.list_method())
    }

    /// Lists only the entries `names` of `dir` (see [`list::list_names`]).
    pub fn list_names(&self, dir: &Path, names: &[&std::ffi::OsStr]) -> Result<Reply<Listing>, FsError> {
        self.list_names_with(dir, names, self.caps.list_method())
    }

    /// Lists entries `names` of `dir` with a given method (for tests).
    pub fn list_names_with(
        &self,
        dir: &Path,
        names: &[&std::ffi::OsStr],
        method: Method,
    ) -> Result<Reply<Listing>, FsError> {
        list::list_names(self.link, self.caps, dir, names, method)
    }

    /// Searches with a given tool (for tests); panes use
    /// [`crate::fs::FileSystem::find`], which picks the best.
    pub fn find_with(
        &self,
        tool: FindTool,
        query: &crate::fs::FindQuery,
        cancel: &tokio_util::sync::CancellationToken,
        found: &mut dyn FnMut(Vec<crate::fs::Found>),
    ) -> Result<crate::fs::FindEnd, FsError> {
        find::find_with(self.link, tool, query, cancel, found)
    }

    /// Lists `dir` with a given method (for tests and benchmarks).
    pub fn list_with(&self, dir: &Path, method: Method) -> Result<Reply<Listing>, FsError> {
        list::list_with(self.link, self.caps, dir, method)
    }
}
