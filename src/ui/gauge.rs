//! Text gauges and the numbers around them (sizes, rates, ETA), shared by
//! the jobs panel and the job details.

use std::time::Duration;

use crate::jobs::Progress;
use crate::text::human_size;

/// `███████░░░░░░░  45%` in `width` cells.
pub fn bar(ratio: f64, width: usize) -> String {
    let cells = width.saturating_sub(5);
    let filled = ((ratio.clamp(0.0, 1.0) * cells as f64).round() as usize).min(cells);
    format!(
        "{}{} {:>3}%",
        "█".repeat(filled),
        "░".repeat(cells - filled),
        (ratio.clamp(0.0, 1.0) * 100.0).floor()
    )
}

/// `1:05`, `1:02:03`, or `--:--` when unknown.
pub fn eta(eta: Option<Duration>) -> String {
    match eta {
        None => "--:--".into(),
        Some(d) => {
            let s = d.as_secs();
            if s >= 3600 {
                format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
            } else {
                format!("{}:{:02}", s / 60, s % 60)
            }
        }
    }
}

pub fn rate(bytes_per_sec: f64) -> String {
    format!("{}/s", human_size(bytes_per_sec.max(0.0) as u64))
}

/// `12 MiB/40 MiB  120/300 files  3 MiB/s  ETA 0:12`, with `, 2 skipped`
/// after the files when some were.
pub fn numbers(p: &Progress, running: bool) -> String {
    let mut text = format!(
        "{}/{}  {}/{} files",
        human_size(p.bytes_done),
        human_size(p.bytes_total),
        p.files_done,
        p.files_total
    );
    if p.files_skipped > 0 {
        text.push_str(&format!(", {} skipped", p.files_skipped));
    }
    if running {
        text.push_str(&format!("  {}  ETA {}", rate(p.rate), eta(p.eta)));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_and_times() {
        assert_eq!(bar(0.5, 15), "█████░░░░░  50%");
        assert_eq!(bar(1.5, 9), "████ 100%");
        assert_eq!(eta(Some(Duration::from_secs(65))), "1:05");
        assert_eq!(eta(Some(Duration::from_secs(3723))), "1:02:03");
        assert_eq!(eta(None), "--:--");
    }
}
