//! Which rung of the protocol ladder a transfer takes, from what the
//! host's probe chose (`fs::remote::Protocol`): the SCP engine, or the
//! lower rungs' drivers (`scp::rung`) over SFTP or `cat`.

use std::path::{Path, PathBuf};

use crate::eventlog::Event;
use crate::fs::remote::Protocol;
use crate::fs::{FileSystem, RemoteFs};
use crate::jobs::backend::Reporter;
use crate::jobs::task::BatchItem;
use crate::scp::rung::{End, Expected};
use crate::ssh::Link;

/// The host's rung (SCP when the host cannot be probed: the engine then
/// says why in its own words).
pub(super) fn protocol(link: Link<'_>) -> Protocol {
    RemoteFs::open(link).map_or(Protocol::Scp, |fs| fs.host().protocol())
}

/// The lower-rung end for the host behind `link` on `protocol`: its SFTP
/// channel on the SFTP rung; its shell otherwise (a host on the SCP rung
/// has one, so a relay to or from a lower rung reads and writes it with
/// `cat`).
pub(super) fn end<'s>(link: Link<'s>, protocol: Protocol) -> End<'s> {
    match (protocol, RemoteFs::open(link).ok().and_then(|fs| fs.rung())) {
        (Protocol::Scp, _) | (_, None) => End::Stream(link),
        (_, Some(end)) => end,
    }
}

/// What the scan found about each item's source.
pub(super) fn expected(items: &[&BatchItem]) -> Vec<Expected> {
    items.iter().map(|i| Expected { size: i.size, mode: i.mode, mtime: i.mtime }).collect()
}

/// Says in the log which rung moves `count` file(s).
pub(super) fn say(r: &Reporter, host: &str, protocol: Protocol, what: &str) {
    r.log(Event::debug(&format!("{protocol}: {what}")).host(host));
}

/// With "preserve", sets the modes and times of copies a lower rung wrote
/// (`cat` cannot, and SFTP's are set the same way); failures fail those
/// files.
pub(super) fn preserve(
    link: Link<'_>,
    copies: &[(PathBuf, &BatchItem)],
) -> Result<Vec<Option<String>>, crate::fs::FsError> {
    let fs = RemoteFs::open(link)?;
    let mut failed = vec![None; copies.len()];
    for (k, (path, item)) in copies.iter().enumerate() {
        if let Err(e) = fs.chmod(std::slice::from_ref(path), item.mode & 0o7777, false) {
            if e.is_connection_lost() {
                return Err(e);
            }
            failed[k] = Some(e.to_string());
        }
    }
    let timed: Vec<(&Path, i64)> =
        copies.iter().filter_map(|(path, item)| item.mtime.map(|t| (path.as_path(), t))).collect();
    let which: Vec<usize> = (0..copies.len()).filter(|&k| copies[k].1.mtime.is_some()).collect();
    for (&k, result) in which.iter().zip(fs.set_times(&timed)?) {
        if let Err(e) = result {
            failed[k].get_or_insert(e.to_string());
        }
    }
    Ok(failed)
}

/// A direct copy runs `scp` on the source towards the destination's
/// `scp`: both must be on the SCP rung. Otherwise the files are relayed
/// through this machine, and the log says why.
pub(super) fn direct_possible(
    from: Link<'_>,
    from_host: &str,
    to: Link<'_>,
    to_host: &str,
    r: &Reporter,
) -> bool {
    let off =
        [(protocol(from), from_host), (protocol(to), to_host)].into_iter().find(|(p, _)| *p != Protocol::Scp);
    match off {
        None => true,
        Some((p, host)) => {
            r.log(
                Event::warn(&format!(
                    "a direct copy needs scp on both hosts, and {host} is on the {p} rung: relayed through this machine"
                ))
                .host(host),
            );
            false
        }
    }
}

/// After a failure on a lower rung: the rung and why, once per connection,
/// so that the first failure says how the files travelled.
pub(super) fn failed(link: Link<'_>, host: &str, r: &Reporter) {
    if let Some(note) = RemoteFs::open(link).ok().and_then(|fs| fs.host().rung_note()) {
        r.log(Event::warn(&note).host(host));
    }
}
