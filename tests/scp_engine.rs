//! The SCP engine against the real OpenSSH `scp` on the harness sshd.

mod support;

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use scpdeck::scp::{self, CancelToken, DownloadRequest, Event, Options, Summary};
use support::Sshd;

fn download(
    sshd: &Sshd,
    sources: &[&Path],
    target: &Path,
    options: Options,
) -> (Result<Summary, scp::ScpError>, Vec<Event>) {
    let session = sshd.session();
    let request = DownloadRequest {
        host: "test".into(),
        sources: sources.iter().map(|p| OsString::from(p.as_os_str())).collect(),
        target: target.to_path_buf(),
        options,
    };
    let mut events = Vec::new();
    let result = scp::download(&session, &request, &mut |e| events.push(e), &CancelToken::new());
    (result, events)
}

#[test]
fn downloads_one_file() {
    let sshd = Sshd::start();
    let remote = sshd.dir().join("remote");
    std::fs::create_dir(&remote).unwrap();
    std::fs::write(remote.join("hello.txt"), b"hello world").unwrap();
    let local = tempfile::tempdir().unwrap();
    let (result, events) = download(&sshd, &[&remote.join("hello.txt")], local.path(), Options::default());
    let summary = result.unwrap();
    eprintln!("{events:#?}");
    assert!(summary.success(), "{summary:?}");
    assert_eq!(std::fs::read(local.path().join("hello.txt")).unwrap(), b"hello world");
    let _ = PathBuf::new();
}
