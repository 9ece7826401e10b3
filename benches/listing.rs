//! Listing a 100,000-entry directory: scpdeck's lister against `ls -la`
//! over the same sshd. Run with `cargo bench --bench listing` (see
//! docs/benchmarks.md); `cargo test` only checks that it builds.

#[path = "../tests/support/mod.rs"]
#[allow(unused_imports)]
mod support;

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use scpdeck::fs::remote::{Capabilities, Remote};
use scpdeck::shell::{self, Command};
use support::Sshd;

const ENTRIES: usize = 100_000;
const RUNS: usize = 5;

fn main() {
    // `cargo test --all-targets` runs bench binaries without `--bench`.
    if !std::env::args().any(|a| a == "--bench") {
        println!("listing benchmark: run `cargo bench --bench listing`");
        return;
    }
    let dir = tempfile::Builder::new().prefix("scpdeck-bench-").tempdir().expect("temp dir");
    let big = dir.path().join("big");
    fill(&big);
    let sshd = Sshd::start();
    let session = sshd.session();
    let caps = Capabilities::probe(session.link()).expect("probe");
    let remote = Remote::new(session.link(), &caps);

    println!("directory: {ENTRIES} entries; median of {RUNS} runs");
    let mut results = Vec::new();
    for method in caps.list_methods() {
        let time = median(|| {
            let listing = remote.list_with(&big, method).expect("list");
            assert_eq!(listing.value.entries.len(), ENTRIES);
        });
        println!("  scpdeck lister ({:<22}) {:>8.1} ms", method.describe(), ms(time));
        results.push((method, time));
    }
    let ls_cmd = Command::new("ls -la --").arg(&big).expect("quote");
    let same_session = median(|| {
        let out = shell::exec::run(session.link(), &ls_cmd).expect("ls -la");
        assert!(out.stdout.len() > ENTRIES * 40);
    });
    println!("  ls -la over the same session (bytes only) {:>8.1} ms", ms(same_session));
    let openssh = median(|| {
        let status = sshd.ssh().arg("ls").arg("-la").arg(&big).stdout(Stdio::null()).status().expect("ssh");
        assert!(status.success());
    });
    let connect = median(|| {
        assert!(sshd.ssh().arg("true").status().expect("ssh").success());
    });
    println!("  ssh host ls -la (OpenSSH, incl. connect)   {:>8.1} ms", ms(openssh));
    println!("  ssh host true  (OpenSSH connect only)      {:>8.1} ms", ms(connect));
    let best = results[0].1;
    println!(
        "ratio: scpdeck ({}) / ssh host ls -la = {:.2}; / ls -la on the same session = {:.2}",
        results[0].0.describe(),
        best.as_secs_f64() / openssh.as_secs_f64(),
        best.as_secs_f64() / same_session.as_secs_f64()
    );
}

fn fill(dir: &Path) {
    std::fs::create_dir(dir).expect("mkdir");
    for i in 0..ENTRIES {
        // Realistic lengths, some awkward characters.
        let name = match i % 10 {
            0 => format!("photo {i:06} (copy).jpg"),
            1 => format!("-report-{i}\n.txt"),
            _ => format!("file-{i:06}.dat"),
        };
        std::fs::write(dir.join(name), b"").expect("create");
    }
}

fn median(mut run: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            run();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[RUNS / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
