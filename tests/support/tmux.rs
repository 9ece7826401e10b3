//! Running the real binary in a tmux session and reading its screen.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// A private tmux server with one window running a shell command.
pub struct Tmux {
    socket: String,
}

impl Tmux {
    /// Starts `command` (run by /bin/sh) in a `width`x`height` window.
    pub fn start(command: &str, width: u16, height: u16) -> Tmux {
        let socket = format!("scpdeck-test-{}-{:x}", std::process::id(), rand::random::<u32>());
        let tmux = Tmux { socket };
        let status = tmux
            .cmd()
            .args(["new-session", "-d", "-s", "t", "-x", &width.to_string(), "-y", &height.to_string()])
            .arg(command)
            .env("TERM", "xterm-256color")
            .status()
            .unwrap_or_else(|e| panic!("tmux not found ({e}): run scripts/test, which installs it"));
        assert!(status.success(), "tmux new-session failed");
        tmux
    }

    fn cmd(&self) -> Command {
        let mut cmd = Command::new("tmux");
        cmd.args(["-L", &self.socket, "-f", "/dev/null"]);
        cmd
    }

    /// The visible screen as text.
    pub fn screen(&self) -> String {
        let out = self.cmd().args(["capture-pane", "-p", "-t", "t"]).output().expect("capture-pane");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Sends keys in tmux's notation (`Enter`, `F10`, `q`, `C-c`...).
    pub fn keys(&self, keys: &[&str]) {
        let status = self.cmd().args(["send-keys", "-t", "t"]).args(keys).status().expect("send-keys");
        assert!(status.success());
    }

    /// Waits until the screen contains `text`; panics with the screen if not.
    pub fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {text:?}; screen:\n{screen}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd().arg("kill-server").status();
    }
}

/// Waits for `path` to exist and returns its contents.
pub fn wait_for_file(path: &Path) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(text) = std::fs::read_to_string(path)
            && !text.is_empty()
        {
            return text;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {}", path.display());
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The scpdeck binary built for this test run.
pub fn scpdeck_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_scpdeck"))
}
