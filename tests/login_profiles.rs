//! Every layer survives a login profile that misbehaves: a title escape
//! without a final newline, binary noise, one that reads a line or two of
//! standard input. Probes, listings, file operations, SCP transfers both
//! ways (the engine, and `scpdeck cp` through the binary) against a real
//! sshd, each under a time limit: a profile that swallows the script would
//! otherwise hang them.

mod support;

use std::ffi::OsString;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use scpdeck::fs::remote::{Capabilities, Remote};
use scpdeck::scp::{self, CancellationToken, Diagnostic, DownloadRequest, Event, Options, UploadRequest};
use scpdeck::shell::delivery::{self, Delivery};
use support::awkward::{awkward_tree, lstat_entries};
use support::deadline::{output_within, within};
use support::tmux::scpdeck_bin;
use support::{Banner, Sshd};

const LIMIT: Duration = Duration::from_secs(90);

/// The banner lines scpdeck should report for a profile (escaped, one per line).
fn reported(banner: &Banner) -> Vec<String> {
    scpdeck::shell::Banner { stdout: banner.stdout.clone(), stderr: banner.stderr.clone() }.escaped_lines()
}

#[test]
fn probes_listings_and_file_operations() {
    let dir = tempfile::tempdir().unwrap();
    awkward_tree(dir.path());
    for (name, banner) in Banner::misbehaving() {
        let sshd = Sshd::builder().banner(banner.clone()).start();
        within(&sshd, LIMIT, || {
            let session = sshd.session();
            let caps = Capabilities::probe(session.link()).unwrap();
            assert_eq!(
                (&caps.banner.stdout, &caps.banner.stderr),
                (&banner.stdout, &banner.stderr),
                "{name}"
            );
            assert!(caps.home.is_some() && !caps.user.is_empty() && caps.scp.is_some(), "{name}: {caps:?}");
            let summary = caps.summary().join("\n");
            assert!(!summary.chars().any(|c| c.is_control() && c != '\n'), "{name}: {summary:?}");
            assert_eq!(caps.profile_reads_input, banner.reads_lines > 0, "{name}");
            assert_eq!(summary.contains("reads standard input"), banner.reads_lines > 0, "{name}: {summary}");
            let remote = Remote::new(session.link(), &caps);
            for method in caps.list_methods() {
                let reply = remote.list_with(dir.path(), method).unwrap();
                assert_eq!(reply.banner, caps.banner, "{name} {method:?}");
                let mut names: Vec<_> = reply.value.entries.iter().map(|e| e.name.clone()).collect();
                names.sort();
                let expected: Vec<_> = lstat_entries(dir.path()).into_iter().map(|e| e.name).collect();
                assert_eq!(names, expected, "{name} {method:?}");
            }
            let made = dir.path().join("made\nunder 'profile'");
            remote.make_new_dir(&made).unwrap();
            assert!(made.is_dir(), "{name}");
            remote.delete(std::slice::from_ref(&made)).unwrap();
            assert!(!made.exists(), "{name}");
            let learned = delivery::recall(session.link());
            match banner.reads_lines {
                0 => assert_eq!(learned, Delivery::Pipelined, "{name}"),
                n => assert_eq!(learned, Delivery::Careful { lines: n as u32 }, "{name}"),
            }
        });
    }
}

#[test]
fn scp_engine_both_ways() {
    for (name, banner) in Banner::misbehaving() {
        let sshd = Sshd::builder().banner(banner.clone()).start();
        let tmp = tempfile::tempdir().unwrap();
        // (OpenSSH's scp itself refuses a newline in a source path.)
        let (remote, local) = (tmp.path().join("remote 'dir' $(x)"), tmp.path().join("local"));
        std::fs::create_dir_all(remote.join("tree/sub")).unwrap();
        std::fs::create_dir(&local).unwrap();
        std::fs::create_dir(remote.join("back")).unwrap();
        let data: Vec<u8> = (0..200_000u32).map(|i| (i % 253) as u8).collect();
        std::fs::write(remote.join("tree/sub/data"), &data).unwrap();
        std::fs::write(remote.join("tree/it's a $(name) here"), b"odd").unwrap();
        within(&sshd, LIMIT, || {
            // Each on a new connection, where nothing is known yet.
            let mut events = Vec::new();
            let request = DownloadRequest {
                host: "h".into(),
                sources: vec![OsString::from(remote.join("tree"))],
                target: local.clone(),
                options: Options { recursive: true, ..Options::default() },
                landing: Vec::new(),
            };
            let summary = scp::download(
                sshd.session().link(),
                &request,
                &mut |e| events.push(e),
                &CancellationToken::new(),
            )
            .unwrap();
            assert!(summary.success(), "{name}: {events:?}");
            assert_eq!(std::fs::read(local.join("tree/sub/data")).unwrap(), data, "{name}");
            assert_eq!(std::fs::read(local.join("tree/it's a $(name) here")).unwrap(), b"odd", "{name}");
            assert_banner_reported(&events, &banner, name);

            let mut events = Vec::new();
            let request = UploadRequest {
                host: "h".into(),
                sources: vec![local.join("tree")],
                target: remote.join("back").into_os_string(),
                options: Options { recursive: true, ..Options::default() },
                names: Vec::new(),
            };
            let summary = scp::upload(
                sshd.session().link(),
                &request,
                &mut |e| events.push(e),
                &CancellationToken::new(),
            )
            .unwrap();
            assert!(summary.success(), "{name}: {events:?}");
            assert_eq!(std::fs::read(remote.join("back/tree/sub/data")).unwrap(), data, "{name}");
            assert_eq!(
                std::fs::read(remote.join("back/tree/it's a $(name) here")).unwrap(),
                b"odd",
                "{name}"
            );
            assert_banner_reported(&events, &banner, name);
        });
    }
}

/// What the profile printed is reported once, escaped; a silent profile is
/// not reported at all.
fn assert_banner_reported(events: &[Event], banner: &Banner, name: &str) {
    let lines: Vec<Vec<String>> = events
        .iter()
        .filter_map(|e| match e {
            Event::Diagnostic(Diagnostic::Banner { stdout, stderr, .. }) => {
                Some([&stdout[..], stderr].concat())
            }
            _ => None,
        })
        .collect();
    let expected = reported(banner);
    if expected.is_empty() {
        assert!(lines.is_empty(), "{name}: {lines:?}");
    } else {
        assert_eq!(lines, [expected], "{name}");
    }
}

#[test]
fn scpdeck_cp_both_ways() {
    for (name, banner) in Banner::misbehaving() {
        let sshd = Sshd::builder().banner(banner.clone()).start();
        let tmp = tempfile::tempdir().unwrap();
        let source = tmp.path().join("source");
        std::fs::create_dir_all(source.join("sub")).unwrap();
        std::fs::write(source.join("sub/file"), b"through the profile").unwrap();
        let remote_copy = tmp.path().join("remote copy");
        let back = tmp.path().join("back");
        let on_host = |path: &Path| format!("{}:{}", sshd.alias(), path.display());
        let cp = |from: &str, to: &str| {
            let mut cmd = Command::new(scpdeck_bin());
            cmd.arg("cp").arg("-F").arg(sshd.ssh_config()).arg("-r").arg(from).arg(to);
            let out = output_within(&mut cmd, LIMIT);
            let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
            assert!(out.status.success(), "{name}: {stderr}");
            assert!(!stderr.chars().any(|c| c.is_control() && c != '\n'), "{name}: {stderr:?}");
            stderr
        };
        cp(source.to_str().unwrap(), &on_host(&remote_copy));
        assert_eq!(std::fs::read(remote_copy.join("sub/file")).unwrap(), b"through the profile", "{name}");
        cp(&on_host(&remote_copy), back.to_str().unwrap());
        assert_eq!(std::fs::read(back.join("sub/file")).unwrap(), b"through the profile", "{name}");
    }
}
