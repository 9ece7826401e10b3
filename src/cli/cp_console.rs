//! What `scpdeck cp` shows on stderr: a progress bar on a terminal (none
//! with -q or when stderr is not a terminal) with the files done and their
//! total, bytes, rate and ETA of the whole command; every failure, job
//! error and remote diagnostic as escaped lines, each once, as they happen.

use std::collections::HashSet;
use std::io::{IsTerminal, Write};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::eventlog::{Event, Level};
use crate::jobs::{ItemId, JobId, JobState, JobView, QueueView};
use crate::ui::gauge::numbers;

/// Failures sharing one reason in one update are shown on one line from
/// this many on (a lost connection fails a whole batch at once).
const GROUP_FROM: usize = 3;
/// Names listed on such a line.
const GROUP_NAMES: usize = 3;

pub(super) struct Console {
    bar: Option<ProgressBar>,
    shown: HashSet<(JobId, ItemId)>,
    job_errors: HashSet<JobId>,
    /// Something failed.
    pub failed: bool,
}

impl Console {
    pub(super) fn new(quiet: bool) -> Self {
        let show = !quiet && std::io::stderr().is_terminal();
        let bar = show.then(|| {
            // Drawn from the first transfer on, not while connecting (a
            // password prompt may need the line).
            let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::hidden());
            let style = ProgressStyle::with_template("{wide_msg} [{bar:20}] {prefix}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> ");
            bar.set_style(style);
            bar
        });
        Console { bar, shown: HashSet::new(), job_errors: HashSet::new(), failed: false }
    }

    /// The bar, to keep it still while something else uses the terminal.
    pub(super) fn bar(&self) -> Option<ProgressBar> {
        self.bar.clone()
    }

    /// Prints a message, each of its lines prefixed, without tearing the
    /// progress bar. Remote text in it is already escaped.
    pub(super) fn line(&self, text: &str) {
        print_lines(self.bar.as_ref(), text);
    }

    /// An error that concerns the whole command; `text` is already escaped.
    pub(super) fn error(&mut self, text: &str) {
        self.failed = true;
        self.line(text);
    }

    /// Shows what a host said besides the transfer (login banners, remote
    /// stderr, cleanup problems). Item failures and job ends come from the
    /// views instead, so they are not repeated here.
    pub(super) fn log(&self, event: &Event) {
        // What a host said, and warnings about a job's files (a file
        // replaced in place, files sent again after a dropped connection);
        // failures are printed from the view, once each.
        if (event.level >= Level::Warn && event.host.is_some())
            || (event.level == Level::Warn && event.job.is_some())
        {
            self.line(&event.text);
        }
    }

    /// Shows a new state of the queue: the bar, and what failed since the
    /// last one.
    pub(super) fn view(&mut self, view: &QueueView) {
        for job in &view.jobs {
            self.job(job);
        }
        let Some(bar) = &self.bar else { return };
        let running = view.jobs.iter().any(|j| j.state == JobState::Running);
        if bar.is_hidden() && running && view.total.files_total > 0 {
            bar.set_draw_target(ProgressDrawTarget::stderr_with_hz(10));
        }
        let current = view.jobs.iter().find_map(|j| j.current.clone()).unwrap_or_default();
        bar.set_message(current);
        bar.set_prefix(numbers(&view.total, running));
        bar.set_length(view.total.bytes_total.max(1));
        bar.set_position(view.total.bytes_done);
    }

    fn job(&mut self, job: &JobView) {
        let host = match (&job.source_host, &job.dest_host) {
            (Some(from), Some(to)) => format!("{from} -> {to}: "),
            (Some(host), None) | (None, Some(host)) => format!("{host}: "),
            (None, None) => String::new(),
        };
        if let Some(error) = &job.error
            && self.job_errors.insert(job.id)
        {
            self.error(error);
        }
        let new: Vec<_> = job
            .failed
            .iter()
            .filter(|f| self.shown.insert((job.id, f.item)))
            // The items the job's own error stopped: said once above.
            .filter(|f| job.error.as_ref() != Some(&f.reason))
            .collect();
        if !new.is_empty() || job.state == JobState::Cancelled {
            self.failed = true;
        }
        let mut reasons: Vec<&str> = Vec::new();
        for failure in &new {
            if !reasons.contains(&failure.reason.as_str()) {
                reasons.push(&failure.reason);
            }
        }
        for reason in reasons {
            let names: Vec<&str> =
                new.iter().filter(|f| f.reason == reason).map(|f| f.name.as_str()).collect();
            if names.len() < GROUP_FROM {
                for name in names {
                    self.line(&format!("{host}{name}: {reason}"));
                }
            } else {
                let mut list = names[..GROUP_NAMES].join(", ");
                list += &format!(" and {} more", names.len() - GROUP_NAMES);
                self.line(&format!("{host}{reason} ({} files not copied: {list})", names.len()));
            }
        }
    }

    pub(super) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// `scpdeck: ` before every line of `text`, with the bar out of the way.
pub(super) fn print_lines(bar: Option<&ProgressBar>, text: &str) {
    // Never eprintln!: after SIGHUP the terminal is gone, and a panic
    // would skip the cleanup of temporary files.
    let print = || {
        let mut stderr = std::io::stderr().lock();
        for line in text.lines() {
            let _ = writeln!(stderr, "scpdeck: {line}");
        }
    };
    match bar {
        Some(bar) => bar.suspend(print),
        None => print(),
    }
}
