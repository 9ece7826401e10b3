//! Careful delivery of a framed script, for hosts whose login profile reads
//! standard input (sans-IO part; [`super::launch`] does the I/O).
//!
//! A profile that reads (`read x` in ~/.bashrc) takes whatever scpdeck wrote
//! first. So instead of `sh` with the script piped in at once, the exec
//! request is a small bootstrap that every login shell passes on unchanged
//! (`sh -c '...'` whose inner text holds no `'`, `\`, `!` or newline, which
//! fish, tcsh and the POSIX shells would each treat differently). It prints
//! a ready marker once the profile is done, then discards input lines until
//! a go-line. The client feeds empty lines until the ready marker arrives,
//! then sends the go-line and the script: whatever the profile did not
//! read is discarded by the loop, so nothing of the script can be
//! swallowed. After the go-line the bootstrap prints how many lines it
//! discarded (the rest were read by the profile: next time that many are
//! fed at once) and becomes `sh` reading the script, as when pipelined.
//! `read` takes one byte at a time from a pipe, so the script is left
//! whole for that `sh`.

/// The exec request for a frame with `token` (hex digits only).
pub fn command(token: &str) -> String {
    debug_assert!(token.bytes().all(|b| b.is_ascii_hexdigit()));
    // `""` splits the ready marker, so that the exec request itself (which
    // a profile may log or trace) never holds its text.
    format!(
        "sh -c 'echo SCPDECK-\"\"READY-{token}; c=0; while IFS= read -r l; do case $l in {go}) echo $c; exec sh;; esac; c=$((c+1)); done; exit 1'",
        go = go_word(token)
    )
}

/// What the bootstrap prints when the login profile is done.
pub fn ready_marker(token: &str) -> String {
    format!("SCPDECK-READY-{token}")
}

/// The line that ends the discarding; the script follows it.
pub fn go_line(token: &str) -> Vec<u8> {
    format!("{}\n", go_word(token)).into_bytes()
}

fn go_word(token: &str) -> String {
    format!("SCPDECK-GO-{token}")
}

/// Splits what arrived between the ready marker and the script's marker:
/// the number of fed lines the bootstrap discarded, and anything else
/// (which only a profile's background job could print: kept as banner).
pub fn split_discarded(between: &[u8]) -> (Option<u32>, &[u8]) {
    let Some(end) = between.iter().position(|&b| b == b'\n') else { return (None, between) };
    let count = std::str::from_utf8(&between[..end]).ok().and_then(|s| s.parse().ok());
    match count {
        Some(n) => (Some(n), &between[end + 1..]),
        None => (None, between),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    const TOKEN: &str = "00112233445566778899aabbccddeeff";

    #[test]
    fn the_exec_request_is_safe_for_every_login_shell() {
        let cmd = command(TOKEN);
        let inner = cmd.strip_prefix("sh -c '").and_then(|c| c.strip_suffix('\'')).unwrap();
        assert!(!inner.contains(['\'', '\\', '!', '\n']), "{inner}");
        assert!(!cmd.contains(&ready_marker(TOKEN)));
    }

    /// The bootstrap as a login shell (here `sh -c`) runs it: lines before
    /// the go-line are discarded and counted, the script runs whole.
    #[test]
    fn fed_lines_are_discarded_and_the_script_runs_whole() {
        let mut child = std::process::Command::new("sh")
            .arg("-c")
            .arg(command(TOKEN))
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut input = b"\n\nleft over by a profile\n".to_vec();
        input.extend(go_line(TOKEN));
        input.extend_from_slice(b"echo one; echo two\n");
        child.stdin.take().unwrap().write_all(&input).unwrap();
        let out = child.wait_with_output().unwrap();
        let expected = format!("{}\n3\none\ntwo\n", ready_marker(TOKEN));
        assert_eq!(String::from_utf8_lossy(&out.stdout), expected);
    }

    #[test]
    fn the_discarded_count_is_split_from_anything_else() {
        assert_eq!(split_discarded(b"2\n"), (Some(2), &b""[..]));
        assert_eq!(split_discarded(b"0\nnoise"), (Some(0), &b"noise"[..]));
        assert_eq!(split_discarded(b"x\n"), (None, &b"x\n"[..]));
        assert_eq!(split_discarded(b""), (None, &b""[..]));
    }
}
