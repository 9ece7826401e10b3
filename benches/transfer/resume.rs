//! A 1 GiB download and upload interrupted at half (scpdeck SIGKILLed once
//! its partial copy holds 512 MiB) and then finished, by `cp --resume`
//! against a plain `cp` that starts over: each run's time and the bytes
//! it moved, counted by a proxy in front of the server (the SSH stream:
//! data plus framing).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::support::proxy::CountingProxy;
use super::support::{Sshd, partial_bytes as partial};

const HALF: u64 = 512 << 20;

#[derive(Debug, Clone, Copy)]
pub struct Outcome {
    /// Bytes of the partial copy when the first run was killed.
    pub killed_at: u64,
    /// Bytes the first and the second run moved through the proxy.
    pub first: u64,
    pub second: u64,
    /// The first run's time (until it was killed) and the second's.
    pub first_secs: f64,
    pub secs: f64,
}

fn cp(config: &Path, state: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(super::scpdeck_bin());
    cmd.arg("cp").arg("-q").arg("-F").arg(config).args(args).env("XDG_STATE_HOME", state);
    cmd.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
    cmd
}

/// One interrupted-then-finished copy of `file` (`up`: to the host), the
/// second run with `--resume` or without.
pub fn once(sshd: &Sshd, file: &Path, up: bool, resume: bool) -> Outcome {
    let proxy = CountingProxy::start(sshd);
    let config = proxy.ssh_config(sshd);
    let work = tempfile::Builder::new().prefix("scpdeck-bench-resume-").tempdir().expect("temp dir");
    let (out, state) = (work.path().join("out"), work.path().join("state"));
    std::fs::create_dir_all(&out).expect("out dir");
    let remote = |p: &Path| format!("{}:{}", sshd.alias(), p.display());
    let (from, to) = match up {
        true => (file.display().to_string(), format!("{}/", remote(&out))),
        false => (remote(file), out.display().to_string()),
    };
    let moved = || proxy.up() + proxy.down();
    let began = Instant::now();
    let mut child = cp(&config, &state, &[&from, &to]).spawn().expect("scpdeck");
    let deadline = Instant::now() + Duration::from_secs(600);
    while partial(&out) < HALF {
        assert!(child.try_wait().ok().flatten().is_none(), "scpdeck ended before half way");
        assert!(Instant::now() < deadline, "not half way after ten minutes");
        std::thread::sleep(Duration::from_millis(2));
    }
    let _ = child.kill();
    let _ = child.wait();
    let first_secs = began.elapsed().as_secs_f64();
    let killed_at = partial(&out);
    let first = moved();
    let mut args = vec![from.as_str(), to.as_str()];
    if resume {
        args.insert(0, "-c");
    }
    let start = Instant::now();
    let status = cp(&config, &state, &args).status().expect("scpdeck");
    let secs = start.elapsed().as_secs_f64();
    assert!(status.success(), "the second run failed: {status}");
    let name: PathBuf = file.file_name().map(PathBuf::from).unwrap_or_default();
    let want = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    assert_eq!(std::fs::metadata(out.join(name)).map(|m| m.len()).ok(), Some(want), "copied whole");
    Outcome { killed_at, first, second: moved() - first, first_secs, secs }
}

/// The median (by the second run's time) of `runs` outcomes.
pub fn median(runs: usize, mut run: impl FnMut() -> Outcome) -> Outcome {
    let mut all: Vec<Outcome> = (0..runs.max(1)).map(|_| run()).collect();
    all.sort_by(|a, b| a.secs.total_cmp(&b.secs));
    all[all.len() / 2]
}
