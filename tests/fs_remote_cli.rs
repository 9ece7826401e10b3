//! `scpdeck ls` end to end: the real binary against a real sshd (through
//! an ssh_config, as a user would), text, `-l` and `--json` output.

mod support;

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::process::{Command, Output};

use support::awkward::{awkward_tree, lstat_entries};
use support::{Banner, Sshd};

fn scpdeck_ls(sshd: &Sshd, args: &[&OsStr]) -> Output {
    Command::new(support::tmux::scpdeck_bin())
        .arg("ls")
        .arg("-F")
        .arg(sshd.ssh_config())
        .args(args)
        .env("TZ", "UTC")
        .output()
        .unwrap()
}

fn remote(sshd: &Sshd, path: &Path) -> std::ffi::OsString {
    let mut arg = format!("{}:", sshd.alias()).into_bytes();
    arg.extend_from_slice(path.as_os_str().as_bytes());
    std::ffi::OsString::from(OsStr::from_bytes(&arg))
}

fn no_control_characters(bytes: &[u8]) {
    let text = String::from_utf8(bytes.to_vec()).expect("output is UTF-8");
    let bad = text.chars().find(|&c| c != '\n' && scpdeck::text::is_unsafe(c));
    assert_eq!(bad, None, "raw control character in {text}");
}

#[test]
fn json_lines_describe_every_entry_exactly() {
    let dir = tempfile::tempdir().unwrap();
    awkward_tree(dir.path());
    let sshd = Sshd::start();
    let out = scpdeck_ls(&sshd, &["--json".as_ref(), "-a".as_ref(), remote(&sshd, dir.path()).as_ref()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    no_control_characters(&out.stdout);
    let expected = lstat_entries(dir.path());
    let lines: Vec<serde_json::Value> = out
        .stdout
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).unwrap())
        .collect();
    assert_eq!(lines.len(), expected.len());
    for (json, e) in lines.iter().zip(&expected) {
        let bytes = e.name.as_bytes();
        match std::str::from_utf8(bytes) {
            Ok(name) => assert_eq!(json["name"], name),
            Err(_) => {
                let raw: Vec<u8> = json["name_bytes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|b| b.as_u64().unwrap() as u8)
                    .collect();
                assert_eq!(raw, bytes);
                assert!(json["name"].as_str().unwrap().contains("\\xff"), "{json}");
            }
        }
        assert_eq!(json["size"].as_u64(), Some(e.size), "{json}");
        assert_eq!(json["mode"].as_u64(), Some(u64::from(e.mode)), "{json}");
        assert_eq!(json["owner"], e.owner.as_str());
        assert_eq!(json["group"], e.group.as_str());
        let mtime = json["mtime"].as_f64().unwrap();
        let exact = e.mtime.secs as f64 + f64::from(e.mtime.nanos) / 1e9;
        assert!((mtime - exact).abs() < 1e-6, "{json} vs {:?}", e.mtime);
        use scpdeck::fs::Kind;
        let kind = match e.kind {
            Kind::File => "file",
            Kind::Dir => "dir",
            Kind::Symlink => "symlink",
            Kind::Fifo => "fifo",
            Kind::Socket => "socket",
            Kind::CharDevice => "char",
            Kind::BlockDevice => "block",
            Kind::Unknown => "unknown",
        };
        assert_eq!(json["kind"], kind, "{json}");
        match &e.link {
            Some(link) => {
                if let Ok(target) = std::str::from_utf8(link.path.as_bytes()) {
                    assert_eq!(json["target"], target, "{json}");
                }
                assert_eq!(json["target_kind"].is_null(), link.kind.is_none(), "{json}");
            }
            None => assert!(json.get("target").is_none(), "{json}"),
        }
    }
}

#[test]
fn text_output_hides_dot_files_and_escapes_names() {
    let dir = tempfile::tempdir().unwrap();
    for name in [&b"b\x1b[2Jx"[..], b".hidden", b"a\nb", b"\xff"] {
        std::fs::write(dir.path().join(OsStr::from_bytes(name)), b"hello").unwrap();
    }
    std::os::unix::fs::symlink("a\nb", dir.path().join("link")).unwrap();
    let sshd = Sshd::builder().banner(Banner::talkative()).start();
    let out = scpdeck_ls(&sshd, &[remote(&sshd, dir.path()).as_ref()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "a\\nb\nb\\e[2Jx\nlink\n\\xff\n");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("scpdeck:   stdout | Welcome to the test host!"), "{stderr}");
    assert!(stderr.contains("scpdeck:   stderr | profile: could not set locale"), "{stderr}");
    assert!(stderr.contains("scpdeck: Login shell: dash."), "{stderr}");

    let out = scpdeck_ls(&sshd, &["-l".as_ref(), "-a".as_ref(), remote(&sshd, dir.path()).as_ref()]);
    assert!(out.status.success());
    no_control_characters(&out.stdout);
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 5, "{text}");
    assert!(lines[0].contains(" 5 ") && lines[0].ends_with(" .hidden"), "{text}");
    assert!(lines[3].starts_with("lrwxrwxrwx ") && lines[3].ends_with(" link -> a\\nb"), "{text}");

    // A file is shown as itself, like ls does.
    let out = scpdeck_ls(&sshd, &[remote(&sshd, &dir.path().join("link")).as_ref()]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "link\n");
}

#[test]
fn failures_exit_1_with_the_reason_and_255_without_a_connection() {
    let sshd = Sshd::start();
    let out = scpdeck_ls(&sshd, &[remote(&sshd, Path::new("/no/such/dir")).as_ref()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.starts_with("scpdeck: cannot list /no/such/dir: no such file or directory"), "{stderr}");
    assert!(out.stdout.is_empty());

    let out = scpdeck_ls(&sshd, &["nosuchhost-scpdeck.invalid:".as_ref()]);
    assert_eq!(out.status.code(), Some(255));
}

#[test]
fn home_and_local_paths() {
    let sshd = Sshd::start();
    let home = std::env::var_os("HOME").unwrap();
    let marker = format!("scpdeck-ls-marker-{}", std::process::id());
    std::fs::write(Path::new(&home).join(&marker), b"").unwrap();
    for arg in [format!("{}:", sshd.alias()), format!("{}:~", sshd.alias()), format!("{}:~/", sshd.alias())] {
        let out = scpdeck_ls(&sshd, &[arg.as_ref()]);
        assert!(String::from_utf8_lossy(&out.stdout).lines().any(|l| l == marker), "{arg}");
    }
    std::fs::remove_file(Path::new(&home).join(&marker)).unwrap();

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("local file"), b"").unwrap();
    let out = scpdeck_ls(&sshd, &["--json".as_ref(), dir.path().as_os_str()]);
    let line: serde_json::Value = serde_json::from_slice(out.stdout.trim_ascii()).unwrap();
    assert_eq!((line["name"].as_str(), line["kind"].as_str()), (Some("local file"), Some("file")));
}
