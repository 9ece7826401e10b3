//! What the journal keeps of a job, as JSON (pure): the job as asked, its
//! state, and each item with its decisions and partial copy, so that a job
//! can be rebuilt as it was after a crash. Paths are bytes: a byte that is
//! not UTF-8, and `%` itself, are written `%XX`.

use std::collections::HashMap;
use std::ffi::OsString;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::fs::{Kind, Location};
use crate::jobs::item::{DestInfo, Item, ItemId, ItemKind, ItemState, Stage};
use crate::jobs::job::{Job, Target};
use crate::jobs::spec::{JobId, JobSpec, Mode, Options, OverwritePolicy, TargetKind};
use crate::jobs::task::{Partial, Place};

/// Bytes as text: UTF-8 as it is, `%` and other bytes as `%XX`.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c == '%' {
                out.push_str("%25");
            } else {
                out.push(c);
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The bytes [`encode`] wrote.
pub fn decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

fn path_text(path: &std::path::Path) -> String {
    encode(path.as_os_str().as_bytes())
}

fn text_path(text: &str) -> Option<PathBuf> {
    decode(text).map(|b| PathBuf::from(OsString::from_vec(b)))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocationRecord {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    pub path: String,
}

impl LocationRecord {
    pub fn of(location: &Location) -> Self {
        Self { host: location.host().map(String::from), path: path_text(location.path()) }
    }

    pub fn location(&self) -> Option<Location> {
        let path = text_path(&self.path)?;
        Some(match &self.host {
            Some(host) => Location::Remote { host: host.clone(), path },
            None => Location::Local(path),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptionsRecord {
    pub preserve: bool,
    pub overwrite: String,
    pub verify: bool,
    pub direct: bool,
    pub limit_kbit: Option<u64>,
    pub files_only: bool,
    #[serde(default)]
    pub resume: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub follow_links: bool,
}

/// What a job was asked to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecRecord {
    pub mode: String,
    pub sources: Vec<LocationRecord>,
    pub target: LocationRecord,
    pub target_kind: String,
    pub options: OptionsRecord,
}

impl SpecRecord {
    pub fn of(spec: &JobSpec) -> Self {
        let o = &spec.options;
        Self {
            mode: match spec.mode {
                Mode::Copy => "copy".into(),
                Mode::Move => "move".into(),
            },
            sources: spec.sources.iter().map(LocationRecord::of).collect(),
            target: LocationRecord::of(&spec.target),
            target_kind: match spec.target_kind {
                TargetKind::Dir => "dir".into(),
                TargetKind::Auto => "auto".into(),
            },
            options: OptionsRecord {
                preserve: o.preserve,
                overwrite: o.overwrite.name().into(),
                verify: o.verify,
                direct: o.direct,
                limit_kbit: o.limit_kbit,
                files_only: o.files_only,
                resume: o.resume,
                follow_links: o.follow_links,
            },
        }
    }

    pub fn spec(&self) -> Option<JobSpec> {
        let o = &self.options;
        Some(JobSpec {
            mode: match self.mode.as_str() {
                "copy" => Mode::Copy,
                "move" => Mode::Move,
                _ => return None,
            },
            sources: self.sources.iter().map(LocationRecord::location).collect::<Option<_>>()?,
            target: self.target.location()?,
            target_kind: match self.target_kind.as_str() {
                "dir" => TargetKind::Dir,
                "auto" => TargetKind::Auto,
                _ => return None,
            },
            options: Options {
                preserve: o.preserve,
                overwrite: OverwritePolicy::from_name(&o.overwrite)?,
                verify: o.verify,
                direct: o.direct,
                limit_kbit: o.limit_kbit,
                files_only: o.files_only,
                resume: o.resume,
                follow_links: o.follow_links,
            },
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DestRecord {
    pub kind: String,
    pub size: u64,
    pub mtime: Option<i64>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub link: bool,
}

impl DestRecord {
    fn of(info: &DestInfo) -> Self {
        Self { kind: info.kind.name().into(), size: info.size, mtime: info.mtime, link: info.link }
    }

    fn info(&self) -> DestInfo {
        DestInfo { kind: Kind::from_name(&self.kind), size: self.size, mtime: self.mtime, link: self.link }
    }
}

/// The job as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobRecord {
    pub spec: SpecRecord,
    pub policy: String,
    pub paused: bool,
    pub cancelled: bool,
    pub error: Option<String>,
    /// `unknown`, `into` (a directory), `as` (copied under the target's
    /// name; `existing` is what was there).
    pub target: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub existing: Option<DestRecord>,
    /// A job that only removes leftover temporary files.
    #[serde(default, skip_serializing_if = "is_false")]
    pub cleanup: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl JobRecord {
    pub fn of(job: &Job) -> Self {
        let (target, existing) = match &job.target {
            Target::Into => ("into", None),
            Target::As(existing) => ("as", existing.as_ref().map(DestRecord::of)),
            Target::Unknown | Target::Probing => ("unknown", None),
        };
        Self {
            spec: SpecRecord::of(&job.spec),
            policy: job.policy.name().into(),
            paused: job.paused,
            cancelled: job.cancelled,
            error: job.error.clone(),
            target: target.into(),
            existing,
            cleanup: job.cleanup,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartialRecord {
    pub temp: String,
    pub size: u64,
    pub mtime: Option<i64>,
}

/// One item: where it is, what was decided about it, how far it got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemRecord {
    pub rel: String,
    pub source: LocationRecord,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dest: Option<LocationRecord>,
    pub dir: bool,
    /// A symbolic link copied as a link: its target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    pub size: u64,
    pub mode: u32,
    pub mtime: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<u32>,
    /// `unscanned`, `unresolved`, `asking`, `ready`, `confirmed`, `done`,
    /// `skipped`, `failed`, `cancelled` (busy states are written as where
    /// they resume).
    pub state: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub bytes: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub existing: Option<DestRecord>,
    /// `replace`, `no-replace`, `into`, `keep-both N`.
    pub place: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partial: Option<PartialRecord>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

fn stage_name(stage: Stage) -> &'static str {
    match stage {
        Stage::Scan => "scan",
        Stage::Resolve => "resolve",
        Stage::Create => "create",
        Stage::Transfer => "transfer",
        Stage::Delete => "delete",
    }
}

fn stage_of(name: Option<&str>) -> Stage {
    match name {
        Some("scan") => Stage::Scan,
        Some("create") => Stage::Create,
        Some("transfer") => Stage::Transfer,
        Some("delete") => Stage::Delete,
        _ => Stage::Resolve,
    }
}

impl ItemRecord {
    pub fn of(item: &Item) -> Self {
        let (state, stage, reason): (&str, Option<Stage>, Option<String>) = match &item.state {
            ItemState::Unscanned | ItemState::Scanning => ("unscanned", None, None),
            ItemState::Unresolved => ("unresolved", None, None),
            ItemState::Asking => ("asking", None, None),
            ItemState::Ready | ItemState::Creating | ItemState::Transferring => ("ready", None, None),
            ItemState::Confirmed | ItemState::Deleting => ("confirmed", None, None),
            ItemState::Done => ("done", None, None),
            ItemState::Skipped(reason) => ("skipped", None, Some(reason.clone())),
            ItemState::Failed { stage, reason } => ("failed", Some(*stage), Some(reason.clone())),
            ItemState::Cancelled(stage) => ("cancelled", Some(*stage), None),
        };
        Self {
            rel: path_text(&item.rel),
            source: LocationRecord::of(&item.source),
            dest: item.dest.as_ref().map(LocationRecord::of),
            dir: item.kind == ItemKind::Dir,
            link: item.link.as_deref().filter(|_| item.kind == ItemKind::Link).map(path_text),
            size: item.size,
            mode: item.mode,
            mtime: item.mtime,
            parent: item.parent.map(|p| p.0),
            state: state.into(),
            stage: stage.map(|s| stage_name(s).into()),
            reason,
            bytes: if item.partial.is_some() { item.bytes } else { 0 },
            existing: item.existing.as_ref().map(DestRecord::of),
            place: match item.place {
                Place::Replace => "replace".into(),
                Place::NoReplace => "no-replace".into(),
                Place::Into => "into".into(),
                Place::KeepBoth { from } => format!("keep-both {from}"),
            },
            after: item.after.map(|a| a.0),
            partial: item.partial.as_ref().map(|p| PartialRecord {
                temp: path_text(&p.temp),
                size: p.size,
                mtime: p.mtime,
            }),
        }
    }

    /// The item as it resumes: nothing is in flight after a restart.
    pub fn item(&self) -> Option<Item> {
        let state = match self.state.as_str() {
            "unscanned" => ItemState::Unscanned,
            "unresolved" => ItemState::Unresolved,
            "asking" => ItemState::Asking,
            "ready" => ItemState::Ready,
            "confirmed" => ItemState::Confirmed,
            "done" => ItemState::Done,
            "skipped" => ItemState::Skipped(self.reason.clone().unwrap_or_default()),
            "failed" => ItemState::Failed {
                stage: stage_of(self.stage.as_deref()),
                reason: self.reason.clone().unwrap_or_default(),
            },
            "cancelled" => ItemState::Cancelled(stage_of(self.stage.as_deref())),
            _ => return None,
        };
        let place = match self.place.as_str() {
            "replace" => Place::Replace,
            "no-replace" => Place::NoReplace,
            "into" => Place::Into,
            other => Place::KeepBoth { from: other.strip_prefix("keep-both ")?.parse().ok()? },
        };
        let partial = match &self.partial {
            Some(p) => Some(Partial { temp: text_path(&p.temp)?, size: p.size, mtime: p.mtime }),
            None => None,
        };
        let done = matches!(state, ItemState::Done | ItemState::Confirmed);
        let bytes = if done {
            self.size
        } else if partial.is_some() {
            self.bytes.min(self.size)
        } else {
            0
        };
        Some(Item {
            rel: text_path(&self.rel)?,
            source: self.source.location()?,
            dest: match &self.dest {
                Some(d) => Some(d.location()?),
                None => None,
            },
            kind: match (self.dir, &self.link) {
                (true, _) => ItemKind::Dir,
                (false, Some(_)) => ItemKind::Link,
                (false, None) => ItemKind::File,
            },
            size: self.size,
            mode: self.mode,
            mtime: self.mtime,
            link: match &self.link {
                Some(target) => Some(text_path(target)?),
                None => None,
            },
            parent: self.parent.map(ItemId),
            state,
            bytes,
            sent: bytes,
            existing: self.existing.as_ref().map(DestRecord::info),
            place,
            after: self.after.map(ItemId),
            drops: 0,
            partial,
            // Nothing of it was moved by this run.
            base: bytes,
            resumed_at: None,
        })
    }
}

/// A job rebuilt from its records; `None` when they do not make one (a
/// record from another version, a torn file). Paused when anything was
/// left to do, so that nothing starts before the user says so.
pub fn restore(id: JobId, job: &JobRecord, items: &[ItemRecord]) -> Option<Job> {
    let spec = job.spec.spec()?;
    let mut restored = Job::new(id, spec);
    restored.items = items.iter().map(ItemRecord::item).collect::<Option<Vec<_>>>()?;
    let count = restored.items.len() as u32;
    let linked = |id: Option<ItemId>| id.is_none_or(|i| i.0 < count);
    if restored.items.is_empty() || restored.items.iter().any(|i| !linked(i.parent) || !linked(i.after)) {
        return None;
    }
    restored.policy = OverwritePolicy::from_name(&job.policy)?;
    restored.cancelled = job.cancelled;
    restored.cleanup = job.cleanup;
    restored.error = job.error.clone();
    restored.target = match job.target.as_str() {
        "into" => Target::Into,
        "as" => Target::As(job.existing.as_ref().map(DestRecord::info)),
        _ => Target::Unknown,
    };
    let mut claims = HashMap::new();
    for (n, item) in restored.items.iter().enumerate() {
        if let (true, Some(dest)) = (item.kind.is_leaf(), &item.dest) {
            claims.insert(dest.clone(), ItemId(n as u32));
        }
    }
    restored.claims = claims;
    restored.paused = job.paused || !restored.all_terminal();
    Some(restored)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_round_trip_whatever_their_bytes() {
        for bytes in [&b"plain/a b"[..], b"100%", b"\xff\xfe/x\n", "é/ü".as_bytes(), b""] {
            let text = encode(bytes);
            assert_eq!(decode(&text).as_deref(), Some(bytes), "{text}");
        }
        assert_eq!(encode(b"a%\xff"), "a%25%FF");
        assert_eq!(decode("%G1"), None);
        assert_eq!(decode("%4"), None);
    }
}
