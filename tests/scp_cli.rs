//! `scpdeck cp` as a user runs it: the real binary against the harness sshd.

mod support;

use std::path::Path;
use std::process::{Command, Output};

use support::Sshd;
use support::tmux::{Tmux, scpdeck_bin};

fn cp(config: &Path, args: &[&str]) -> Output {
    Command::new(scpdeck_bin()).arg("cp").arg("-F").arg(config).args(args).output().unwrap()
}

fn remote(sshd: &Sshd, path: &Path) -> String {
    format!("{}:{}", sshd.alias(), path.display())
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn copies_up_down_and_between_hosts_with_exit_status_zero() {
    let (a, b) = (Sshd::start(), Sshd::start());
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("config");
    std::fs::write(&config, format!("{}{}", a.config_block("a"), b.config_block("b"))).unwrap();
    let (local, on_a, on_b) = (tmp.path().join("local"), tmp.path().join("on-a"), tmp.path().join("on-b"));
    for d in [&local, &on_a, &on_b] {
        std::fs::create_dir(d).unwrap();
    }
    std::fs::create_dir_all(local.join("tree/sub")).unwrap();
    std::fs::write(local.join("tree/sub/f"), b"deep").unwrap();
    std::fs::write(local.join("one"), b"one").unwrap();
    std::fs::write(local.join("two"), b"two").unwrap();
    let on = |host: &str, p: &Path| format!("{host}:{}", p.display());

    let out = cp(
        &config,
        &[local.join("one").to_str().unwrap(), local.join("two").to_str().unwrap(), &on("a", &on_a)],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stderr(&out), "", "no progress line when stderr is not a terminal");
    let out = cp(&config, &["-r", local.join("tree").to_str().unwrap(), &on("a", &on_a)]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read(on_a.join("tree/sub/f")).unwrap(), b"deep");

    // Host to host, -3 or not.
    let out = cp(
        &config,
        &["-3", "-r", &on("a", &on_a.join("tree")), &on("a", &on_a.join("one")), &on("b", &on_b)],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read(on_b.join("tree/sub/f")).unwrap(), b"deep");
    assert_eq!(std::fs::read(on_b.join("one")).unwrap(), b"one");

    // Down, to a new name.
    let out = cp(&config, &[&on("b", &on_b.join("one")), local.join("copy").to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read(local.join("copy")).unwrap(), b"one");

    // Local to local.
    let out = cp(&config, &[local.join("one").to_str().unwrap(), local.join("local-copy").to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read(local.join("local-copy")).unwrap(), b"one");
}

#[test]
fn a_missing_file_among_many_exits_1_and_says_which() {
    let sshd = Sshd::start();
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("target");
    std::fs::create_dir(&target).unwrap();
    for name in ["a", "c"] {
        std::fs::write(tmp.path().join(name), name).unwrap();
    }
    let args = [
        remote(&sshd, &tmp.path().join("a")),
        remote(&sshd, &tmp.path().join("missing")),
        remote(&sshd, &tmp.path().join("c")),
    ];
    let mut all: Vec<&str> = args.iter().map(String::as_str).collect();
    all.push(target.to_str().unwrap());
    let out = cp(&sshd.ssh_config(), &all);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("scpdeck: scpdeck-test: missing: "), "{err}");
    assert!(err.contains("No such file or directory"), "{err}");
    assert_eq!(std::fs::read(target.join("a")).unwrap(), b"a");
    assert_eq!(std::fs::read(target.join("c")).unwrap(), b"c");
}

#[test]
fn hostile_text_is_escaped_on_stderr_and_exits_1() {
    let sshd = Sshd::builder()
        .program(
            "scp",
            "#!/bin/sh\nprintf '\\033]0;pwned\\007\\n' >&2\nsleep 0.3\nprintf 'C0644 1 \\033[2Jx\\nx\\0'\n",
        )
        .start();
    let tmp = tempfile::tempdir().unwrap();
    // A real file, so that the walk finds it; the remote scp then lies.
    let (source, target) = (tmp.path().join("src"), tmp.path().join("dst"));
    std::fs::create_dir(&source).unwrap();
    std::fs::create_dir(&target).unwrap();
    std::fs::write(source.join("name"), b"x").unwrap();
    let out = cp(&sshd.ssh_config(), &[&remote(&sshd, &source.join("name")), target.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(!err.contains('\x1b') && !err.contains('\x07'), "{err:?}");
    assert!(err.contains("\\e[2Jx"), "{err}");
    assert!(err.contains("\\e]0;pwned\\x07"), "{err}");
    assert!(err.lines().all(|l| l.starts_with("scpdeck: ")), "{err}");
    assert_eq!(std::fs::read_dir(&target).unwrap().count(), 0);
}

#[test]
fn usage_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::new(scpdeck_bin()).args(["cp", "only-one"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let file = tmp.path().join("file");
    std::fs::write(&file, b"x").unwrap();
    let out =
        cp(Path::new("/dev/null"), &[file.to_str().unwrap(), file.to_str().unwrap(), file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("not a directory"), "{}", stderr(&out));
}

#[test]
fn a_terminal_gets_a_progress_line_and_q_silences_it() {
    let sshd = Sshd::start();
    let tmp = tempfile::tempdir().unwrap();
    let big = tmp.path().join("big");
    std::fs::File::create(&big).unwrap().set_len(1 << 30).unwrap();
    let command = format!(
        "{} cp -F {} {} {} ; echo EXIT=$?; sleep 30",
        scpdeck_bin().display(),
        sshd.ssh_config().display(),
        remote(&sshd, &big),
        tmp.path().join("copy").display()
    );
    let tmux = Tmux::start(&command, 100, 10);
    // The bar shows the totals first, then the file in flight.
    let screen = tmux.wait_for("big");
    assert!(screen.contains("GiB") && screen.contains("/s"), "{screen}");
    // Closing the terminal (SIGHUP) cancels: the partial file is removed.
    drop(tmux);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let leftovers = || {
        std::fs::read_dir(tmp.path())
            .unwrap()
            .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().contains("scpdeck"))
            .count()
    };
    while leftovers() > 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(leftovers(), 0);
    assert!(!tmp.path().join("copy").exists());

    let small = tmp.path().join("small");
    std::fs::File::create(&small).unwrap().set_len(32 << 20).unwrap();
    let command = format!(
        "{} cp -q -F {} {} {} ; echo EXIT=$?; sleep 30",
        scpdeck_bin().display(),
        sshd.ssh_config().display(),
        remote(&sshd, &small),
        tmp.path().join("copy2").display()
    );
    let tmux = Tmux::start(&command, 100, 10);
    let screen = tmux.wait_for("EXIT=");
    assert!(screen.contains("EXIT=0") && !screen.contains("/s"), "{screen}");
}
