//! Time limits for tests that would hang if the code under test did: a hang
//! fails the test instead of stalling the suite.

use std::io::Read;
use std::process::{Command, Output, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use super::Sshd;

/// Runs `test` on its own thread; fails if it has not finished within
/// `limit`. A test that hangs is then ended by killing `sshd`'s
/// connections (its blocking reads fail), so no thread is left behind.
pub fn within<T: Send>(sshd: &Sshd, limit: Duration, test: impl FnOnce() -> T + Send) -> T {
    bounded(limit, || sshd.kill_connections(), test)
}

/// Runs `test` on its own thread; fails if it has not finished within
/// `limit`, after `unblock` (which must make the test end: kill what it
/// waits for) has run.
pub fn bounded<T: Send>(limit: Duration, unblock: impl FnOnce(), test: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|scope| {
        let (done, finished) = mpsc::channel::<()>();
        let handle = scope.spawn(move || {
            // Dropped when the test ends, by returning or by panicking.
            let _done = done;
            test()
        });
        let timed_out = matches!(finished.recv_timeout(limit), Err(RecvTimeoutError::Timeout));
        if timed_out {
            unblock();
        }
        let result = handle.join();
        assert!(
            !timed_out,
            "still running after {limit:?}: it hung (what it waited for was killed to end it)"
        );
        result.unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// Runs a program to completion like [`Command::output`], killing it and
/// failing when it takes longer than `limit`.
pub fn output_within(command: &mut Command, limit: Duration) -> Output {
    let mut child =
        command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut stderr = child.stderr.take().expect("stderr");
    let out = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = stdout.read_to_end(&mut bytes);
        bytes
    });
    let err = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = stderr.read_to_end(&mut bytes);
        bytes
    });
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            let err = String::from_utf8_lossy(&err.join().unwrap_or_default()).into_owned();
            panic!("{command:?} still running after {limit:?}: it hung; its stderr:\n{err}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output { status, stdout: out.join().unwrap_or_default(), stderr: err.join().unwrap_or_default() }
}
