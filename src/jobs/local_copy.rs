//! One local to local file copy: into a temporary file beside the
//! destination, checked (with verification on), then placed as the item's
//! [`Place`] says; into the destination itself when it is a device or a
//! pipe, or, for an existing writable file, when no temporary file is
//! possible (as scp does, and said in the log).

use std::fs::{File, OpenOptions, Permissions};
use std::io::{self, Read, Seek, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::time::{Duration, Instant, UNIX_EPOCH};

use sha2::{Digest as _, Sha256};

use super::landing::{in_place_cure, in_place_note, land, writable_file};
use super::task::{Digest, Outcome, Partial, Place, compare_digests};
use crate::fs::local::{sha256, sha256_range};
use crate::fs::{ByteRange, FileSystem, Location};
use crate::scp::Throttle;

const CHUNK: usize = 256 * 1024;
/// Progress reports at most this often per file.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// One local to local file copy.
pub(super) struct FileCopy<'a> {
    pub source: &'a Path,
    pub dest: &'a Location,
    /// The source's permission bits.
    pub mode: u32,
    pub mtime: Option<i64>,
    /// Keep mode and modification time exactly.
    pub preserve: bool,
    pub place: Place,
    /// Compare sha256 of the source and the copy before placing it.
    pub verify: bool,
    /// A partial copy an earlier attempt left: continued when it still
    /// matches the source, else removed and the file copied anew.
    pub resume: Option<&'a Partial>,
}

/// Why a copy stopped.
#[derive(Debug)]
pub(super) enum CopyError {
    Cancelled,
    Failed(String),
}

/// How a copy ended, and a note for the log when it was not atomic.
#[derive(Debug)]
pub(super) struct Copied {
    pub outcome: Outcome,
    pub note: Option<String>,
}

/// Everything a copy loop needs besides the files.
pub(super) struct Pace<'a> {
    pub throttle: Option<&'a Throttle>,
    pub cancelled: &'a dyn Fn() -> bool,
    pub progress: &'a mut dyn FnMut(u64),
    /// What becomes of the copy's temporary file: kept as a partial copy
    /// (from its creation on: a cancel keeps it) or removed (`None`).
    pub partial: &'a mut dyn FnMut(Option<Partial>),
    /// The copy continues from a partial copy at this offset.
    pub resumed: &'a mut dyn FnMut(u64),
    /// Why a partial copy could not be continued.
    pub restarted: &'a mut dyn FnMut(&str),
}

pub(super) fn copy_file(copy: &FileCopy, pace: &mut Pace) -> Result<Copied, CopyError> {
    let dest = copy.dest.path();
    let special = std::fs::metadata(dest).is_ok_and(|m| !m.is_file() && !m.is_dir());
    if copy.place == Place::Into || special {
        let mut out = OpenOptions::new().write(true).open(dest).map_err(|e| failed(dest, e))?;
        pump(copy.source, 0, &mut out, pace).map_err(|e| e.describe(copy.source, dest))?;
        return Ok(Copied { outcome: Outcome::Done, note: None });
    }
    let dir = dest.parent().ok_or_else(|| CopyError::Failed("the destination has no directory".into()))?;
    if let Some(partial) = copy.resume {
        match resume_plan(copy, partial, pace) {
            Ok(offset) => return resume(copy, &partial.temp, offset, pace),
            Err(why) => {
                (pace.restarted)(&why);
                let _ = std::fs::remove_file(&partial.temp);
                (pace.partial)(None);
            }
        }
    }
    let temp = match temp_file(dir, dest, copy.mode) {
        Ok(temp) => temp,
        Err(e) => return in_place(copy, pace, &e),
    };
    let basis = std::fs::metadata(copy.source).map_err(|e| failed(copy.source, e))?;
    (pace.partial)(Some(Partial {
        temp: temp.path().to_path_buf(),
        size: basis.len(),
        mtime: Some(basis.mtime()),
    }));
    let source_digest = match pump(copy.source, 0, temp.as_file(), pace) {
        Ok(digest) => digest,
        Err(Pumped::Cancelled) => {
            // Kept: resumed where it stopped.
            let _ = temp.keep();
            return Err(CopyError::Cancelled);
        }
        Err(Pumped::Write(e)) if in_place_cure(&e).is_some() => {
            // Frees the space before the copy is tried again in place.
            drop(temp);
            (pace.partial)(None);
            return in_place(copy, pace, &e);
        }
        Err(e) => {
            (pace.partial)(None);
            return Err(e.describe(copy.source, dest));
        }
    };
    let (_, temp_path) = temp.keep().map_err(|e| failed(dest, e.error))?;
    let digest = copy.verify.then_some(source_digest);
    settle(copy, &temp_path, digest, pace)
}

/// Attributes, the check (with verification on; `source_digest` when it is
/// known already), placement. A failure removes the copy.
fn settle(
    copy: &FileCopy,
    temp: &Path,
    source_digest: Option<Digest>,
    pace: &mut Pace,
) -> Result<Copied, CopyError> {
    let dest = copy.dest.path();
    let finished = OpenOptions::new()
        .write(true)
        .open(temp)
        .and_then(|file| finish_attributes(&file, copy).and_then(|()| file.sync_all()))
        .map_err(|e| failed(dest, e));
    if (pace.cancelled)() && finished.is_ok() {
        return Err(CopyError::Cancelled);
    }
    let checked = finished.and_then(|()| {
        if !copy.verify {
            return Ok(());
        }
        let source = match source_digest {
            Some(digest) => digest,
            None => sha256(copy.source, pace.cancelled).map_err(|e| CopyError::Failed(e.to_string()))?,
        };
        let copied = sha256(temp, pace.cancelled).map_err(|e| CopyError::Failed(e.to_string()))?;
        compare_digests(&source, &copied).map_err(CopyError::Failed)
    });
    let outcome = match checked {
        Err(CopyError::Cancelled) => return Err(CopyError::Cancelled),
        Err(e) => Err(e),
        Ok(()) => land(temp, copy.dest, copy.place).map_err(CopyError::Failed),
    };
    if outcome.is_err() {
        let _ = std::fs::remove_file(temp);
        (pace.partial)(None);
    }
    Ok(Copied { outcome: outcome?, note: None })
}

/// Where a partial copy continues, after checking that it still matches
/// its source (see `remote/resume.rs`, the same rules); or why not.
fn resume_plan(copy: &FileCopy, partial: &Partial, pace: &Pace) -> Result<u64, String> {
    let have = match std::fs::metadata(&partial.temp) {
        Ok(m) if m.is_file() => m.len(),
        _ => return Err("it is gone".into()),
    };
    let source = crate::fs::LocalFs::new()
        .stat(&[copy.source])
        .ok()
        .and_then(|mut s| s.pop())
        .and_then(Result::ok)
        .flatten();
    let plan = super::resume_plan::plan(partial, source.as_ref(), have, have)?;
    let (start, len) = plan.check;
    let theirs = ByteRange { path: copy.source, start, len: Some(len) };
    let ours = ByteRange { path: &partial.temp, start, len: Some(len) };
    let digest = |range: &ByteRange| sha256_range(range, pace.cancelled).map_err(|e| e.to_string());
    if digest(&theirs)? != digest(&ours)? {
        return Err(format!("its last {} differ from the source", crate::text::human_size(len)));
    }
    Ok(plan.offset)
}

/// The rest of the file from `offset` into the partial copy `temp`, then
/// as any copy.
fn resume(copy: &FileCopy, temp: &Path, offset: u64, pace: &mut Pace) -> Result<Copied, CopyError> {
    let dest = copy.dest.path();
    (pace.resumed)(offset);
    let mut out = OpenOptions::new().write(true).open(temp).map_err(|e| failed(dest, e))?;
    out.set_len(offset).and_then(|()| out.seek(io::SeekFrom::Start(offset))).map_err(|e| failed(dest, e))?;
    match pump(copy.source, offset, &mut out, pace) {
        Ok(_) => {}
        Err(Pumped::Cancelled) => return Err(CopyError::Cancelled),
        Err(e) => {
            let _ = std::fs::remove_file(temp);
            (pace.partial)(None);
            return Err(e.describe(copy.source, dest));
        }
    }
    drop(out);
    settle(copy, temp, None, pace)
}

/// The copy written straight into an existing writable file, when `why`
/// rules out a temporary one (and the policy replaces the file anyway).
fn in_place(copy: &FileCopy, pace: &mut Pace, why: &io::Error) -> Result<Copied, CopyError> {
    let dest = copy.dest.path();
    let cure = in_place_cure(why).filter(|_| copy.place == Place::Replace && writable_file(dest));
    let Some(cure) = cure else {
        return Err(failed(dest, io::Error::new(why.kind(), why.to_string())));
    };
    let shown = crate::text::escape_bytes(dest.as_os_str().as_bytes());
    let spoilt = |e: CopyError| match e {
        CopyError::Failed(reason) => CopyError::Failed(format!(
            "{reason} (it was being replaced in place because {cure}; it is now incomplete)"
        )),
        CopyError::Cancelled => CopyError::Failed(format!(
            "{shown}: cancelled while it was being replaced in place because {cure}; it is now incomplete"
        )),
    };
    let mut out = OpenOptions::new().write(true).open(dest).map_err(|e| failed(dest, e))?;
    pump(copy.source, 0, &mut out, pace).map_err(|e| spoilt(e.describe(copy.source, dest)))?;
    let length = out.stream_position().map_err(|e| spoilt(failed(dest, e)))?;
    out.set_len(length).map_err(|e| spoilt(failed(dest, e)))?;
    finish_attributes(&out, copy).map_err(|e| failed(dest, e))?;
    Ok(Copied { outcome: Outcome::Done, note: Some(in_place_note(&shown, cure)) })
}

/// Why [`pump`] stopped.
enum Pumped {
    Cancelled,
    Read(io::Error),
    Write(io::Error),
}

impl Pumped {
    fn describe(self, source: &Path, dest: &Path) -> CopyError {
        match self {
            Pumped::Cancelled => CopyError::Cancelled,
            Pumped::Read(e) => failed(source, e),
            Pumped::Write(e) => failed(dest, e),
        }
    }
}

/// Reads `source` from `from` to its end into `out`, paced and
/// cancellable; returns the sha256 of what was read.
fn pump(source: &Path, from: u64, mut out: impl Write, pace: &mut Pace) -> Result<[u8; 32], Pumped> {
    let mut input = crate::scp::open_regular(source).map_err(Pumped::Read)?;
    input.seek(io::SeekFrom::Start(from)).map_err(Pumped::Read)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; CHUNK];
    let mut done = from;
    let mut reported = Instant::now();
    loop {
        if (pace.cancelled)() {
            return Err(Pumped::Cancelled);
        }
        let n = input.read(&mut buffer).map_err(Pumped::Read)?;
        if n == 0 {
            break;
        }
        if let Some(throttle) = pace.throttle {
            // In short naps, so that a cancel is still noticed at once.
            let until = Instant::now() + throttle.reserve(n as u64);
            while !(pace.cancelled)() && Instant::now() < until {
                std::thread::sleep(
                    until.saturating_duration_since(Instant::now()).min(Duration::from_millis(50)),
                );
            }
        }
        out.write_all(&buffer[..n]).map_err(Pumped::Write)?;
        hasher.update(&buffer[..n]);
        done += n as u64;
        if reported.elapsed() >= PROGRESS_EVERY {
            (pace.progress)(done);
            reported = Instant::now();
        }
    }
    (pace.progress)(done);
    Ok(hasher.finalize().into())
}

fn finish_attributes(file: &File, copy: &FileCopy) -> io::Result<()> {
    if !copy.preserve {
        return Ok(());
    }
    file.set_permissions(Permissions::from_mode(copy.mode & 0o7777))?;
    if let Some(secs) = copy.mtime {
        let time = if secs >= 0 {
            UNIX_EPOCH + Duration::from_secs(secs as u64)
        } else {
            UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs())
        };
        file.set_modified(time)?;
    }
    Ok(())
}

/// A temporary file beside `dest`, with a short name (`.NAME.XXXXXX.scpdeck`,
/// at most 16 bytes of the name) so that a destination path near the
/// system's limit still has room for it. New files get the source's
/// permission bits less the umask, like scp and cp.
pub(super) fn temp_file(dir: &Path, dest: &Path, mode: u32) -> io::Result<tempfile::NamedTempFile> {
    let name = dest.file_name().map(|n| n.as_bytes()).unwrap_or_default();
    let short = String::from_utf8_lossy(&name[..name.len().min(16)]).into_owned();
    tempfile::Builder::new()
        .prefix(&format!(".{short}."))
        .suffix(".scpdeck")
        .rand_bytes(6)
        .permissions(Permissions::from_mode(mode & 0o777))
        .tempfile_in(dir)
}

fn failed(path: &Path, e: io::Error) -> CopyError {
    CopyError::Failed(describe(path, &e))
}

/// `PATH: the system's error`, escaped.
pub(super) fn describe(path: &Path, error: &io::Error) -> String {
    format!(
        "{}: {}",
        crate::text::escape_bytes(path.as_os_str().as_bytes()),
        crate::text::escape_str(&error.to_string())
    )
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::os::unix::fs::{FileTypeExt, MetadataExt};
    use std::path::PathBuf;

    use super::*;

    fn copy_to<'a>(source: &'a Path, dest: &'a Location, place: Place, verify: bool) -> FileCopy<'a> {
        FileCopy {
            source,
            dest,
            mode: 0o640,
            mtime: Some(1_000_000),
            preserve: true,
            place,
            verify,
            resume: None,
        }
    }

    /// What a copy reported besides its result.
    #[derive(Default)]
    struct Reports {
        progress: Vec<u64>,
        partial: Vec<Option<Partial>>,
        resumed: Vec<u64>,
        restarted: Vec<String>,
    }

    fn run_with(copy: &FileCopy, cancel: &dyn Fn() -> bool) -> (Result<Copied, CopyError>, Reports) {
        let mut reports = Reports::default();
        let (mut progress, mut partial, mut resumed, mut restarted) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let result = copy_file(
            copy,
            &mut Pace {
                throttle: None,
                cancelled: cancel,
                progress: &mut |b| progress.push(b),
                partial: &mut |p| partial.push(p),
                resumed: &mut |at| resumed.push(at),
                restarted: &mut |why| restarted.push(why.to_owned()),
            },
        );
        reports.progress = progress;
        reports.partial = partial;
        reports.resumed = resumed;
        reports.restarted = restarted;
        (result, reports)
    }

    fn run(copy: &FileCopy) -> (Result<Copied, CopyError>, Vec<u64>) {
        let (result, reports) = run_with(copy, &|| false);
        (result, reports.progress)
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn copies_through_a_temporary_file_verified_and_preserved() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("src");
        fs::write(&source, vec![5u8; 600_000]).unwrap();
        let dest = Location::Local(dir.path().join("dst"));
        fs::write(dest.path(), b"old").unwrap();
        let (result, reports) = run(&copy_to(&source, &dest, Place::Replace, true));
        assert_eq!(result.unwrap().outcome, Outcome::Done);
        assert_eq!(fs::read(dest.path()).unwrap(), vec![5u8; 600_000]);
        let meta = fs::metadata(dest.path()).unwrap();
        assert_eq!(meta.mode() & 0o777, 0o640);
        assert_eq!(meta.mtime(), 1_000_000);
        assert_eq!(reports.last(), Some(&600_000));
        assert_eq!(names(dir.path()), ["dst", "src"], "no temporary file left");
    }

    #[test]
    fn a_cancelled_copy_leaves_the_destination_and_keeps_its_partial_copy_to_resume() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("src");
        let data: Vec<u8> = (0..3_000_000u32).map(|i| (i % 253) as u8).collect();
        fs::write(&source, &data).unwrap();
        let dest = Location::Local(dir.path().join("dst"));
        fs::write(dest.path(), b"keep").unwrap();
        let calls = std::cell::Cell::new(0);
        let cancel = || {
            calls.set(calls.get() + 1);
            calls.get() > 6
        };
        let copy = copy_to(&source, &dest, Place::Replace, true);
        let (result, reports) = run_with(&copy, &cancel);
        assert!(matches!(result, Err(CopyError::Cancelled)));
        assert_eq!(fs::read(dest.path()).unwrap(), b"keep");
        let Some(Some(partial)) = reports.partial.last().cloned() else { panic!("no partial copy") };
        let kept = fs::metadata(&partial.temp).unwrap().len();
        assert!(kept > 0 && kept < data.len() as u64, "{kept}");
        assert_eq!(names(dir.path()).len(), 3, "destination, source and the partial copy");

        // Resumed: where it stopped, verified whole, placed.
        let copy = FileCopy { resume: Some(&partial), ..copy_to(&source, &dest, Place::Replace, true) };
        let (result, reports) = run_with(&copy, &|| false);
        assert_eq!(result.unwrap().outcome, Outcome::Done);
        assert_eq!(reports.resumed, [kept]);
        assert!(reports.restarted.is_empty());
        assert_eq!(fs::read(dest.path()).unwrap(), data);
        assert_eq!(names(dir.path()), ["dst", "src"]);
    }

    #[test]
    fn a_partial_copy_of_a_changed_source_starts_over() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("src");
        fs::write(&source, vec![1u8; 500_000]).unwrap();
        let temp = dir.path().join(".dst.abcdef.scpdeck");
        fs::write(&temp, vec![1u8; 200_000]).unwrap();
        let meta = fs::metadata(&source).unwrap();
        let dest = Location::Local(dir.path().join("dst"));
        let stale = Partial { temp: temp.clone(), size: meta.len(), mtime: Some(meta.mtime() - 5) };
        let copy = FileCopy { resume: Some(&stale), ..copy_to(&source, &dest, Place::Replace, false) };
        let (result, reports) = run_with(&copy, &|| false);
        assert_eq!(result.unwrap().outcome, Outcome::Done);
        assert!(reports.resumed.is_empty());
        assert!(reports.restarted[0].contains("changed"), "{:?}", reports.restarted);
        assert_eq!(reports.partial.first(), Some(&None), "the old partial copy is gone");
        assert!(!temp.exists());
        assert_eq!(fs::read(dest.path()).unwrap(), vec![1u8; 500_000]);
        // Unchanged, but its content differs near the end: started over too.
        fs::write(&temp, vec![2u8; 200_000]).unwrap();
        let meta = fs::metadata(&source).unwrap();
        let differs = Partial { temp: temp.clone(), size: meta.len(), mtime: Some(meta.mtime()) };
        let copy = FileCopy { resume: Some(&differs), ..copy_to(&source, &dest, Place::Replace, false) };
        let (result, reports) = run_with(&copy, &|| false);
        assert_eq!(result.unwrap().outcome, Outcome::Done);
        assert!(reports.restarted[0].contains("differ"), "{:?}", reports.restarted);
        assert_eq!(fs::read(dest.path()).unwrap(), vec![1u8; 500_000]);
    }

    #[test]
    fn no_replace_skips_and_keep_both_takes_the_next_free_name() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("a.txt");
        fs::write(&source, b"new").unwrap();
        fs::create_dir(dir.path().join("out")).unwrap();
        let dest = Location::Local(dir.path().join("out/a.txt"));
        fs::write(dest.path(), b"old").unwrap();
        let (skipped, _) = run(&copy_to(&source, &dest, Place::NoReplace, false));
        assert!(matches!(skipped.unwrap().outcome, Outcome::Skipped(_)));
        assert_eq!(fs::read(dest.path()).unwrap(), b"old");
        let (kept, _) = run(&copy_to(&source, &dest, Place::KeepBoth { from: 0 }, false));
        let expected = Location::Local(dir.path().join("out/a (1).txt"));
        assert_eq!(kept.unwrap().outcome, Outcome::PlacedAs(expected.clone()));
        assert_eq!(fs::read(expected.path()).unwrap(), b"new");
        assert_eq!(names(&dir.path().join("out")), ["a (1).txt", "a.txt"]);
    }

    #[test]
    fn a_device_or_pipe_destination_is_written_into_never_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("data");
        fs::write(&source, vec![7u8; 300_000]).unwrap();
        let fifo = dir.path().join("pipe");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || fs::read(&fifo).unwrap())
        };
        let dest = Location::Local(fifo.clone());
        // Decided as a plain replace: the kind found at copy time wins.
        let (result, _) = run(&copy_to(&source, &dest, Place::Replace, false));
        assert_eq!(result.unwrap().outcome, Outcome::Done);
        assert_eq!(reader.join().unwrap(), vec![7u8; 300_000]);
        assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
        let null = Location::Local(PathBuf::from("/dev/null"));
        let (result, _) = run(&copy_to(&source, &null, Place::Into, false));
        assert_eq!(result.unwrap().outcome, Outcome::Done);
        assert!(!fs::metadata("/dev/null").unwrap().is_file());
    }
}
