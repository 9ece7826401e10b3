//! One connected host as the file system sees it: what was probed about it
//! (capabilities, shell, what its login profile prints), found out once per
//! connection and kept in the connection's facts, so a reconnect probes
//! again. Everything that depends on the host (which listing method, which
//! `cp`, which checksum tool) is chosen from here.

use std::sync::{Arc, OnceLock};

use super::banner_note::BannerNote;
use super::caps::{Capabilities, has_sftp_subsystem};
use crate::fs::error::FsError;
use crate::shell::Banner;
use crate::ssh::Link;

/// What one connection's host is.
#[derive(Debug)]
pub struct Host {
    caps: Capabilities,
    /// Whether the server has an sftp subsystem: asked only when wanted
    /// (it costs three round trips that transfers never need).
    sftp: OnceLock<bool>,
}

impl Host {
    /// The host behind `link`, probed the first time on this connection.
    pub fn of(link: Link<'_>) -> Result<Arc<Host>, FsError> {
        link.facts().get_or_try_init(|| {
            let caps = Capabilities::probe_shell(link)?;
            for line in caps.summary() {
                log::info!("{line}");
            }
            Ok(Host { caps, sftp: OnceLock::new() })
        })
    }

    pub fn caps(&self) -> &Capabilities {
        &self.caps
    }

    /// What the login profile printed around the probe (every command
    /// prints the same; it is reported once per host).
    pub fn banner(&self) -> &Banner {
        &self.caps.banner
    }

    /// What to tell the user about the banner, if the profile prints one.
    pub fn banner_note(&self) -> Option<BannerNote> {
        BannerNote::of(&self.caps.banner, &self.caps)
    }

    /// The note for banner lines an scp run saw on this host.
    pub fn note_for(&self, stdout: Vec<String>, stderr: Vec<String>) -> Option<BannerNote> {
        BannerNote::new(stdout, stderr, &self.caps)
    }

    /// Whether the server offers the sftp subsystem (asked once).
    pub fn has_sftp(&self, link: Link<'_>) -> bool {
        *self.sftp.get_or_init(|| has_sftp_subsystem(link))
    }

    /// Lines for the log: what the host is and how scpdeck talks to it.
    pub fn summary(&self, link: Link<'_>) -> Vec<String> {
        let mut caps = self.caps.clone();
        caps.sftp = Some(self.has_sftp(link));
        caps.summary()
    }
}
