//! "Nothing hangs, nothing is lost", through the real `scpdeck cp` against
//! harness sshds: concurrent runs into one directory (with "keep both"
//! too), two sources with one name, a subdirectory that cannot be made, a
//! copy that fails verification, destinations without room for a temporary
//! copy, an unwritable directory, paths near the system's limit, devices and
//! named pipes, a directory whose name holds a newline. Every run has a
//! deadline that fails the test instead of hanging it.

mod support;

use std::collections::BTreeSet;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::time::Duration;

use support::cp_child::{spawn, within};
use support::tmpfs::Tmpfs;
use support::{Sshd, which};

fn cp(config: &Path, args: &[&str]) -> Output {
    within(spawn(config, args), Duration::from_secs(60))
}

fn on(host: &str, path: &Path) -> String {
    format!("{host}:{}", path.display())
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Every path under `root`, relative, with file contents.
fn files(root: &Path) -> Vec<(PathBuf, Option<Vec<u8>>)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let rel = path.strip_prefix(root).unwrap().to_path_buf();
            let kind = std::fs::symlink_metadata(&path).unwrap().file_type();
            if kind.is_dir() {
                stack.push(path);
                out.push((rel, None));
            } else if kind.is_file() {
                out.push((rel, Some(std::fs::read(&path).unwrap())));
            } else {
                // Devices and pipes are not read (a pipe would block).
                out.push((rel, None));
            }
        }
    }
    out.sort();
    out
}

/// No temporary file or private directory of ours anywhere under `root`.
fn no_leftovers(root: &Path) {
    let ours: Vec<PathBuf> = files(root)
        .into_iter()
        .map(|(p, _)| p)
        .filter(|p| {
            p.components().any(|c| {
                let name = c.as_os_str().to_string_lossy();
                name.ends_with(".scpdeck") || name.starts_with(".sd-")
            })
        })
        .collect();
    assert!(ours.is_empty(), "left behind: {ours:?}");
}

fn make_tree(root: &Path) {
    for d in ["a", "a/b", "a/b/c", "d", "e/f"] {
        std::fs::create_dir_all(root.join(d)).unwrap();
        for i in 0..4 {
            std::fs::write(root.join(d).join(format!("file{i}")), format!("{d}/{i}")).unwrap();
        }
    }
}

#[test]
fn five_concurrent_recursive_copies_into_one_directory_all_end_with_everything() {
    let sshd = Sshd::start();
    let tmp = tempfile::tempdir().unwrap();
    let source = tmp.path().join("tree");
    make_tree(&source);
    let (up, down) = (tmp.path().join("up"), tmp.path().join("down"));
    std::fs::create_dir(&up).unwrap();
    std::fs::create_dir(&down).unwrap();
    let config = sshd.ssh_config();
    for (from, to) in [
        (s(&source).to_owned(), format!("{}/", on(sshd.alias(), &up))),
        (on(sshd.alias(), &source), format!("{}/", s(&down))),
    ] {
        let runs: Vec<Child> = (0..5).map(|_| spawn(&config, &["-r", &from, &to])).collect();
        for run in runs {
            let out = within(run, Duration::from_secs(90));
            assert!(out.status.success(), "{}", stderr(&out));
        }
    }
    assert_eq!(files(&up.join("tree")), files(&source));
    assert_eq!(files(&down.join("tree")), files(&source));
    no_leftovers(&up);
    no_leftovers(&down);
}

#[test]
fn concurrent_keep_both_keeps_every_copy_with_its_own_content() {
    let sshd = Sshd::start();
    let tmp = tempfile::tempdir().unwrap();
    let (up, down) = (tmp.path().join("up"), tmp.path().join("down"));
    std::fs::create_dir(&up).unwrap();
    std::fs::create_dir(&down).unwrap();
    let sources: Vec<PathBuf> = (0..5)
        .map(|n| {
            let dir = tmp.path().join(format!("src{n}"));
            std::fs::create_dir(&dir).unwrap();
            std::fs::write(dir.join("f.txt"), format!("copy {n}")).unwrap();
            dir.join("f.txt")
        })
        .collect();
    let config = sshd.ssh_config();
    let expected: BTreeSet<Vec<u8>> = (0..5).map(|n| format!("copy {n}").into_bytes()).collect();
    for (remote_source, dest) in [(false, &up), (true, &down)] {
        let target =
            if remote_source { format!("{}/", s(dest)) } else { format!("{}/", on(sshd.alias(), dest)) };
        let runs: Vec<Child> = sources
            .iter()
            .map(|f| {
                let from = if remote_source { on(sshd.alias(), f) } else { s(f).to_owned() };
                spawn(&config, &["--overwrite", "rename", &from, &target])
            })
            .collect();
        for run in runs {
            let out = within(run, Duration::from_secs(60));
            assert!(out.status.success(), "{}", stderr(&out));
        }
        let got: Vec<(PathBuf, Option<Vec<u8>>)> = files(dest);
        let names: BTreeSet<String> = got.iter().map(|(p, _)| p.to_string_lossy().into_owned()).collect();
        let wanted: BTreeSet<String> = ["f.txt", "f (1).txt", "f (2).txt", "f (3).txt", "f (4).txt"]
            .iter()
            .map(|n| n.to_string())
            .collect();
        assert_eq!(names, wanted, "{got:?}");
        let contents: BTreeSet<Vec<u8>> = got.into_iter().filter_map(|(_, c)| c).collect();
        assert_eq!(contents, expected, "each run kept its own copy");
    }
}

#[test]
fn two_sources_with_one_name_last_wins_or_both_are_kept() {
    let sshd = Sshd::start();
    let tmp = tempfile::tempdir().unwrap();
    for (dir, text) in [("a", "from a"), ("b", "from b")] {
        std::fs::create_dir(tmp.path().join(dir)).unwrap();
        std::fs::write(tmp.path().join(dir).join("x"), text).unwrap();
    }
    let (a, b) = (tmp.path().join("a/x"), tmp.path().join("b/x"));
    let config = sshd.ssh_config();
    for (name, rename) in [("last", false), ("both", true)] {
        let up = tmp.path().join(format!("up-{name}"));
        let down = tmp.path().join(format!("down-{name}"));
        std::fs::create_dir(&up).unwrap();
        std::fs::create_dir(&down).unwrap();
        let mut args: Vec<String> = if rename { vec!["--overwrite".into(), "rename".into()] } else { vec![] };
        args.extend([s(&a).to_owned(), s(&b).to_owned(), on(sshd.alias(), &up)]);
        let out = cp(&config, &args.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(out.status.success(), "{}", stderr(&out));
        let mut args: Vec<String> = if rename { vec!["--overwrite".into(), "rename".into()] } else { vec![] };
        args.extend([on(sshd.alias(), &a), on(sshd.alias(), &b), s(&down).to_owned()]);
        let out = cp(&config, &args.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(out.status.success(), "{}", stderr(&out));
        for dest in [&up, &down] {
            if rename {
                assert_eq!(std::fs::read(dest.join("x")).unwrap(), b"from a");
                assert_eq!(std::fs::read(dest.join("x (1)")).unwrap(), b"from b");
            } else {
                assert_eq!(
                    std::fs::read(dest.join("x")).unwrap(),
                    b"from b",
                    "the last one wins, as with scp"
                );
                assert_eq!(files(dest).len(), 1);
            }
            no_leftovers(dest);
        }
    }
}

fn chown_to_test_user(path: &Path) {
    let status = Command::new("chown").arg("-R").arg("scpdeck-test").arg(path).status().unwrap();
    assert!(status.success());
}

#[test]
fn a_subdirectory_that_cannot_be_made_fails_its_files_and_the_copy_ends() {
    let (_sshd, config, shared) = support::unprivileged_sshd();
    let dest = shared.path().join("dest");
    std::fs::create_dir_all(dest.join("tree/locked")).unwrap();
    chown_to_test_user(&dest);
    // Owned by root: the test user may not create anything in it.
    let status = Command::new("chown").arg("root").arg(dest.join("tree/locked")).status().unwrap();
    assert!(status.success());
    std::fs::set_permissions(dest.join("tree/locked"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let local = tempfile::tempdir().unwrap();
    let source = local.path().join("tree");
    for d in ["ok", "locked/sub/deeper", "locked"] {
        std::fs::create_dir_all(source.join(d)).unwrap();
        std::fs::write(source.join(d).join("f"), d).unwrap();
    }
    let out = cp(&config, &["-r", s(&source), &format!("{}/", on("other", &dest))]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("Permission denied"), "{err}");
    assert!(err.contains("not copied"), "{err}");
    assert_eq!(std::fs::read(dest.join("tree/ok/f")).unwrap(), b"ok");
    assert!(!dest.join("tree/locked/sub").exists());
    assert!(!dest.join("tree/locked/f").exists());
    no_leftovers(&dest);
}

#[test]
fn a_writable_file_in_an_unwritable_directory_is_replaced_in_place() {
    let (_sshd, config, shared) = support::unprivileged_sshd();
    let dir = shared.path().join("locked");
    std::fs::create_dir(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(dir.join("settings"), b"old settings, longer than the new ones").unwrap();
    std::fs::set_permissions(dir.join("settings"), std::fs::Permissions::from_mode(0o666)).unwrap();
    let local = tempfile::tempdir().unwrap();
    std::fs::write(local.path().join("settings"), b"new settings").unwrap();
    let out = cp(&config, &[s(&local.path().join("settings")), &on("other", &dir)]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read(dir.join("settings")).unwrap(), b"new settings");
    let err = stderr(&out);
    assert!(err.contains("not atomically"), "{err}");
    assert!(!err.contains(".sd-"), "no internal name shown as the user's: {err}");
    // A new file cannot be made there: said about the directory, not ours.
    std::fs::write(local.path().join("new"), b"new").unwrap();
    let out = cp(&config, &[s(&local.path().join("new")), &on("other", &dir)]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("Permission denied"), "{err}");
    assert!(!err.contains(".sd-"), "{err}");
    no_leftovers(&dir);
}

#[test]
fn a_file_on_a_disk_without_room_for_two_copies_is_replaced_in_place() {
    let sshd = Sshd::start();
    let tmp = tempfile::tempdir().unwrap();
    let new: Vec<u8> = (0..700 * 1024).map(|i| (i % 251) as u8).collect();
    std::fs::write(tmp.path().join("big"), &new).unwrap();
    let small = Tmpfs::new("1m");
    let config = sshd.ssh_config();
    for (download, dir) in [(true, "local"), (false, "remote")] {
        let dest = small.path().join(dir);
        std::fs::create_dir(&dest).unwrap();
        std::fs::write(dest.join("big"), vec![7u8; 500 * 1024]).unwrap();
        let out = if download {
            cp(&config, &[&on(sshd.alias(), &tmp.path().join("big")), s(&dest)])
        } else {
            cp(&config, &[s(&tmp.path().join("big")), &on(sshd.alias(), &dest)])
        };
        assert!(out.status.success(), "{dir}: {}", stderr(&out));
        assert!(stderr(&out).contains("not atomically"), "{}", stderr(&out));
        assert_eq!(std::fs::read(dest.join("big")).unwrap(), new, "{dir}");
        no_leftovers(&dest);
        std::fs::remove_dir_all(&dest).unwrap();
    }
}

#[test]
fn destination_paths_near_the_system_limit_still_copy() {
    let sshd = Sshd::start();
    let tmp = tempfile::tempdir().unwrap();
    let name = "a-file-name-of-32-characters.txt";
    std::fs::write(tmp.path().join(name), b"long").unwrap();
    // Directories of 200 bytes until the destination path is 4,070 bytes or more.
    let mut dir = tmp.path().join("deep");
    while dir.as_os_str().len() + 1 + name.len() < 4070 - 201 {
        dir = dir.join("d".repeat(200));
    }
    let pad = 4070 - (dir.as_os_str().len() + 2 + name.len());
    dir = dir.join("p".repeat(pad.max(1)));
    std::fs::create_dir_all(&dir).unwrap();
    let dest = dir.join(name);
    assert!((4070..4096).contains(&dest.as_os_str().len()), "{}", dest.as_os_str().len());
    let config = sshd.ssh_config();
    let out = cp(&config, &[s(&tmp.path().join(name)), &on(sshd.alias(), &dir)]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read(&dest).unwrap(), b"long");
    std::fs::remove_file(&dest).unwrap();
    let out = cp(&config, &[&on(sshd.alias(), &tmp.path().join(name)), s(&dir)]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read(&dest).unwrap(), b"long");
    no_leftovers(&tmp.path().join("deep"));
}

#[test]
fn devices_and_named_pipes_are_written_into_never_replaced() {
    let sshd = Sshd::start();
    let tmp = tempfile::tempdir().unwrap();
    let data: Vec<u8> = (0..300_000u32).map(|i| (i % 253) as u8).collect();
    std::fs::write(tmp.path().join("data"), &data).unwrap();
    let null = tmp.path().join("null");
    nix::sys::stat::mknod(
        &null,
        nix::sys::stat::SFlag::S_IFCHR,
        nix::sys::stat::Mode::from_bits_truncate(0o666),
        nix::sys::stat::makedev(1, 3),
    )
    .expect("mknod needs root (scripts/test runs as root)");
    let config = sshd.ssh_config();
    let source = tmp.path().join("data");
    for (download, to) in [(true, &null), (false, &null)] {
        let out = if download {
            cp(&config, &[&on(sshd.alias(), &source), s(to)])
        } else {
            cp(&config, &[s(&source), &on(sshd.alias(), to)])
        };
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(std::fs::symlink_metadata(to).unwrap().file_type().is_char_device(), "still a device");
    }
    for download in [true, false] {
        let fifo = tmp.path().join(format!("pipe-{download}"));
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read(&fifo).unwrap())
        };
        let out = if download {
            cp(&config, &[&on(sshd.alias(), &source), s(&fifo)])
        } else {
            cp(&config, &[s(&source), &on(sshd.alias(), &fifo)])
        };
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(reader.join().unwrap(), data, "the reader got the data");
        assert!(std::fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo(), "still a pipe");
    }
    no_leftovers(tmp.path());
}

/// A remote `scp` that flips the first byte of every file it receives
/// (`-t`) or sends (`-f`), after or before the real one does its work.
fn corrupting_scp() -> String {
    let real = which("scp");
    format!(
        r#"#!/bin/sh
real='{real}'
case "$1" in
-t)
  "$real" "$@"; status=$?
  for last; do :; done
  for f in "$last"/* "$last"; do [ -f "$f" ] && printf X | dd of="$f" bs=1 count=1 conv=notrunc 2>/dev/null; done
  exit $status ;;
-f)
  t=$(mktemp -d); n=$#
  for a; do
    case "$a" in
    -*) set -- "$@" "$a" ;;
    *) cp -p -- "$a" "$t/"; f="$t/${{a##*/}}"; printf X | dd of="$f" bs=1 count=1 conv=notrunc 2>/dev/null; set -- "$@" "$f" ;;
    esac
  done
  shift $n
  exec "$real" "$@" ;;
esac
exec "$real" "$@"
"#,
        real = real.display()
    )
}

#[test]
fn a_copy_that_fails_verification_never_replaces_the_original() {
    let sshd = Sshd::builder().program("scp", &corrupting_scp()).start();
    let tmp = tempfile::tempdir().unwrap();
    let (local, remote) = (tmp.path().join("local"), tmp.path().join("remote"));
    std::fs::create_dir(&local).unwrap();
    std::fs::create_dir(&remote).unwrap();
    std::fs::write(local.join("f"), b"the new content").unwrap();
    std::fs::write(remote.join("f"), b"the original").unwrap();
    std::fs::write(remote.join("g"), b"the new content").unwrap();
    std::fs::write(local.join("g"), b"the original").unwrap();
    let config = sshd.ssh_config();
    let up = cp(&config, &["--verify", s(&local.join("f")), &on(sshd.alias(), &remote)]);
    let down = cp(&config, &["--verify", &on(sshd.alias(), &remote.join("g")), s(&local)]);
    for out in [&up, &down] {
        assert_eq!(out.status.code(), Some(1), "{}", stderr(out));
        assert!(stderr(out).contains("checksum mismatch"), "{}", stderr(out));
        assert!(stderr(out).contains("left as it was"), "{}", stderr(out));
    }
    assert_eq!(std::fs::read(remote.join("f")).unwrap(), b"the original");
    assert_eq!(std::fs::read(local.join("g")).unwrap(), b"the original");
    no_leftovers(tmp.path());
    // Without --verify the corruption goes unseen: the check is what caught it.
    let out = cp(&config, &[s(&local.join("f")), &on(sshd.alias(), &remote)]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_ne!(std::fs::read(remote.join("f")).unwrap(), b"the new content");
}

#[test]
fn a_destination_directory_whose_name_holds_a_newline_leaves_nothing_behind() {
    let sshd = Sshd::start();
    let tmp = tempfile::tempdir().unwrap();
    let odd = tmp.path().join("two\nlines");
    std::fs::create_dir(&odd).unwrap();
    std::fs::write(tmp.path().join("f"), b"data").unwrap();
    let config = sshd.ssh_config();
    let out = cp(&config, &[s(&tmp.path().join("f")), &on(sshd.alias(), &odd)]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read(odd.join("f")).unwrap(), b"data");
    assert_eq!(std::fs::read_dir(&odd).unwrap().count(), 1, "only the copy");
    no_leftovers(tmp.path());
}

#[test]
fn a_copy_within_one_host_takes_one_session_and_keeps_the_rules() {
    let sshd = Sshd::start();
    let tmp = tempfile::tempdir().unwrap();
    let source = tmp.path().join("tree");
    make_tree(&source);
    let dest = tmp.path().join("dest");
    std::fs::create_dir(&dest).unwrap();
    let config = sshd.ssh_config();
    let (from, to) = (on(sshd.alias(), &source), format!("{}/", on(sshd.alias(), &dest)));
    // One session in all: a relay would need two to the same host.
    let out = cp(&config, &["-r", "-j", "1", "--verify", &from, &to]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(files(&dest.join("tree")), files(&source));
    let out = cp(
        &config,
        &[
            "-j",
            "1",
            "--overwrite",
            "rename",
            &on(sshd.alias(), &source.join("d/file0")),
            &format!("{}/", on(sshd.alias(), &dest.join("tree/d"))),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read(dest.join("tree/d/file0 (1)")).unwrap(), b"d/0");
    no_leftovers(&dest);
}
