//! End to end on a remote pane: the real binary in tmux, with its left pane
//! on a harness sshd, changes a tree's mode recursively (octal field and
//! rwx grid), a tree's group, creates symlinks and an empty file; the
//! results are checked on disk.

mod support;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use support::tmux::{Tmux, scpdeck_bin};

/// Waits until `done` holds; panics with the screen if it does not.
fn eventually(tmux: &Tmux, what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}; screen:\n{}", tmux.screen());
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The latest message, whole, as the message view (alt-h) shows it; the
/// view is closed again.
fn whole_message(tmux: &Tmux) -> String {
    tmux.keys(&["M-h"]);
    let screen = tmux.wait_for("Messages (");
    tmux.keys(&["Escape"]);
    let deadline = Instant::now() + Duration::from_secs(20);
    while tmux.screen().contains("Messages (") {
        assert!(Instant::now() < deadline, "the message view did not close");
        std::thread::sleep(Duration::from_millis(50));
    }
    screen
}

fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path).map(|m| m.permissions().mode() & 0o7777).unwrap_or(0)
}

fn gid(path: &Path) -> Option<u32> {
    std::fs::symlink_metadata(path).ok().map(|m| m.gid())
}

/// A group that exists here (and so on the harness host, which is this
/// machine) other than the tree's own.
fn other_group(own: u32) -> (String, u32) {
    ["daemon", "bin", "sys", "adm", "users", "nogroup"]
        .iter()
        .find_map(|name| {
            let group = nix::unistd::Group::from_name(name).ok().flatten()?;
            (group.gid.as_raw() != own).then(|| (name.to_string(), group.gid.as_raw()))
        })
        .expect("no usable group in /etc/group")
}

fn remote_tree(sshd: &support::Sshd) -> PathBuf {
    let root = sshd.dir().join("attr-tree");
    std::fs::create_dir_all(root.join("tree/sub")).unwrap();
    std::fs::write(root.join("tree/inner.txt"), "inner").unwrap();
    std::fs::write(root.join("tree/sub/deep.txt"), "deep").unwrap();
    std::fs::write(root.join("plain.txt"), "plain").unwrap();
    for path in ["tree", "tree/sub"] {
        std::fs::set_permissions(root.join(path), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    root
}

#[test]
fn chmod_chgrp_symlink_and_touch_on_a_remote_pane() {
    let sshd = support::Sshd::start();
    let root = remote_tree(&sshd);
    let local = tempfile::tempdir().unwrap();
    let command = format!(
        "SCPDECK_CONFIG_DIR='{0}/config' XDG_STATE_HOME='{0}/state' '{1}' -F '{2}' '{3}:{4}' '{0}'; sleep 60",
        local.path().display(),
        scpdeck_bin().display(),
        sshd.ssh_config().display(),
        sshd.alias(),
        root.display()
    );
    let tmux = Tmux::start(&command, 120, 32);
    support::deadline::bounded(
        Duration::from_secs(180),
        || tmux.kill(),
        || {
            tmux.wait_for("plain.txt");
            tmux.wait_for("tree/");
            // Off `..` onto tree/.
            tmux.keys(&["Down"]);

            // Mode: 750 typed, group write set in the grid, recursive.
            tmux.keys(&["M-m"]);
            let screen = tmux.wait_for("Change mode");
            assert!(screen.contains("0755") && screen.contains("rwxr-xr-x"), "{screen}");
            tmux.keys(&["C-u"]);
            tmux.keys(&["-l", "750"]);
            tmux.keys(&["Down", "Down", "Right", "Space"]);
            tmux.wait_for("0770");
            tmux.keys(&["Tab", "Space"]);
            tmux.wait_for("[x] Recursive");
            tmux.keys(&["Enter"]);
            let paths = ["tree", "tree/inner.txt", "tree/sub", "tree/sub/deep.txt"].map(|p| root.join(p));
            eventually(&tmux, "the tree is mode 0770", || paths.iter().all(|p| mode(p) == 0o770));
            assert_eq!(mode(&root.join("plain.txt")), 0o644, "only the tree changed");
            tmux.wait_for("(recursively)");

            // Group, recursively, by name.
            let own = gid(&root.join("tree")).unwrap();
            let (group, group_id) = other_group(own);
            tmux.keys(&["M-u"]);
            tmux.wait_for("Change owner and group");
            tmux.keys(&["Tab", "C-u"]);
            tmux.keys(&["-l", &group]);
            tmux.keys(&["Tab", "Space", "Enter"]);
            if nix::unistd::Uid::effective().is_root() {
                eventually(&tmux, "the tree has the new group", || {
                    paths.iter().all(|p| gid(p) == Some(group_id))
                });
            } else {
                // Not root: the host's refusal is shown, readably.
                tmux.wait_for("cannot change the owner");
                let screen = whole_message(&tmux);
                assert!(screen.contains("not permitted"), "{screen}");
            }

            // A group the host does not know: its refusal is shown, readably.
            tmux.keys(&["M-u"]);
            tmux.wait_for("Change owner and group");
            tmux.keys(&["Tab", "C-u"]);
            tmux.keys(&["-l", "no-such-group-here"]);
            tmux.keys(&["Enter"]);
            // Cut in the status line (the path comes first); whole in the
            // message view.
            tmux.wait_for("cannot change the owner");
            let screen = whole_message(&tmux);
            assert!(screen.contains("chown: invalid") && screen.contains("no-such-group-here')"), "{screen}");

            // A symlink to the entry under the cursor (the other pane is on
            // this machine), then one with a relative target as typed.
            tmux.keys(&["Down", "M-k"]);
            let screen = tmux.wait_for("Create symlink");
            assert!(screen.contains(&root.join("plain.txt").display().to_string()), "{screen}");
            tmux.keys(&["-l", "to-plain"]);
            tmux.keys(&["Enter"]);
            eventually(&tmux, "the link exists", || root.join("to-plain").is_symlink());
            assert_eq!(std::fs::read_link(root.join("to-plain")).unwrap(), root.join("plain.txt"));
            tmux.wait_for("to-plain ->");
            tmux.keys(&["M-k"]);
            tmux.wait_for("Create symlink");
            tmux.keys(&["-l", "rel link"]);
            tmux.keys(&["Tab", "C-u"]);
            tmux.keys(&["-l", "tree/./sub"]);
            tmux.keys(&["Enter"]);
            eventually(&tmux, "the relative link exists", || root.join("rel link").is_symlink());
            assert_eq!(std::fs::read_link(root.join("rel link")).unwrap(), PathBuf::from("tree/./sub"));

            // An empty file; the same name again is refused in the dialog.
            tmux.keys(&["S-F4"]);
            tmux.wait_for("Create empty file");
            tmux.keys(&["-l", "empty.txt"]);
            tmux.keys(&["Enter"]);
            eventually(&tmux, "the empty file exists", || root.join("empty.txt").is_file());
            assert_eq!(std::fs::metadata(root.join("empty.txt")).unwrap().len(), 0);
            // The status line names the file before the reload lists it:
            // wait for its row, or the dialog cannot know the name is taken.
            eventually(&tmux, "the pane lists the empty file", || {
                tmux.screen().lines().any(|l| l.starts_with("│ empty.txt"))
            });
            tmux.keys(&["S-F4"]);
            tmux.wait_for("Create empty file");
            tmux.keys(&["-l", "empty.txt"]);
            tmux.keys(&["Enter"]);
            tmux.wait_for("empty.txt exists already");
            tmux.keys(&["Escape"]);
            eventually(&tmux, "the dialog is closed", || !tmux.screen().contains("Create empty file"));
            tmux.keys(&["q"]);
        },
    );
}
