//! File contents over SFTP: the first bytes of a file, checksums (the data
//! is read and hashed here: an SFTP-only host runs no sha256sum), copies
//! within the host, free space. Reads ask for [`BLOCK`] bytes at a time,
//! which libssh2 pipelines as many requests in flight.

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use sha2::{Digest as _, Sha256};
use ssh2::{OpenFlags, OpenType, Sftp};

use super::error::{io_error, sftp_error};
use crate::fs::error::FsError;
use crate::fs::system::{ByteRange, Digest};

/// Bytes asked for per read or written per write: libssh2 splits them into
/// as many requests of its packet size, all in flight at once.
pub(crate) const BLOCK: usize = 1024 * 1024;

/// At most `limit` bytes from `offset` on (none past the end), and the
/// file's size now.
pub(super) fn read_from(
    sftp: &Sftp,
    path: &Path,
    offset: u64,
    limit: u64,
) -> Result<(Vec<u8>, u64), FsError> {
    let mut file = sftp.open(path).map_err(|e| sftp_error("read", Some(path), &e))?;
    let size = file.stat().map_err(|e| sftp_error("read", Some(path), &e))?.size.unwrap_or(0);
    if offset >= size {
        return Ok((Vec::new(), size));
    }
    if offset > 0 {
        file.seek(SeekFrom::Start(offset)).map_err(|e| io_error(sftp, "read", path, &e))?;
    }
    let mut data = Vec::new();
    file.take(limit).read_to_end(&mut data).map_err(|e| io_error(sftp, "read", path, &e))?;
    Ok((data, size))
}

pub(super) fn sha256_range(sftp: &Sftp, range: &ByteRange) -> Result<Digest, FsError> {
    let path = range.path;
    let mut file = sftp.open(path).map_err(|e| sftp_error("checksum", Some(path), &e))?;
    if range.start > 0 {
        file.seek(SeekFrom::Start(range.start)).map_err(|e| io_error(sftp, "checksum", path, &e))?;
    }
    let mut input = file.take(range.len.unwrap_or(u64::MAX));
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; BLOCK];
    loop {
        let n = input.read(&mut buf).map_err(|e| io_error(sftp, "checksum", path, &e))?;
        if n == 0 {
            return Ok(hasher.finalize().into());
        }
        hasher.update(&buf[..n]);
    }
}

/// Copies `from` to `to` (created or truncated) through this machine.
pub(super) fn copy_file(sftp: &Sftp, from: &Path, to: &Path, preserve: bool) -> Result<(), FsError> {
    let mut input = sftp.open(from).map_err(|e| sftp_error("read", Some(from), &e))?;
    let stat = input.stat().map_err(|e| sftp_error("read", Some(from), &e))?;
    let mode = stat.perm.unwrap_or(0o644) & 0o7777;
    let flags = OpenFlags::WRITE | OpenFlags::CREATE | OpenFlags::TRUNCATE;
    let mut output = sftp
        .open_mode(to, flags, mode as i32, OpenType::File)
        .map_err(|e| sftp_error("write", Some(to), &e))?;
    let mut buf = vec![0u8; BLOCK];
    loop {
        let n = input.read(&mut buf).map_err(|e| io_error(sftp, "read", from, &e))?;
        if n == 0 {
            break;
        }
        output.write_all(&buf[..n]).map_err(|e| io_error(sftp, "write", to, &e))?;
    }
    if preserve {
        let times = ssh2::FileStat {
            size: None,
            uid: None,
            gid: None,
            perm: Some(mode),
            atime: stat.atime,
            mtime: stat.mtime,
        };
        output.setstat(times).map_err(|e| sftp_error("set the times and mode of", Some(to), &e))?;
    }
    Ok(())
}

/// Bytes the account may still write where `path` is (the server's
/// `statvfs@openssh.com`).
pub(super) fn free_space(sftp: &Sftp, path: &Path) -> Result<u64, FsError> {
    // OpenSSH answers fstatvfs for an open file, not a directory handle;
    // a directory opens as a file for reading there.
    let opened = sftp.open(path).or_else(|_| sftp.opendir(path));
    let mut handle = opened.map_err(|e| sftp_error("measure the free space of", Some(path), &e))?;
    let vfs = handle.statvfs().map_err(|e| sftp_error("measure the free space of", Some(path), &e))?;
    Ok(vfs.f_bavail.saturating_mul(vfs.f_frsize))
}
