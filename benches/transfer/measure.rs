//! Running a client as a child process: its wall time and its peak
//! resident memory.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy)]
pub struct Sample {
    pub secs: f64,
    /// Peak RSS in KiB.
    pub max_rss_kib: u64,
}

/// Runs `cmd` to its end; panics unless it exits 0. The peak memory is
/// the child's own `VmHWM`, sampled every 5 ms while it runs (it only
/// grows): `ru_maxrss` would report at least this process's memory,
/// because Linux carries the parent's high-water mark across a vfork+exec.
pub fn run(cmd: &mut Command) -> Sample {
    cmd.stdin(Stdio::null()).stdout(Stdio::null());
    let start = Instant::now();
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    let status = loop {
        if let Some(kib) = std::fs::read_to_string(&status_file).ok().as_deref().and_then(vm_hwm_kib) {
            peak = peak.max(kib);
        }
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => panic!("{cmd:?}: {e}"),
        }
    };
    let secs = start.elapsed().as_secs_f64();
    assert!(status.success(), "{cmd:?} failed: {status}");
    Sample { secs, max_rss_kib: peak }
}

/// The `VmHWM:` line of /proc/PID/status, in KiB.
fn vm_hwm_kib(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs each client `runs` times, taking turns (client 1, 2, 3, 1, 2, 3...)
/// so that a change in the machine's load falls on all of them alike; a
/// client whose run took over a minute runs only once. Returns each one's
/// median by time, with the highest peak RSS of its runs.
pub fn interleaved(runs: usize, clients: &mut [&mut dyn FnMut() -> Sample]) -> Vec<Sample> {
    let mut samples: Vec<Vec<Sample>> = vec![Vec::new(); clients.len()];
    for _ in 0..runs.max(1) {
        for (client, taken) in clients.iter_mut().zip(samples.iter_mut()) {
            if taken.iter().any(|s| s.secs > 60.0) {
                continue;
            }
            taken.push(client());
        }
    }
    samples
        .into_iter()
        .map(|mut taken| {
            taken.sort_by(|a, b| a.secs.total_cmp(&b.secs));
            let mut mid = taken[taken.len() / 2];
            mid.max_rss_kib = taken.iter().map(|s| s.max_rss_kib).max().unwrap_or(0);
            mid
        })
        .collect()
}
