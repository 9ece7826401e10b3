//! Which login shell a host runs commands under, and where that shell
//! reads what it prints before a command: sshd runs every command as
//! `SHELL -c COMMAND`, a non-interactive, non-login shell, and each shell
//! reads its own files in that case (checked against the real shells by
//! tests/banner_notes.rs).

use std::path::Path;

use super::caps::Capabilities;

/// The login shell, as far as its startup files go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginShell {
    /// Reads `~/.bashrc` when sshd starts it.
    Bash,
    /// Reads `~/.zshenv` for every command (`~/.zshrc` only interactively).
    Zsh,
    /// Reads `~/.config/fish/config.fish` for every command.
    Fish,
    /// Reads `~/.tcshrc` (or `~/.cshrc` without one) for every command.
    Tcsh,
    /// Reads `~/.cshrc` for every command.
    Csh,
    /// sh, dash, ksh, BusyBox `sh`/`ash`: read no file for a command
    /// (`~/.profile` only for a login shell, `$ENV` only interactively).
    Sh { name: String, busybox: bool },
    /// A shell scpdeck does not know (the name, escaped).
    Other(String),
}

impl LoginShell {
    /// The host's login shell: `$SHELL` with its links resolved (`/bin/sh`
    /// may be dash, bash or BusyBox), else `$SHELL` itself.
    pub fn of(caps: &Capabilities) -> LoginShell {
        let name = |path: &str| Path::new(path).file_name().map(|n| n.to_string_lossy().into_owned());
        let file = name(&caps.login_shell_file);
        let called = name(&caps.login_shell);
        let Some(name) = file.or(called) else { return LoginShell::Other(String::new()) };
        match name.as_str() {
            "bash" => LoginShell::Bash,
            "zsh" => LoginShell::Zsh,
            "fish" => LoginShell::Fish,
            "tcsh" => LoginShell::Tcsh,
            "csh" | "bsd-csh" => LoginShell::Csh,
            "busybox" => LoginShell::Sh { name: "BusyBox sh".into(), busybox: true },
            "sh" | "dash" | "ash" | "ksh" | "ksh93" | "mksh" | "pdksh" | "yash" | "posh" => {
                LoginShell::Sh { name, busybox: false }
            }
            other => LoginShell::Other(crate::text::escape_str(other)),
        }
    }

    /// The shell's name for messages.
    pub fn name(&self) -> &str {
        match self {
            LoginShell::Bash => "bash",
            LoginShell::Zsh => "zsh",
            LoginShell::Fish => "fish",
            LoginShell::Tcsh => "tcsh",
            LoginShell::Csh => "csh",
            LoginShell::Sh { name, .. } | LoginShell::Other(name) => name,
        }
    }

    /// The file this shell reads before a command, and how to make it
    /// print only in interactive shells; `None` for the sh family, which
    /// reads none (see [`SSH_RC_FIX`]), and for shells scpdeck does not know.
    pub fn profile_fix(&self) -> Option<ProfileFix> {
        Some(match self {
            LoginShell::Bash => {
                ProfileFix { file: "~/.bashrc", guard: Guard::Before("[[ $- == *i* ]] || return"), note: "" }
            }
            LoginShell::Zsh => ProfileFix {
                file: "~/.zshenv",
                guard: Guard::Before("[[ -o interactive ]] || return"),
                note: " (zsh reads ~/.zshenv for every command and ~/.zshrc only when interactive: they \
                       may move there instead)",
            },
            LoginShell::Fish => ProfileFix {
                file: "~/.config/fish/config.fish",
                guard: Guard::Before("status is-interactive; or return"),
                note: "",
            },
            LoginShell::Tcsh => ProfileFix {
                file: "~/.tcshrc",
                guard: Guard::Around("if ($?prompt) then", "endif"),
                note: " (or in ~/.cshrc when there is no ~/.tcshrc)",
            },
            LoginShell::Csh => {
                ProfileFix { file: "~/.cshrc", guard: Guard::Around("if ($?prompt) then", "endif"), note: "" }
            }
            LoginShell::Sh { .. } | LoginShell::Other(_) => return None,
        })
    }
}

/// A login shell's startup file and how to keep it quiet for commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProfileFix {
    /// The file, as the user would write it (`~/.bashrc`).
    pub file: &'static str,
    pub guard: Guard,
    /// More to say, appended to [`ProfileFix::advice`].
    note: &'static str,
}

/// What keeps the lines that print from running in a command's shell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guard {
    /// This line, put before them.
    Before(&'static str),
    /// These two lines, around them.
    Around(&'static str, &'static str),
}

impl ProfileFix {
    /// The fix in words: the exact line to add and where.
    pub fn advice(&self) -> String {
        let file = self.file;
        let what = match self.guard {
            Guard::Before(line) => format!("put `{line}` in {file} before the lines that print"),
            Guard::Around(open, close) => {
                format!("in {file}, put the lines that print between `{open}` and `{close}`")
            }
        };
        format!("{what}{}", self.note)
    }
}

/// The line that keeps `~/.ssh/rc` (or `/etc/ssh/sshrc`), which sshd runs
/// with `sh` before every command, quiet unless the session has a terminal.
pub const SSH_RC_FIX: &str = "[ -n \"$SSH_TTY\" ] || exec >/dev/null 2>&1";

#[cfg(test)]
mod tests {
    use super::*;

    fn shell(called: &str, file: &str) -> LoginShell {
        let caps = Capabilities {
            login_shell: called.into(),
            login_shell_file: file.into(),
            ..Capabilities::default()
        };
        LoginShell::of(&caps)
    }

    #[test]
    fn the_shell_is_what_its_path_resolves_to() {
        assert_eq!(shell("/bin/bash", "/usr/bin/bash"), LoginShell::Bash);
        assert_eq!(shell("/bin/sh", "/usr/bin/dash"), LoginShell::Sh { name: "dash".into(), busybox: false });
        assert_eq!(
            shell("/bin/ash", "/bin/busybox"),
            LoginShell::Sh { name: "BusyBox sh".into(), busybox: true }
        );
        assert_eq!(shell("/usr/bin/zsh", ""), LoginShell::Zsh);
        assert_eq!(shell("/bin/csh", "/usr/bin/bsd-csh"), LoginShell::Csh);
        assert_eq!(shell("/usr/local/bin/nu", "/usr/local/bin/nu"), LoginShell::Other("nu".into()));
        assert_eq!(shell("", ""), LoginShell::Other(String::new()));
    }

    #[test]
    fn each_shell_names_the_file_it_reads_for_a_command() {
        let file = |s: &LoginShell| s.profile_fix().map(|f| f.file);
        assert_eq!(file(&LoginShell::Bash), Some("~/.bashrc"));
        assert_eq!(file(&LoginShell::Zsh), Some("~/.zshenv"));
        assert_eq!(file(&LoginShell::Fish), Some("~/.config/fish/config.fish"));
        assert_eq!(file(&LoginShell::Tcsh), Some("~/.tcshrc"));
        assert_eq!(file(&LoginShell::Sh { name: "dash".into(), busybox: false }), None);
        let bash = LoginShell::Bash.profile_fix().unwrap().advice();
        assert_eq!(bash, "put `[[ $- == *i* ]] || return` in ~/.bashrc before the lines that print");
        let tcsh = LoginShell::Tcsh.profile_fix().unwrap().advice();
        assert!(
            tcsh.starts_with(
                "in ~/.tcshrc, put the lines that print between `if ($?prompt) then` and `endif`"
            )
        );
    }
}
