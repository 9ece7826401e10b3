//! Editing a remote file: download it with scp into a private temporary
//! directory, and after the editor, upload it back when it changed.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use super::host::HostHandle;
use crate::app::WorkError;
use crate::fs::{FileSystem, FsError};
use crate::scp::{self, CancellationToken, DownloadRequest, Event, Options, Summary, UploadRequest};
use crate::text::escape_bytes;

fn shown(path: &Path) -> String {
    escape_bytes(std::os::unix::ffi::OsStrExt::as_bytes(path.as_os_str()))
}

/// Downloads `remote` into a new private directory; returns the local copy
/// (named like the remote file, so editors recognise its type).
pub(super) fn fetch(host: &HostHandle, label: &str, remote: &Path) -> Result<PathBuf, WorkError> {
    let dir = match tempfile::Builder::new().prefix("scpdeck-edit-").tempdir() {
        Ok(dir) => dir.keep(),
        Err(e) => {
            let source = FsError::io("create a temporary directory", &std::env::temp_dir(), &e);
            return Err(WorkError::EditFetch { path: shown(remote), source: Box::new(source.into()) });
        }
    };
    let name = remote.file_name().map_or_else(|| OsString::from("file"), |n| n.to_os_string());
    let copy = dir.join(name);
    let request = DownloadRequest {
        host: label.to_owned(),
        sources: vec![remote.as_os_str().to_os_string()],
        target: copy.clone(),
        options: Options::default(),
        landing: Vec::new(),
    };
    let result = host.with_link(move |link| {
        let mut failed = None;
        let on = &mut |e| note_failure(e, &mut failed);
        let fs = crate::fs::RemoteFs::open(link)?;
        let summary = match fs.rung() {
            Some(end) => {
                // What `cat` will send (SFTP says so itself).
                let paths: Vec<&Path> = request.sources.iter().map(Path::new).collect();
                let stat = fs.stat(&paths)?.pop().and_then(|s| s.ok().flatten());
                let expected: Vec<scp::rung::Expected> = stat
                    .map(|s| scp::rung::Expected { size: s.size, mode: s.mode, mtime: s.mtime })
                    .into_iter()
                    .collect();
                scp::rung::download_by(&end, &request, &expected, on, &CancellationToken::new())?
            }
            None => scp::download(link, &request, on, &CancellationToken::new())?,
        };
        verdict(&summary, failed, "the download")
    });
    match result {
        Ok(_) => Ok(copy),
        Err(e) => {
            discard(&copy);
            Err(WorkError::EditFetch { path: shown(remote), source: Box::new(e) })
        }
    }
}

/// Uploads the edited copy over `remote`.
pub(super) fn upload(
    host: &HostHandle,
    label: &str,
    copy: &Path,
    remote: &Path,
) -> Result<String, WorkError> {
    let request = UploadRequest {
        host: label.to_owned(),
        sources: vec![copy.to_path_buf()],
        target: remote.as_os_str().to_os_string(),
        options: Options::default(),
        names: Vec::new(),
    };
    let result = host.with_link(move |link| {
        let mut failed = None;
        let on = &mut |e| note_failure(e, &mut failed);
        let summary = match crate::fs::RemoteFs::open(link)?.rung() {
            Some(to) => {
                let local = scp::rung::End::Local;
                let ends = scp::rung::Ends { from: &local, from_host: "", to: &to, to_host: &request.host };
                // Written over the file itself, as `scp -t FILE` does.
                let target = PathBuf::from(&request.target);
                let dir = target.parent().unwrap_or(Path::new("."));
                let name = target.file_name().unwrap_or_default().to_owned();
                let sources: Vec<OsString> =
                    request.sources.iter().map(|s| s.as_os_str().to_owned()).collect();
                let cancel = CancellationToken::new();
                scp::rung::send_by(&ends, &sources, &[], dir, &[name], None, on, &cancel)?
            }
            None => scp::upload(link, &request, on, &CancellationToken::new())?,
        };
        verdict(&summary, failed, "the upload")
    });
    match result {
        Ok(bytes) => Ok(format!("saved {} ({} uploaded)", shown(remote), crate::text::human_size(bytes))),
        Err(e) => Err(WorkError::EditUpload { path: shown(remote), copy: shown(copy), source: Box::new(e) }),
    }
}

/// Keeps the first file failure of a transfer, in the remote's own words.
fn note_failure(event: Event, failed: &mut Option<String>) {
    if let Event::Failed { reason, .. } = event
        && failed.is_none()
    {
        *failed = Some(reason);
    }
}

/// The bytes copied, or why the one file was not.
fn verdict(summary: &Summary, failed: Option<String>, what: &str) -> Result<u64, WorkError> {
    if summary.success() {
        return Ok(summary.bytes);
    }
    let reason = failed.unwrap_or_else(|| format!("{what} did not complete ({})", summary.remote_status));
    Err(WorkError::NotCopied { reason })
}

/// Removes a local copy and its private directory.
pub(crate) fn discard(copy: &Path) {
    if let Some(dir) = copy.parent() {
        let _ = std::fs::remove_dir_all(dir);
    }
}
