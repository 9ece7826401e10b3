//! One log event. The text is escaped when the event is built, so whatever a
//! remote host sent can never reach a terminal or the log file raw.

use std::fmt;

use jiff::Timestamp;

use crate::fs::remote::BannerNote;
use crate::text::escape_str;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Debug,
    Info,
    Warn,
    Error,
}

impl Level {
    pub fn label(self) -> &'static str {
        match self {
            Level::Debug => "debug",
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Error => "error",
        }
    }

    /// The next level in the filter cycle (debug → info → warn → error → debug).
    pub fn next(self) -> Level {
        match self {
            Level::Debug => Level::Info,
            Level::Info => Level::Warn,
            Level::Warn => Level::Error,
            Level::Error => Level::Debug,
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub time: Timestamp,
    pub level: Level,
    /// The host the event is about (escaped), if any.
    pub host: Option<String>,
    /// The job the event belongs to, if any.
    pub job: Option<u64>,
    /// Escaped text: no control characters, one line.
    pub text: String,
}

impl Event {
    /// An event with `text` escaped.
    pub fn new(level: Level, text: &str) -> Self {
        Self { time: Timestamp::now(), level, host: None, job: None, text: escape_str(text) }
    }

    pub fn info(text: &str) -> Self {
        Self::new(Level::Info, text)
    }

    pub fn warn(text: &str) -> Self {
        Self::new(Level::Warn, text)
    }

    pub fn error(text: &str) -> Self {
        Self::new(Level::Error, text)
    }

    pub fn debug(text: &str) -> Self {
        Self::new(Level::Debug, text)
    }

    pub fn host(mut self, host: &str) -> Self {
        self.host = Some(escape_str(host));
        self
    }

    pub fn job(mut self, job: u64) -> Self {
        self.job = Some(job);
        self
    }

    pub fn at(mut self, time: Timestamp) -> Self {
        self.time = time;
        self
    }

    /// The note about text a login profile printed before a command ran,
    /// whole on one line: a warning when it is on standard output (OpenSSH's
    /// scp fails or hangs on such hosts; scpdeck separates it and carries
    /// on), a notice when it is on standard error only (harmless).
    pub fn banner(host: &str, note: &BannerNote) -> Self {
        let level = if note.harmful() { Level::Warn } else { Level::Info };
        // The host in the text too: `scpdeck cp` prints only the text.
        Self::new(level, &format!("{host}: {}", note.text())).host(host)
    }

    /// The line written to the log file by run `run` (see `file.rs`).
    pub fn file_line(&self, run: u64) -> String {
        let mut line = format!("{} {:<5}", self.time, self.level.label());
        if let Some(host) = &self.host {
            line.push_str(&format!(" host={host}"));
        }
        if let Some(job) = self.job {
            line.push_str(&format!(" job={job}"));
        }
        line.push_str(&format!(" run={run} "));
        line.push_str(&self.text);
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_host_are_escaped() {
        let event = Event::error("bad \x1b[31mname\nsecond").host("h\x07");
        assert!(!event.text.chars().any(|c| c.is_control()), "{:?}", event.text);
        assert!(!event.host.as_deref().unwrap_or("").chars().any(|c| c.is_control()));
        assert!(!event.file_line(1).contains('\n'));
    }

    #[test]
    fn banner_names_the_text_and_the_fix_and_stderr_alone_is_a_notice() {
        use crate::fs::remote::Capabilities;
        use crate::shell::Banner;
        let caps = Capabilities { login_shell: "/bin/bash".into(), ..Capabilities::default() };
        let banner = Banner { stdout: b"Welcome to \x1b[1mweb1\x1b[0m\n".to_vec(), stderr: Vec::new() };
        let event = Event::banner("web1", &BannerNote::of(&banner, &caps).unwrap());
        assert_eq!(event.level, Level::Warn);
        assert_eq!(event.host.as_deref(), Some("web1"));
        assert!(event.text.starts_with("web1: the login shell printed text"), "{}", event.text);
        assert!(event.text.contains("Welcome to \\e[1mweb1"), "{}", event.text);
        assert!(event.text.contains("~/.bashrc"), "{}", event.text);
        assert!(!event.text.contains('\x1b'));
        let motd = Banner { stdout: Vec::new(), stderr: b"motd\n".to_vec() };
        let event = Event::banner("web1", &BannerNote::of(&motd, &caps).unwrap());
        assert_eq!(event.level, Level::Info);
        assert!(event.text.contains("harmless"), "{}", event.text);
    }
}
