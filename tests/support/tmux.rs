//! Running the real binary in a tmux session, reading its screen, and
//! reading what its process uses from /proc.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// A private tmux server with one window running a shell command.
pub struct Tmux {
    socket: String,
    /// The state directory (log, job journal) of what runs in it, unless
    /// the command sets XDG_STATE_HOME itself: never the user's own.
    _state: tempfile::TempDir,
}

impl Tmux {
    /// Starts `command` (run by /bin/sh) in a `width`x`height` window.
    pub fn start(command: &str, width: u16, height: u16) -> Tmux {
        let socket = format!("scpdeck-test-{}-{:x}", std::process::id(), rand::random::<u32>());
        let state = tempfile::tempdir().expect("state dir");
        let state_dir = state.path().to_path_buf();
        let tmux = Tmux { socket, _state: state };
        let status = tmux
            .cmd()
            .args(["new-session", "-d", "-s", "t", "-x", &width.to_string(), "-y", &height.to_string()])
            .arg(command)
            .env("TERM", "xterm-256color")
            .env("XDG_STATE_HOME", &state_dir)
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

    /// The visible screen with the escape sequences of its colours and
    /// attributes (`capture-pane -e`).
    pub fn screen_with_styles(&self) -> String {
        let out = self.cmd().args(["capture-pane", "-p", "-e", "-t", "t"]).output().expect("capture-pane");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Sends keys in tmux's notation (`Enter`, `F10`, `q`, `C-c`...).
    pub fn keys(&self, keys: &[&str]) {
        let status = self.cmd().args(["send-keys", "-t", "t"]).args(keys).status().expect("send-keys");
        assert!(status.success());
    }

    /// Waits until the screen contains `text`; panics with the screen if not.
    pub fn wait_for(&self, text: &str) -> String {
        self.wait_for_times(text, 1)
    }

    /// Waits until the screen contains `text` `times` times (e.g. in both
    /// panes); panics with the screen if not.
    pub fn wait_for_times(&self, text: &str, times: usize) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let screen = self.screen();
            if screen.matches(text).count() >= times {
                return screen;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {times}× {text:?}; screen:\n{screen}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Ends the session and what runs in it (it gets SIGHUP).
    pub fn kill(&self) {
        let _ = self.cmd().arg("kill-server").status();
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.kill();
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

/// The scpdeck binary built for this test run, behind the script that
/// gives each run its own state, config and cache directories
/// (`own_dirs.rs`).
pub fn scpdeck_bin() -> PathBuf {
    super::own_dirs::wrapper()
}

/// The pid of the scpdeck process (not the shell around it) whose command
/// line mentions `needle`.
pub fn scpdeck_pid(needle: &str) -> i32 {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_scpdeck")).canonicalize().unwrap();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else { continue };
        let exe = std::fs::read_link(entry.path().join("exe")).ok();
        let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
        if exe.as_deref() == Some(bin.as_path()) && String::from_utf8_lossy(&cmdline).contains(needle) {
            return pid;
        }
    }
    panic!("no scpdeck process for {needle}");
}

/// What a process used during a window of time.
#[derive(Debug, Clone, Copy)]
pub struct Usage {
    pub window: Duration,
    /// User and system CPU time of all its threads.
    pub cpu: Duration,
    /// How often its threads went to sleep (voluntary context switches),
    /// counting the threads that lived through the whole window: a timer
    /// shows up here even when its work costs next to no CPU.
    pub wakeups: u64,
}

impl Usage {
    /// CPU time as a share of one core, in percent.
    pub fn percent_of_a_core(&self) -> f64 {
        100.0 * self.cpu.as_secs_f64() / self.window.as_secs_f64()
    }
}

/// Watches process `pid` for `window` (it must live throughout).
pub fn usage_over(pid: i32, window: Duration) -> Usage {
    let (cpu_before, sleeps_before) = (cpu_time(pid), sleeps(pid));
    std::thread::sleep(window);
    let (cpu_after, sleeps_after) = (cpu_time(pid), sleeps(pid));
    let wakeups = sleeps_after
        .iter()
        .filter_map(|(tid, after)| sleeps_before.get(tid).map(|before| after.saturating_sub(*before)))
        .sum();
    Usage { window, cpu: cpu_after.saturating_sub(cpu_before), wakeups }
}

/// utime + stime of the whole process, from /proc/PID/stat.
fn cpu_time(pid: i32) -> Duration {
    use nix::unistd::{SysconfVar, sysconf};
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .unwrap_or_else(|e| panic!("process {pid} is gone ({e})"));
    // The command name (field 2) may hold spaces; it ends at the last ')'.
    let (_, fields) = stat.rsplit_once(") ").unwrap_or_else(|| panic!("unexpected /proc/{pid}/stat: {stat}"));
    let fields: Vec<&str> = fields.split_whitespace().collect();
    let field =
        |n: usize| -> u64 { fields[n - 3].parse().unwrap_or_else(|e| panic!("field {n} of {stat}: {e}")) };
    let ticks = field(14) + field(15);
    let per_second = sysconf(SysconfVar::CLK_TCK).ok().flatten().expect("sysconf(_SC_CLK_TCK)") as u64;
    Duration::from_secs_f64(ticks as f64 / per_second as f64)
}

/// Voluntary context switches of each thread of the process.
fn sleeps(pid: i32) -> HashMap<String, u64> {
    let mut threads = HashMap::new();
    let tasks =
        std::fs::read_dir(format!("/proc/{pid}/task")).unwrap_or_else(|e| panic!("process {pid}: {e}"));
    for task in tasks.flatten() {
        // A thread may end between listing and reading.
        let Ok(status) = std::fs::read_to_string(task.path().join("status")) else { continue };
        let count = status
            .lines()
            .find_map(|l| l.strip_prefix("voluntary_ctxt_switches:"))
            .and_then(|n| n.trim().parse().ok());
        if let Some(count) = count {
            threads.insert(task.file_name().to_string_lossy().into_owned(), count);
        }
    }
    threads
}
