//! Framing a remote command so that whatever a login profile prints is
//! separated from the command's own output (sans-IO part).
//!
//! The remote login shell runs only `sh` (or, where the login profile reads
//! standard input, a bootstrap that becomes `sh`: [`super::bootstrap`]); the
//! framed script is written to that `sh` on standard input, so only POSIX `sh` ever parses scpdeck's quoting,
//! whatever the user's login shell is (bash, zsh, fish, tcsh...). The script
//! first prints a random marker line on stderr and on stdout. Everything that
//! arrives before the marker on either stream was printed by the login profile:
//! it is kept as a banner and reported, never mistaken for output.
//!
//! The marker is printed as two words (`printf '%s%s\n' SCPDECK- HEX`), so
//! its text occurs nowhere in what is sent: a profile that echoes its input
//! or traces commands cannot fake it, and the scanner may accept it anywhere,
//! after a banner without a final newline too.
//!
//! The script is always exactly one line. A login profile that reads a line
//! of standard input (`read x` in ~/.bashrc) then eats all of it and nothing
//! runs; were it several lines, the shell would run the rest without its
//! first (a path with a newline would become a command). A command that holds
//! newlines is therefore quoted once more as a whole, its newlines written as
//! `'"$scpdeck_nl"'`, and run with `eval`.
//!
//! Some shells (dash, BusyBox) read a script from a pipe in blocks, so bytes
//! sent after the script could be swallowed by the shell instead of reaching
//! the command. Callers therefore send nothing more until the stdout marker has
//! arrived: at that point the shell has parsed the whole script.

use super::command::Command;
use super::marker::MarkerScanner;
use super::quote::{QuoteError, quote_one_line};
use crate::text::escape_bytes;

/// The remote command that every framed script is fed to (when scripts are
/// pipelined; see [`super::bootstrap`] for the other way).
pub const REMOTE_SHELL: &str = "sh";

/// The shell variable holding a newline in a one-line script.
const NEWLINE_VAR: &str = "scpdeck_nl";

/// One framed invocation: its random token and the script to send.
#[derive(Debug, Clone)]
pub struct Frame {
    token: String,
    script: Vec<u8>,
}

impl Frame {
    /// Frames `command` as a one-line script ending with a newline; the
    /// command runs in the same `sh` (use `exec` in it to replace the shell).
    /// Fails only for a command holding a NUL byte, which no shell can read.
    pub fn new(command: &Command) -> Result<Self, QuoteError> {
        let token = format!("{:016x}{:016x}", rand::random::<u64>(), rand::random::<u64>());
        let body = command.as_bytes();
        let mut script = Vec::with_capacity(body.len() + 160);
        let multi_line = body.contains(&b'\n');
        if multi_line {
            // `$(...)` strips trailing newlines, hence the `x`.
            script.extend_from_slice(
                format!(r"{NEWLINE_VAR}=$(printf '\nx'); {NEWLINE_VAR}=${{{NEWLINE_VAR}%x}}; ").as_bytes(),
            );
        }
        let print = format!(r"printf '%s%s\n' SCPDECK- {token}");
        script.extend_from_slice(format!("{print} >&2; {print}; ").as_bytes());
        if multi_line {
            script.extend_from_slice(b"eval ");
            script.extend(quote_one_line(body, NEWLINE_VAR)?);
        } else if body.contains(&0) {
            return Err(QuoteError::Nul(escape_bytes(body)));
        } else {
            script.extend_from_slice(body);
        }
        script.push(b'\n');
        Ok(Self { token, script })
    }

    /// The bytes to write to the remote `sh`: one line.
    pub fn script(&self) -> &[u8] {
        &self.script
    }

    /// The random part of every marker of this frame.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The marker the script prints on both streams before the command.
    pub fn marker(&self) -> String {
        format!("SCPDECK-{}", self.token)
    }

    /// A scanner that splits one output stream at this frame's marker.
    pub fn scanner(&self) -> MarkerScanner {
        MarkerScanner::new(&self.marker())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell::marker::Scan;
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;

    fn frame(command: &Command) -> Frame {
        Frame::new(command).unwrap()
    }

    /// Runs a script through the local `sh` as the remote one would.
    fn run_sh(script: &[u8]) -> std::process::Output {
        use std::io::Write;
        let mut child = std::process::Command::new("sh")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(script).unwrap();
        child.wait_with_output().unwrap()
    }

    #[test]
    fn script_prints_markers_then_runs_the_command() {
        let f = frame(&Command::new("echo hi"));
        let text = String::from_utf8(f.script().to_vec()).unwrap();
        assert!(text.starts_with("printf '%s%s\\n' SCPDECK- "), "{text}");
        assert!(text.ends_with("; echo hi\n"), "{text}");
        let out = run_sh(f.script());
        let marker = format!("{}\n", f.marker());
        assert_eq!(out.stdout, format!("{marker}hi\n").as_bytes());
        assert_eq!(out.stderr, marker.as_bytes());
    }

    #[test]
    fn the_marker_text_never_occurs_in_the_script() {
        let f = frame(&Command::new("echo").arg("x\ny").unwrap());
        let mut scanner = f.scanner();
        assert_eq!(scanner.feed(f.script()), Scan::Searching);
    }

    #[test]
    fn every_script_is_one_line_and_runs_exactly() {
        let awkward: &[&[u8]] = &[b"new\nline", b"\n", b"trailing\n\n", b"it's\n'$(touch pwned)'", b"\\n"];
        let mut cmd = Command::new("f() {\n  printf '%s\\0' \"$@\"\n}\nf");
        for word in awkward {
            cmd = cmd.arg(OsStr::from_bytes(word)).unwrap();
        }
        let f = frame(&cmd);
        assert_eq!(f.script().iter().filter(|&&b| b == b'\n').count(), 1);
        assert!(f.script().ends_with(b"\n"));
        let out = run_sh(f.script());
        let expected: Vec<u8> = awkward.iter().flat_map(|w| w.iter().copied().chain([0])).collect();
        let marker = format!("{}\n", f.marker());
        assert_eq!(
            out.stdout,
            [marker.as_bytes(), &expected].concat(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    #[test]
    fn a_nul_in_a_literal_is_refused() {
        assert!(Frame::new(&Command::new("echo a\0b")).is_err());
        assert!(Frame::new(&Command::new("echo a\0b\n")).is_err());
    }

    #[test]
    fn markers_are_unique() {
        let cmd = Command::new("true");
        assert_ne!(frame(&cmd).marker(), frame(&cmd).marker());
    }
}
