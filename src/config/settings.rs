//! `config.toml`: the settings, each with a default (docs/user-guide.md
//! lists them; a test keeps the documented defaults true).

use std::collections::BTreeMap;

use serde::Deserialize;

use super::host_settings::HostSettings;
use super::theme::ThemeStyles;
use crate::choices::{JobsPanel, Limits, OverwritePolicy, SortKey};

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// Theme name: a built-in one or `themes/NAME.toml` in the config dir.
    pub theme: String,
    /// Show entries whose name starts with a dot.
    pub show_hidden: bool,
    /// Initial sort order of both panes.
    pub sort: SortKey,
    pub sort_reverse: bool,
    /// Names compare naturally: `img_2` before `img_10`.
    pub natural_sort: bool,
    /// Capture the mouse (click to focus and move, wheel to scroll).
    pub mouse: bool,
    /// Editor command for F4; empty means $VISUAL, then $EDITOR, then `vi`.
    pub editor: String,
    /// The viewer (F3) reads at most this many bytes of a file.
    pub viewer_max_bytes: u64,
    /// strftime format of the modification time column.
    pub date_format: String,
    /// Watch local directories and refresh when they change.
    pub live_refresh: bool,
    /// Transfers: SSH connections open at once, in total and per host.
    pub max_connections: usize,
    pub max_connections_per_host: usize,
    /// Transfers: a file of at least `segment_threshold` bytes goes as up
    /// to `segments` byte ranges at once, on channels of one session (0 or
    /// 1: never split).
    pub segments: usize,
    pub segment_threshold: u64,
    /// Copy dialog defaults: keep times and modes, the overwrite policy
    /// (ask, overwrite, skip, newer, size, keep-both), verify by sha256.
    pub copy_preserve: bool,
    pub copy_overwrite: OverwritePolicy,
    pub copy_verify: bool,
    /// When the jobs panel opens by itself: `manual` (never), `on-failure`,
    /// `on-queue`.
    pub jobs_panel: JobsPanel,
    /// Styles that replace the chosen theme's (`[theme_overrides]` table).
    pub theme_overrides: ThemeStyles,
    /// Per host (`[hosts."ALIAS"]` tables), by host as the user names it.
    pub hosts: BTreeMap<String, HostSettings>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            theme: "default".into(),
            show_hidden: false,
            sort: SortKey::Name,
            sort_reverse: false,
            natural_sort: true,
            mouse: true,
            editor: String::new(),
            viewer_max_bytes: 4 * 1024 * 1024,
            date_format: "%Y-%m-%d %H:%M".into(),
            live_refresh: true,
            max_connections: 4,
            max_connections_per_host: 4,
            segments: crate::jobs::segment_plan::DEFAULT_SEGMENTS,
            segment_threshold: crate::jobs::segment_plan::DEFAULT_THRESHOLD,
            copy_preserve: true,
            copy_overwrite: OverwritePolicy::Ask,
            copy_verify: false,
            jobs_panel: JobsPanel::Manual,
            theme_overrides: ThemeStyles::default(),
            hosts: BTreeMap::new(),
        }
    }
}

impl Settings {
    /// The scheduler's connection limits (at least one each).
    pub fn limits(&self) -> Limits {
        Limits { global: self.max_connections.max(1), per_host: self.max_connections_per_host.max(1) }
    }

    /// How large files are split into ranges.
    pub fn segments(&self) -> crate::jobs::Segments {
        crate::jobs::Segments { count: self.segments, threshold: self.segment_threshold }
    }
}
