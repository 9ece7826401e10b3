//! `scpdeck sync` against harness sshds: the plan printed by --dry-run
//! (text and JSON, nothing changed), synchronizing both ways with --delete
//! and a second run finding nothing, --checksum catching what time and size
//! miss, excludes, and the exit statuses.

mod support;

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, SystemTime};

use support::Sshd;
use support::deadline::output_within;
use support::tmux::scpdeck_bin;

fn sync(config: &Path, args: &[&str]) -> Output {
    let mut command = Command::new(scpdeck_bin());
    command.arg("sync").arg("-F").arg(config).args(args);
    output_within(&mut command, Duration::from_secs(120))
}

fn on(host: &str, path: &Path) -> String {
    format!("{host}:{}", path.display())
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn write_at(path: &Path, content: &[u8], secs: u64) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
    let time = SystemTime::UNIX_EPOCH + Duration::from_secs(secs);
    std::fs::File::options().write(true).open(path).unwrap().set_modified(time).unwrap();
}

/// Every file under `dir` with its content, sorted, as `relative path`.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let path = entry.path();
            if entry.file_type().unwrap().is_dir() {
                pending.push(path);
            } else {
                let relative = path.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                found.push((relative, std::fs::read(&path).unwrap()));
            }
        }
    }
    found.sort();
    found
}

/// A source tree with awkward names, a subdirectory and an excluded file.
fn source_tree(dir: &Path) {
    write_at(&dir.join("plain.txt"), b"plain", 1_600_000_000);
    write_at(&dir.join("new\nline $(touch x) 'q'"), b"awkward", 1_600_000_000);
    write_at(&dir.join("-dash"), b"dash", 1_600_000_000);
    write_at(&dir.join("sub/deep/f"), b"deep", 1_600_000_000);
    write_at(&dir.join("skip.tmp"), b"excluded", 1_600_000_000);
}

#[test]
fn dry_run_prints_the_plan_changes_nothing_and_a_run_then_leaves_nothing_to_do() {
    let sshd = Sshd::start();
    let tmp = tempfile::tempdir().unwrap();
    let (source, target) = (tmp.path().join("src"), tmp.path().join("dst"));
    source_tree(&source);
    write_at(&target.join("plain.txt"), b"old!!", 1_500_000_000);
    write_at(&target.join("extra/x"), b"extra", 1_500_000_000);
    let config = sshd.ssh_config();
    let remote = on(sshd.alias(), &target);
    let common = ["-r", "--delete", "--exclude", "*.tmp"];
    let args = |more: &[&'static str]| {
        let mut v: Vec<&str> = common.to_vec();
        v.extend_from_slice(more);
        v
    };

    let before = files(&target);
    let out = sync(&config, &[args(&["--dry-run"]).as_slice(), &[s(&source), &remote]].concat());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let mut lines: Vec<&str> = text.lines().collect();
    lines.sort();
    assert_eq!(
        lines,
        [
            "copy -dash (only in source)",
            "copy new\\nline $(touch x) 'q' (only in source)",
            "copy sub/ (only in source)",
            "delete extra/ (only in target)",
            "update plain.txt (newer in source)",
        ]
    );
    assert_eq!(files(&target), before, "--dry-run changed nothing");
    assert!(!tmp.path().join("x").exists() && !Path::new("x").exists());

    let out = sync(&config, &[args(&["--dry-run", "--json"]).as_slice(), &[s(&source), &remote]].concat());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let actions: Vec<serde_json::Value> =
        stdout(&out).lines().map(|l| serde_json::from_str(l).expect("one JSON object per line")).collect();
    assert_eq!(actions.len(), 5);
    let awkward = actions.iter().find(|a| a["path"] == "new\nline $(touch x) 'q'").expect("the awkward name");
    assert_eq!((awkward["op"].as_str(), awkward["size"].as_u64()), (Some("copy"), Some(7)));
    assert!(actions.iter().any(|a| a["op"] == "delete" && a["path"] == "extra" && a["dir"] == true));

    // Upload, deleting the extra tree; then nothing is left to do.
    let out = sync(&config, &[args(&[]).as_slice(), &[s(&source), &remote]].concat());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mut expected = files(&source);
    expected.retain(|(p, _)| p != "skip.tmp");
    assert_eq!(files(&target), expected);
    let mtime = |p: &Path| std::fs::metadata(p).unwrap().modified().unwrap();
    assert_eq!(mtime(&target.join("sub/deep/f")), mtime(&source.join("sub/deep/f")), "times kept");
    let out = sync(&config, &[args(&["--dry-run"]).as_slice(), &[s(&source), &remote]].concat());
    assert_eq!((out.status.code(), stdout(&out)), (Some(0), String::new()), "{}", stderr(&out));

    // Download into a directory that does not exist yet, then in sync too.
    let back = tmp.path().join("back/copy");
    let out = sync(&config, &["-r", &remote, s(&back)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(files(&back), expected);
    let out = sync(&config, &["-r", "-n", &remote, s(&back)]);
    assert_eq!((out.status.code(), stdout(&out)), (Some(0), String::new()), "{}", stderr(&out));
}

#[test]
fn checksum_catches_same_size_and_time_with_other_content() {
    let sshd = Sshd::start();
    let tmp = tempfile::tempdir().unwrap();
    let (source, target) = (tmp.path().join("src"), tmp.path().join("dst"));
    write_at(&source.join("same"), b"abc", 1_600_000_000);
    write_at(&source.join("changed"), b"new", 1_600_000_000);
    write_at(&target.join("same"), b"abc", 1_600_000_000);
    write_at(&target.join("changed"), b"old", 1_600_000_000);
    let (config, remote) = (sshd.ssh_config(), on(sshd.alias(), &source));
    let out = sync(&config, &["-n", &remote, s(&target)]);
    assert_eq!((out.status.code(), stdout(&out)), (Some(0), String::new()), "time and size see no change");
    let out = sync(&config, &["-n", "--size-only", &remote, s(&target)]);
    assert_eq!(stdout(&out), "");
    let out = sync(&config, &["-n", "--checksum", &remote, s(&target)]);
    assert_eq!(stdout(&out), "update changed (content differs)\n", "{}", stderr(&out));
    let out = sync(&config, &["--checksum", &remote, s(&target)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(std::fs::read(target.join("changed")).unwrap(), b"new");
    let out = sync(&config, &["-n", "--checksum", &remote, s(&target)]);
    assert_eq!(stdout(&out), "");
}

#[test]
fn exit_statuses_usage_conflict_failure_and_connection() {
    let sshd = Sshd::start();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let config = sshd.ssh_config();
    write_at(&dir.join("src/clash"), b"file", 1_600_000_000);
    write_at(&dir.join("src/ok"), b"ok", 1_600_000_000);
    std::fs::create_dir_all(dir.join("dst/clash")).unwrap();
    let source_dir = dir.join("src");
    let (source, target) = (s(&source_dir), on(sshd.alias(), &dir.join("dst")));

    for usage in [
        vec!["--exclude", "a[b", source, &target],
        vec!["--json", source, &target],
        vec!["--checksum", "--size-only", source, &target],
        vec![source],
    ] {
        let out = sync(&config, &usage);
        assert_eq!(out.status.code(), Some(2), "{usage:?}: {}", stderr(&out));
    }
    // A file here, a directory there: left alone, named, status 1; the rest done.
    let out = sync(&config, &[source, &target]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("conflict, left alone: conflict clash (kind differs)"), "{}", stderr(&out));
    assert_eq!(std::fs::read(dir.join("dst/ok")).unwrap(), b"ok");
    // A source that is not there: 1, nothing made.
    let out = sync(&config, &[s(&dir.join("missing")), &on(sshd.alias(), &dir.join("made"))]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(!dir.join("made").exists());
    // No host: 255.
    let out = sync(&config, &[source, "no-such-host.invalid:x"]);
    assert_eq!(out.status.code(), Some(255), "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
}

/// 2,000 files in 20 directories uploaded; a second run finds nothing to
/// do, changes nothing, and takes under 2 seconds (connecting included; the
/// best of three runs, so that a moment of load on a shared machine does
/// not decide it).
#[test]
fn a_second_run_over_two_thousand_files_does_nothing_in_under_two_seconds() {
    let sshd = Sshd::start();
    let tmp = tempfile::tempdir().unwrap();
    let (source, target) = (tmp.path().join("src"), tmp.path().join("dst"));
    for n in 0..2000 {
        write_at(&source.join(format!("d{}/file {n}", n % 20)), format!("{n}").as_bytes(), 1_600_000_000);
    }
    let config = sshd.ssh_config();
    let remote = on(sshd.alias(), &target);
    let out = sync(&config, &["-r", s(&source), &remote]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let copied = files(&target);
    assert_eq!(copied.len(), 2000);
    let mut best = Duration::MAX;
    for _ in 0..3 {
        let started = std::time::Instant::now();
        let out = sync(&config, &["-r", s(&source), &remote]);
        best = best.min(started.elapsed());
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert_eq!(stdout(&out), "", "{}", stderr(&out));
    }
    assert_eq!(files(&target), copied);
    eprintln!("a run with nothing to do over 2,000 files: {best:?} (best of 3)");
    assert!(best < Duration::from_secs(2), "a run with nothing to do took {best:?}");
}
