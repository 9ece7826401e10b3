//! What an SFTP server's status codes mean as [`FsError`]s.

use std::path::Path;

use crate::fs::error::{Failure, FsError};
use crate::fs::system::Each;
use crate::text::escape_str;

/// SFTP status codes (draft-ietf-secsh-filexfer; OpenSSH speaks version 3,
/// newer servers send the others).
const NO_SUCH_FILE: i32 = 2;
const PERMISSION_DENIED: i32 = 3;
const NO_SUCH_PATH: i32 = 10;
const FILE_ALREADY_EXISTS: i32 = 11;
const NO_SPACE_ON_FILESYSTEM: i32 = 14;
const QUOTA_EXCEEDED: i32 = 15;
const NOT_A_DIRECTORY: i32 = 19;

/// The error for `action` (on `path`) that the server or the session gave.
pub(crate) fn sftp_error(action: &str, path: Option<&Path>, e: &ssh2::Error) -> FsError {
    let action = match path {
        Some(path) => format!("{action} {}", super::shown(path)),
        None => action.to_owned(),
    };
    if crate::ssh::is_transport_lost(e) {
        return FsError::Lost { action, detail: escape_str(e.message()) };
    }
    let said = format!("sftp: {}", escape_str(e.message()));
    let failure = Failure { action: action.clone(), command: String::new(), status: None, said };
    match e.code() {
        ssh2::ErrorCode::SFTP(NO_SUCH_FILE | NO_SUCH_PATH) => FsError::NotFound(failure),
        ssh2::ErrorCode::SFTP(PERMISSION_DENIED) => FsError::PermissionDenied(failure),
        ssh2::ErrorCode::SFTP(FILE_ALREADY_EXISTS) => FsError::AlreadyExists(failure),
        ssh2::ErrorCode::SFTP(NO_SPACE_ON_FILESYSTEM | QUOTA_EXCEEDED) => FsError::NoSpace(failure),
        ssh2::ErrorCode::SFTP(NOT_A_DIRECTORY) => FsError::NotADirectory(failure),
        ssh2::ErrorCode::SFTP(_) => FsError::Failed(failure),
        ssh2::ErrorCode::Session(_) => FsError::Exec { action, detail: escape_str(e.message()) },
    }
}

/// An I/O error from reading or writing an SFTP file. ssh2's `Read` and
/// `Write` lose libssh2's error code, so the server is asked something
/// harmless: when that fails too, the connection is gone.
pub(crate) fn io_error(sftp: &ssh2::Sftp, action: &str, path: &Path, e: &std::io::Error) -> FsError {
    let action = format!("{action} {}", super::shown(path));
    let detail = escape_str(&e.to_string());
    match sftp.lstat(Path::new("/")) {
        Err(probe) if crate::ssh::is_transport_lost(&probe) => FsError::Lost { action, detail },
        _ => FsError::Failed(Failure {
            action,
            command: String::new(),
            status: None,
            said: format!("sftp: {detail}"),
        }),
    }
}

/// Per-path results, or the whole call's failure when the connection went.
pub(crate) fn each<T>(results: impl Iterator<Item = Result<T, FsError>>) -> Each<T> {
    let mut out = Vec::new();
    for result in results {
        if let Err(e) = &result
            && e.is_connection_lost()
        {
            return Err(e.clone());
        }
        out.push(result);
    }
    Ok(out)
}
