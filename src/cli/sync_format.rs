//! How `scpdeck sync --dry-run` prints a plan: one action per line, as
//! text or JSON (pure). Names are escaped: no line holds a raw control
//! character, and a name with a newline stays on its line.

use std::fmt::Write as _;
use std::os::unix::ffi::OsStrExt;

use super::ls_format::{escape_invalid, json_string};
use crate::sync::{Action, End, Why};
use crate::text::escape_bytes;

/// Why, said from the command line's side (SOURCE is the left end).
fn why(why: Why) -> &'static str {
    match why {
        Why::OnlyIn(End::Left) => "only in source",
        Why::OnlyIn(End::Right) => "only in target",
        Why::NewerIn(End::Left) => "newer in source",
        Why::NewerIn(End::Right) => "newer in target",
        Why::SizeDiffers => "size differs",
        Why::ContentDiffers => "content differs",
        Why::KindDiffers => "kind differs",
    }
}

/// `update photos/a.jpg (newer in source)`; directories end in `/`.
pub(super) fn text_line(action: &Action) -> String {
    let slash = if action.dir { "/" } else { "" };
    let path = escape_bytes(action.path.as_os_str().as_bytes());
    format!("{} {path}{slash} ({})", action.op.label(), why(action.why))
}

/// `{"op":"update","path":"photos/a.jpg","dir":false,"size":123,"why":"newer in source"}`
/// (and `path_bytes` when the name is not UTF-8).
pub(super) fn json_line(action: &Action) -> String {
    let bytes = action.path.as_os_str().as_bytes();
    let mut out = format!("{{\"op\":\"{}\",\"path\":", action.op.label());
    json_string(&mut out, &escape_invalid(bytes));
    if std::str::from_utf8(bytes).is_err() {
        let _ = write!(out, ",\"path_bytes\":{bytes:?}");
    }
    let _ = write!(out, ",\"dir\":{},\"size\":{},\"why\":\"{}\"}}", action.dir, action.size, why(action.why));
    out
}

#[cfg(test)]
mod tests {
    use std::ffi::OsStr;
    use std::path::PathBuf;

    use super::*;
    use crate::sync::Op;

    fn action(path: &[u8], op: Op, dir: bool, why: Why) -> Action {
        let path = PathBuf::from(OsStr::from_bytes(path));
        Action { op, path, from: End::Left, dir, size: 3, why, ticked: true }
    }

    #[test]
    fn lines_escape_names_and_json_parses() {
        let a = action(b"sub/new\nline\x1b[2J\xff", Op::Update, false, Why::NewerIn(End::Left));
        let text = text_line(&a);
        assert_eq!(text, "update sub/new\\nline\\e[2J\\xff (newer in source)");
        let json = json_line(&a);
        assert!(!json.contains('\n') && !json.contains('\x1b'));
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value["op"], "update");
        assert_eq!(value["why"], "newer in source");
        assert_eq!(value["path_bytes"].as_array().unwrap().len(), 17);
        let d = action(b"gone", Op::Delete, true, Why::OnlyIn(End::Right));
        assert_eq!(text_line(&d), "delete gone/ (only in target)");
        let value: serde_json::Value = serde_json::from_str(&json_line(&d)).unwrap();
        assert_eq!((value["path"].as_str(), value["dir"].as_bool()), (Some("gone"), Some(true)));
    }
}
