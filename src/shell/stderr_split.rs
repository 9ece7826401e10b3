//! Separating a channel's stderr into banner text and the command's own.

use super::marker::{MarkerScanner, Scan};

/// Separates a channel's stderr into banner text and the command's own.
#[derive(Debug, Clone)]
pub struct StderrSplit {
    scanner: Option<MarkerScanner>,
    banner: Vec<u8>,
    command: Vec<u8>,
}

impl StderrSplit {
    pub(super) fn new(scanner: MarkerScanner) -> Self {
        Self { scanner: Some(scanner), banner: Vec::new(), command: Vec::new() }
    }

    /// Adds stderr bytes read from the channel.
    pub fn push(&mut self, bytes: &[u8]) {
        match self.scanner.as_mut() {
            None => self.command.extend_from_slice(bytes),
            Some(scanner) => {
                if let Scan::Found(after) = scanner.feed(bytes) {
                    self.command.extend_from_slice(after);
                    if let Some(done) = self.scanner.take() {
                        self.banner = done.into_preamble();
                    }
                }
            }
        }
    }

    /// Stderr printed by the login profile (so far).
    pub fn banner(&self) -> &[u8] {
        match &self.scanner {
            Some(scanner) => scanner.preamble(),
            None => &self.banner,
        }
    }

    /// True once the marker has arrived: [`StderrSplit::banner`] is complete.
    pub fn marker_seen(&self) -> bool {
        self.scanner.is_none()
    }

    /// Stderr printed by the command itself (so far).
    pub fn command(&self) -> &[u8] {
        &self.command
    }

    /// Puts back the command's stderr that followed sudo's marker (see
    /// [`super::sudo`]), which took everything before it.
    pub(super) fn restore_command(&mut self, bytes: Vec<u8>) {
        self.command = bytes;
    }

    /// Takes the command's stderr collected so far, leaving it empty.
    pub fn take_command(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.command)
    }
}
