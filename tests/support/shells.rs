//! Login shells the harness can put in front of every remote command.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A login shell for the test user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shell {
    /// /bin/sh (dash on Debian).
    Sh,
    Bash,
    Dash,
    Zsh,
    Fish,
    Tcsh,
    /// BusyBox `sh` with a PATH that holds only BusyBox applets (no GNU
    /// find, stat or ls, no perl or python, no scp).
    BusyBox,
}

impl Shell {
    pub const ALL: [Shell; 7] =
        [Shell::Sh, Shell::Bash, Shell::Dash, Shell::Zsh, Shell::Fish, Shell::Tcsh, Shell::BusyBox];

    /// The program name.
    pub fn name(&self) -> &'static str {
        match self {
            Shell::Sh => "sh",
            Shell::Bash => "bash",
            Shell::Dash => "dash",
            Shell::Zsh => "zsh",
            Shell::Fish => "fish",
            Shell::Tcsh => "tcsh",
            Shell::BusyBox => "busybox",
        }
    }

    /// Where the shell is installed, if it is. `SCPDECK_TEST_BUSYBOX` names
    /// another BusyBox binary (e.g. Debian's dynamically linked `busybox`
    /// package, unpacked beside the installed `busybox-static`).
    pub fn path(&self) -> Option<PathBuf> {
        if *self == Shell::BusyBox
            && let Some(path) = std::env::var_os("SCPDECK_TEST_BUSYBOX")
        {
            return Some(PathBuf::from(path));
        }
        let dirs = ["/bin", "/usr/bin", "/usr/local/bin", "/opt/homebrew/bin"];
        dirs.iter().map(|d| Path::new(d).join(self.name())).find(|p| p.exists())
    }

    /// The login shells installed on this machine. scripts/test installs all
    /// of them, so in CI this is every variant.
    pub fn available() -> Vec<Shell> {
        Shell::ALL.into_iter().filter(|s| s.path().is_some()).collect()
    }

    /// The wrapper's last line: run the original command under this shell,
    /// as sshd would under a real login shell (`shell -c COMMAND`).
    pub(super) fn exec_line(&self, dir: &Path, busybox_itself: bool) -> String {
        let path = self.path().unwrap_or_else(|| {
            panic!("{} is not installed: run scripts/test, which installs the test shells", self.name())
        });
        let mut line = String::new();
        // ForceCommand also captures subsystem requests; keep sftp working so
        // capability probes see what a real host offers.
        line.push_str(
            "case \"$SSH_ORIGINAL_COMMAND\" in internal-sftp) exec /usr/lib/openssh/sftp-server ;; esac\n",
        );
        match self {
            Shell::BusyBox => {
                // As on a BusyBox system, $SHELL is BusyBox's sh applet.
                let bin = busybox_bin(dir, &path, busybox_itself);
                let _ = writeln!(
                    line,
                    "PATH='{0}'; export PATH; SHELL='{0}/sh'; export SHELL; exec '{1}' sh -c \"$SSH_ORIGINAL_COMMAND\"",
                    bin.display(),
                    path.display()
                );
            }
            _ => {
                let _ = writeln!(
                    line,
                    "SHELL='{0}'; export SHELL; exec '{0}' -c \"$SSH_ORIGINAL_COMMAND\"",
                    path.display()
                );
            }
        }
        line
    }
}

/// A directory of symlinks, one per BusyBox applet, and `busybox` itself
/// unless `busybox_itself` is false. `busybox --list` names `busybox` in
/// Debian's busybox-static but not in its dynamically linked `busybox`
/// package, so it is linked here by name rather than taken from the list.
fn busybox_bin(dir: &Path, busybox: &Path, busybox_itself: bool) -> PathBuf {
    let bin = dir.join("busybox-bin");
    std::fs::create_dir_all(&bin).expect("busybox bin dir");
    let list = Command::new(busybox).arg("--list").output().expect("busybox --list");
    let applets = String::from_utf8_lossy(&list.stdout).lines().map(str::to_owned).collect::<Vec<_>>();
    assert!(applets.iter().any(|a| a == "sh"), "{} has no sh applet", busybox.display());
    for applet in applets.iter().map(String::as_str).chain(["busybox"]) {
        let _ = std::os::unix::fs::symlink(busybox, bin.join(applet));
    }
    if !busybox_itself {
        std::fs::remove_file(bin.join("busybox")).expect("remove busybox from the applet dir");
    }
    bin
}
