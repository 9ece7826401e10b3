//! What to tell the user about text a host's login shell prints before
//! every command: the text (by stream), whether it matters, and how to
//! stop it for that host's login shell, from what the probe found.

use super::caps::Capabilities;
use super::login_shell::{LoginShell, SSH_RC_FIX};
use crate::shell::Banner;

/// The note about one host's login banner. Lines are escaped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BannerNote {
    /// What was printed on standard output (escaped lines).
    pub stdout: Vec<String>,
    /// What was printed on standard error (escaped lines).
    pub stderr: Vec<String>,
    shell: LoginShell,
    busybox: Option<String>,
    ssh_rc: bool,
    etc_sshrc: bool,
}

impl BannerNote {
    /// The note for escaped banner lines seen on a host with `caps`;
    /// `None` when nothing was printed.
    pub fn new(stdout: Vec<String>, stderr: Vec<String>, caps: &Capabilities) -> Option<BannerNote> {
        if stdout.is_empty() && stderr.is_empty() {
            return None;
        }
        Some(BannerNote {
            stdout,
            stderr,
            shell: LoginShell::of(caps),
            busybox: caps.busybox.clone(),
            ssh_rc: caps.ssh_rc,
            etc_sshrc: caps.etc_sshrc,
        })
    }

    /// The note for a banner as the framing kept it.
    pub fn of(banner: &Banner, caps: &Capabilities) -> Option<BannerNote> {
        BannerNote::new(banner.stdout_lines(), banner.stderr_lines(), caps)
    }

    /// Text on standard output: it breaks OpenSSH's scp (and sftp, rsync,
    /// git over ssh). Text on standard error alone does not.
    pub fn harmful(&self) -> bool {
        !self.stdout.is_empty()
    }

    /// The note as lines, for a terminal: what was printed, then what it
    /// means and how to stop it.
    pub fn lines(&self) -> Vec<String> {
        let mut lines =
            vec!["the login shell printed this before the command ran (kept apart from results):".to_owned()];
        lines.extend(self.stdout.iter().map(|l| format!("  stdout | {l}")));
        lines.extend(self.stderr.iter().map(|l| format!("  stderr | {l}")));
        lines.push(self.harm());
        lines.push(self.fix());
        lines
    }

    /// The whole note on one line, for the log.
    pub fn text(&self) -> String {
        let quoted =
            |lines: &[String]| lines.iter().map(|l| format!("\"{l}\"")).collect::<Vec<_>>().join(" / ");
        let mut shown = Vec::new();
        if !self.stdout.is_empty() {
            shown.push(format!("on stdout {}", quoted(&self.stdout)));
        }
        if !self.stderr.is_empty() {
            shown.push(format!("on stderr {}", quoted(&self.stderr)));
        }
        format!(
            "the login shell printed text before the command ran (kept apart from results): {}. {} {}",
            shown.join("; "),
            self.harm(),
            self.fix()
        )
    }

    fn harm(&self) -> String {
        if self.harmful() {
            "Text on standard output breaks OpenSSH's scp (it fails with that text or hangs), sftp and \
             other tools; scpdeck works despite it."
                .into()
        } else {
            "It is on standard error only, which is harmless: OpenSSH's scp works despite it.".into()
        }
    }

    /// The login shell (and BusyBox, on a BusyBox host) and what to change.
    fn fix(&self) -> String {
        let name = self.shell.name();
        let host = match (&self.busybox, &self.shell) {
            (Some(version), LoginShell::Sh { busybox: true, .. }) => format!("{name} ({version})"),
            (Some(version), _) => format!("{name}, on a BusyBox host ({version})"),
            (None, _) => name.to_owned(),
        };
        let stop = if self.harmful() { "To stop it" } else { "To silence it anyway" };
        let rc = |file: &str| format!("put `{SSH_RC_FIX}` at the top of {file}");
        let what = match (self.shell.profile_fix(), &self.shell) {
            (Some(fix), _) if self.ssh_rc => format!(
                "{stop}, {}; sshd also runs ~/.ssh/rc before every command: if the text comes from \
                 there, {}",
                fix.advice(),
                rc("~/.ssh/rc")
            ),
            (Some(fix), _) => format!("{stop}, {}", fix.advice()),
            (None, LoginShell::Sh { .. }) => {
                let from = match (self.ssh_rc, self.etc_sshrc) {
                    (true, _) => {
                        format!("~/.ssh/rc, which sshd runs before every command: {}", rc("~/.ssh/rc"))
                    }
                    (false, true) => format!(
                        "/etc/ssh/sshrc, which sshd runs before every command: its administrator can {}",
                        rc("/etc/ssh/sshrc")
                    ),
                    (false, false) => "the server's configuration (a ForceCommand or a wrapper; there is \
                                       no ~/.ssh/rc or /etc/ssh/sshrc): ask its administrator"
                        .into(),
                };
                format!(
                    "{name} reads no startup file for a command (~/.profile only at a login), so the \
                     text comes from {from}"
                )
            }
            (None, _) => format!(
                "{stop}, make the login shell's startup files print only in interactive shells{}",
                if self.ssh_rc {
                    format!(" (sshd also runs ~/.ssh/rc: {})", rc("it"))
                } else {
                    String::new()
                }
            ),
        };
        format!("Login shell: {host}. {what}.")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caps(shell: &str, file: &str) -> Capabilities {
        Capabilities { login_shell: shell.into(), login_shell_file: file.into(), ..Capabilities::default() }
    }

    fn note(stdout: &[&str], stderr: &[&str], caps: &Capabilities) -> BannerNote {
        let lines = |l: &[&str]| l.iter().map(|s| s.to_string()).collect();
        BannerNote::new(lines(stdout), lines(stderr), caps).unwrap()
    }

    #[test]
    fn nothing_printed_is_no_note() {
        assert_eq!(BannerNote::new(Vec::new(), Vec::new(), &Capabilities::default()), None);
    }

    #[test]
    fn stdout_text_is_harmful_and_the_fix_names_the_shells_file_and_line() {
        let n = note(&["Welcome", ""], &["locale warning"], &caps("/bin/bash", "/usr/bin/bash"));
        assert!(n.harmful());
        let text = n.text();
        assert!(text.contains("on stdout \"Welcome\" / \"\"; on stderr \"locale warning\""), "{text}");
        assert!(text.contains("breaks OpenSSH's scp"), "{text}");
        assert!(text.contains("Login shell: bash. To stop it, put `[[ $- == *i* ]] || return` in ~/.bashrc"));
        assert!(!text.contains("BusyBox"), "{text}");
        assert!(!text.contains('\n'), "{text}");
        let zsh = note(&["hi"], &[], &caps("/usr/bin/zsh", "/usr/bin/zsh")).text();
        assert!(zsh.contains("`[[ -o interactive ]] || return` in ~/.zshenv"), "{zsh}");
        let fish = note(&["hi"], &[], &caps("/usr/bin/fish", "/usr/bin/fish")).text();
        assert!(fish.contains("`status is-interactive; or return` in ~/.config/fish/config.fish"), "{fish}");
    }

    #[test]
    fn stderr_alone_is_harmless() {
        let n = note(&[], &["motd"], &caps("/usr/bin/tcsh", "/usr/bin/tcsh"));
        assert!(!n.harmful());
        let text = n.text();
        assert!(text.contains("standard error only, which is harmless"), "{text}");
        assert!(!text.contains("breaks") && !text.contains("fails"), "{text}");
        assert!(
            text.contains("To silence it anyway, in ~/.tcshrc, put the lines that print between"),
            "{text}"
        );
    }

    #[test]
    fn busybox_is_named_on_busybox_hosts_only() {
        let mut busybox = caps("/bin/sh", "/bin/busybox");
        busybox.busybox = Some("BusyBox v1.36.1 (2024-06-10) multi-call binary.".into());
        let text = note(&["hi"], &[], &busybox).text();
        assert!(text.contains("Login shell: BusyBox sh (BusyBox v1.36.1"), "{text}");
        assert!(text.contains("reads no startup file for a command (~/.profile only at a login)"), "{text}");
        assert!(text.contains("a ForceCommand or a wrapper"), "{text}");
        busybox.ssh_rc = true;
        let text = note(&["hi"], &[], &busybox).text();
        assert!(text.contains("~/.ssh/rc, which sshd runs before every command: put `[ -n \"$SSH_TTY\" ]"));
        let dash = note(&["hi"], &[], &caps("/bin/sh", "/usr/bin/dash")).text();
        assert!(dash.contains("Login shell: dash. dash reads no startup file"), "{dash}");
        assert!(!dash.contains("BusyBox"), "{dash}");
    }

    #[test]
    fn lines_show_each_stream() {
        let n = note(&["a"], &["b"], &caps("/bin/bash", ""));
        let lines = n.lines();
        assert_eq!(lines[1..3], ["  stdout | a".to_owned(), "  stderr | b".to_owned()]);
        assert!(lines[4].starts_with("Login shell: bash."), "{lines:?}");
    }
}
