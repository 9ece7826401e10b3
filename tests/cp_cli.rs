//! `scpdeck cp` on the scheduler: parallel sessions (-j), the bandwidth
//! limit (-l), each kind of error with its message and exit status, the
//! overwrite policies and --verify; the real binary against harness sshds.

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use support::Sshd;
use support::tmux::{Tmux, scpdeck_bin};

fn cp(config: &Path, args: &[&str]) -> Output {
    Command::new(scpdeck_bin()).arg("cp").arg("-F").arg(config).args(args).output().unwrap()
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

/// The output has one line per message, each `scpdeck: `, and nothing a
/// terminal would act on.
fn clean_lines(err: &str) {
    assert!(!err.chars().any(|c| c.is_control() && c != '\n'), "{err:?}");
    assert!(err.lines().all(|l| l.starts_with("scpdeck: ")), "{err}");
}

#[test]
fn j_runs_several_sessions_at_once_and_no_more() {
    let sshd = Sshd::start();
    let tmp = tempfile::tempdir().unwrap();
    let (source, target) = (tmp.path().join("src"), tmp.path().join("dst"));
    std::fs::create_dir(&source).unwrap();
    std::fs::create_dir(&target).unwrap();
    // One file per batch (each is over a batch's minimum), slowed by -l so
    // that the sessions are seen while they run.
    for i in 0..6 {
        std::fs::File::create(source.join(format!("f{i}"))).unwrap().set_len(20 << 20).unwrap();
    }
    let mut child = Command::new(scpdeck_bin())
        .args(["cp", "-F", s(&sshd.ssh_config()), "-r", "-j", "3", "-l", "480000"])
        .args([&on(sshd.alias(), &source), s(&target)])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut most = 0;
    let status = loop {
        most = most.max(sshd.connection_pids().len());
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let out = child.wait_with_output().unwrap();
    assert!(status.success(), "{}", stderr(&out));
    assert_eq!(most, 3, "connections seen at once");
    assert_eq!(sshd.accepted_logins(), 3);
    for i in 0..6 {
        assert_eq!(std::fs::metadata(target.join(format!("src/f{i}"))).unwrap().len(), 20 << 20);
    }
}

/// Sizes of every file under `dir` (temporary names included), summed.
fn bytes_under(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    entries
        .flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => bytes_under(&e.path()),
            _ => e.metadata().map(|m| m.len()).unwrap_or(0),
        })
        .sum()
}

/// Runs `args` and samples the bytes arriving under `watch`; checks that
/// no window of a second or more took in more than `limit` bytes/s for its
/// length plus about 100 ms of the limit (the quantum allowed at once, and
/// a late reader catching up), and that the limit was used.
fn assert_paced(config: &Path, args: &[&str], watch: &Path, limit: f64, total: u64) {
    let mut child = Command::new(scpdeck_bin()).arg("cp").arg("-F").arg(config).args(args).spawn().unwrap();
    let start = Instant::now();
    // Each sample: the bytes there, and the times just before and just
    // after they were counted (a loaded machine may stop this thread
    // between the two).
    let mut samples: Vec<(f64, u64, f64)> = Vec::new();
    while child.try_wait().unwrap().is_none() {
        let before = start.elapsed().as_secs_f64();
        let bytes = bytes_under(watch);
        samples.push((before, bytes, start.elapsed().as_secs_f64()));
        std::thread::sleep(Duration::from_millis(25));
    }
    assert!(child.wait().unwrap().success());
    let first = samples.iter().position(|s| s.1 > 0).expect("data seen arriving");
    let moving = &samples[first..];
    for (i, a) in moving.iter().enumerate() {
        for b in &moving[i..] {
            // The longest the window between the two counts can have been.
            let seconds = b.2 - a.0;
            if b.0 - a.2 >= 1.0 {
                // A token bucket: what arrives in a window is at most the
                // limit times its length plus a fixed allowance, not a
                // share of the window: the quantum sent at once and what
                // a late pacer catches up at once (100 ms of the limit),
                // and what the relay behind the pacer (sshd, scp -t, the
                // disk) held back and delivers at once (another 100 ms).
                let bytes = (b.1 - a.1) as f64;
                let allowed = limit * seconds + limit * 0.2;
                let rate = bytes / seconds;
                assert!(bytes <= allowed, "{rate:.0} B/s over {:.2}..{:.2} s > {limit}", a.0, b.2);
            }
        }
    }
    let (first, last) = (moving[0], moving[moving.len() - 1]);
    // The shortest the copy can have taken, and the longest.
    let (shortest, longest) = (last.0 - first.2, last.2 - first.0);
    assert!(shortest >= total as f64 / limit * 0.85, "too fast: {shortest:.2} s");
    let average = total as f64 / (longest + 0.05);
    assert!(average > limit * 0.7, "the limit was not used: {average:.0} B/s");
}

#[test]
fn l_keeps_the_rate_under_the_limit_both_ways() {
    let sshd = Sshd::start();
    let tmp = tempfile::tempdir().unwrap();
    let (local, remote) = (tmp.path().join("local"), tmp.path().join("remote"));
    std::fs::create_dir(&local).unwrap();
    std::fs::create_dir(&remote).unwrap();
    let size = 5 << 19;
    let data: Vec<u8> = (0..size).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(remote.join("file"), &data).unwrap();
    // 8000 Kbit/s = 1,024,000 bytes/s.
    let limit = 8000.0 * 1024.0 / 8.0;
    let down = local.join("down");
    std::fs::create_dir(&down).unwrap();
    let source = on(sshd.alias(), &remote.join("file"));
    assert_paced(&sshd.ssh_config(), &["-l", "8000", &source, s(&down)], &down, limit, size as u64);
    assert_eq!(std::fs::read(down.join("file")).unwrap(), data);
    let up = remote.join("up");
    std::fs::create_dir(&up).unwrap();
    let target = on(sshd.alias(), &up);
    assert_paced(
        &sshd.ssh_config(),
        &["-l", "8000", s(&down.join("file")), &target],
        &up,
        limit,
        size as u64,
    );
    assert_eq!(std::fs::read(up.join("file")).unwrap(), data);
}

#[test]
fn missing_files_exit_1_unknown_hosts_and_refused_keys_255_with_one_line_each() {
    let sshd = Sshd::start();
    let tmp = tempfile::tempdir().unwrap();
    let config = sshd.ssh_config();
    let dir = tmp.path();

    let out = cp(&config, &[s(&dir.join("nothing-here")), &on(sshd.alias(), dir)]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("scpdeck: scpdeck-test: nothing-here: ") && err.contains("No such file"),
        "{err}"
    );

    std::fs::write(dir.join("x"), b"x").unwrap();
    let out = cp(&config, &[s(&dir.join("x")), "no-such-host.invalid:/tmp/"]);
    assert_eq!(out.status.code(), Some(255));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("no-such-host.invalid"), "{err}");

    // A key the server does not know, and no way to ask for a password.
    support::keygen(&dir.join("stranger"), "");
    let stranger = dir.join("stranger_config");
    let block = sshd.config_block("stranger").replace(
        &format!("IdentityFile {}", sshd.client_key().display()),
        &format!("IdentityFile {}", dir.join("stranger").display()),
    );
    std::fs::write(&stranger, block).unwrap();
    std::fs::write(dir.join("f"), b"f").unwrap();
    let out = cp(&stranger, &[s(&dir.join("f")), &on("stranger", &dir.join("g"))]);
    assert_eq!(out.status.code(), Some(255));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.to_lowercase().contains("auth"), "{err}");
    assert!(!dir.join("g").exists());

    // A directory without -r.
    std::fs::create_dir(dir.join("d")).unwrap();
    let out = cp(&config, &[s(&dir.join("d")), &on(sshd.alias(), &dir.join("e"))]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("d: not a regular file"), "{}", stderr(&out));
    assert!(!dir.join("e").exists());
}

#[test]
fn permission_denied_both_ways_and_hostile_names_stay_escaped() {
    let (_sshd, config, shared) = support::unprivileged_sshd();
    let root_only = shared.path().join("root-only");
    std::fs::create_dir(&root_only).unwrap();
    std::fs::set_permissions(&root_only, std::fs::Permissions::from_mode(0o755)).unwrap();
    let evil = "evil\x1b]0;owned\x07\x1b[2J\nname";
    std::fs::write(root_only.join(evil), b"secret").unwrap();
    std::fs::set_permissions(root_only.join(evil), std::fs::Permissions::from_mode(0o600)).unwrap();
    std::fs::write(root_only.join("fine"), b"fine").unwrap();
    std::fs::set_permissions(root_only.join("fine"), std::fs::Permissions::from_mode(0o644)).unwrap();
    let local = tempfile::tempdir().unwrap();

    let out = cp(&config, &["-r", &on("other", &root_only), s(local.path())]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    clean_lines(&err);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("evil\\e]0;owned\\x07\\e[2J\\nname"), "{err}");
    assert!(err.contains("Permission denied"), "{err}");
    assert_eq!(std::fs::read(local.path().join("root-only/fine")).unwrap(), b"fine");
    assert!(!local.path().join("root-only").join(evil).exists());

    // Up into a directory the user cannot write to.
    let out = cp(&config, &[s(&local.path().join("root-only/fine")), &on("other", &root_only.join("new"))]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    clean_lines(&err);
    assert!(err.contains("Permission denied"), "{err}");
    assert!(!root_only.join("new").exists());
}

#[test]
fn overwrite_policies_and_verify() {
    let sshd = Sshd::start();
    let tmp = tempfile::tempdir().unwrap();
    let (local, remote) = (tmp.path().join("local"), tmp.path().join("remote"));
    std::fs::create_dir(&local).unwrap();
    std::fs::create_dir(&remote).unwrap();
    std::fs::write(local.join("a.txt"), b"new").unwrap();
    std::fs::write(remote.join("a.txt"), b"old").unwrap();
    let target = on(sshd.alias(), &remote);
    let config = sshd.ssh_config();
    let source_path = local.join("a.txt");
    let source = s(&source_path);

    let out = cp(&config, &["--overwrite", "skip", source, &target]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read(remote.join("a.txt")).unwrap(), b"old");
    let out = cp(&config, &["--overwrite", "rename", "--verify", source, &target]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read(remote.join("a (1).txt")).unwrap(), b"new");
    assert_eq!(std::fs::read(remote.join("a.txt")).unwrap(), b"old");
    let out = cp(&config, &["--overwrite", "size", source, &target]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read(remote.join("a.txt")).unwrap(), b"old", "same size: kept");
    let out = cp(&config, &[source, &target]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read(remote.join("a.txt")).unwrap(), b"new", "scp overwrites by default");

    // A usage error: nothing is tried.
    let out = cp(&config, &["--overwrite", "ask", source, &target]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("needs a terminal"), "{}", stderr(&out));
    let out = cp(&config, &["--overwrite", "sometimes", source, &target]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn ask_questions_each_file_on_the_terminal_and_capitals_answer_for_all() {
    let sshd = Sshd::start();
    let tmp = tempfile::tempdir().unwrap();
    let (local, remote) = (tmp.path().join("local"), tmp.path().join("remote"));
    std::fs::create_dir(&local).unwrap();
    std::fs::create_dir(&remote).unwrap();
    for name in ["a", "b", "c"] {
        std::fs::write(local.join(name), format!("new {name}")).unwrap();
        std::fs::write(remote.join(name), "old").unwrap();
    }
    let command = format!(
        "{} cp --overwrite ask -F {} {}/a {}/b {}/c {} ; echo EXIT=$?; sleep 30",
        scpdeck_bin().display(),
        sshd.ssh_config().display(),
        local.display(),
        local.display(),
        local.display(),
        on(sshd.alias(), &remote),
    );
    let tmux = Tmux::start(&command, 200, 20);
    let screen = tmux.wait_for("exists");
    assert!(screen.contains("(2 more exist)"), "{screen}");
    tmux.keys(&["o", "Enter"]);
    tmux.wait_for("(1 more exist)");
    tmux.keys(&["S", "Enter"]);
    let screen = tmux.wait_for("EXIT=");
    assert!(screen.contains("EXIT=0"), "{screen}");
    let contents: Vec<String> =
        ["a", "b", "c"].iter().map(|n| std::fs::read_to_string(remote.join(n)).unwrap()).collect();
    assert_eq!(contents.iter().filter(|c| c.starts_with("new")).count(), 1, "{contents:?}");
    assert_eq!(contents.iter().filter(|c| *c == "old").count(), 2, "{contents:?}");
}
