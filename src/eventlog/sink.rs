//! The handle every layer logs through. Events go to the UI (an unbounded
//! tokio channel drained by the app loop) and to a writer thread that owns
//! the log file, so no caller ever waits for a disk write.

use std::collections::HashMap;
use std::sync::mpsc as std_mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use tokio::sync::mpsc;

use super::event::Event;
use super::file::LogFile;
use crate::fs::remote::BannerNote;

#[derive(Clone, Debug, Default)]
pub struct LogSink {
    ui: Option<mpsc::UnboundedSender<Event>>,
    file: Option<std_mpsc::Sender<Entry>>,
    /// The login banners noted so far, by host: the lines of the last one.
    /// Every command on a talkative host sees the same text (each scp run
    /// of a job, each listing, each connection), and one note is enough.
    banners: Arc<Mutex<HashMap<String, BannerLines>>>,
}

/// What the writer thread is sent.
#[derive(Debug)]
enum Entry {
    Event(Event),
    /// Answer once everything sent before is written.
    Flush(std_mpsc::Sender<()>),
}

/// A banner's escaped lines, on standard output and on standard error.
type BannerLines = (Vec<String>, Vec<String>);

impl LogSink {
    /// A sink that drops everything (tests, commands without a log).
    pub fn discard() -> Self {
        Self::default()
    }

    /// A sink feeding the returned receiver and, when given, a log file.
    pub fn new(file: Option<LogFile>) -> (Self, mpsc::UnboundedReceiver<Event>) {
        let (ui, rx) = mpsc::unbounded_channel();
        let file = file.and_then(spawn_writer);
        (Self { ui: Some(ui), file, banners: Arc::default() }, rx)
    }

    /// Whether the note about `host`'s banner with these lines is the
    /// last one noted for the host.
    pub fn banner_noted(&self, host: &str, stdout: &[String], stderr: &[String]) -> bool {
        let noted = self.banners.lock().unwrap_or_else(|e| e.into_inner());
        noted.get(host).is_some_and(|(out, err)| out == stdout && err == stderr)
    }

    /// Records `note` as `host`'s; true when it is new (the host had no
    /// note, or one with other text), so that the caller logs it.
    pub fn first_banner(&self, host: &str, note: &BannerNote) -> bool {
        let mut noted = self.banners.lock().unwrap_or_else(|e| e.into_inner());
        let lines = (note.stdout.clone(), note.stderr.clone());
        if noted.get(host) == Some(&lines) {
            return false;
        }
        noted.insert(host.to_owned(), lines);
        true
    }

    pub fn emit(&self, event: Event) {
        // A closed receiver means the app is shutting down; the event has
        // nowhere left to go.
        self.to_file(event.clone());
        if let Some(ui) = &self.ui {
            let _ = ui.send(event);
        }
    }

    /// Writes `event` to the log file only: the commander's own messages,
    /// which it keeps in its log pane by itself.
    pub fn to_file(&self, event: Event) {
        if let Some(file) = &self.file {
            let _ = file.send(Entry::Event(event));
        }
    }

    /// Waits (at most `limit`) until every event sent so far is in the
    /// file: before the process exits.
    pub fn flush(&self, limit: Duration) {
        if let Some(file) = &self.file {
            let (tx, rx) = std_mpsc::channel();
            if file.send(Entry::Flush(tx)).is_ok() {
                let _ = rx.recv_timeout(limit);
            }
        }
    }
}

fn spawn_writer(mut file: LogFile) -> Option<std_mpsc::Sender<Entry>> {
    let (tx, rx) = std_mpsc::channel::<Entry>();
    let spawned = thread::Builder::new().name("scpdeck-log".into()).spawn(move || {
        let mut failed = false;
        for entry in rx {
            match entry {
                // One failure is enough to know the disk is full or gone;
                // the in-memory log still has everything.
                Entry::Event(event) => {
                    if !failed && file.write(&event).is_err() {
                        failed = true;
                    }
                }
                Entry::Flush(done) => {
                    let _ = done.send(());
                }
            }
        }
    });
    spawned.ok().map(|_| tx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hosts_banner_is_new_once_and_again_when_its_text_changes() {
        use crate::fs::remote::Capabilities;
        let caps = Capabilities::default();
        let note = |line: &str| BannerNote::new(vec![line.to_owned()], Vec::new(), &caps).unwrap();
        let sink = LogSink::discard();
        let shared = sink.clone();
        assert!(!sink.banner_noted("web1", &["hi".into()], &[]));
        assert!(sink.first_banner("web1", &note("hi")));
        assert!(shared.banner_noted("web1", &["hi".into()], &[]), "clones share what was noted");
        assert!(!shared.first_banner("web1", &note("hi")));
        assert!(shared.first_banner("web2", &note("hi")), "per host");
        assert!(sink.first_banner("web1", &note("changed")));
        assert!(!sink.banner_noted("web1", &["hi".into()], &[]));
    }

    #[tokio::test]
    async fn events_reach_the_receiver_and_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = LogFile::open(dir.path()).unwrap();
        let path = file.path();
        let (sink, mut rx) = LogSink::new(Some(file));
        sink.emit(Event::warn("hello").host("h"));
        assert_eq!(rx.recv().await.map(|e| e.text), Some("hello".to_string()));
        drop(sink);
        for _ in 0..100 {
            if std::fs::read_to_string(&path).unwrap_or_default().contains("hello") {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("the event never reached {}", path.display());
    }

    #[tokio::test]
    async fn to_file_skips_the_receiver_and_flush_waits_for_the_writer() {
        let dir = tempfile::tempdir().unwrap();
        let file = LogFile::open(dir.path()).unwrap();
        let path = file.path();
        let (sink, mut rx) = LogSink::new(Some(file));
        sink.to_file(Event::error("only in the file").host("h"));
        sink.flush(Duration::from_secs(10));
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("error host=h run=1 only in the file"), "{text}");
        assert!(rx.try_recv().is_err(), "the app logs its own messages itself");
    }
}
