//! The SCP engine against the real OpenSSH `scp` on the harness sshd, in
//! both directions and host to host.

mod support;

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use scpdeck::scp::{
    self, CancellationToken, DownloadRequest, Event, Options, ScpError, Summary, UploadRequest,
};
use support::{Sshd, password_user};

struct Run {
    result: Result<Summary, ScpError>,
    events: Vec<Event>,
}

impl Run {
    fn ok(&self) -> &Summary {
        let summary = self.result.as_ref().unwrap_or_else(|e| panic!("{e}\n{:#?}", self.events));
        assert!(summary.success(), "{summary:?}\n{:#?}", self.events);
        summary
    }

    fn failures(&self) -> Vec<(String, String)> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::Failed { file, reason, .. } => Some((file.display(), reason.clone())),
                _ => None,
            })
            .collect()
    }
}

fn down(session: &scpdeck::ssh::OwnedLink, sources: &[&Path], target: &Path, options: Options) -> Run {
    let request = DownloadRequest {
        host: "test-host".into(),
        sources: sources.iter().map(|p| OsString::from(p.as_os_str())).collect(),
        target: target.to_path_buf(),
        options,
        landing: Vec::new(),
    };
    let mut events = Vec::new();
    let result = scp::download(session.link(), &request, &mut |e| events.push(e), &CancellationToken::new());
    Run { result, events }
}

fn up(session: &scpdeck::ssh::OwnedLink, sources: &[&Path], target: &Path, options: Options) -> Run {
    let request = UploadRequest {
        host: "test-host".into(),
        sources: sources.iter().map(|p| p.to_path_buf()).collect(),
        target: target.as_os_str().to_os_string(),
        options,
        names: Vec::new(),
    };
    let mut events = Vec::new();
    let result = scp::upload(session.link(), &request, &mut |e| events.push(e), &CancellationToken::new());
    Run { result, events }
}

const R: Options = Options { recursive: true, preserve: false, limit: None };
const P: Options = Options { recursive: false, preserve: true, limit: None };

/// Two scratch directories: "remote" (what the remote scp sees) and "local".
fn dirs() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let (remote, local) = (tmp.path().join("remote"), tmp.path().join("local"));
    std::fs::create_dir(&remote).unwrap();
    std::fs::create_dir(&local).unwrap();
    (tmp, remote, local)
}

/// Every file under `dir` (relative path, contents), sorted; no temp files allowed.
fn tree(dir: &Path) -> Vec<(PathBuf, Option<Vec<u8>>)> {
    let mut out = Vec::new();
    fn walk(base: &Path, dir: &Path, out: &mut Vec<(PathBuf, Option<Vec<u8>>)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let rel = path.strip_prefix(base).unwrap().to_path_buf();
            assert!(!rel.to_string_lossy().contains(".scpdeck"), "temp file left: {rel:?}");
            if path.is_dir() {
                out.push((rel, None));
                walk(base, &path, out);
            } else {
                out.push((rel, Some(std::fs::read(&path).unwrap())));
            }
        }
    }
    walk(dir, dir, &mut out);
    out.sort();
    out
}

fn make_tree(root: &Path) {
    std::fs::create_dir_all(root.join("sub/deeper/empty-dir")).unwrap();
    std::fs::write(root.join("top.txt"), b"top").unwrap();
    std::fs::write(root.join("empty"), b"").unwrap();
    std::fs::write(root.join("sub/data.bin"), (0..300_000u32).map(|i| (i * 7) as u8).collect::<Vec<_>>())
        .unwrap();
    std::fs::write(root.join("sub/deeper/empty-too"), b"").unwrap();
}

#[test]
fn one_file_both_directions() {
    let sshd = Sshd::start();
    let session = sshd.session();
    let (_tmp, remote, local) = dirs();
    std::fs::write(remote.join("hello.txt"), b"hello world").unwrap();
    let run = down(&session, &[&remote.join("hello.txt")], &local, Options::default());
    assert_eq!(run.ok().files, 1);
    assert_eq!(std::fs::read(local.join("hello.txt")).unwrap(), b"hello world");
    // To a new name, then back up under another.
    down(&session, &[&remote.join("hello.txt")], &local.join("renamed"), Options::default()).ok();
    assert_eq!(std::fs::read(local.join("renamed")).unwrap(), b"hello world");
    up(&session, &[&local.join("renamed")], &remote.join("back"), Options::default()).ok();
    assert_eq!(std::fs::read(remote.join("back")).unwrap(), b"hello world");
    tree(&local);
    tree(&remote);
}

#[test]
fn many_files_through_one_channel_both_directions() {
    let sshd = Sshd::start();
    let session = sshd.session();
    let (_tmp, remote, local) = dirs();
    let names: Vec<PathBuf> = (0..150).map(|i| remote.join(format!("f{i:03}"))).collect();
    for (i, name) in names.iter().enumerate() {
        std::fs::write(name, format!("file {i}").repeat(i)).unwrap();
    }
    let sources: Vec<&Path> = names.iter().map(|p| p.as_path()).collect();
    let run = down(&session, &sources, &local, Options::default());
    assert_eq!(run.ok().files, 150);
    let started = run.events.iter().filter(|e| matches!(e, Event::Started { .. })).count();
    assert_eq!(started, 150);
    assert_eq!(tree(&local), tree(&remote));

    let back = remote.join("back");
    std::fs::create_dir(&back).unwrap();
    let locals: Vec<PathBuf> = (0..150).map(|i| local.join(format!("f{i:03}"))).collect();
    let sources: Vec<&Path> = locals.iter().map(|p| p.as_path()).collect();
    assert_eq!(up(&session, &sources, &back, Options::default()).ok().files, 150);
    assert_eq!(tree(&back), tree(&local));
}

#[test]
fn nested_tree_with_empty_files_and_dirs_both_directions() {
    let sshd = Sshd::start();
    let session = sshd.session();
    let (_tmp, remote, local) = dirs();
    make_tree(&remote.join("tree"));
    let run = down(&session, &[&remote.join("tree")], &local, R);
    assert_eq!(run.ok().files, 4);
    assert_eq!(tree(&local.join("tree")), tree(&remote.join("tree")));
    // Into a target that does not exist yet: it becomes the tree's root.
    up(&session, &[&local.join("tree")], &remote.join("copy"), R).ok();
    assert_eq!(tree(&remote.join("copy")), tree(&local.join("tree")));
    // A directory without -r is refused, per file, with a reason.
    let run = down(&session, &[&remote.join("tree")], &local.join("x"), Options::default());
    assert_eq!(run.failures().len(), 1, "{:?}", run.events);
    assert!(run.failures()[0].1.contains("not a regular file"), "{:?}", run.failures());
    let run = up(&session, &[&local.join("tree")], &remote, Options::default());
    assert!(run.failures()[0].1.contains("use -r"), "{:?}", run.failures());
}

/// A session with a cipher OpenSSL accelerates: libssh2's own ChaCha20 is
/// several times slower, which matters for the 4 GiB test.
fn fast_session(sshd: &Sshd) -> scpdeck::ssh::OwnedLink {
    sshd.session_with(|s| {
        for dir in [ssh2::MethodType::CryptCs, ssh2::MethodType::CryptSc] {
            let _ = s.method_pref(dir, "aes128-gcm@openssh.com,aes128-ctr,chacha20-poly1305@openssh.com");
        }
    })
}

fn window(path: &Path, at: u64, len: usize) -> Vec<u8> {
    let f = std::fs::File::open(path).unwrap();
    let mut buf = vec![0u8; len];
    std::os::unix::fs::FileExt::read_exact_at(&f, &mut buf, at).unwrap();
    buf
}

#[test]
fn sparse_file_over_4_gib_both_directions() {
    use std::os::unix::fs::MetadataExt;
    const SIZE: u64 = (4 << 30) + (3 << 20) + 17;
    let regions: [(u64, &[u8]); 3] =
        [(0, b"start"), ((4 << 30) - 5, b"across the 4 GiB line"), (SIZE - 4, b"end!")];
    let sshd = Sshd::start();
    let session = fast_session(&sshd);
    let (_tmp, remote, local) = dirs();
    let src = local.join("sparse");
    let f = std::fs::File::create(&src).unwrap();
    f.set_len(SIZE).unwrap();
    for (at, data) in regions {
        std::os::unix::fs::FileExt::write_all_at(&f, data, at).unwrap();
    }
    up(&session, &[&src], &remote, Options::default()).ok();
    let back = local.join("back");
    let run = down(&session, &[&remote.join("sparse")], &back, Options::default());
    assert_eq!(run.ok().bytes, SIZE);
    for copy in [&remote.join("sparse"), &back] {
        assert_eq!(std::fs::metadata(copy).unwrap().len(), SIZE);
        for (at, _) in regions {
            let start = at.saturating_sub(1 << 20);
            let len = ((at + (1 << 20)).min(SIZE) - start) as usize;
            assert_eq!(window(copy, start, len), window(&src, start, len), "around {at} in {copy:?}");
        }
    }
    // The download wrote holes, not 4 GiB of zeros.
    assert!(std::fs::metadata(&back).unwrap().blocks() * 512 < 16 << 20);
    assert!(run.events.iter().any(|e| matches!(e, Event::Progress { .. })));
}

#[test]
fn preserve_keeps_times_and_modes_and_only_then_setuid() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let sshd = Sshd::start();
    let session = sshd.session();
    let (_tmp, remote, local) = dirs();
    let file = remote.join("tool");
    std::fs::write(&file, b"#!/bin/sh\n").unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o4755)).unwrap();
    let mtime = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_500_000_000);
    let times = std::fs::FileTimes::new().set_modified(mtime).set_accessed(mtime);
    std::fs::File::options().write(true).open(&file).unwrap().set_times(times).unwrap();

    down(&session, &[&file], &local.join("plain"), Options::default()).ok();
    let plain = std::fs::metadata(local.join("plain")).unwrap();
    assert_eq!(plain.mode() & 0o7000, 0, "setuid kept without -p");
    assert_ne!(plain.mtime(), 1_500_000_000);

    // Reading the file above moved its access time; set it again.
    std::fs::File::options().write(true).open(&file).unwrap().set_times(times).unwrap();
    down(&session, &[&file], &local.join("kept"), P).ok();
    let kept = std::fs::metadata(local.join("kept")).unwrap();
    assert_eq!(kept.mode() & 0o7777, 0o4755);
    assert_eq!((kept.mtime(), kept.atime()), (1_500_000_000, 1_500_000_000));

    // Upload with -p carries microseconds.
    let up_src = local.join("micro");
    std::fs::write(&up_src, b"x").unwrap();
    std::fs::set_permissions(&up_src, std::fs::Permissions::from_mode(0o640)).unwrap();
    let t = std::time::UNIX_EPOCH + std::time::Duration::new(1_600_000_000, 123_456_000);
    let times = std::fs::FileTimes::new().set_modified(t).set_accessed(t);
    std::fs::File::options().write(true).open(&up_src).unwrap().set_times(times).unwrap();
    up(&session, &[&up_src], &remote, P).ok();
    let m = std::fs::metadata(remote.join("micro")).unwrap();
    assert_eq!((m.mtime(), m.mtime_nsec() / 1000, m.mode() & 0o7777), (1_600_000_000, 123_456, 0o640));

    // Directories too, with -r -p.
    let d = remote.join("dir");
    std::fs::create_dir(&d).unwrap();
    std::fs::write(d.join("f"), b"f").unwrap();
    std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o750)).unwrap();
    std::fs::File::open(&d).unwrap().set_times(std::fs::FileTimes::new().set_modified(mtime)).unwrap();
    down(&session, &[&d], &local, Options { recursive: true, preserve: true, limit: None }).ok();
    let m = std::fs::metadata(local.join("dir")).unwrap();
    assert_eq!((m.mode() & 0o7777, m.mtime()), (0o750, 1_500_000_000));
}

/// The engine's own recursive mode (`scp -r -p`): a `T` record before
/// each `D` carries the directory's times both ways, and they are set once
/// the directory's contents are written (at its `E`), at every depth.
#[test]
fn nested_directory_times_both_directions_with_r_p() {
    use std::os::unix::fs::MetadataExt;
    let sshd = Sshd::start();
    let session = sshd.session();
    let (_tmp, remote, local) = dirs();
    let rp = Options { recursive: true, preserve: true, limit: None };
    let make = |root: &Path| {
        std::fs::create_dir_all(root.join("a/b/c")).unwrap();
        std::fs::write(root.join("a/b/c/f"), b"f").unwrap();
        std::fs::write(root.join("a/g"), b"g").unwrap();
        for (n, rel) in ["a/b/c", "a/b", "a"].iter().enumerate() {
            let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_400_000_000 + n as u64 * 1000);
            std::fs::File::open(root.join(rel)).unwrap().set_modified(t).unwrap();
        }
    };
    let check = |root: &Path| {
        for (n, rel) in ["a/b/c", "a/b", "a"].iter().enumerate() {
            let m = std::fs::metadata(root.join(rel)).unwrap();
            assert_eq!(m.mtime(), 1_400_000_000 + n as i64 * 1000, "{}", root.join(rel).display());
        }
    };
    for download in [true, false] {
        let (from, to) = match download {
            true => (remote.join("down"), local.join("down")),
            false => (local.join("up"), remote.join("up")),
        };
        std::fs::create_dir_all(&from).unwrap();
        std::fs::create_dir_all(&to).unwrap();
        make(&from);
        let run = match download {
            true => down(&session, &[&from.join("a")], &to, rp.clone()),
            false => up(&session, &[&from.join("a")], &to, rp.clone()),
        };
        assert!(run.result.is_ok(), "{:?}", run.result);
        check(&to);
    }
}

const AWKWARD: &[&str] = &[
    "with space",
    "quote ' and \" both",
    "$(id) `id` ${HOME} $((1+1))",
    "-leading-dash",
    "new\nline",
    "tab\tand\\backslash",
    "日本語 🚀",
];

#[test]
fn awkward_names_both_directions() {
    let sshd = Sshd::start();
    let session = sshd.session();
    let (_tmp, remote, local) = dirs();
    for (i, name) in AWKWARD.iter().enumerate() {
        std::fs::write(local.join(name), format!("content {i}")).unwrap();
    }
    let sources: Vec<PathBuf> = AWKWARD.iter().map(|n| local.join(n)).collect();
    let refs: Vec<&Path> = sources.iter().map(|p| p.as_path()).collect();
    assert_eq!(up(&session, &refs, &remote, Options::default()).ok().files, AWKWARD.len() as u64);
    assert_eq!(tree(&remote), tree(&local));
    // One at a time to a directory given without a trailing slash.
    let one = remote.join("one");
    std::fs::create_dir(&one).unwrap();
    up(&session, &[&local.join("new\nline")], &one, Options::default()).ok();
    assert_eq!(std::fs::read(one.join("new\nline")).unwrap(), b"content 4");

    let back = local.join("back");
    std::fs::create_dir(&back).unwrap();
    let sources: Vec<PathBuf> = AWKWARD.iter().map(|n| remote.join(n)).collect();
    let refs: Vec<&Path> = sources.iter().map(|p| p.as_path()).collect();
    assert_eq!(down(&session, &refs, &back, Options::default()).ok().files, AWKWARD.len() as u64);
    for (i, name) in AWKWARD.iter().enumerate() {
        assert_eq!(std::fs::read(back.join(name)).unwrap(), format!("content {i}").as_bytes(), "{name:?}");
    }

    // Inside a tree, OpenSSH's scp sends a newline name encoded; it arrives
    // encoded, and an upload refuses to send one, naming the file.
    let t = remote.join("t");
    std::fs::create_dir(&t).unwrap();
    std::fs::write(t.join("a\nb"), b"x").unwrap();
    down(&session, &[&t], &local, R).ok();
    assert!(local.join("t").join("a\\^Jb").exists());
    std::fs::write(local.join("t").join("c\nd"), b"y").unwrap();
    let run = up(&session, &[&local.join("t")], &remote.join("t2"), R);
    assert_eq!(run.failures().len(), 1);
    assert!(run.failures()[0].0.ends_with("c\\nd"), "{:?}", run.failures());
    assert!(remote.join("t2").join("a\\^Jb").exists());
}

/// A session as the unprivileged `scpdeck-test` user (tests run as root,
/// for whom every file is readable).
fn user_session(sshd: &Sshd) -> scpdeck::ssh::OwnedLink {
    sshd.session_as(&password_user())
}

fn shared_dir() -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::Builder::new().prefix("scpdeck-shared-").tempdir_in("/tmp").unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    dir
}

#[test]
fn a_permission_denied_file_among_many_fails_alone() {
    use std::os::unix::fs::PermissionsExt;
    let sshd = Sshd::builder().password_auth().start();
    let session = user_session(&sshd);
    let shared = shared_dir();
    let remote = shared.path();
    for name in ["a", "b", "c"] {
        std::fs::write(remote.join(name), name).unwrap();
    }
    std::fs::set_permissions(remote.join("b"), std::fs::Permissions::from_mode(0o600)).unwrap();
    let (_tmp, _, local) = dirs();
    let sources = [remote.join("a"), remote.join("b"), remote.join("c")];
    let refs: Vec<&Path> = sources.iter().map(|p| p.as_path()).collect();
    let run = down(&session, &refs, &local, Options::default());
    let summary = run.result.as_ref().unwrap();
    assert_eq!((summary.files, summary.failed), (2, 1), "{:#?}", run.events);
    assert!(!summary.success());
    let failed = run.events.iter().find_map(|e| match e {
        Event::Failed { file, reason, .. } => Some((file.source, file.display(), reason.clone())),
        _ => None,
    });
    let (source, path, reason) = failed.unwrap();
    assert_eq!((source, path.as_str()), (1, "b"));
    assert!(reason.contains("Permission denied"), "{reason}");
    assert_eq!(tree(&local).len(), 2);

    // Upload: the remote cannot overwrite a file it does not own.
    let target = shared_dir();
    std::fs::write(target.path().join("b"), b"root's").unwrap();
    for name in ["a", "b", "c"] {
        std::fs::write(local.join(name), name).unwrap();
    }
    let sources = [local.join("a"), local.join("b"), local.join("c")];
    let refs: Vec<&Path> = sources.iter().map(|p| p.as_path()).collect();
    let run = up(&session, &refs, target.path(), Options::default());
    let summary = run.result.as_ref().unwrap();
    assert_eq!((summary.files, summary.failed), (2, 1), "{:#?}", run.events);
    assert_eq!(run.failures()[0].0, "b");
    assert!(run.failures()[0].1.contains("Permission denied"), "{:?}", run.failures());
    assert_eq!(std::fs::read(target.path().join("c")).unwrap(), b"c");
    assert_eq!(std::fs::read(target.path().join("b")).unwrap(), b"root's");
}

#[test]
fn relay_streams_host_to_host() {
    let (a, b) = (Sshd::start(), Sshd::start());
    let (from, to) = (a.session(), b.session());
    let (_tmp, remote, local) = dirs();
    make_tree(&remote.join("tree"));
    std::fs::write(remote.join("single"), b"one").unwrap();
    let request = scp::RelayRequest {
        from_host: "a".into(),
        sources: vec![
            remote.join("tree").into(),
            remote.join("single").into(),
            remote.join("missing").into(),
        ],
        to_host: "b".into(),
        target: local.clone().into(),
        options: R,
        names: Vec::new(),
    };
    let mut events = Vec::new();
    let summary =
        scp::relay(from.link(), to.link(), &request, &mut |e| events.push(e), &CancellationToken::new())
            .unwrap();
    assert_eq!((summary.files, summary.failed), (5, 1), "{events:#?}");
    assert_eq!(tree(&local.join("tree")), tree(&remote.join("tree")));
    assert_eq!(std::fs::read(local.join("single")).unwrap(), b"one");
    let missing = events.iter().find_map(|e| match e {
        Event::Failed { file, reason, .. } => Some((file.source, reason.clone())),
        _ => None,
    });
    assert!(matches!(missing, Some((2, ref r)) if r.contains("No such file")), "{missing:?}");
}

#[test]
fn cancel_stops_quickly_and_leaves_the_destination_alone() {
    let sshd = Sshd::start();
    let session = sshd.session();
    let (_tmp, remote, local) = dirs();
    let big = remote.join("big");
    std::fs::File::create(&big).unwrap().set_len(1 << 30).unwrap();
    std::fs::write(local.join("big"), b"keep me").unwrap();
    for direction in ["down", "up"] {
        let token = CancellationToken::new();
        let mut cancelled_at = None;
        let mut on_event = |e: Event| {
            if matches!(e, Event::Progress { .. }) && cancelled_at.is_none() {
                token.cancel();
                cancelled_at = Some(std::time::Instant::now());
            }
        };
        let result = if direction == "down" {
            let request = DownloadRequest {
                host: "h".into(),
                sources: vec![big.clone().into()],
                target: local.clone(),
                options: Options::default(),
                landing: Vec::new(),
            };
            scp::download(session.link(), &request, &mut on_event, &token)
        } else {
            let src = local.join("src");
            std::fs::File::create(&src).unwrap().set_len(1 << 30).unwrap();
            let request = UploadRequest {
                host: "h".into(),
                sources: vec![src],
                target: remote.join("up").into(),
                options: Options::default(),
                names: Vec::new(),
            };
            scp::upload(session.link(), &request, &mut on_event, &token)
        };
        let latency = cancelled_at.expect("no progress before the end").elapsed();
        assert!(matches!(result, Err(ScpError::Cancelled)), "{direction}: {result:?}");
        assert!(latency < std::time::Duration::from_secs(1), "{direction}: {latency:?}");
        assert_eq!(std::fs::read(local.join("big")).unwrap(), b"keep me");
        tree(&local);
    }
    // The session is still usable afterwards.
    std::fs::write(remote.join("after"), b"after").unwrap();
    down(&sshd.session(), &[&remote.join("after")], &local, Options::default()).ok();
    let _ = local.join("x").as_os_str().as_bytes();
}
