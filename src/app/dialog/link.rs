//! The create-symlink dialog: the link's name (in the pane's directory)
//! and what it points to, kept exactly as typed.

use std::ffi::{OsStr, OsString};

use super::input::LineInput;
use crate::app::side::Side;
use crate::fs::Location;

/// The dialog's fields, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkField {
    Name,
    Target,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkDialog {
    pub side: Side,
    /// The pane's directory, where a plain name puts the link.
    pub dir: Location,
    pub name: LineInput,
    pub target: LineInput,
    /// The prefilled texts as bytes: a file name need not be UTF-8, and
    /// a field left as it was must not lose what the lossy text dropped.
    prefill_name: OsString,
    prefill_target: OsString,
    pub field: LinkField,
    pub error: Option<String>,
}

/// The field's bytes: the prefill's when the text is still its lossy form.
fn exact(input: &LineInput, prefill: &OsStr) -> OsString {
    if input.text() == prefill.to_string_lossy() {
        prefill.to_os_string()
    } else {
        OsString::from(input.text())
    }
}

impl LinkDialog {
    pub fn new(side: Side, dir: Location, name: OsString, target: OsString) -> Self {
        LinkDialog {
            side,
            dir,
            name: LineInput::new(&name.to_string_lossy()),
            target: LineInput::new(&target.to_string_lossy()),
            prefill_name: name,
            prefill_target: target,
            field: LinkField::Name,
            error: None,
        }
    }

    /// The link's name (or path) as typed.
    pub fn name_bytes(&self) -> OsString {
        exact(&self.name, &self.prefill_name)
    }

    /// What the link points to, as typed: never resolved or normalised.
    pub fn target_bytes(&self) -> OsString {
        exact(&self.target, &self.prefill_target)
    }

    /// Whether the name still is the prefill (whose bytes may not be UTF-8).
    pub fn name_is_prefill(&self) -> bool {
        !self.prefill_name.is_empty() && self.name.text() == self.prefill_name.to_string_lossy()
    }

    pub fn input_mut(&mut self) -> &mut LineInput {
        match self.field {
            LinkField::Name => &mut self.name,
            LinkField::Target => &mut self.target,
        }
    }

    pub fn switch_field(&mut self) {
        self.field = match self.field {
            LinkField::Name => LinkField::Target,
            LinkField::Target => LinkField::Name,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::ffi::OsStrExt;

    #[test]
    fn unchanged_fields_keep_bytes_that_are_not_utf8() {
        let odd = OsStr::from_bytes(b"caf\xe9").to_os_string();
        let mut d = LinkDialog::new(Side::Left, Location::Local("/d".into()), odd.clone(), odd.clone());
        assert_eq!((d.name_bytes(), d.target_bytes()), (odd.clone(), odd));
        assert!(d.name_is_prefill());
        d.switch_field();
        d.input_mut().set("../x/ y");
        assert_eq!(d.target_bytes(), OsString::from("../x/ y"), "typed text, not resolved");
        d.switch_field();
        d.input_mut().set("other");
        assert!(!d.name_is_prefill());
    }
}
