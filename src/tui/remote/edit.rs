//! Editing a remote file: download it with scp into a private temporary
//! directory, and after the editor, upload it back when it changed.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use super::host::HostHandle;
use crate::scp::{self, CancellationToken, DownloadRequest, Options, UploadRequest};
use crate::text::{escape_bytes, escape_str};

fn shown(path: &Path) -> String {
    escape_bytes(std::os::unix::ffi::OsStrExt::as_bytes(path.as_os_str()))
}

/// Downloads `remote` into a new private directory; returns the local copy
/// (named like the remote file, so editors recognise its type).
pub fn fetch(host: &HostHandle, label: &str, remote: &Path) -> Result<PathBuf, String> {
    let dir = tempfile::Builder::new()
        .prefix("scpdeck-edit-")
        .tempdir()
        .map_err(|e| format!("cannot create a temporary directory: {e}"))?
        .keep();
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
        let summary = scp::download(link, &request, &mut |_| {}, &CancellationToken::new())
            .map_err(|e| escape_str(&e.to_string()))?;
        if summary.success() { Ok(()) } else { Err("the download did not complete".to_owned()) }
    });
    match result {
        Ok(()) => Ok(copy),
        Err(e) => {
            discard(&copy);
            Err(format!("cannot fetch {} for editing: {e}", shown(remote)))
        }
    }
}

/// Uploads the edited copy over `remote`.
pub fn upload(host: &HostHandle, label: &str, copy: &Path, remote: &Path) -> Result<String, String> {
    let request = UploadRequest {
        host: label.to_owned(),
        sources: vec![copy.to_path_buf()],
        target: remote.as_os_str().to_os_string(),
        options: Options::default(),
        names: Vec::new(),
    };
    let result = host.with_link(move |link| {
        let summary = scp::upload(link, &request, &mut |_| {}, &CancellationToken::new())
            .map_err(|e| escape_str(&e.to_string()))?;
        if summary.success() { Ok(summary.bytes) } else { Err("the upload did not complete".to_owned()) }
    });
    match result {
        Ok(bytes) => Ok(format!("saved {} ({} uploaded)", shown(remote), crate::text::human_size(bytes))),
        Err(e) => Err(format!(
            "cannot upload the edited {}: {e}; your version is kept in {}",
            shown(remote),
            shown(copy)
        )),
    }
}

/// Removes a local copy and its private directory.
pub fn discard(copy: &Path) {
    if let Some(dir) = copy.parent() {
        let _ = std::fs::remove_dir_all(dir);
    }
}
