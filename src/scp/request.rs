//! What the caller asks for: requests, options and the cancel token.

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::path::PathBuf;

use super::throttle::Throttle;

/// Options shared by every direction.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// `-r`: copy directories recursively.
    pub recursive: bool,
    /// `-p`: keep modification/access times and modes (including setuid and
    /// setgid bits, which are otherwise dropped).
    pub preserve: bool,
    /// `-l`: a bandwidth limit, shared by every channel that holds a clone.
    /// Downloads and relays pace what they read, uploads what they write.
    pub limit: Option<Throttle>,
}

/// Copy remote paths on one host to a local target.
#[derive(Debug, Clone)]
pub struct DownloadRequest {
    /// The host's name as the user knows it, for messages.
    pub host: String,
    /// Remote paths, as given (relative paths are relative to the remote home).
    pub sources: Vec<OsString>,
    /// A local directory, or with one source the destination file name.
    pub target: PathBuf,
    pub options: Options,
    /// Where each source, a file, goes instead (by index; empty: under the
    /// target, renamed into place as it completes).
    pub landing: Vec<Landing>,
}

/// Where a downloaded file goes, for a caller that puts files in place
/// itself (the transfer scheduler: "keep both", verification first...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Landing {
    /// Into a temporary file beside `dest`, left there complete and
    /// reported with [`Landed::Temp`](super::Landed). With `in_place`, an
    /// existing `dest` may be written in place instead when no temporary
    /// file can be made beside it.
    Keep { dest: PathBuf, in_place: bool },
    /// Straight into `dest`: a device, a named pipe, or a file to replace in
    /// place.
    Into { dest: PathBuf },
}

/// Copy local paths to a remote target.
#[derive(Debug, Clone)]
pub struct UploadRequest {
    pub host: String,
    pub sources: Vec<PathBuf>,
    /// A remote directory, or with one source the destination name.
    pub target: OsString,
    pub options: Options,
    /// The names the sources are sent under, by index (empty: their own).
    /// The sender names files in SCP, so a caller can receive into a
    /// directory of short, unique temporary names.
    pub names: Vec<OsString>,
}

/// Copy remote paths on one host to a target on another, through this
/// process, without a temporary copy.
#[derive(Debug, Clone)]
pub struct RelayRequest {
    pub from_host: String,
    pub sources: Vec<OsString>,
    pub to_host: String,
    pub target: OsString,
    pub options: Options,
    /// The names the sources are sent under, by index (empty: their own).
    pub names: Vec<OsString>,
}

/// The last component of a path as the remote scp names it: trailing
/// slashes removed, then what follows the last slash.
pub(crate) fn base_name(path: &[u8]) -> Vec<u8> {
    let mut end = path.len();
    while end > 1 && path[end - 1] == b'/' {
        end -= 1;
    }
    let trimmed = &path[..end];
    match trimmed.iter().rposition(|&b| b == b'/') {
        Some(i) => trimmed[i + 1..].to_vec(),
        None => trimmed.to_vec(),
    }
}

/// True when the target must be an existing directory: several sources, or
/// a trailing slash.
pub(crate) fn needs_dir(sources: usize, target: &[u8]) -> bool {
    sources > 1 || target.ends_with(b"/")
}

pub(crate) fn os(bytes: Vec<u8>) -> OsString {
    OsString::from_vec(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_names_like_openssh() {
        assert_eq!(base_name(b"a/b/c"), b"c");
        assert_eq!(base_name(b"dir///"), b"dir");
        assert_eq!(base_name(b"plain"), b"plain");
        assert_eq!(base_name(b"/"), b"");
        assert_eq!(base_name(b"a/."), b".");
    }
}
