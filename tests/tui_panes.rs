//! End to end in tmux, the real binary: panes swapped with ctrl-u, a file
//! duplicated under a new name with both panes on one directory, and the
//! host picker connecting to a port typed in it, then a copy from that host
//! with a bandwidth limit typed in the dialog, which goes on whole while
//! the pane disconnects.

mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use support::tmux::{Tmux, scpdeck_bin};

/// scpdeck on `left` and `right` with a fresh config and state directory.
fn scpdeck(home: &Path, extra: &str, left: &Path, right: &Path) -> Tmux {
    let command = format!(
        "SCPDECK_CONFIG_DIR='{0}/config' XDG_STATE_HOME='{0}/state' '{1}' {extra} '{2}' '{3}'; sleep 60",
        home.display(),
        scpdeck_bin().display(),
        left.display(),
        right.display(),
    );
    Tmux::start(&command, 110, 30)
}

/// The screen's first line: both panes' titles.
fn titles(tmux: &Tmux) -> String {
    tmux.screen().lines().next().unwrap_or_default().to_owned()
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn ctrl_u_swaps_the_panes() {
    let dir = tempfile::tempdir().unwrap();
    let (left, right) = (dir.path().join("alpha-side"), dir.path().join("beta-side"));
    std::fs::create_dir_all(&left).unwrap();
    std::fs::create_dir_all(&right).unwrap();
    std::fs::write(left.join("only-in-alpha.txt"), "a").unwrap();
    std::fs::write(right.join("only-in-beta.txt"), "b").unwrap();
    let tmux = scpdeck(dir.path(), "", &left, &right);
    tmux.wait_for("only-in-beta.txt");
    let before = titles(&tmux);
    assert!(before.find("alpha-side") < before.find("beta-side"), "{before}");
    tmux.keys(&["C-u"]);
    wait_until("the panes are swapped", || {
        let now = titles(&tmux);
        now.contains("alpha-side") && now.find("beta-side") < now.find("alpha-side")
    });
    // The focus stayed on the left, which now lists beta's file: F3 views it.
    tmux.keys(&["Down", "F3"]);
    tmux.wait_for("only-in-beta.txt · ");
    tmux.keys(&["q"]);
    tmux.keys(&["C-u"]);
    wait_until("the panes are back", || {
        let now = titles(&tmux);
        now.find("alpha-side") < now.find("beta-side")
    });
    tmux.keys(&["q"]);
}

#[test]
fn f5_onto_the_same_directory_duplicates_the_file_under_the_name_typed() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    let content: Vec<u8> = (0..50_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(work.join("report.txt"), &content).unwrap();
    let tmux = scpdeck(dir.path(), "", &work, &work);
    tmux.wait_for_times("report.txt", 2);
    tmux.keys(&["Down", "F5"]);
    // The target is a name field, offered as "report (copy).txt".
    let screen = tmux.wait_for("both panes show this directory");
    assert!(screen.contains("report (copy).txt"), "{screen}");
    tmux.keys(&["C-u"]);
    tmux.keys(&["-l", "report copy 2.txt"]);
    tmux.keys(&["Enter"]);
    let copy = work.join("report copy 2.txt");
    wait_until("the duplicate is on disk", || std::fs::read(&copy).is_ok_and(|c| c == content));
    tmux.wait_for_times("report copy 2.txt", 2);
    assert_eq!(std::fs::read(work.join("report.txt")).unwrap(), content, "the original is untouched");
    tmux.keys(&["q"]);
}

#[test]
fn the_host_picker_connects_to_a_port_typed_in_it() {
    let sshd = support::Sshd::start();
    let home = tempfile::tempdir().unwrap();
    // The address's settings without its port: only the typed port reaches sshd.
    let address = sshd.address.to_string();
    let block = sshd.config_block(&address).replace(&format!("  Port {}\n", sshd.port), "");
    assert!(!block.contains("Port "), "{block}");
    let config = home.path().join("ssh_config");
    std::fs::write(&config, block).unwrap();
    let local = home.path().join("local");
    std::fs::create_dir_all(&local).unwrap();
    std::fs::write(local.join("local-marker.txt"), "x").unwrap();
    let extra = format!("-F '{}'", config.display());
    let tmux = scpdeck(home.path(), &extra, &local, &local);
    tmux.wait_for_times("local-marker.txt", 2);
    tmux.keys(&["F2"]);
    tmux.wait_for("this machine");
    let typed = format!("{address}:{}", sshd.port);
    tmux.keys(&["-l", &typed]);
    // The keys arrive one by one: wait for the whole address, not the first digits.
    let screen = tmux.wait_for(&format!("Enter connects to {typed}"));
    assert!(screen.contains("typed"), "{screen}");
    tmux.keys(&["Enter"]);
    tmux.wait_for(&format!("connected to {typed}"));
    // The pane shows the host with its port.
    tmux.wait_for(&format!("{typed}:/"));
    // Remembered as typed, with the port.
    let recent = std::fs::read_to_string(home.path().join("config/recent.toml")).unwrap();
    assert!(recent.contains(&format!("\"{typed}\"")) && recent.contains("typed"), "{recent}");
    // A copy from the host, held back by the dialog's bandwidth field so that
    // it is still running when the pane disconnects.
    let remote_dir = home.path().join("remote dir");
    std::fs::create_dir_all(&remote_dir).unwrap();
    let content: Vec<u8> = (0..400_000u32).map(|i| (i % 253) as u8).collect();
    std::fs::write(remote_dir.join("slow.bin"), &content).unwrap();
    tmux.keys(&["C-g", "C-u"]);
    tmux.keys(&["-l", &remote_dir.display().to_string()]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("slow.bin");
    tmux.keys(&["Down", "F5"]);
    tmux.wait_for("Bandwidth limit");
    tmux.keys(&["Tab", "Tab", "Tab", "Tab"]);
    tmux.keys(&["-l", "800"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("queued:");
    // alt-x: disconnected, the pane back on this machine's directory; the
    // copy goes on over its own connection and arrives whole.
    tmux.keys(&["M-x"]);
    tmux.wait_for(&format!("disconnected from {typed}"));
    let copy = local.join("slow.bin");
    // 400 kB at 800 Kbit/s take 4 s: the copy was running when the pane let go.
    assert!(!copy.exists(), "the copy ended before the disconnect: nothing was shown");
    tmux.wait_for_times("local-marker.txt", 2);
    wait_until("the copy has arrived whole", || std::fs::read(&copy).is_ok_and(|c| c == content));
    tmux.keys(&["M-j"]);
    tmux.wait_for(" done ");
    tmux.keys(&["q"]);
    // The host's last directory is in the state dir, and a new run's picker
    // opens the host there.
    let dirs = std::fs::read_to_string(home.path().join("state/scpdeck/recent-dirs.toml")).unwrap();
    assert!(dirs.contains("remote dir"), "{dirs}");
    drop(tmux);
    let tmux = scpdeck(home.path(), &extra, &local, &local);
    tmux.wait_for_times("local-marker.txt", 2);
    tmux.keys(&["F2"]);
    let screen = tmux.wait_for("/remote dir ");
    assert!(screen.contains(&typed), "{screen}");
    // Below "this machine".
    tmux.keys(&["Down", "Enter"]);
    tmux.wait_for("slow.bin");
    tmux.wait_for(&format!("{typed}:{}", remote_dir.display()));
    tmux.keys(&["q"]);
}
