//! Running a client as a child process: its wall time and its peak
//! resident memory (`ru_maxrss` from `wait4`, this child only).

use std::process::{Command, Stdio};
use std::time::Instant;

#[derive(Debug, Clone, Copy)]
pub struct Sample {
    pub secs: f64,
    /// Peak RSS in KiB.
    pub max_rss_kib: u64,
}

/// Runs `cmd` to its end; panics unless it exits 0.
pub fn run(cmd: &mut Command) -> Sample {
    cmd.stdin(Stdio::null()).stdout(Stdio::null());
    let start = Instant::now();
    let child = cmd.spawn().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: plain syscall on our own child; `usage` is written by the kernel.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let secs = start.elapsed().as_secs_f64();
    assert_eq!(waited, pid, "wait4 failed for {cmd:?}");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "{cmd:?} failed with status {status:#x}"
    );
    // Reaped already: the Child must not wait again.
    std::mem::forget(child);
    Sample { secs, max_rss_kib: usage.ru_maxrss as u64 }
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
