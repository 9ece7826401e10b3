//! `scpdeck cp` as a child process a test watches while it runs (to
//! signal it, or to look at the destination meanwhile), then waits for
//! with a time limit.

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use super::tmux::scpdeck_bin;

/// Starts `scpdeck cp -F config ARGS`, its output kept.
pub fn spawn(config: &Path, args: &[&str]) -> Child {
    Command::new(scpdeck_bin())
        .arg("cp")
        .arg("-F")
        .arg(config)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits for `child`, failing the test when it runs past `limit`.
pub fn within(mut child: Child, limit: Duration) -> Output {
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!("scpdeck cp did not end within {limit:?}: {}", String::from_utf8_lossy(&out.stderr));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}
