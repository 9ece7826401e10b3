//! The in-memory log the log pane shows: the most recent events, filtered by
//! level, host and job.

use std::collections::VecDeque;

use super::event::{Event, Level};

/// Events kept in memory; older ones remain in the log file.
const CAPACITY: usize = 20_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    /// Events below this level are hidden.
    pub min_level: Level,
    pub host: Option<String>,
    pub job: Option<u64>,
}

impl Default for Filter {
    fn default() -> Self {
        Self { min_level: Level::Info, host: None, job: None }
    }
}

impl Filter {
    pub fn matches(&self, event: &Event) -> bool {
        event.level >= self.min_level
            && self.host.as_ref().is_none_or(|h| event.host.as_ref() == Some(h))
            && self.job.is_none_or(|j| event.job == Some(j))
    }
}

#[derive(Debug, Clone, Default)]
pub struct LogBook {
    events: VecDeque<Event>,
}

impl LogBook {
    pub fn push(&mut self, event: Event) {
        if self.events.len() == CAPACITY {
            self.events.pop_front();
        }
        self.events.push_back(event);
    }

    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The events the filter lets through, oldest first.
    pub fn filtered<'a>(&'a self, filter: &'a Filter) -> impl DoubleEndedIterator<Item = &'a Event> + 'a {
        self.events.iter().filter(move |e| filter.matches(e))
    }

    /// Hosts that appear in the log, sorted, for cycling the host filter.
    pub fn hosts(&self) -> Vec<String> {
        let mut hosts: Vec<String> = self.events.iter().filter_map(|e| e.host.clone()).collect();
        hosts.sort();
        hosts.dedup();
        hosts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book() -> LogBook {
        let mut book = LogBook::default();
        book.push(Event::debug("d").host("a"));
        book.push(Event::info("i").host("a").job(1));
        book.push(Event::warn("w").host("b").job(2));
        book.push(Event::error("e").host("b").job(1));
        book
    }

    fn texts(book: &LogBook, filter: &Filter) -> Vec<String> {
        book.filtered(filter).map(|e| e.text.clone()).collect()
    }

    #[test]
    fn filters_by_level_host_and_job() {
        let book = book();
        assert_eq!(texts(&book, &Filter::default()), ["i", "w", "e"]);
        let all = Filter { min_level: Level::Debug, ..Filter::default() };
        assert_eq!(texts(&book, &all), ["d", "i", "w", "e"]);
        let host_b = Filter { host: Some("b".into()), ..Filter::default() };
        assert_eq!(texts(&book, &host_b), ["w", "e"]);
        let job1 = Filter { job: Some(1), ..Filter::default() };
        assert_eq!(texts(&book, &job1), ["i", "e"]);
        let errors = Filter { min_level: Level::Error, ..Filter::default() };
        assert_eq!(texts(&book, &errors), ["e"]);
        assert_eq!(book.hosts(), ["a", "b"]);
    }

    #[test]
    fn keeps_only_the_most_recent_events() {
        let mut book = LogBook::default();
        for i in 0..CAPACITY + 5 {
            book.push(Event::info(&i.to_string()));
        }
        assert_eq!(book.len(), CAPACITY);
        assert_eq!(book.filtered(&Filter::default()).next().map(|e| e.text.as_str()), Some("5"));
    }
}
