//! When the jobs panel opens by itself (`jobs_panel` in config.toml).

use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum JobsPanel {
    /// Only alt-j shows it; a failed job marks itself in the status line.
    #[default]
    Manual,
    /// It opens (without taking the keyboard) when a job fails.
    OnFailure,
    /// It opens when a job is queued, and when one fails.
    OnQueue,
}
