//! One connected host as the file system sees it: what was probed about it
//! (capabilities, shell, what its login profile prints), found out once per
//! connection and kept in the connection's facts, so a reconnect probes
//! again. Everything that depends on the host (which listing method, which
//! `cp`, which checksum tool) is chosen from here.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use super::banner_note::BannerNote;
use super::caps::{Capabilities, has_sftp_subsystem};
use super::protocol::Protocol;
use crate::fs::entry::Entry;
use crate::fs::error::FsError;
use crate::shell::Banner;
use crate::ssh::Link;

/// Paths the probe looks at too, set on a connection's facts before its
/// first use (`scpdeck cp` names its operands): their entries come back
/// with the probe, and the first `stat`/`lstat` of each on the connection
/// takes them instead of a command of its own.
#[derive(Debug, Default)]
pub struct Prelist(pub Vec<PathBuf>);

/// Why the probe failed on a connection: said again, not asked again.
struct ProbeFailed(FsError);

/// What one connection's host is.
#[derive(Debug)]
pub struct Host {
    caps: Capabilities,
    /// What the probe saw of the [`Prelist`], each taken once.
    prelisted: Mutex<Vec<(PathBuf, Entry)>>,
    /// Whether the server has an sftp subsystem: asked only when wanted
    /// (it costs three round trips that transfers never need).
    sftp: OnceLock<bool>,
    /// The rung was named with a failure already (once per connection).
    rung_said: std::sync::atomic::AtomicBool,
}

impl Host {
    /// The host behind `link`, probed the first time on this connection.
    /// A probe that failed fails every later call on the connection with
    /// its reason, without asking the host again (a tree's directories
    /// would each ask). Not kept: a lost connection (the next one probes)
    /// and sudo's refusal (a password typed wrong may be typed again).
    pub fn of(link: Link<'_>) -> Result<Arc<Host>, FsError> {
        if let Some(failed) = link.facts().get::<ProbeFailed>() {
            return Err(failed.0.clone());
        }
        let host = Self::probed(link);
        if let Err(e) = &host
            && !e.is_connection_lost()
            && !matches!(e, FsError::SudoRefused { .. })
        {
            link.facts().set(ProbeFailed(e.clone()));
        }
        host
    }

    fn probed(link: Link<'_>) -> Result<Arc<Host>, FsError> {
        link.facts().get_or_try_init(|| {
            let wanted = link.facts().get::<Prelist>().unwrap_or_default();
            let (caps, seen) = probe(link, &wanted.0)?;
            let prelisted: Vec<(PathBuf, Entry)> =
                wanted.0.iter().zip(seen).filter_map(|(p, e)| Some((p.clone(), e?))).collect();
            let lines = if caps.shell { caps.summary() } else { caps.sftp_only_summary() };
            for line in lines {
                log::info!("{line}");
            }
            let sftp = OnceLock::new();
            if let Some(known) = caps.sftp {
                let _ = sftp.set(known);
            }
            let prelisted = Mutex::new(prelisted);
            Ok(Host { caps, prelisted, sftp, rung_said: Default::default() })
        })
    }

    /// The probe's entry for `path` (a plain file or directory named in
    /// the [`Prelist`]), the first time it is asked for; later asks look
    /// again.
    pub fn take_prelisted(&self, path: &Path) -> Option<Entry> {
        let mut seen = self.prelisted.lock().unwrap_or_else(|e| e.into_inner());
        let at = seen.iter().position(|(p, _)| p == path)?;
        Some(seen.swap_remove(at).1)
    }

    /// The rung of the protocol ladder files travel by.
    pub fn protocol(&self) -> Protocol {
        self.caps.protocol
    }

    /// The line that names the rung, the first time a transfer on this
    /// connection fails (`None` after that).
    pub fn rung_note(&self) -> Option<String> {
        let first = !self.rung_said.swap(true, std::sync::atomic::Ordering::Relaxed);
        first.then(|| format!("files travel by {} ({})", self.caps.protocol, self.caps.protocol_why))
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
        if !self.caps.shell {
            return self.caps.sftp_only_summary();
        }
        let mut caps = self.caps.clone();
        caps.sftp = Some(self.has_sftp(link));
        caps.summary()
    }
}

/// The probe, and the rung it leads to (SFTP only where a client starts). A host whose shell does not run
/// the probe (an account with `ForceCommand internal-sftp` answers an exec
/// request with sftp-server, which takes the script for broken packets and
/// exits; a `nologin` shell refuses) is tried over SFTP before it fails.
fn probe(link: Link<'_>, paths: &[PathBuf]) -> Result<(Capabilities, Vec<Option<Entry>>), FsError> {
    match Capabilities::probe_with(link, paths) {
        Ok((mut caps, seen)) => {
            let mut asked = None;
            // SFTP runs as the login user: a host used as root copies with
            // `cat` under sudo instead.
            let as_root = link.facts().get::<crate::ssh::RootWanted>().is_some();
            let (protocol, why) =
                // A client that starts, not just a subsystem the server
                // names: a login profile that prints breaks SFTP.
                Protocol::choose(true, caps.scp.is_some(), &mut || {
                    !as_root && *asked.insert(crate::ssh::sftp::open(link).is_ok())
                });
            caps.sftp = asked;
            caps.protocol = protocol;
            caps.protocol_why = match (protocol, as_root) {
                (Protocol::Stream, true) => "the host has no scp, and SFTP would not run as root",
                _ => why,
            };
            Ok((caps, seen))
        }
        Err(e) if e.is_connection_lost() => Err(e),
        // As root, the probe's failure is sudo's (in its own words): SFTP
        // would act as the login user, so it is not tried.
        Err(e) if link.facts().get::<crate::ssh::RootWanted>().is_some() => Err(e),
        Err(e) => match crate::ssh::sftp::sftp(link) {
            Ok(channel) => {
                log::info!("remote: the shell did not run the probe ({e}); the sftp subsystem answers");
                let home = channel.0.realpath(std::path::Path::new(".")).ok();
                let mut caps = Capabilities::sftp_only(home);
                caps.protocol_why = Protocol::choose(false, false, &mut || true).1;
                Ok((caps, Vec::new()))
            }
            Err(_) => Err(e),
        },
    }
}
