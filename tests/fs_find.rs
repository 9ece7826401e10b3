//! Find on a host against a real sshd: each tool (GNU find -printf, a find
//! without -printf on the BusyBox host, perl) and each filter give the
//! results the local walk gives; a cancel stops the remote command.

mod support;

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::time::{Duration, Instant};

use scpdeck::fs::remote::{Capabilities, FindTool, Remote, StatFlavor};
use scpdeck::fs::{FileSystem, FindQuery, Found, FsError, KindFilter, LocalFs, RemoteFs};
use support::{Shell, Sshd};
use tokio_util::sync::CancellationToken;

const AWKWARD: &[u8] = b"it's $(touch x) `y`\n\xff.log";

/// `sub/Report.LOG` holds text; `sub/deep/b.log` is 5000 bytes; `old.log`
/// is ten days old; a name with quotes, a newline and a non-UTF-8 byte.
fn tree() -> tempfile::TempDir {
    let dir = tempfile::Builder::new().prefix("scpdeck-find-").tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("sub/deep")).unwrap();
    std::fs::create_dir(root.join("logs.d")).unwrap();
    std::fs::write(root.join("sub/Report.LOG"), "a needle in a HayStack\n").unwrap();
    std::fs::write(root.join("sub/deep/b.log"), vec![b'x'; 5000]).unwrap();
    std::fs::write(root.join(OsStr::from_bytes(AWKWARD)), "x").unwrap();
    std::fs::write(root.join("old.log"), "old").unwrap();
    let ten_days = std::time::SystemTime::now() - Duration::from_secs(10 * 86400);
    std::fs::File::options().write(true).open(root.join("old.log")).unwrap().set_modified(ten_days).unwrap();
    std::os::unix::fs::symlink("sub", root.join("link.log")).unwrap();
    dir
}

fn names(root: &Path, found: &[Found]) -> Vec<Vec<u8>> {
    let mut names: Vec<Vec<u8>> =
        found.iter().map(|f| f.path.strip_prefix(root).unwrap().as_os_str().as_bytes().to_vec()).collect();
    names.sort();
    names
}

fn queries(root: &Path) -> Vec<(&'static str, FindQuery, Vec<&'static [u8]>)> {
    let base = FindQuery { root: root.to_path_buf(), ..FindQuery::default() };
    let q = |f: &dyn Fn(&mut FindQuery)| {
        let mut q = base.clone();
        f(&mut q);
        q
    };
    vec![
        (
            "glob",
            q(&|q| (q.name, q.glob, q.case_sensitive) = ("*.log".into(), true, true)),
            vec![AWKWARD, b"link.log", b"old.log", b"sub/deep/b.log"],
        ),
        ("substring, any case", q(&|q| q.name = "rEPORT".into()), vec![b"sub/Report.LOG"]),
        ("substring, with case", q(&|q| (q.name, q.case_sensitive) = ("rEPORT".into(), true)), vec![]),
        ("awkward substring", q(&|q| q.name = "'s $(".into()), vec![AWKWARD]),
        ("directories", q(&|q| q.kind = KindFilter::Dir), vec![b"logs.d", b"sub", b"sub/deep"]),
        ("symlinks", q(&|q| q.kind = KindFilter::Symlink), vec![b"link.log"]),
        ("larger", q(&|q| (q.kind, q.larger_than) = (KindFilter::File, Some(4999))), vec![b"sub/deep/b.log"]),
        ("smaller", q(&|q| (q.kind, q.smaller_than) = (KindFilter::File, Some(2))), vec![AWKWARD]),
        (
            "modified within",
            q(&|q| (q.kind, q.modified_within_minutes) = (KindFilter::File, Some(24 * 60))),
            vec![AWKWARD, b"sub/Report.LOG", b"sub/deep/b.log"],
        ),
        ("content, any case", q(&|q| q.contains = Some("haystack".into())), vec![b"sub/Report.LOG"]),
        (
            "content, with case",
            q(&|q| (q.contains, q.case_sensitive) = (Some("haystack".into()), true)),
            vec![],
        ),
        (
            "content and name",
            q(&|q| (q.name, q.contains) = (".log".into(), Some("needle".into()))),
            vec![b"sub/Report.LOG"],
        ),
    ]
}

fn run(fs: &dyn FileSystem, query: &FindQuery) -> Vec<Found> {
    let mut all = Vec::new();
    fs.find(query, &CancellationToken::new(), &mut |batch| all.extend(batch)).unwrap();
    all
}

/// Every query with `search`, compared with what is expected and, for
/// kinds, sizes and times, with the local walk.
fn check(context: &str, root: &Path, search: &dyn Fn(&FindQuery) -> Vec<Found>) {
    for (what, query, expected) in queries(root) {
        let found = search(&query);
        let expected: Vec<Vec<u8>> = expected.iter().map(|e| e.to_vec()).collect();
        assert_eq!(names(root, &found), expected, "{context}: {what}");
        let local = run(&LocalFs::new(), &query);
        for f in &found {
            let l = local.iter().find(|l| l.path == f.path).unwrap_or_else(|| panic!("{context}: {what}"));
            assert_eq!((f.kind, f.size, f.mtime.secs), (l.kind, l.size, l.mtime.secs), "{context}: {what}");
        }
    }
}

#[test]
fn the_local_walk_finds_what_is_asked() {
    let dir = tree();
    check("local", dir.path(), &|q| run(&LocalFs::new(), q));
}

#[test]
fn every_tool_finds_the_same_on_a_gnu_host() {
    let dir = tree();
    let sshd = Sshd::start();
    let session = sshd.session();
    let caps = Capabilities::probe(session.link()).unwrap();
    assert!(caps.find_printf && caps.perl, "{caps:?}");
    support::deadline::within(&sshd, Duration::from_secs(120), || {
        let fs = RemoteFs::open(session.link()).unwrap();
        check("best (find -printf)", dir.path(), &|q| run(&fs, q));
        let remote = Remote::new(session.link(), &caps);
        for tool in [FindTool::FindStat(StatFlavor::Gnu), FindTool::Perl] {
            check(tool.describe(), dir.path(), &|q| {
                let mut all = Vec::new();
                let end =
                    remote.find_with(tool, q, &CancellationToken::new(), &mut |b| all.extend(b)).unwrap();
                assert_eq!(end.tool, tool.describe());
                all
            });
        }
    });
}

#[test]
fn a_busybox_host_is_searched_without_printf() {
    if !Shell::available().contains(&Shell::BusyBox) {
        eprintln!("BusyBox is not installed: this machine cannot run this test");
        return;
    }
    let dir = tree();
    let sshd = Sshd::builder().shell(Shell::BusyBox).start();
    let session = sshd.session();
    let caps = Capabilities::probe(session.link()).unwrap();
    assert!(!caps.find_printf && !caps.perl, "{caps:?}");
    assert_eq!(FindTool::best(&caps), Some(FindTool::FindStat(StatFlavor::Gnu)));
    support::deadline::within(&sshd, Duration::from_secs(120), || {
        let fs = RemoteFs::open(session.link()).unwrap();
        check("BusyBox", dir.path(), &|q| run(&fs, q));
    });
}

#[test]
fn a_missing_root_is_an_error_and_unreadable_parts_are_warnings() {
    let dir = tree();
    let sshd = Sshd::builder().password_auth().start();
    let session = sshd.session();
    let fs = RemoteFs::open(session.link()).unwrap();
    let query = FindQuery { root: dir.path().join("no such"), ..FindQuery::default() };
    let error = fs.find(&query, &CancellationToken::new(), &mut |_| {}).unwrap_err();
    assert!(matches!(error, FsError::NotFound(_)), "{error:?}");

    // Root reads everything: an unreadable directory needs another account.
    let shared = tempfile::Builder::new().prefix("scpdeck-find-locked-").tempdir_in("/tmp").unwrap();
    let root = shared.path();
    std::fs::set_permissions(root, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    std::fs::create_dir(root.join("open")).unwrap();
    std::fs::write(root.join("open/a.log"), "x").unwrap();
    std::fs::create_dir(root.join("closed")).unwrap();
    std::fs::write(root.join("closed/hidden.log"), "x").unwrap();
    std::fs::set_permissions(root.join("closed"), std::os::unix::fs::PermissionsExt::from_mode(0o700))
        .unwrap();
    let session = sshd.session_as(&support::password_user());
    let caps = Capabilities::probe(session.link()).unwrap();
    let remote = Remote::new(session.link(), &caps);
    let query =
        FindQuery { root: root.to_path_buf(), name: "*.log".into(), glob: true, ..FindQuery::default() };
    for tool in [FindTool::FindPrintf, FindTool::FindStat(StatFlavor::Gnu), FindTool::Perl] {
        let mut all = Vec::new();
        let end = remote.find_with(tool, &query, &CancellationToken::new(), &mut |b| all.extend(b)).unwrap();
        assert_eq!(names(root, &all), [b"open/a.log".to_vec()], "{tool:?}: {:?}", end.warnings);
        assert!(end.warnings.iter().any(|w| w.contains("Permission denied")), "{tool:?}: {:?}", end.warnings);
    }
}

#[test]
fn a_cancel_stops_the_search_on_the_host_within_a_second() {
    let dir = tree();
    let pid_file = dir.path().join("find.pid");
    // A find that hangs for this one search (and only it): it records its
    // pid and becomes a long sleep, as a slow search over a huge tree.
    let find = format!(
        "#!/bin/sh\ncase \"$*\" in *hang-here*) echo $$ > '{}'; exec sleep 300;; esac\nexec {} \"$@\"\n",
        pid_file.display(),
        support::which("find").display()
    );
    let sshd = Sshd::builder().program("find", &find).start();
    let session = sshd.session();
    support::deadline::within(&sshd, Duration::from_secs(60), || {
        let fs = RemoteFs::open(session.link()).unwrap();
        let query =
            FindQuery { root: dir.path().to_path_buf(), name: "hang-here".into(), ..FindQuery::default() };
        let cancel = CancellationToken::new();
        let canceller = cancel.clone();
        let pid_path = pid_file.clone();
        let watcher = std::thread::spawn(move || {
            while !pid_path.exists() {
                std::thread::sleep(Duration::from_millis(20));
            }
            std::thread::sleep(Duration::from_millis(200));
            canceller.cancel();
            Instant::now()
        });
        let result = fs.find(&query, &cancel, &mut |_| {});
        let returned = Instant::now();
        let cancelled_at = watcher.join().unwrap();
        assert_eq!(result, Err(FsError::Cancelled));
        assert!(returned - cancelled_at < Duration::from_secs(1), "{:?}", returned - cancelled_at);
        let pid = std::fs::read_to_string(&pid_file).unwrap().trim().to_owned();
        let proc = Path::new("/proc").join(&pid);
        let deadline = Instant::now() + Duration::from_secs(1);
        while proc.exists() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        let state = std::fs::read_to_string(proc.join("stat")).unwrap_or_default();
        assert!(!proc.exists() || state.contains(") Z "), "the remote search still runs: {state}");
        // The connection still works for the next search.
        assert_eq!(
            names(dir.path(), &run(&fs, &FindQuery { name: "old".into(), ..query.clone() })),
            [b"old.log".to_vec()]
        );
    });
}

#[test]
fn a_20000_entry_tree_streams_in_batches() {
    let dir = tempfile::Builder::new().prefix("scpdeck-find-big-").tempdir().unwrap();
    for d in 0..100 {
        let sub = dir.path().join(format!("d{d:03}"));
        std::fs::create_dir(&sub).unwrap();
        for f in 0..199 {
            std::fs::write(sub.join(format!("f{f:03}.dat")), "").unwrap();
        }
    }
    let sshd = Sshd::start();
    let session = sshd.session();
    support::deadline::within(&sshd, Duration::from_secs(120), || {
        let fs = RemoteFs::open(session.link()).unwrap();
        let query = FindQuery { root: dir.path().to_path_buf(), ..FindQuery::default() };
        let (mut all, mut batches) = (Vec::new(), 0);
        fs.find(&query, &CancellationToken::new(), &mut |b| {
            batches += 1;
            all.extend(b);
        })
        .unwrap();
        assert_eq!(all.len(), 20_000);
        assert!(batches > 1, "the results came in one piece");
        let query = FindQuery { name: "f19?.DAT".into(), glob: true, ..query };
        assert_eq!(run(&fs, &query).len(), 100 * 9);
    });
}
