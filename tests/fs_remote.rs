//! The remote file system against a real sshd: exact listings under every
//! login shell and with BusyBox only, every method, every file operation
//! and its failures, banners.

mod support;

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use scpdeck::fs::FsError;
use scpdeck::fs::remote::{BannerNote, Capabilities, Method, Remote, StatFlavor, TimePrecision};
use scpdeck::fs::{Entry, Kind};
use scpdeck::fs::{FileSystem, RemoteFs};
use support::awkward::{awkward_tree, lstat_entries, os};
use support::{Banner, Shell, Sshd};

fn sorted(mut entries: Vec<Entry>) -> Vec<Entry> {
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    entries
}

/// Compares a remote listing with lstat, as exactly as `method` can be.
fn assert_listing(dir: &Path, actual: Vec<Entry>, method: Method, context: &str) {
    let actual = sorted(actual);
    let expected = lstat_entries(dir);
    let names = |v: &[Entry]| v.iter().map(|e| e.display_name()).collect::<Vec<_>>();
    assert_eq!(names(&actual), names(&expected), "{context}: names");
    for (a, e) in actual.iter().zip(&expected) {
        let what = format!("{context}: {}", e.display_name());
        assert_eq!(a.name, e.name, "{what}");
        assert_eq!((a.kind, a.size, a.mode), (e.kind, e.size, e.mode), "{what}");
        assert_eq!(a.link, e.link, "{what}");
        let diff = (a.mtime.secs as i128 * 1_000_000_000 + a.mtime.nanos as i128)
            - (e.mtime.secs as i128 * 1_000_000_000 + e.mtime.nanos as i128);
        let old = jiff::Timestamp::now().as_second() - e.mtime.secs > 180 * 86400;
        let allowed: i128 = match method.time_precision() {
            TimePrecision::Nanoseconds => 0,
            TimePrecision::Microseconds => 2_000,
            TimePrecision::Seconds => 1_000_000_000,
            TimePrecision::Minutes if old => 86_400_000_000_000,
            TimePrecision::Minutes => 60_000_000_000,
        };
        assert!(diff.abs() < allowed.max(1), "{what}: mtime {:?} vs {:?}", a.mtime, e.mtime);
        if method == Method::Ls {
            let meta = std::fs::symlink_metadata(dir.join(&e.name)).unwrap();
            assert_eq!(
                (a.owner.clone(), a.group.clone()),
                (meta.uid().to_string(), meta.gid().to_string()),
                "{what}"
            );
        } else {
            assert_eq!((&a.owner, &a.group), (&e.owner, &e.group), "{what}");
        }
    }
}

fn tree() -> tempfile::TempDir {
    let dir = tempfile::Builder::new().prefix("scpdeck-fs-").tempdir().unwrap();
    awkward_tree(dir.path());
    dir
}

#[test]
fn every_kind_and_awkward_name_is_listed_exactly_under_every_login_shell() {
    let dir = tree();
    for login in Shell::available() {
        let sshd = Sshd::builder().shell(login.clone()).start();
        let session = sshd.session();
        let caps = Capabilities::probe(session.link()).unwrap();
        let reply = Remote::new(session.link(), &caps).list(dir.path()).unwrap();
        let method = reply.value.method;
        if login == Shell::BusyBox {
            assert!(caps.busybox.is_some() && !caps.perl && !caps.python3 && !caps.find_printf, "{caps:?}");
            assert_eq!(method, Method::GnuStat);
            assert_eq!(caps.scp, None);
        } else {
            assert_eq!(method, Method::FindPrintf, "{login:?}");
        }
        assert!(reply.banner.is_empty() && reply.warnings.is_empty(), "{login:?}: {reply:?}");
        assert_listing(dir.path(), reply.value.entries, method, &format!("{login:?}"));
    }
    assert!(!Path::new("pwned").exists());
}

#[test]
fn a_busybox_host_is_recognised_without_a_busybox_command() {
    if !Shell::available().contains(&Shell::BusyBox) {
        return;
    }
    let dir = tree();
    let sshd = Sshd::builder().shell(Shell::BusyBox).without_busybox_binary().start();
    let session = sshd.session();
    let caps = Capabilities::probe(session.link()).unwrap();
    let version = caps.busybox.clone().unwrap_or_else(|| panic!("BusyBox not recognised: {caps:?}"));
    assert!(version.starts_with("BusyBox v"), "{version}");
    let reply = Remote::new(session.link(), &caps).list(dir.path()).unwrap();
    assert_eq!(reply.value.method, Method::GnuStat);
    assert_listing(dir.path(), reply.value.entries, Method::GnuStat, "BusyBox without busybox");
}

#[test]
fn every_available_method_lists_exactly() {
    let dir = tree();
    let sshd = Sshd::start();
    let session = sshd.session();
    let caps = Capabilities::probe(session.link()).unwrap();
    let methods = caps.list_methods();
    assert_eq!(methods, [Method::FindPrintf, Method::Python, Method::Perl, Method::GnuStat, Method::Ls]);
    assert!(caps.find_fd3);
    let remote = Remote::new(session.link(), &caps);
    for method in methods {
        let reply = remote.list_with(dir.path(), method).unwrap();
        assert_eq!(reply.value.method, method);
        assert!(reply.warnings.is_empty(), "{method:?}: {:?}", reply.warnings);
        assert_listing(dir.path(), reply.value.entries, method, &format!("{method:?}"));
    }
    // GNU find naming owners itself, where it cannot write to /dev/fd/3.
    let slow = Capabilities { find_fd3: false, ..caps.clone() };
    let reply = Remote::new(session.link(), &slow).list(dir.path()).unwrap();
    assert_listing(dir.path(), reply.value.entries, Method::FindPrintf, "find -printf %u %g");
}

/// Entries named one by one (a single source's stat) come out exactly as in
/// the whole listing, with every method, on GNU and BusyBox hosts, and
/// nothing else is listed.
#[test]
fn named_entries_are_listed_exactly_by_every_method() {
    let dir = tree();
    let all: Vec<std::ffi::OsString> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    let names: Vec<&OsStr> = all.iter().map(|n| n.as_os_str()).collect();
    let mut hosts = vec![Sshd::start()];
    if Shell::available().contains(&Shell::BusyBox) {
        hosts.push(Sshd::builder().shell(Shell::BusyBox).start());
    }
    for sshd in &hosts {
        let session = sshd.session();
        let caps = Capabilities::probe(session.link()).unwrap();
        let slow = Capabilities { find_fd3: false, ..caps.clone() };
        for (caps, method) in caps
            .list_methods()
            .into_iter()
            .map(|m| (&caps, m))
            .chain([(&slow, Method::FindPrintf)].into_iter().filter(|(c, _)| c.find_printf))
            .filter(|&(c, m)| !(c.busybox.is_some() && m == Method::Ls))
        {
            let remote = Remote::new(session.link(), caps);
            let context = format!("{method:?} busybox={:?} fd3={}", caps.busybox.is_some(), caps.find_fd3);
            let reply = remote.list_names_with(dir.path(), &names, method).unwrap();
            assert!(reply.warnings.is_empty(), "{context}: {:?}", reply.warnings);
            assert_listing(dir.path(), reply.value.entries, method, &context);
            let two = [OsStr::new("dir"), OsStr::new("link\nwith newline")];
            let reply = remote.list_names_with(dir.path(), &two, method).unwrap();
            let mut got: Vec<_> = reply.value.entries.into_iter().map(|e| e.name).collect();
            got.sort();
            assert_eq!(got, two, "{context}");
            let missing = remote.list_names_with(dir.path(), &[OsStr::new("-no such")], method);
            match method {
                // The last resort lists the whole directory and keeps the names.
                Method::Ls => assert_eq!(missing.unwrap().value.entries, [], "{context}"),
                _ => assert!(matches!(missing, Err(FsError::NotFound(_))), "{context}: {missing:?}"),
            }
        }
    }
}

/// `stat` of many paths at once: what each is (a link as what it points
/// to), its size, mode and time, as lstat/stat say; missing paths, paths
/// under a file and paths without a last name answered too.
#[test]
fn stat_answers_for_every_path_in_one_go() {
    let dir = tree();
    let other = tempfile::tempdir().unwrap();
    std::fs::write(other.path().join("x"), b"12345").unwrap();
    let d = dir.path();
    let paths: Vec<PathBuf> = vec![
        d.join("plain.txt"),
        d.join("dir"),
        d.join("link to dir"),
        d.join("dangling"),
        d.join("-leading-dash"),
        d.join("new\nline"),
        d.join("no such"),
        d.join("plain.txt/under a file"),
        other.path().join("x"),
        other.path().join("gone/deeper"),
        PathBuf::from("/"),
    ];
    let refs: Vec<&Path> = paths.iter().map(|p| p.as_path()).collect();
    let sshd = Sshd::start();
    let session = sshd.session();
    let fs = RemoteFs::open(session.link()).unwrap();
    let stats = fs.stat(&refs).unwrap();
    assert_eq!(stats.len(), paths.len());
    for (path, stat) in paths.iter().zip(stats) {
        let stat = stat.unwrap_or_else(|e| panic!("{path:?}: {e}"));
        let what = format!("{path:?}");
        match std::fs::symlink_metadata(path) {
            Err(_) => assert_eq!(stat, None, "{what}"),
            Ok(_) if path == Path::new("/") => assert_eq!(stat.map(|s| s.kind), Some(Kind::Dir), "{what}"),
            Ok(link) => {
                let stat = stat.unwrap_or_else(|| panic!("{what}: not found"));
                let kind = match std::fs::metadata(path) {
                    Ok(m) if m.is_dir() => Kind::Dir,
                    Ok(_) => Kind::File,
                    Err(_) => Kind::Symlink,
                };
                assert_eq!(stat.kind, kind, "{what}");
                assert_eq!((stat.size, stat.mode), (link.size(), link.mode() & 0o7777), "{what}");
                assert_eq!(stat.mtime, Some(link.mtime()), "{what}");
            }
        }
    }
}

#[test]
fn empty_and_huge_named_directories() {
    let dir = tempfile::tempdir().unwrap();
    let long = vec![b'n'; 255];
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    std::fs::write(dir.path().join(OsStr::from_bytes(&long)), b"").unwrap();
    let sshd = Sshd::start();
    let session = sshd.session();
    let caps = Capabilities::probe(session.link()).unwrap();
    let remote = Remote::new(session.link(), &caps);
    for method in caps.list_methods() {
        assert_eq!(
            remote.list_with(&dir.path().join("empty"), method).unwrap().value.entries,
            [],
            "{method:?}"
        );
        let one = remote.list_with(dir.path(), method).unwrap().value.entries;
        assert_eq!(sorted(one).iter().map(|e| e.name.len()).collect::<Vec<_>>(), [5, 255], "{method:?}");
    }
}

#[test]
fn the_probe_reports_the_host() {
    let sshd = Sshd::start();
    let session = sshd.session();
    let caps = Capabilities::probe(session.link()).unwrap();
    assert_eq!(caps.os, "Linux");
    assert_eq!(caps.user, support::awkward::user_name(nix::unistd::getuid().as_raw()));
    assert_eq!(caps.home.as_deref(), std::env::var_os("HOME").as_deref().map(Path::new));
    assert!(caps.scp.is_some() && caps.sftp == Some(true) && caps.realpath && caps.readlink_f && caps.awk);
    assert_eq!(caps.stat, Some(StatFlavor::Gnu));
    assert!(caps.clock.is_some());
    assert!(caps.banner.is_empty());
    assert!(caps.summary()[1].contains("GNU find -printf"), "{:?}", caps.summary());
    // A `busybox` program beside GNU tools (this machine has one: the
    // harness's BusyBox hosts use it) is nothing the host's tools are.
    assert!(support::which("busybox").exists());
    assert_eq!(caps.busybox, None);
    assert!(!caps.summary().concat().contains("BusyBox"), "{:?}", caps.summary());

    let bare = Sshd::builder().without_sftp().start();
    assert_eq!(Capabilities::probe(bare.session().link()).unwrap().sftp, Some(false));
    assert_eq!(Capabilities::probe_shell(bare.session().link()).unwrap().sftp, None);
}

#[test]
fn a_talkative_login_profile_is_reported_not_listed() {
    let dir = tree();
    for login in [Shell::Sh, Shell::BusyBox].into_iter().filter(|s| Shell::available().contains(s)) {
        let sshd = Sshd::builder().banner(Banner::talkative()).shell(login.clone()).start();
        let session = sshd.session();
        let caps = Capabilities::probe(session.link()).unwrap();
        assert_eq!(caps.banner.stdout, b"Welcome to the test host!\n\nLast login: yesterday\n");
        assert_eq!(caps.banner.stderr, b"profile: could not set locale\n");
        let note = BannerNote::of(&caps.banner, &caps).expect("a note").text();
        assert!(
            note.contains("on stdout \"Welcome to the test host!\" / \"\" / \"Last login: yesterday\""),
            "{note}"
        );
        let shell =
            if login == Shell::BusyBox { "Login shell: BusyBox sh (BusyBox v" } else { "Login shell: dash." };
        assert!(note.contains(shell), "{note}");
        assert_eq!(note.contains("BusyBox"), login == Shell::BusyBox, "{note}");
        assert!(caps.home.is_some() && !caps.user.is_empty());
        let remote = Remote::new(session.link(), &caps);
        // BusyBox `ls` prints control characters as `?`: its host has `stat`,
        // which comes first (see docs/architecture.md).
        for method in
            caps.list_methods().into_iter().filter(|&m| !(login == Shell::BusyBox && m == Method::Ls))
        {
            let reply = remote.list_with(dir.path(), method).unwrap();
            assert_eq!(reply.banner, caps.banner, "{login:?} {method:?}");
            assert!(reply.warnings.is_empty(), "{login:?} {method:?}: {:?}", reply.warnings);
            assert_listing(
                dir.path(),
                reply.value.entries,
                method,
                &format!("{login:?} {method:?} with banner"),
            );
        }
        let target = dir.path().join("made by banner test");
        let reply = remote.make_new_dir(&target).unwrap();
        assert_eq!(reply.banner, caps.banner);
        assert_eq!(remote.resolve(&target).unwrap().value, target);
        std::fs::remove_dir(&target).unwrap();
    }
}

/// A session as the unprivileged `scpdeck-test` account.
fn unprivileged(sshd: &Sshd) -> scpdeck::ssh::OwnedLink {
    sshd.session_as(&support::password_user())
}

#[test]
fn listing_failures_say_why() {
    let dir = tree();
    let sshd = Sshd::builder().password_auth().start();
    let session = sshd.session();
    let caps = Capabilities::probe(session.link()).unwrap();
    let remote = Remote::new(session.link(), &caps);
    for method in caps.list_methods() {
        let e = remote.list_with(&dir.path().join("no such dir"), method).unwrap_err();
        assert!(matches!(e, FsError::NotFound(_)), "{method:?}: {e}");
        let e = remote.list_with(&dir.path().join("plain.txt"), method).unwrap_err();
        assert!(matches!(e, FsError::NotADirectory(_)), "{method:?}: {e}");
        let e = remote.list_with(&dir.path().join("dangling"), method).unwrap_err();
        assert!(matches!(e, FsError::NotFound(_)), "{method:?}: {e}");
    }

    // Root reads everything: permission denied needs another account.
    let locked = tempfile::Builder::new().prefix("scpdeck-locked-").tempdir_in("/tmp").unwrap();
    std::fs::set_permissions(locked.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let no_exec = locked.path().join("no exec");
    let no_read = locked.path().join("no read");
    for (d, mode) in [(&no_exec, 0o700), (&no_read, 0o711)] {
        std::fs::create_dir(d).unwrap();
        std::fs::write(d.join("secret"), b"").unwrap();
        std::fs::set_permissions(d, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    let user_session = unprivileged(&sshd);
    let user_caps = Capabilities::probe(user_session.link()).unwrap();
    assert_eq!(user_caps.user, "scpdeck-test");
    let user = Remote::new(user_session.link(), &user_caps);
    for method in user_caps.list_methods() {
        for d in [&no_exec, &no_read] {
            let e = user.list_with(d, method).unwrap_err();
            assert!(matches!(e, FsError::PermissionDenied(_)), "{method:?} {}: {e}", d.display());
            let failure = e.failure().unwrap();
            assert!(
                !failure.said.is_empty()
                    && failure.status.as_ref().and_then(|s| s.code).is_some_and(|c| c != 0),
                "{failure:?}"
            );
            assert!(failure.command.contains("cd "), "{failure:?}");
        }
    }
}

/// Makes a path immutable (root cannot change it either) until dropped.
struct Immutable(PathBuf);

impl Immutable {
    fn new(path: &Path) -> Option<Self> {
        let ok = std::process::Command::new("chattr").arg("+i").arg(path).status().is_ok_and(|s| s.success());
        ok.then(|| Immutable(path.to_path_buf()))
    }
}

impl Drop for Immutable {
    fn drop(&mut self) {
        let _ = std::process::Command::new("chattr").arg("-i").arg(&self.0).status();
    }
}

#[test]
fn file_operations_work_and_fail_clearly() {
    for login in [Shell::Sh, Shell::BusyBox].into_iter().filter(|s| Shell::available().contains(s)) {
        file_operations_under(login);
    }
}

fn file_operations_under(login: Shell) {
    let base = tempfile::Builder::new().prefix("scpdeck-ops-").tempdir().unwrap();
    let d = base.path();
    let sshd = Sshd::builder().shell(login.clone()).start();
    let session = sshd.session();
    let caps = Capabilities::probe(session.link()).unwrap();
    let remote = Remote::new(session.link(), &caps);
    let odd = os(b"-odd $(x) 'q' \xff\nname");

    // mkdir with its parents, awkward names all the way down; never over
    // something that exists.
    let deep = d.join(&odd).join("a b").join("c");
    remote.make_new_dir(&deep).unwrap();
    assert!(deep.is_dir());
    let e = remote.make_new_dir(&deep).unwrap_err();
    assert!(matches!(e, FsError::AlreadyExists(_)), "{e}");
    std::fs::write(d.join("file"), b"12345").unwrap();
    let e = remote.make_new_dir(&d.join("file").join("sub")).unwrap_err();
    assert!(matches!(e, FsError::NotADirectory(_) | FsError::AlreadyExists(_)), "{e}");

    // New empty file; never over an existing one.
    let new = d.join(&odd).join("new\nfile");
    remote.new_file(&new).unwrap();
    assert_eq!(std::fs::metadata(&new).unwrap().len(), 0);
    std::fs::write(&new, b"keep").unwrap();
    let e = remote.new_file(&new).unwrap_err();
    assert!(matches!(e, FsError::AlreadyExists(_)), "{e}");
    assert_eq!(std::fs::read(&new).unwrap(), b"keep");
    let e = remote.new_file(&d.join("missing").join("x")).unwrap_err();
    assert!(matches!(e, FsError::NotFound(_)), "{e}");

    // Rename, refusing to replace.
    let renamed = d.join(&odd).join("-renamed ' \"");
    remote.rename(&new, &renamed).unwrap();
    assert!(!new.exists() && renamed.exists());
    let e = remote.rename(&d.join("file"), &renamed).unwrap_err();
    assert!(matches!(e, FsError::AlreadyExists(_)), "{e}");
    assert_eq!(std::fs::read(&renamed).unwrap(), b"keep");
    let e = remote.rename(&d.join("gone"), &d.join("gone2")).unwrap_err();
    assert!(matches!(e, FsError::NotFound(_)), "{e}");

    // Symlinks: the target exactly as given.
    let target = OsStr::from_bytes(b"-t -> \xff");
    remote.symlink(target, &d.join("ln")).unwrap();
    assert_eq!(std::fs::read_link(d.join("ln")).unwrap().as_os_str(), target);
    let e = remote.symlink(OsStr::new("x"), &d.join("ln")).unwrap_err();
    assert!(matches!(e, FsError::AlreadyExists(_)), "{e}");

    // Copy within the host (the file system's copy_files) keeps modes and
    // times with `preserve`, and reports each pair on its own.
    std::fs::set_permissions(d.join("file"), std::fs::Permissions::from_mode(0o640)).unwrap();
    std::fs::create_dir_all(d.join("copy/a b/c")).unwrap();
    let fs = RemoteFs::open(session.link()).unwrap();
    let copied = d.join("copy/file copy");
    let results =
        fs.copy_files(&[(&d.join("file"), &copied), (&d.join("gone"), &d.join("copy/x"))], true).unwrap();
    assert!(results[0].is_ok(), "{results:?}");
    assert!(matches!(&results[1], Err(FsError::NotFound(_))), "{results:?}");
    let meta = std::fs::metadata(&copied).unwrap();
    assert_eq!(
        (meta.mode() & 0o7777, meta.mtime()),
        (0o640, std::fs::metadata(d.join("file")).unwrap().mtime())
    );

    // Move into a directory.
    std::fs::create_dir(d.join("dest")).unwrap();
    remote
        .move_into(&[d.join("ln"), d.join("copy/")], &d.join("dest"), scpdeck::fs::remote::Overwrite::Never)
        .unwrap();
    assert!(d.join("dest/copy/a b/c").is_dir() && !d.join("copy").exists());
    std::fs::write(d.join("ln2"), b"").unwrap();
    std::fs::rename(d.join("ln2"), d.join("ln")).unwrap();
    let e = remote
        .move_into(&[d.join("ln")], &d.join("dest"), scpdeck::fs::remote::Overwrite::Never)
        .unwrap_err();
    assert!(matches!(e, FsError::AlreadyExists(_)), "{e}");
    let e = remote
        .move_into(&[d.join("ln")], &d.join("file"), scpdeck::fs::remote::Overwrite::Replace)
        .unwrap_err();
    assert!(matches!(e, FsError::NotADirectory(_)), "{e}");

    // chmod.
    remote.chmod(&[d.join("file")], 0o4711, false).unwrap();
    assert_eq!(std::fs::metadata(d.join("file")).unwrap().mode() & 0o7777, 0o4711);
    remote.chmod(&[d.join("dest")], 0o750, true).unwrap();
    assert_eq!(std::fs::metadata(d.join("dest/copy/a b")).unwrap().mode() & 0o7777, 0o750);
    let e = remote.chmod(&[d.join("gone")], 0o644, false).unwrap_err();
    assert!(matches!(e, FsError::NotFound(_)), "{e}");

    // Counting (the delete confirmation and the directory size).
    std::fs::write(d.join("dest/copy/a b/c/big"), vec![0u8; 100_000]).unwrap();
    let usage = remote.dir_size(&d.join("dest")).unwrap().value;
    let (files, dirs, bytes) = walk(&d.join("dest"));
    assert_eq!(
        (usage.files, usage.dirs, usage.bytes, usage.complete),
        (Some(files), Some(dirs), bytes, true)
    );
    let mut methods = vec![scpdeck::fs::remote::UsageMethod::FindStat(StatFlavor::Gnu)];
    if caps.find_printf {
        methods.push(scpdeck::fs::remote::UsageMethod::FindPrintf);
    }
    for method in methods {
        let other = remote.count_with(&[d.join("dest"), d.join("file")], method).unwrap().value;
        assert_eq!(
            (other.files, other.dirs, other.bytes),
            (Some(files + 1), Some(dirs), bytes + 5),
            "{method:?}"
        );
    }
    let du = remote.count_with(&[d.join("dest")], scpdeck::fs::remote::UsageMethod::Du).unwrap().value;
    assert!(du.files.is_none() && du.bytes >= 100_000, "{du:?}");
    let e = remote.count(&[d.join("gone")]).unwrap_err();
    assert!(matches!(e, FsError::NotFound(_)), "{e}");

    // Free space agrees with statvfs.
    let space = remote.free_space(d).unwrap().value;
    let vfs = nix::sys::statvfs::statvfs(d).unwrap();
    assert_eq!(space.total, vfs.blocks() as u64 * vfs.fragment_size() as u64 / 1024 * 1024);
    assert!(space.available > 0 && space.mount.is_absolute());
    let e = remote.free_space(&d.join("gone")).unwrap_err();
    assert!(matches!(e, FsError::NotFound(_)), "{e}");

    // Path resolution.
    let home = caps.home.clone().unwrap();
    assert_eq!(remote.resolve(Path::new("~")).unwrap().value, home.canonicalize().unwrap());
    assert_eq!(remote.resolve(Path::new("")).unwrap().value, home.canonicalize().unwrap());
    let root_home = remote.resolve(Path::new("~root")).unwrap().value;
    assert_eq!(root_home, nix::unistd::User::from_name("root").unwrap().unwrap().dir.canonicalize().unwrap());
    std::os::unix::fs::symlink(d.join("dest/copy"), d.join("to copy")).unwrap();
    let via = d.join("to copy").join("..").join("copy").join("a b");
    assert_eq!(remote.resolve(&via).unwrap().value, d.canonicalize().unwrap().join("dest/copy/a b"));
    let e = remote.resolve(&d.join("gone")).unwrap_err();
    assert!(matches!(e, FsError::NotFound(_)), "{e}");
    let e = remote.resolve(Path::new("~no-such-user-here/x")).unwrap_err();
    assert!(matches!(e, FsError::NotFound(_)), "{e}");

    // Delete, never following a symlink given with a trailing slash.
    remote.delete(&[d.join("to copy/")]).unwrap();
    assert!(!d.join("to copy").exists() && d.join("dest/copy/a b").is_dir());
    remote.delete(&[d.join("dest"), d.join(&odd)]).unwrap();
    assert!(!d.join("dest").exists() && !d.join(&odd).exists());
    let e = remote.delete(&[d.join("dest")]).unwrap_err();
    assert!(matches!(e, FsError::NotFound(_)), "{e}");
    for refused in ["/", "/tmp/..", ""] {
        let e = remote.delete(&[PathBuf::from(refused)]).unwrap_err();
        assert!(matches!(e, FsError::Refused { .. }), "{refused}: {e}");
    }
}

/// Files (non-directories), directories and apparent bytes under `path`.
/// Files, directories and the bytes of the files (a directory's own size
/// is not what a copy moves, so it is not counted: the job's total agrees).
fn walk(path: &Path) -> (u64, u64, u64) {
    let meta = std::fs::symlink_metadata(path).unwrap();
    if !meta.is_dir() {
        return (1, 0, meta.len());
    }
    let mut total = (0, 1, 0);
    for entry in std::fs::read_dir(path).unwrap() {
        let (f, d, b) = walk(&entry.unwrap().path());
        total = (total.0 + f, total.1 + d, total.2 + b);
    }
    total
}

#[test]
fn operations_refused_by_the_host_are_permission_denied() {
    let base = tempfile::Builder::new().prefix("scpdeck-perm-").tempdir_in("/tmp").unwrap();
    let d = base.path();
    std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::create_dir(d.join("sealed")).unwrap();
    std::fs::write(d.join("sealed/file"), b"x").unwrap();
    let sshd = Sshd::builder().password_auth().start();

    // As root: an immutable directory refuses even root (EPERM).
    let session = sshd.session();
    let caps = Capabilities::probe(session.link()).unwrap();
    let root = Remote::new(session.link(), &caps);
    if let Some(_guard) = Immutable::new(&d.join("sealed")) {
        let denied = |r: Result<_, FsError>| match r {
            Err(FsError::PermissionDenied(f)) => {
                assert!(f.said.contains("Operation not permitted"), "{f:?}")
            }
            other => panic!("expected permission denied, got {other:?}"),
        };
        denied(root.make_new_dir(&d.join("sealed/new")).map(|_| ()));
        denied(root.delete(&[d.join("sealed/file")]).map(|_| ()));
        denied(root.new_file(&d.join("sealed/new")).map(|_| ()));
        denied(root.rename(&d.join("sealed/file"), &d.join("out")).map(|_| ()));
        assert!(d.join("sealed/file").exists());
    }

    // As an ordinary account: root's directory is not writable (EACCES).
    let user_session = unprivileged(&sshd);
    let user_caps = Capabilities::probe(user_session.link()).unwrap();
    let user = Remote::new(user_session.link(), &user_caps);
    let sources = [d.join("sealed/file")];
    let results: Vec<(&str, Result<(), FsError>)> = vec![
        ("mkdir", user.make_new_dir(&d.join("x/y")).map(drop)),
        ("new file", user.new_file(&d.join("x")).map(drop)),
        ("delete", user.delete(&sources).map(drop)),
        ("rename", user.rename(&sources[0], &d.join("sealed/moved")).map(drop)),
        ("chmod", user.chmod(&sources, 0o777, false).map(drop)),
        ("symlink", user.symlink(OsStr::new("t"), &d.join("l")).map(drop)),
    ];
    for (what, result) in results {
        let e = result.unwrap_err();
        assert!(matches!(e, FsError::PermissionDenied(_)), "{what}: {e}");
        assert!(e.to_string().contains("permission denied"), "{what}: {e}");
    }
    assert_eq!(std::fs::read(d.join("sealed/file")).unwrap(), b"x");
}

#[test]
fn kinds_are_what_lstat_says_for_devices_in_dev() {
    // Character devices cannot be created without root: /dev always has some.
    let sshd = Sshd::start();
    let session = sshd.session();
    let caps = Capabilities::probe(session.link()).unwrap();
    let entries = Remote::new(session.link(), &caps).list(Path::new("/dev")).unwrap().value.entries;
    let null = entries.iter().find(|e| e.name == "null").unwrap();
    assert_eq!((null.kind, null.mode), (Kind::CharDevice, 0o666));
}
