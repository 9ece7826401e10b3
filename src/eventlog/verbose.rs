//! `-v`: what the layers say about their work, shown as it happens. The
//! ssh, shell, fs and scp layers speak through the `log` facade (nothing is
//! formatted unless a level is on); [`install`] turns it on for scpdeck's
//! own modules and hands each line, escaped, to the command's output (its
//! standard error, or the commander's log). The three levels:
//!
//! - `-v` (`log::info!`): the connection steps (address, handshake, host
//!   key, each authentication method tried and the one that worked) and
//!   the host's capability summary;
//! - `-vv` (`log::debug!`): each remote command and its exit status;
//! - `-vvv` (`log::trace!`): the SCP protocol records and replies.
//!
//! Never a secret: passwords, passphrases, keyboard-interactive answers and
//! key contents are never given to the facade (a test runs `-vvv` with all
//! of them and looks for them in the output).

use std::sync::{Arc, Mutex, OnceLock};

use super::event::Level;
use super::sink::LogSink;
use crate::text::escape_str;

/// One line for the output, escaped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerboseLine {
    /// 1 for `-v`, 2 for `-vv`, 3 for `-vvv`.
    pub depth: u8,
    /// The host whose connection thread said it, when it was one.
    pub host: Option<String>,
    pub text: String,
}

impl VerboseLine {
    /// The line as `ssh -v` prints its own: `debug1: host: text`.
    pub fn shown(&self) -> String {
        match &self.host {
            Some(host) => format!("debug{}: {host}: {}", self.depth, self.text),
            None => format!("debug{}: {}", self.depth, self.text),
        }
    }
}

/// Where the lines go.
pub type Output = Arc<dyn Fn(&VerboseLine) + Send + Sync>;

/// The level a count of `-v` turns on (0: none).
pub fn level_for(count: u8) -> log::LevelFilter {
    match count {
        0 => log::LevelFilter::Off,
        1 => log::LevelFilter::Info,
        2 => log::LevelFilter::Debug,
        _ => log::LevelFilter::Trace,
    }
}

struct Verbose {
    output: Output,
}

impl log::Log for Verbose {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::max_level() && metadata.target().starts_with("scpdeck")
    }

    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            (self.output)(&line_of(record.level(), &record.args().to_string()));
        }
    }

    fn flush(&self) {}
}

fn line_of(level: log::Level, text: &str) -> VerboseLine {
    let depth = match level {
        log::Level::Error | log::Level::Warn | log::Level::Info => 1,
        log::Level::Debug => 2,
        log::Level::Trace => 3,
    };
    VerboseLine { depth, host: thread_host(), text: escape_str(text) }
}

/// Connection threads are named `ssh HOST` (`ssh::Actor`) and `jump HOST`.
fn thread_host() -> Option<String> {
    let thread = std::thread::current();
    let name = thread.name()?;
    let host = name.strip_prefix("ssh ").or_else(|| name.strip_prefix("jump "))?;
    Some(escape_str(host))
}

/// Sends what the layers say at `count` `-v`s to `output`, for the rest of
/// the process. Does nothing for 0, or when called a second time.
pub fn install(count: u8, output: Output) {
    let level = level_for(count);
    if level == log::LevelFilter::Off {
        return;
    }
    if log::set_boxed_logger(Box::new(Verbose { output })).is_ok() {
        log::set_max_level(level);
    }
}

/// The commander's log, once it exists: [`to_log`] sends lines there.
static LOG: OnceLock<Mutex<Option<LogSink>>> = OnceLock::new();

/// Lets [`to_log`] reach `sink` (the commander calls this when it opens its
/// log).
pub fn attach(sink: &LogSink) {
    let slot = LOG.get_or_init(|| Mutex::new(None));
    *slot.lock().unwrap_or_else(|p| p.into_inner()) = Some(sink.clone());
}

/// An output that writes into the commander's log (its pane and file) at
/// info level, which the pane shows by default, for when standard error is
/// the screen it draws on.
pub fn to_log() -> Output {
    Arc::new(|line: &VerboseLine| {
        let Some(slot) = LOG.get() else { return };
        let sink = slot.lock().unwrap_or_else(|p| p.into_inner()).clone();
        if let Some(sink) = sink {
            let mut event = super::Event::new(Level::Info, &format!("debug{}: {}", line.depth, line.text));
            event.host = line.host.clone();
            sink.emit(event);
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_and_lines() {
        assert_eq!(level_for(0), log::LevelFilter::Off);
        assert_eq!(level_for(1), log::LevelFilter::Info);
        assert_eq!(level_for(2), log::LevelFilter::Debug);
        assert_eq!(level_for(7), log::LevelFilter::Trace);
        let line = line_of(log::Level::Trace, "scp < C0644 5 a\x1b[2Jb");
        assert_eq!(line.depth, 3);
        assert_eq!(line.text, "scp < C0644 5 a\\e[2Jb");
        let on_thread = std::thread::Builder::new()
            .name("ssh web1".into())
            .spawn(|| line_of(log::Level::Info, "connected").shown())
            .unwrap()
            .join()
            .unwrap();
        assert_eq!(on_thread, "debug1: web1: connected");
    }
}
