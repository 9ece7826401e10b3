//! Symbolic links, special files and directory times through `scpdeck cp`
//! in every direction (this machine, upload, download, and between two
//! hosts through this machine), the real binary against a harness sshd: a
//! link is recreated as a link by default, at every depth and when it is
//! selected itself; `-L` copies what links point to, skips dangling links
//! and loops with a notice and ends; a fifo is skipped (never opened, so
//! it cannot hang the copy); skipped is not failed (exit status 0); `-p`
//! keeps every directory's modification time. And the copy dialog's counts
//! and option, end to end in tmux.

mod support;

use std::fs;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, SystemTime};

use support::Sshd;
use support::deadline::output_within;
use support::tmux::scpdeck_bin;

/// How long one `cp` may take before it counts as hung.
const LIMIT: Duration = Duration::from_secs(60);

/// The hosts' names in the config: the same server under two aliases, so
/// that a copy from one to the other is a relay through this machine.
const A: &str = "host-a";
const B: &str = "host-b";

fn config(sshd: &Sshd, dir: &Path) -> PathBuf {
    let path = dir.join("ssh_config");
    fs::write(&path, format!("{}{}", sshd.config_block(A), sshd.config_block(B))).unwrap();
    path
}

fn cp(config: &Path, args: &[&str]) -> Output {
    let mut command = Command::new(scpdeck_bin());
    command.arg("cp").arg("-q").arg("-F").arg(config).args(args);
    output_within(&mut command, LIMIT)
}

/// The directory times the tree is given, distinct per directory.
const TIMES: [(&str, u64); 4] =
    [("", 1_000_000_000), ("d", 1_100_000_000), ("d/sub", 1_200_000_000), ("other", 1_300_000_000)];

/// A tree with a link to a file and to a directory at the top, a nested
/// link to a directory, a dangling link, a link to an ancestor (a loop
/// when followed) and a fifo.
fn tree(root: &Path) {
    fs::create_dir_all(root.join("d/sub")).unwrap();
    fs::create_dir_all(root.join("other")).unwrap();
    fs::write(root.join("file"), b"abc").unwrap();
    fs::write(root.join("d/sub/f"), b"12345").unwrap();
    fs::write(root.join("other/g"), b"g").unwrap();
    std::os::unix::fs::symlink("file", root.join("to_file")).unwrap();
    std::os::unix::fs::symlink("d", root.join("to_dir")).unwrap();
    std::os::unix::fs::symlink("../../other", root.join("d/sub/nested_to_dir")).unwrap();
    std::os::unix::fs::symlink("nowhere", root.join("dangling")).unwrap();
    std::os::unix::fs::symlink("..", root.join("d/up")).unwrap();
    nix::unistd::mkfifo(&root.join("fifo"), nix::sys::stat::Mode::S_IRWXU).unwrap();
    // Deepest first: setting a directory's time does not change its parent's.
    for (rel, secs) in TIMES.iter().rev() {
        let time = SystemTime::UNIX_EPOCH + Duration::from_secs(*secs);
        fs::File::open(root.join(rel)).unwrap().set_modified(time).unwrap();
    }
}

fn link(path: &Path) -> Option<PathBuf> {
    fs::symlink_metadata(path).ok().filter(|m| m.file_type().is_symlink())?;
    fs::read_link(path).ok()
}

fn text(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The copy of `tree` (at `copy`) made without -L: links as links with
/// their targets, the fifo left out, every directory's time kept.
fn check_links_kept(copy: &Path, out: &Output) {
    assert!(out.status.success(), "exit {:?}: {}", out.status, text(out));
    assert_eq!(fs::read(copy.join("file")).unwrap(), b"abc");
    assert_eq!(fs::read(copy.join("d/sub/f")).unwrap(), b"12345");
    assert_eq!(link(&copy.join("to_file")), Some(PathBuf::from("file")));
    assert_eq!(link(&copy.join("to_dir")), Some(PathBuf::from("d")));
    assert_eq!(link(&copy.join("d/sub/nested_to_dir")), Some(PathBuf::from("../../other")));
    assert_eq!(link(&copy.join("dangling")), Some(PathBuf::from("nowhere")));
    assert_eq!(link(&copy.join("d/up")), Some(PathBuf::from("..")));
    assert!(fs::symlink_metadata(copy.join("fifo")).is_err(), "a fifo is not copied");
    assert!(
        text(out).contains("fifo: skipped: a named pipe (fifo): special files are not copied"),
        "{}",
        text(out)
    );
    for (rel, secs) in TIMES {
        let mtime = fs::metadata(copy.join(rel)).unwrap().mtime();
        assert_eq!(mtime, secs as i64, "the time of {:?}", copy.join(rel));
    }
    no_leftovers(copy);
}

/// The copy made with -L: what the links point to, the dangling link, the
/// loops and the fifo skipped with a notice.
fn check_links_followed(copy: &Path, out: &Output) {
    assert!(out.status.success(), "skipped is not failed: exit {:?}: {}", out.status, text(out));
    let err = text(out);
    assert_eq!(fs::read(copy.join("to_file")).unwrap(), b"abc");
    assert!(fs::symlink_metadata(copy.join("to_file")).unwrap().is_file());
    assert!(fs::symlink_metadata(copy.join("to_dir")).unwrap().is_dir());
    assert_eq!(fs::read(copy.join("to_dir/sub/f")).unwrap(), b"12345");
    assert_eq!(fs::read(copy.join("d/sub/nested_to_dir/g")).unwrap(), b"g");
    assert_eq!(fs::read(copy.join("to_dir/sub/nested_to_dir/g")).unwrap(), b"g");
    for gone in ["dangling", "fifo", "d/up", "to_dir/up"] {
        assert!(fs::symlink_metadata(copy.join(gone)).is_err(), "{gone} is not copied");
    }
    assert!(err.contains("dangling: skipped: a dangling symbolic link"), "{err}");
    assert!(err.contains("d/up: skipped: a symbolic link loop"), "{err}");
    assert!(err.contains("fifo: skipped"), "{err}");
    no_leftovers(copy);
}

/// No temporary name is left anywhere in the copy.
fn no_leftovers(dir: &Path) {
    for entry in fs::read_dir(dir).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        assert!(!name.ends_with(".scpdeck") && !name.starts_with(".sd-"), "left behind: {name}");
        let kind = entry.file_type().unwrap();
        assert!(!kind.is_fifo());
        if kind.is_dir() {
            no_leftovers(&entry.path());
        }
    }
}

/// Source and target operands for a direction.
fn operands(direction: &str, source: &Path, target: &Path) -> (String, String) {
    let (s, t) = (source.display().to_string(), target.display().to_string());
    match direction {
        "local" => (s, t),
        "upload" => (s, format!("{A}:{t}")),
        "download" => (format!("{A}:{s}"), t),
        "relay" => (format!("{A}:{s}"), format!("{B}:{t}")),
        _ => unreachable!(),
    }
}

fn each_direction(check: impl Fn(&Path, &str, &Path, &Path)) {
    let sshd = Sshd::start();
    let tmp = tempfile::tempdir().unwrap();
    let config = config(&sshd, tmp.path());
    let source = tmp.path().join("tree");
    tree(&source);
    for direction in ["local", "upload", "download", "relay"] {
        let target = tmp.path().join(format!("to-{direction}"));
        fs::create_dir(&target).unwrap();
        check(&config, direction, &source, &target);
    }
}

#[test]
fn links_are_copied_as_links_and_directory_times_kept_every_way() {
    each_direction(|config, direction, source, target| {
        let (from, to) = operands(direction, source, target);
        let out = cp(config, &["-r", "-p", &from, &to]);
        check_links_kept(&target.join("tree"), &out);
        // A selected link is a link too (a link to a directory copies
        // nothing of the directory), without -r.
        let (from, to) = operands(direction, &source.join("to_dir"), target);
        let out = cp(config, &[&from, &to]);
        assert!(out.status.success(), "{direction}: {}", text(&out));
        assert_eq!(link(&target.join("to_dir")), Some(PathBuf::from("d")), "{direction}");
    });
}

#[test]
fn follow_links_copies_what_they_point_to_and_ends_on_loops_every_way() {
    each_direction(|config, direction, source, target| {
        let (from, to) = operands(direction, source, target);
        let out = cp(config, &["-r", "-L", &from, &to]);
        check_links_followed(&target.join("tree"), &out);
        // A selected link to a directory is followed too.
        let (from, to) = operands(direction, &source.join("to_dir"), target);
        let out = cp(config, &["-r", "-L", &from, &to]);
        assert!(out.status.success(), "{direction}: {}", text(&out));
        assert_eq!(fs::read(target.join("to_dir/sub/f")).unwrap(), b"12345", "{direction}");
        // A selected link to a file is that file: its size, and with -p
        // its mode (not the link's own).
        fs::set_permissions(source.join("file"), fs::Permissions::from_mode(0o640)).unwrap();
        let (from, to) = operands(direction, &source.join("to_file"), target);
        let out = cp(config, &["-L", "-p", &from, &to]);
        assert!(out.status.success(), "{direction}: {}", text(&out));
        let copy = target.join("to_file");
        let meta = fs::symlink_metadata(&copy).unwrap();
        assert!(meta.is_file(), "{direction}: {meta:?}");
        assert_eq!((fs::read(&copy).unwrap(), meta.mode() & 0o7777), (b"abc".to_vec(), 0o640), "{direction}");
    });
}

#[test]
fn an_existing_link_at_the_destination_follows_the_overwrite_policy() {
    let sshd = Sshd::start();
    let tmp = tempfile::tempdir().unwrap();
    let config = config(&sshd, tmp.path());
    let source = tmp.path().join("src");
    fs::create_dir(&source).unwrap();
    std::os::unix::fs::symlink("new-target", source.join("l")).unwrap();
    let target = tmp.path().join("dst");
    fs::create_dir(&target).unwrap();
    std::os::unix::fs::symlink("old-target", target.join("l")).unwrap();
    let (from, to) = operands("upload", &source.join("l"), &target);
    let out = cp(&config, &["--overwrite", "skip", &from, &to]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(link(&target.join("l")), Some(PathBuf::from("old-target")));
    let out = cp(&config, &["--overwrite", "rename", &from, &to]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(link(&target.join("l (1)")), Some(PathBuf::from("new-target")));
    let out = cp(&config, &[&from, &to]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(link(&target.join("l")), Some(PathBuf::from("new-target")));
    no_leftovers(&target);
}

/// What the user guide says of OpenSSH's scp, checked against it: with
/// the SCP protocol (`-O`) it follows links (a link to a directory arrives
/// as a directory), in its SFTP mode a link in a directory fails as "not a
/// regular file", and both fail on a dangling link; `scpdeck cp -L` copies
/// what `-O` does, skipping the dangling link with a notice, exit status 0.
#[test]
fn openssh_scp_follows_links_or_fails_and_fails_on_a_dangling_one_where_cp_l_skips_it() {
    let sshd = Sshd::start();
    let tmp = tempfile::tempdir().unwrap();
    let config = config(&sshd, tmp.path());
    let source = tmp.path().join("tree");
    fs::create_dir_all(source.join("d")).unwrap();
    fs::write(source.join("d/f"), b"x").unwrap();
    std::os::unix::fs::symlink("d", source.join("to_dir")).unwrap();
    std::os::unix::fs::symlink("nowhere", source.join("dangling")).unwrap();
    // A tree with only the link to a directory, then only the dangling
    // link: scp stops at the first failure, in whatever order it reads.
    let linked = tmp.path().join("linked");
    fs::create_dir_all(linked.join("d")).unwrap();
    fs::write(linked.join("d/f"), b"x").unwrap();
    std::os::unix::fs::symlink("d", linked.join("to_dir")).unwrap();
    let dangling = tmp.path().join("dangling");
    fs::create_dir_all(&dangling).unwrap();
    std::os::unix::fs::symlink("nowhere", dangling.join("l")).unwrap();
    for legacy in [true, false] {
        let target = tmp.path().join(format!("scp-{legacy}"));
        fs::create_dir(&target).unwrap();
        let scp = |tree: &Path| {
            let mut scp = sshd.scp();
            if legacy {
                scp.arg("-O");
            }
            scp.arg("-r").arg(tree).arg(format!("{}:{}", sshd.alias(), target.display()));
            output_within(&mut scp, LIMIT)
        };
        let out = scp(&linked);
        if legacy {
            assert!(out.status.success(), "{}", text(&out));
            let copied = fs::symlink_metadata(target.join("linked/to_dir")).unwrap();
            assert!(copied.is_dir(), "scp -O followed the link");
        } else {
            // OpenSSH's SFTP mode neither follows nor recreates a link
            // inside a directory.
            assert!(!out.status.success());
            assert!(text(&out).contains("to_dir\" is not a regular file"), "{}", text(&out));
        }
        let out = scp(&dangling);
        assert!(!out.status.success(), "scp fails on the dangling link");
        assert!(text(&out).contains("No such file or directory"), "{}", text(&out));
    }
    let target = tmp.path().join("cp");
    fs::create_dir(&target).unwrap();
    let (from, to) = operands("upload", &source, &target);
    let out = cp(&config, &["-r", "-L", &from, &to]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(fs::symlink_metadata(target.join("tree/to_dir")).unwrap().is_dir());
    assert!(fs::symlink_metadata(target.join("tree/dangling")).is_err());
}

/// A host without perl (placing files through `sh`, `ln` and `mv`).
fn host_without_perl() -> Sshd {
    Sshd::builder().plain_tools_except(&[]).start()
}

/// Copying the same tree again replaces each link by its copy, a link to
/// a directory too (never what it points to), with or without perl on the
/// host.
#[test]
fn copying_again_replaces_links_even_to_directories() {
    for sshd in [Sshd::start(), host_without_perl()] {
        let tmp = tempfile::tempdir().unwrap();
        let config = config(&sshd, tmp.path());
        let source = tmp.path().join("tree");
        tree(&source);
        let target = tmp.path().join("dst");
        fs::create_dir(&target).unwrap();
        let (from, to) = operands("upload", &source, &target);
        for _ in 0..2 {
            let out = cp(&config, &["-r", "-p", &from, &to]);
            check_links_kept(&target.join("tree"), &out);
        }
        // What the link to a directory points to was not touched.
        let names: Vec<_> =
            fs::read_dir(target.join("tree/d")).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }
}

/// The commander, end to end in tmux: the copy dialog counts a link as a
/// link and the fifo as skipped; "Follow symbolic links" counts again what
/// the link points to, and the copy made follows it.
#[test]
fn the_copy_dialog_counts_links_and_follows_them_in_tmux() {
    use support::tmux::Tmux;
    let dir = tempfile::tempdir().unwrap();
    let (left, right) = (dir.path().join("left"), dir.path().join("right"));
    fs::create_dir_all(left.join("tree/d")).unwrap();
    fs::write(left.join("tree/d/f"), b"12345").unwrap();
    std::os::unix::fs::symlink("d", left.join("tree/to_dir")).unwrap();
    nix::unistd::mkfifo(&left.join("tree/fifo"), nix::sys::stat::Mode::S_IRWXU).unwrap();
    fs::create_dir_all(&right).unwrap();
    let command = format!(
        "SCPDECK_CONFIG_DIR='{}/config' XDG_STATE_HOME='{}/state' '{}' '{}' '{}'; sleep 60",
        dir.path().display(),
        dir.path().display(),
        scpdeck_bin().display(),
        left.display(),
        right.display()
    );
    let tmux = Tmux::start(&command, 100, 30);
    tmux.wait_for("tree/");
    tmux.keys(&["Down", "F5"]);
    tmux.wait_for("Copy 1 file, 2 directories and 1 link (5 B), 1 skipped");
    // Target, preserve, overwrite, verify, then the new row.
    tmux.keys(&["Tab", "Tab", "Tab", "Tab", "Space"]);
    tmux.wait_for("[x] Follow symbolic links");
    tmux.wait_for("Copy 2 files and 3 directories (10 B), 1 skipped");
    tmux.keys(&["Enter"]);
    support::tmux::wait_for_file(&right.join("tree/to_dir/f"));
    assert!(fs::symlink_metadata(right.join("tree/to_dir")).unwrap().is_dir());
    assert!(fs::symlink_metadata(right.join("tree/fifo")).is_err());
    tmux.kill();
}
