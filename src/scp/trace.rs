//! `-vvv`: the protocol's records and replies as the sans-IO core sends
//! and receives them (through the `log` facade at trace level, which the
//! verbose output escapes). File data is never shown, only its status byte.

use crate::text::escape_bytes;

/// What this side sent: a record line or a reply.
pub(super) fn sent(bytes: &[u8]) {
    if log::log_enabled!(log::Level::Trace) {
        log::trace!("scp > {}", shown(bytes));
    }
}

/// What the other side sent.
pub(super) fn received(bytes: &[u8]) {
    if log::log_enabled!(log::Level::Trace) {
        log::trace!("scp < {}", shown(bytes));
    }
}

/// `ok`, `error: MESSAGE`, `fatal: MESSAGE`, or the record without its
/// newline.
fn shown(bytes: &[u8]) -> String {
    let line = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    match line.split_first() {
        None | Some((0, [])) => "ok".to_owned(),
        Some((1, message)) => format!("error: {}", escape_bytes(message)),
        Some((2, message)) => format!("fatal: {}", escape_bytes(message)),
        Some(_) => escape_bytes(line),
    }
}

#[cfg(test)]
mod tests {
    use super::shown;

    #[test]
    fn records_and_replies() {
        assert_eq!(shown(b"C0644 5 a\x1bb\n"), "C0644 5 a\\eb");
        assert_eq!(shown(b"\0"), "ok");
        assert_eq!(shown(b"\x01scp: x: No such file\n"), "error: scp: x: No such file");
        assert_eq!(shown(b"\x02bye"), "fatal: bye");
    }
}
