//! Editing a recent host of the host picker (F4 there): its
//! `[user@]host[:port]` and the directory it reopens in. ssh_config hosts
//! are read-only: their file is the place to change them.

use super::input::LineInput;
use super::picker::HostPicker;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostEditField {
    Host,
    Dir,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostEditDialog {
    /// The entry as it was (`[user@]host[:port]`).
    pub original: String,
    pub host: LineInput,
    /// The last directory (empty: the remote home).
    pub dir: LineInput,
    pub field: HostEditField,
    pub error: Option<String>,
    /// The picker to go back to.
    pub picker: Box<HostPicker>,
}

impl HostEditDialog {
    pub fn new(original: &str, dir: &str, picker: HostPicker) -> Self {
        HostEditDialog {
            original: original.to_owned(),
            host: LineInput::new(original),
            dir: LineInput::new(dir),
            field: HostEditField::Host,
            error: None,
            picker: Box::new(picker),
        }
    }

    pub fn input_mut(&mut self) -> &mut LineInput {
        match self.field {
            HostEditField::Host => &mut self.host,
            HostEditField::Dir => &mut self.dir,
        }
    }

    pub fn switch_field(&mut self) {
        self.field = match self.field {
            HostEditField::Host => HostEditField::Dir,
            HostEditField::Dir => HostEditField::Host,
        };
    }
}
