//! What a copy does to a file that already exists at its destination
//! (`copy_overwrite` in config.toml, the copy dialog, `cp --overwrite`).

use serde::Deserialize;

/// What to do when a file already exists at the destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
pub enum OverwritePolicy {
    /// Ask per item (with "apply to all").
    #[default]
    #[serde(rename = "ask")]
    Ask,
    #[serde(rename = "overwrite")]
    Overwrite,
    #[serde(rename = "skip")]
    Skip,
    /// Overwrite when the source is newer than the existing file.
    #[serde(rename = "newer")]
    IfNewer,
    /// Overwrite when the sizes differ.
    #[serde(rename = "size")]
    IfSizeDiffers,
    /// Keep the existing file and copy under a new name (`name (1).ext`).
    #[serde(rename = "keep-both")]
    KeepBoth,
}

impl OverwritePolicy {
    pub const ALL: [OverwritePolicy; 6] = [
        OverwritePolicy::Ask,
        OverwritePolicy::Overwrite,
        OverwritePolicy::Skip,
        OverwritePolicy::IfNewer,
        OverwritePolicy::IfSizeDiffers,
        OverwritePolicy::KeepBoth,
    ];

    pub fn label(self) -> &'static str {
        match self {
            OverwritePolicy::Ask => "ask",
            OverwritePolicy::Overwrite => "overwrite",
            OverwritePolicy::Skip => "skip",
            OverwritePolicy::IfNewer => "overwrite if newer",
            OverwritePolicy::IfSizeDiffers => "overwrite if size differs",
            OverwritePolicy::KeepBoth => "keep both",
        }
    }

    /// The name used on the command line (`--overwrite NAME`).
    pub fn name(self) -> &'static str {
        match self {
            OverwritePolicy::Ask => "ask",
            OverwritePolicy::Overwrite => "overwrite",
            OverwritePolicy::Skip => "skip",
            OverwritePolicy::IfNewer => "newer",
            OverwritePolicy::IfSizeDiffers => "size",
            OverwritePolicy::KeepBoth => "keep-both",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }
}
