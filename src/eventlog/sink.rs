//! The handle every layer logs through. Events go to the UI (an unbounded
//! tokio channel drained by the app loop) and to a writer thread that owns
//! the log file, so no caller ever waits for a disk write.

use std::sync::mpsc as std_mpsc;
use std::thread;

use tokio::sync::mpsc;

use super::event::Event;
use super::file::LogFile;

#[derive(Clone, Debug, Default)]
pub struct LogSink {
    ui: Option<mpsc::UnboundedSender<Event>>,
    file: Option<std_mpsc::Sender<Event>>,
}

impl LogSink {
    /// A sink that drops everything (tests, commands without a log).
    pub fn discard() -> Self {
        Self::default()
    }

    /// A sink feeding the returned receiver and, when given, a log file.
    pub fn new(file: Option<LogFile>) -> (Self, mpsc::UnboundedReceiver<Event>) {
        let (ui, rx) = mpsc::unbounded_channel();
        let file = file.and_then(spawn_writer);
        (Self { ui: Some(ui), file }, rx)
    }

    pub fn emit(&self, event: Event) {
        // A closed receiver means the app is shutting down; the event has
        // nowhere left to go.
        if let Some(file) = &self.file {
            let _ = file.send(event.clone());
        }
        if let Some(ui) = &self.ui {
            let _ = ui.send(event);
        }
    }
}

fn spawn_writer(mut file: LogFile) -> Option<std_mpsc::Sender<Event>> {
    let (tx, rx) = std_mpsc::channel::<Event>();
    let spawned = thread::Builder::new().name("scpdeck-log".into()).spawn(move || {
        let mut failed = false;
        for event in rx {
            // One failure is enough to know the disk is full or gone; the
            // in-memory log still has everything.
            if !failed && file.write(&event).is_err() {
                failed = true;
            }
        }
    });
    spawned.ok().map(|_| tx)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
