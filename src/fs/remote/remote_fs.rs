//! A host's file system behind [`FileSystem`]: the connection's link and
//! its [`Host`], every operation a command chosen by what the host has.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::Remote;
use super::batch::{self, PathKind, PlacedThenRemoved};
use super::host::Host;
use super::script::{PRELUDE, shown, with_path};
use super::sftp::SftpFs;
use crate::fs::Tally;
use crate::fs::entry::{Entry, Kind, Mtime};
use crate::fs::error::FsError;
use crate::fs::find::{FindEnd, FindQuery, Found};
use crate::fs::place::Placed;
use crate::fs::system::{ByteRange, Digest, Each, FileSystem, Listing, Placement, Stat, Usage};
use crate::shell::{self, Command};
use crate::ssh::Link;
use crate::text::escape_bytes;
use tokio_util::sync::CancellationToken;

/// One result per path, as `lstat` gives them.
type EntriesFound = Vec<Result<Option<Entry>, FsError>>;

/// The file system of the host behind a connection. Use it on the thread
/// that owns the connection.
pub struct RemoteFs<'a> {
    link: Link<'a>,
    host: Arc<Host>,
    /// On a host that runs no commands, every operation goes over SFTP.
    sftp: Option<SftpFs>,
}

impl<'a> RemoteFs<'a> {
    /// The host's file system, probing the host the first time on this
    /// connection.
    pub fn open(link: Link<'a>) -> Result<Self, FsError> {
        let host = Host::of(link)?;
        let sftp = match host.caps().shell {
            true => None,
            false => Some(SftpFs::open(link, host.caps().home.clone())?),
        };
        Ok(RemoteFs { link, host, sftp })
    }

    pub fn host(&self) -> &Host {
        &self.host
    }

    pub fn link(&self) -> Link<'a> {
        self.link
    }

    /// A command that prints `range` of a file (to be streamed by the
    /// caller), when the host has the tools.
    pub fn read_command(&self, range: &ByteRange) -> Result<Command, FsError> {
        super::ranges::read_command(self.host.caps(), range)
    }

    /// A command that writes its input into `path` from `offset` on, which
    /// must come from [`Capabilities::append_offset`](super::Capabilities::append_offset).
    pub fn append_command(&self, path: &Path, offset: u64) -> Result<Command, FsError> {
        super::ranges::append_command(self.host.caps(), path, offset)
    }

    /// How a lower rung of the protocol ladder reaches this host (`None`
    /// on the SCP rung): its SFTP channel, or its shell for `cat`.
    pub fn rung(&self) -> Option<crate::scp::rung::End<'a>> {
        use super::protocol::Protocol;
        match self.host.protocol() {
            Protocol::Scp => None,
            Protocol::Sftp => Some(match self.sftp_channel() {
                Ok(channel) => crate::scp::rung::End::Sftp(channel),
                Err(_) => crate::scp::rung::End::Stream(self.link),
            }),
            Protocol::Stream => Some(crate::scp::rung::End::Stream(self.link)),
        }
    }

    /// The connection's SFTP channel on a host without a shell, a channel
    /// of its own otherwise.
    fn sftp_channel(&self) -> Result<std::sync::Arc<crate::ssh::sftp::SftpChannel>, ssh2::Error> {
        match self.host.caps().shell {
            true => crate::ssh::sftp::open(self.link),
            false => crate::ssh::sftp::sftp(self.link),
        }
    }

    /// Puts finished uploads in place, then removes `private` (the
    /// directory they came from): one command where the host has a shell,
    /// the removal's own result beside the placements'.
    pub fn place_then_remove(
        &self,
        placements: &[Placement],
        private: &Path,
    ) -> Result<PlacedThenRemoved, FsError> {
        if self.sftp.is_some() {
            let placed = self.place(placements)?;
            return Ok((placed, Some(self.delete(&[private.to_path_buf()]))));
        }
        batch::place_then_remove(self.link, placements, Some(private))
    }

    fn remote(&self) -> Remote<'_> {
        Remote::new(self.link, self.host.caps())
    }

    /// The entries of `paths` that have a parent and a name, from one
    /// listing of those names per parent; the indexes of the others (`/`,
    /// `.`, `..`), whose results are left `None`.
    fn named_entries(&self, paths: &[&Path]) -> Result<(EntriesFound, Vec<usize>), FsError> {
        let mut entries: Vec<Result<Option<Entry>, FsError>> = vec![Ok(None); paths.len()];
        let mut groups: Vec<(&Path, Vec<usize>)> = Vec::new();
        let mut bare = Vec::new();
        for (index, path) in paths.iter().enumerate() {
            if let Some(entry) = self.host.take_prelisted(path) {
                entries[index] = Ok(entry);
                continue;
            }
            match (path.parent(), path.file_name()) {
                (Some(parent), Some(_)) => {
                    let parent = if parent.as_os_str().is_empty() { Path::new(".") } else { parent };
                    match groups.iter_mut().find(|(p, _)| *p == parent) {
                        Some((_, members)) => members.push(index),
                        None => groups.push((parent, vec![index])),
                    }
                }
                _ => bare.push(index),
            }
        }
        for (parent, members) in groups {
            let names: Vec<&OsStr> = members.iter().filter_map(|&i| paths[i].file_name()).collect();
            match self.remote().list_names(parent, &names) {
                Ok(reply) => {
                    for (&index, name) in members.iter().zip(&names) {
                        entries[index] = Ok(reply.value.entries.iter().find(|e| e.name == *name).cloned());
                    }
                }
                Err(e) if e.is_connection_lost() => return Err(e),
                // Not there, or under something that is not a directory.
                Err(FsError::NotFound(_) | FsError::NotADirectory(_)) => {}
                Err(e) => members.iter().for_each(|&index| entries[index] = Err(e.clone())),
            }
        }
        Ok((entries, bare))
    }

    /// What paths without a last name are (`/`, `.`, `..`): one `[ -d ]`
    /// test each, in one command.
    fn stat_bare(&self, paths: &[&Path]) -> Each<Option<Stat>> {
        let kinds = batch::kinds(self.link, paths)?;
        Ok(kinds
            .into_iter()
            .map(|kind| {
                kind.map(|kind| match kind {
                    PathKind::Missing => None,
                    kind => {
                        Some(Stat { kind: kind_of(kind, Kind::Unknown), size: 0, mode: 0o755, mtime: None })
                    }
                })
            })
            .collect())
    }
}

impl FileSystem for RemoteFs<'_> {
    fn find(
        &self,
        query: &FindQuery,
        cancel: &CancellationToken,
        found: &mut dyn FnMut(Vec<Found>),
    ) -> Result<FindEnd, FsError> {
        if let Some(sftp) = &self.sftp {
            return sftp.find(query, cancel, found);
        }
        super::find::find(self.link, self.host.caps(), query, cancel, found)
    }

    fn list(&self, dir: &Path) -> Result<Listing, FsError> {
        if let Some(sftp) = &self.sftp {
            return sftp.list(dir);
        }
        let reply = self.remote().list(dir)?;
        Ok(Listing { entries: reply.value.entries, warnings: reply.warnings })
    }

    /// One listing of the named entries per parent directory (a single
    /// source costs one round trip, however many entries its directory
    /// holds); a link is what it points to.
    fn stat(&self, paths: &[&Path]) -> Each<Option<Stat>> {
        if let Some(sftp) = &self.sftp {
            return sftp.stat(paths);
        }
        let (entries, bare) = self.named_entries(paths)?;
        let mut stats: Vec<Result<Option<Stat>, FsError>> = entries
            .into_iter()
            .map(|entry| {
                entry.map(|e| {
                    e.map(|e| Stat {
                        kind: e.link.as_ref().and_then(|l| l.kind).unwrap_or(e.kind),
                        size: e.size,
                        mode: e.mode & 0o7777,
                        mtime: Some(e.mtime.secs),
                    })
                })
            })
            .collect();
        if !bare.is_empty() {
            let bare_paths: Vec<&Path> = bare.iter().map(|&i| paths[i]).collect();
            for (index, stat) in bare.into_iter().zip(self.stat_bare(&bare_paths)?) {
                stats[index] = stat;
            }
        }
        Ok(stats)
    }

    /// As `stat`, from the same one listing per parent directory, but the
    /// entries themselves. `/`, `.` and `..` are directories, never links.
    fn lstat(&self, paths: &[&Path]) -> Each<Option<Entry>> {
        if let Some(sftp) = &self.sftp {
            return sftp.lstat(paths);
        }
        let (mut entries, bare) = self.named_entries(paths)?;
        if !bare.is_empty() {
            let bare_paths: Vec<&Path> = bare.iter().map(|&i| paths[i]).collect();
            for (index, stat) in bare.into_iter().zip(self.stat_bare(&bare_paths)?) {
                entries[index] = stat.map(|s| {
                    s.map(|s| Entry {
                        name: paths[index].as_os_str().to_owned(),
                        kind: s.kind,
                        size: s.size,
                        mode: s.mode,
                        mtime: Mtime::default(),
                        owner: String::new(),
                        group: String::new(),
                        link: None,
                    })
                });
            }
        }
        Ok(entries)
    }

    fn usage(&self, paths: &[PathBuf]) -> Result<Usage, FsError> {
        if let Some(sftp) = &self.sftp {
            return sftp.usage(paths);
        }
        let usage = self.remote().count(paths)?.value;
        Ok(Usage { files: usage.files, dirs: usage.dirs, bytes: usage.bytes, complete: usage.complete })
    }

    /// Over SFTP nothing runs on the host: the walk counts.
    fn tally(&self, roots: &[PathBuf], follow: bool) -> Result<Option<Tally>, FsError> {
        if self.sftp.is_some() {
            return Ok(None);
        }
        self.remote().tally(roots, follow)
    }

    fn free_space(&self, path: &Path) -> Result<u64, FsError> {
        if let Some(sftp) = &self.sftp {
            return sftp.free_space(path);
        }
        Ok(self.remote().free_space(path)?.value.available)
    }

    fn resolve(&self, path: &Path) -> Result<PathBuf, FsError> {
        if let Some(sftp) = &self.sftp {
            return sftp.resolve(path);
        }
        Ok(self.remote().resolve(path)?.value)
    }

    fn expand(&self, pattern: &Path) -> Result<Vec<PathBuf>, FsError> {
        if let Some(sftp) = &self.sftp {
            return sftp.expand(pattern);
        }
        self.remote().expand(pattern)
    }

    fn read_prefix(&self, path: &Path, limit: u64) -> Result<(Vec<u8>, u64), FsError> {
        if let Some(sftp) = &self.sftp {
            return sftp.read_prefix(path, limit);
        }
        let action = format!("read {}", shown(path));
        // `head` opens the file itself, so a refusal is in its own words
        // ("head: cannot open '/x' for reading: Permission denied"), not a
        // shell's ("sh: 1: cannot open /x"). The size follows the data on
        // a line of its own: data, newline, size, newline.
        let command = with_path(Command::new(PRELUDE).lit(&format!("head -c {limit} --")), path, &action)?
            .lit("&& echo && wc -c <");
        let command = with_path(command, path, &action)?;
        let output = shell::exec::run(self.link, &command).map_err(|e| FsError::exec(&action, e))?;
        if !output.status.success() {
            return Err(FsError::from_output(&action, command.as_bytes(), &output));
        }
        split_size(&output.stdout).ok_or_else(|| FsError::Malformed {
            action: action.clone(),
            detail: escape_bytes(output.stdout.rsplit(|&b| b == b'\n').nth(1).unwrap_or_default()),
        })
    }

    fn read_from(&self, path: &Path, offset: u64, limit: u64) -> Result<(Vec<u8>, u64), FsError> {
        if let Some(sftp) = &self.sftp {
            return sftp.read_from(path, offset, limit);
        }
        let action = format!("read {} from byte {offset}", shown(path));
        // The probed tools read from the offset (`tail -c +N | head -c`,
        // or `dd` on block boundaries); the size follows on a line of its
        // own, as for `read_prefix`.
        let range = ByteRange { path, start: offset, len: Some(limit) };
        let read = super::ranges::read_command(self.host.caps(), &range)?;
        let command = Command::new(PRELUDE).append(&read).lit("&& echo && wc -c <");
        let command = with_path(command, path, &action)?;
        let output = shell::exec::run(self.link, &command).map_err(|e| FsError::exec(&action, e))?;
        if !output.status.success() {
            return Err(FsError::from_output(&action, command.as_bytes(), &output));
        }
        split_size(&output.stdout).ok_or_else(|| FsError::Malformed {
            action: action.clone(),
            detail: escape_bytes(output.stdout.rsplit(|&b| b == b'\n').nth(1).unwrap_or_default()),
        })
    }

    fn sha256(&self, paths: &[&Path]) -> Each<Digest> {
        if let Some(sftp) = &self.sftp {
            return sftp.sha256(paths);
        }
        batch::sha256(self.link, paths)
    }

    fn sha256_ranges(&self, ranges: &[ByteRange]) -> Each<Digest> {
        if let Some(sftp) = &self.sftp {
            return sftp.sha256_ranges(ranges);
        }
        batch::sha256_ranges(self.link, self.host.caps(), ranges)
    }

    fn make_dir(&self, path: &Path) -> Result<(), FsError> {
        if let Some(sftp) = &self.sftp {
            return sftp.make_dir(path);
        }
        self.remote().make_new_dir(path).map(drop)
    }

    fn make_dirs(&self, dirs: &[(&Path, Option<u32>)]) -> Each<()> {
        if let Some(sftp) = &self.sftp {
            return sftp.make_dirs(dirs);
        }
        batch::make_dirs(self.link, dirs)
    }

    fn delete(&self, paths: &[PathBuf]) -> Result<(), FsError> {
        if let Some(sftp) = &self.sftp {
            return sftp.delete(paths);
        }
        self.remote().delete(paths).map(drop)
    }

    fn remove_files(&self, paths: &[&Path]) -> Each<()> {
        if let Some(sftp) = &self.sftp {
            return sftp.remove_files(paths);
        }
        batch::remove_files(self.link, paths)
    }

    fn remove_dirs(&self, paths: &[&Path]) -> Each<()> {
        if let Some(sftp) = &self.sftp {
            return sftp.remove_dirs(paths);
        }
        batch::remove_dirs(self.link, paths)
    }

    fn rename(&self, from: &Path, to: &Path) -> Result<(), FsError> {
        if let Some(sftp) = &self.sftp {
            return sftp.rename(from, to);
        }
        self.remote().rename(from, to).map(drop)
    }

    fn move_into(&self, sources: &[PathBuf], dir: &Path) -> Result<(), FsError> {
        if let Some(sftp) = &self.sftp {
            return sftp.move_into(sources, dir);
        }
        self.remote().move_into(sources, dir, super::Overwrite::Never).map(drop)
    }

    fn chmod(&self, paths: &[PathBuf], mode: u32, recursive: bool) -> Result<(), FsError> {
        if let Some(sftp) = &self.sftp {
            return sftp.chmod(paths, mode, recursive);
        }
        self.remote().chmod(paths, mode, recursive).map(drop)
    }

    fn chown(
        &self,
        paths: &[PathBuf],
        owner: Option<&str>,
        group: Option<&str>,
        recursive: bool,
    ) -> Result<(), FsError> {
        if let Some(sftp) = &self.sftp {
            return sftp.chown(paths, owner, group, recursive);
        }
        self.remote().chown(paths, owner, group, recursive).map(drop)
    }

    fn symlink(&self, target: &OsStr, link: &Path) -> Result<(), FsError> {
        if let Some(sftp) = &self.sftp {
            return sftp.symlink(target, link);
        }
        self.remote().symlink(target, link).map(drop)
    }

    fn touch(&self, path: &Path) -> Result<(), FsError> {
        if let Some(sftp) = &self.sftp {
            return sftp.touch(path);
        }
        self.remote().new_file(path).map(drop)
    }

    fn set_times(&self, files: &[(&Path, i64)]) -> Each<()> {
        if let Some(sftp) = &self.sftp {
            return sftp.set_times(files);
        }
        batch::set_times(self.link, files)
    }

    fn place(&self, placements: &[Placement]) -> Each<Placed> {
        if let Some(sftp) = &self.sftp {
            return sftp.place(placements);
        }
        batch::place(self.link, placements)
    }

    fn copy_files(&self, pairs: &[(&Path, &Path)], preserve: bool) -> Each<()> {
        if let Some(sftp) = &self.sftp {
            return sftp.copy_files(pairs, preserve);
        }
        batch::copy_files(self.link, pairs, preserve)
    }
}

/// The kind `[ -d ]`/`[ -f ]` saw (links followed), refined by the listing
/// where they only say "something else".
fn kind_of(seen: PathKind, listed: Kind) -> Kind {
    match seen {
        PathKind::Dir => Kind::Dir,
        PathKind::File => Kind::File,
        PathKind::Other | PathKind::Missing => match listed {
            Kind::Dir | Kind::File | Kind::Unknown => Kind::Unknown,
            other => other,
        },
    }
}

/// `DATA\nSIZE\n` as the data and the size.
fn split_size(out: &[u8]) -> Option<(Vec<u8>, u64)> {
    let body = out.strip_suffix(b"\n")?;
    let newline = body.iter().rposition(|&b| b == b'\n')?;
    let size = std::str::from_utf8(&body[newline + 1..]).ok()?.trim().parse().ok()?;
    Some((body[..newline].to_vec(), size))
}

#[cfg(test)]
mod tests {
    use super::split_size;

    #[test]
    fn the_size_is_the_last_line_whatever_the_data_holds() {
        assert_eq!(split_size(b"ab\ncd\n\n6\n"), Some((b"ab\ncd\n".to_vec(), 6)));
        assert_eq!(split_size(b"\n0\n"), Some((Vec::new(), 0)));
        assert_eq!(split_size(b"x\n   12\n"), Some((b"x".to_vec(), 12)), "BSD wc pads the number");
        assert_eq!(split_size(b"no size"), None);
    }
}
