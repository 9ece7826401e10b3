//! The copy dialog's counts on a host in one command: equal to what the
//! copy's own walk counts (one listing per directory) on the same tree,
//! with links followed and not, on every counting method the harness
//! hosts have (GNU find, find and stat, perl; BusyBox find and stat); and
//! one command where the walk takes one per directory.

mod support;

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

use scpdeck::fs::remote::{Remote, StatFlavor, TallyMethod};
use scpdeck::fs::{LocalFs, RemoteFs, Tally};
use scpdeck::jobs::{tally, walk_tally};
use support::{Shell, Sshd};

/// Files, nested directories, links to files and directories (at the top
/// and nested), a dangling link, a chain of links that loops, a link back
/// up the tree (a loop when followed), a fifo, a socket, awkward names.
fn tree(root: &Path) {
    let dirs = ["d/sub", "other", "a b/c\nd"];
    for dir in dirs {
        std::fs::create_dir_all(root.join(dir)).unwrap();
    }
    std::fs::write(root.join("d/sub/f"), b"12345").unwrap();
    std::fs::write(root.join("other/g"), b"g").unwrap();
    std::fs::write(root.join("file"), b"abc").unwrap();
    std::fs::write(root.join("a b/c\nd/x -> y"), vec![b'x'; 1000]).unwrap();
    std::fs::write(root.join(OsStr::from_bytes(b"not utf-8 \xff")), b"12").unwrap();
    symlink("file", root.join("to_file")).unwrap();
    symlink("d", root.join("to_dir")).unwrap();
    symlink("../../other", root.join("d/sub/nested_to_dir")).unwrap();
    symlink("../d/sub/f", root.join("other/to_nested_file")).unwrap();
    symlink("nowhere", root.join("dangling")).unwrap();
    symlink("..", root.join("d/up")).unwrap();
    symlink("self_b", root.join("self_a")).unwrap();
    symlink("self_a", root.join("self_b")).unwrap();
    symlink("fifo", root.join("to_fifo")).unwrap();
    nix::unistd::mkfifo(&root.join("fifo"), nix::sys::stat::Mode::S_IRWXU).unwrap();
    drop(std::os::unix::net::UnixListener::bind(root.join("other/socket")).unwrap());
}

/// The selections counted: the whole tree, and single entries of each kind
/// (a missing one too).
fn selections(root: &Path) -> Vec<Vec<PathBuf>> {
    let at = |names: &[&str]| names.iter().map(|n| root.join(n)).collect::<Vec<_>>();
    vec![
        vec![root.to_path_buf()],
        at(&["to_dir", "dangling", "fifo", "file", "self_a", "to_fifo", "missing"]),
        at(&["d", "other/to_nested_file", "a b"]),
    ]
}

fn methods(caps: &scpdeck::fs::remote::Capabilities, follow: bool) -> Vec<TallyMethod> {
    let mut methods = Vec::new();
    if caps.perl {
        methods.push(TallyMethod::Perl);
    }
    if follow {
        return methods;
    }
    if caps.find_printf {
        methods.push(TallyMethod::FindPrintf);
    }
    if let Some(flavor) = caps.stat {
        methods.push(TallyMethod::FindStat(flavor));
    }
    methods
}

/// Counts every selection with every method the host has, and as the
/// copy dialog does (`jobs::tally`), and compares each with the walk.
/// Returns the methods used.
fn compare(sshd: &Sshd, root: &Path, context: &str) -> Vec<(bool, TallyMethod)> {
    let session = sshd.session();
    let fs = RemoteFs::open(session.link()).unwrap();
    let caps = fs.host().caps().clone();
    let remote = Remote::new(session.link(), &caps);
    let mut used = Vec::new();
    for follow in [false, true] {
        for roots in selections(root) {
            let walked = walk_tally(&fs, &roots, follow).unwrap();
            let what = format!("{context} follow={follow} {roots:?}");
            // The walk on the host sees what it sees here.
            assert_eq!(walked, walk_tally(&LocalFs::new(), &roots, follow).unwrap(), "{what}");
            for method in methods(&caps, follow) {
                let counted = remote.tally_with(&roots, follow, method).unwrap();
                assert_eq!(counted, walked, "{what} {method:?}");
                used.push((follow, method));
            }
            assert_eq!(tally(&fs, &roots, follow).unwrap(), walked, "{what}");
        }
    }
    used.dedup();
    used
}

#[test]
fn one_command_counts_equal_the_walk_with_every_method() {
    let dir = tempfile::Builder::new().prefix("scpdeck-tally-").tempdir().unwrap();
    let root = dir.path().join("tree");
    tree(&root);
    // The expected counts, spelled out once for the whole tree.
    let whole = [root.clone()];
    assert_eq!(
        walk_tally(&LocalFs::new(), &whole, false).unwrap(),
        Tally { files: 5, dirs: 6, links: 9, skipped: 2, unreadable: 0, bytes: 3 + 5 + 1 + 1000 + 2 }
    );
    let followed = walk_tally(&LocalFs::new(), &whole, true).unwrap();
    // fifo, to_fifo, dangling, self_a, self_b; d/up and to_dir/up; the socket
    // through other, d/sub/nested_to_dir and to_dir/sub/nested_to_dir.
    assert_eq!((followed.links, followed.skipped), (0, 5 + 2 + 3), "{followed:?}");

    let gnu = Sshd::start();
    let used = compare(&gnu, &root, "GNU host");
    for method in [TallyMethod::FindPrintf, TallyMethod::Perl, TallyMethod::FindStat(StatFlavor::Gnu)] {
        assert!(used.contains(&(false, method)), "{method:?} not used: {used:?}");
    }
    assert!(used.contains(&(true, TallyMethod::Perl)), "perl not used with follow: {used:?}");
    // `find -L` cannot count followed links as the walk does (a link to
    // `..` in a selected directory is a loop for the walk, not for find).
    let session = gnu.session();
    let fs = RemoteFs::open(session.link()).unwrap();
    let remote = Remote::new(session.link(), fs.host().caps());
    let refused = remote.tally_with(&whole, true, TallyMethod::FindPrintf).unwrap_err();
    assert!(matches!(refused, scpdeck::fs::FsError::Refused { .. }), "{refused}");
    let no_perl = scpdeck::fs::remote::Capabilities { perl: false, ..fs.host().caps().clone() };
    assert_eq!(TallyMethod::choose(&no_perl, true), None);

    // The same commands under login shells that quote otherwise.
    for login in [Shell::Tcsh, Shell::Fish] {
        let sshd = Sshd::builder().shell(login.clone()).start();
        let used = compare(&sshd, &root, login.name());
        assert!(used.contains(&(true, TallyMethod::Perl)), "{}: {used:?}", login.name());
    }

    // BusyBox only: `find -exec stat` without follow; with follow (no
    // perl) the walk counts.
    let busybox = Sshd::builder().shell(Shell::BusyBox).start();
    let used = compare(&busybox, &root, "BusyBox host");
    assert_eq!(used, [(false, TallyMethod::FindStat(StatFlavor::Gnu))]);
    let session = busybox.session();
    let fs = RemoteFs::open(session.link()).unwrap();
    assert_eq!(TallyMethod::choose(fs.host().caps(), true), None);
    assert_eq!(scpdeck::fs::FileSystem::tally(&fs, &whole, true).unwrap(), None);
}

/// A host that runs no commands (SFTP only) is counted by the walk, over
/// SFTP, with the same counts.
#[test]
fn an_sftp_only_host_is_counted_by_the_walk() {
    let dir = tempfile::Builder::new().prefix("scpdeck-tally-").tempdir().unwrap();
    let root = dir.path().join("tree");
    tree(&root);
    let sshd = Sshd::builder().sftp_only().start();
    let session = sshd.session();
    let fs = RemoteFs::open(session.link()).unwrap();
    for follow in [false, true] {
        for roots in selections(&root) {
            assert_eq!(scpdeck::fs::FileSystem::tally(&fs, &roots, follow).unwrap(), None);
            let local = walk_tally(&LocalFs::new(), &roots, follow).unwrap();
            assert_eq!(tally(&fs, &roots, follow).unwrap(), local, "follow={follow} {roots:?}");
        }
    }
}

/// A link to a directory that holds the selection is a loop for the walk
/// (it leads back to what is being copied); the perl count, which the
/// copy dialog uses with follow where there is perl, says the same.
#[test]
fn a_link_to_a_directory_holding_the_selection_is_a_loop() {
    let dir = tempfile::Builder::new().prefix("scpdeck-tally-").tempdir().unwrap();
    let root = dir.path().join("outer/tree");
    std::fs::create_dir_all(root.join("in")).unwrap();
    std::fs::write(root.join("in/f"), b"1").unwrap();
    symlink(dir.path().join("outer"), root.join("in/to_outer")).unwrap();
    symlink("/", root.join("to_root")).unwrap();
    let sshd = Sshd::start();
    let session = sshd.session();
    let fs = RemoteFs::open(session.link()).unwrap();
    let remote = Remote::new(session.link(), fs.host().caps());
    let roots = [root.clone()];
    let walked = walk_tally(&fs, &roots, true).unwrap();
    assert_eq!(walked, Tally { files: 1, dirs: 2, links: 0, skipped: 2, unreadable: 0, bytes: 1 });
    assert_eq!(remote.tally_with(&roots, true, TallyMethod::Perl).unwrap(), walked);
    assert_eq!(tally(&fs, &roots, true).unwrap(), walked);
}

/// Commands the server started so far (sshd logs each at VERBOSE).
fn commands(sshd: &Sshd) -> usize {
    sshd.log().lines().filter(|l| l.contains("Starting session: command")).count()
}

/// A tree of 301 directories: the walk runs a command per directory, the
/// count one (a 1,000-directory tree was measured the same way for the
/// report; the walk's share of this test's time grows with each).
#[test]
fn a_tree_of_directories_is_counted_in_one_command() {
    let dir = tempfile::Builder::new().prefix("scpdeck-tally-").tempdir().unwrap();
    let root = dir.path().join("big");
    for a in 0..10 {
        for b in 0..29 {
            let d = root.join(format!("{a}/{b}"));
            std::fs::create_dir_all(&d).unwrap();
            std::fs::write(d.join("f"), b"x").unwrap();
        }
    }
    let roots = [root];
    let expected = Tally { files: 290, dirs: 301, bytes: 290, ..Tally::default() };
    let sshd = Sshd::start();
    let session = sshd.session();
    let fs = RemoteFs::open(session.link()).unwrap();
    for follow in [false, true] {
        let before = commands(&sshd);
        assert_eq!(tally(&fs, &roots, follow).unwrap(), expected);
        // One command; none of its own when it rode on the probe's parked channel.
        let ran = commands(&sshd) - before;
        assert!(ran <= 1, "follow={follow}: {ran} commands");
    }
    let before = commands(&sshd);
    assert_eq!(walk_tally(&fs, &roots, false).unwrap(), expected);
    let walked = commands(&sshd) - before;
    assert!(walked > 301, "the walk ran {walked} commands");
}
