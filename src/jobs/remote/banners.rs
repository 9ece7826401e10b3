//! Login banners, noted once per host: every command on a host with a
//! talkative profile sees the same text (every scp run of a job, every
//! listing, every connection), so the log notes it the first time, and
//! again only when a connection shows different text (the log keeps
//! what was noted: [`crate::eventlog::LogSink::first_banner`]).

use crate::fs::RemoteFs;
use crate::jobs::backend::Reporter;
use crate::ssh::Link;

/// Banner lines one engine run saw on a host (escaped, by stream).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Seen {
    pub host: String,
    pub stdout: Vec<String>,
    pub stderr: Vec<String>,
}

/// Notes what an engine run saw on the host behind `link` (unless noted
/// already), with the fix for that host's login shell, which its probe
/// knows (made now if this connection has none yet). Without the probe
/// (the connection went) it waits for the next sighting.
pub(super) fn seen(link: Link<'_>, seen: &Seen, r: &Reporter) {
    if r.banner_noted(&seen.host, &seen.stdout, &seen.stderr) {
        return;
    }
    if let Ok(fs) = RemoteFs::open(link)
        && let Some(note) = fs.host().note_for(seen.stdout.clone(), seen.stderr.clone())
    {
        r.banner(&seen.host, &note);
    }
}
