//! What `scpdeck cp` shows on stderr: a progress bar on a terminal (none
//! with -q or when stderr is not a terminal) with the files done and their
//! total, bytes, rate and ETA of the whole command; every failure, job
//! error and remote diagnostic as escaped lines, each once, as they happen.

use std::collections::HashSet;
use std::sync::Arc;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::printer::{Printer, Tone};
use crate::eventlog::verbose::{Output, VerboseLine};
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
    printer: Printer,
    shown: HashSet<(JobId, ItemId)>,
    job_errors: HashSet<JobId>,
    /// Something failed.
    pub failed: bool,
}

impl Console {
    /// A console with a progress bar when `bar` (see `color::progress_bar`),
    /// coloured when `color`.
    pub(super) fn new(bar: bool, color: bool) -> Self {
        let bar = bar.then(|| {
            // Drawn from the first transfer on, not while connecting (a
            // password prompt may need the line).
            let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::hidden());
            let template = if color {
                "{wide_msg} [{bar:20.cyan/blue}] {prefix}"
            } else {
                "{wide_msg} [{bar:20}] {prefix}"
            };
            let style = ProgressStyle::with_template(template)
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> ");
            bar.set_style(style);
            bar
        });
        let printer = Printer::new(color).with_bar(bar.clone());
        Console { bar, printer, shown: HashSet::new(), job_errors: HashSet::new(), failed: false }
    }

    /// Where `-v` lines go: between the other messages, the bar kept still.
    pub(super) fn verbose_output(&self) -> Output {
        let printer = self.printer.clone();
        Arc::new(move |line: &VerboseLine| printer.lines(Tone::Verbose, &line.shown()))
    }

    /// The bar, to keep it still while something else uses the terminal.
    pub(super) fn bar(&self) -> Option<ProgressBar> {
        self.bar.clone()
    }

    /// Prints a message, each of its lines prefixed and escaped, without
    /// tearing the progress bar.
    pub(super) fn line(&self, tone: Tone, text: &str) {
        self.printer.lines(tone, text);
    }

    /// An error that concerns the whole command.
    pub(super) fn error(&mut self, text: &str) {
        self.failed = true;
        self.line(Tone::Error, text);
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
            let tone = if event.level == Level::Error { Tone::Error } else { Tone::Warning };
            self.line(tone, &event.text);
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
                    self.line(Tone::Error, &format!("{host}{name}: {reason}"));
                }
            } else {
                let list = name_list(&names);
                self.line(Tone::Error, &format!("{host}{reason} ({} files not copied: {list})", names.len()));
            }
        }
    }

    pub(super) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// The first [`GROUP_NAMES`] names, then how many more; all of them when
/// naming the rest would take no more room ("and 1 more" is as long as the
/// name, "and 0 more" says nothing).
fn name_list(names: &[&str]) -> String {
    if names.len() <= GROUP_NAMES + 1 {
        return names.join(", ");
    }
    format!("{} and {} more", names[..GROUP_NAMES].join(", "), names.len() - GROUP_NAMES)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_names_its_files_and_never_0_more() {
        assert_eq!(name_list(&["a", "b", "c"]), "a, b, c");
        assert_eq!(name_list(&["a", "b", "c", "d"]), "a, b, c, d");
        assert_eq!(name_list(&["a", "b", "c", "d", "e"]), "a, b, c and 2 more");
    }
}
