//! An upload's first file goes with its `scp -t` command (src/scp/lead.rs):
//! its records, and for a small file its data and status byte too, before
//! any reply of scp's is read. Shown by the `-vvv` protocol trace, in
//! which the client logs what it sends when it queues it and what it
//! reads when it reads it. A file the sink refuses (it cannot be created
//! in the private directory) fails with the sink's first error line, even
//! when its data, read by the sink as records, looks like protocol lines;
//! nothing is placed and the private directory goes.

mod support;

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use support::Sshd;
use support::deadline::output_within;
use support::tmpfs::Tmpfs;
use support::tmux::scpdeck_bin;

/// `scpdeck cp -vvv [extra] SOURCE host:DIR/`.
fn upload(sshd: &Sshd, extra: &[&str], source: &Path, dir: &Path) -> Output {
    let mut command = Command::new(scpdeck_bin());
    command.args(["cp", "-vvv"]).args(extra).arg("-F").arg(sshd.ssh_config());
    command.arg(source).arg(format!("{}:{}/", sshd.alias(), dir.display()));
    output_within(&mut command, Duration::from_secs(60))
}

/// The protocol trace lines (`scp > …` sent, `scp < …` read), in order.
fn trace(out: &Output) -> Vec<String> {
    let err = String::from_utf8_lossy(&out.stderr);
    err.lines()
        .filter_map(|l| {
            l.split_once("scp > ")
                .map(|(_, r)| format!("> {r}"))
                .or_else(|| l.split_once("scp < ").map(|(_, r)| format!("< {r}")))
        })
        .collect()
}

/// Where the first line starting with `prefix` is in `lines`.
fn first(lines: &[String], prefix: &str) -> usize {
    lines.iter().position(|l| l.starts_with(prefix)).unwrap_or_else(|| panic!("no {prefix:?} in {lines:#?}"))
}

/// A server, a scratch directory, a file `f` in it holding `data`, and an
/// empty destination directory `to`.
fn setup(data: &[u8]) -> (Sshd, tempfile::TempDir) {
    let sshd = Sshd::start();
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("f"), data).unwrap();
    std::fs::create_dir(tmp.path().join("to")).unwrap();
    (sshd, tmp)
}

/// Uploads `data` and checks that its records and, with `whole`, its
/// status byte were sent before the first reply was read.
fn check_sent_ahead(data: &[u8], extra: &[&str], whole: bool) -> (Sshd, tempfile::TempDir) {
    let (sshd, tmp) = setup(data);
    let (source, dir) = (tmp.path().join("f"), tmp.path().join("to"));
    let out = upload(&sshd, extra, &source, &dir);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let lines = trace(&out);
    let read = first(&lines, "< ");
    let header = first(&lines, &format!("> C0644 {} ", data.len()));
    assert!(header < read, "the C record waited for a reply: {lines:#?}");
    let status = first(&lines, "> ok");
    assert_eq!(status < read, whole, "the data's status byte: {lines:#?}");
    assert_eq!(std::fs::read(dir.join("f")).unwrap(), data);
    assert_eq!(support::awkward::names(&dir), ["f"]);
    (sshd, tmp)
}

#[test]
fn a_small_file_goes_whole_with_the_command() {
    check_sent_ahead(b"hello", &[], true);
}

#[test]
fn an_empty_file_goes_whole_with_the_command() {
    check_sent_ahead(b"", &[], true);
}

/// Above the threshold only the records go ahead: the data waits for the
/// `C` record's reply, as a refused file must not have its data read as
/// records by a sink that is not told it will not run the placing.
#[test]
fn a_file_just_above_the_threshold_sends_only_its_records_ahead() {
    let data: Vec<u8> = (0..64 * 1024 + 1u32).map(|n| (n % 251) as u8).collect();
    check_sent_ahead(&data, &[], false);
}

/// With -p the `T` record goes ahead too, before the `C` record.
#[test]
fn a_preserved_small_file_sends_its_times_ahead() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let (sshd, tmp) = setup(b"hello");
    let source = tmp.path().join("f");
    std::fs::set_permissions(&source, std::fs::Permissions::from_mode(0o640)).unwrap();
    let when = std::time::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
    std::fs::File::options().write(true).open(&source).unwrap().set_modified(when).unwrap();
    let dir = tmp.path().join("to");
    let out = upload(&sshd, &["-p"], &source, &dir);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let lines = trace(&out);
    let (times, header) = (first(&lines, "> T1000000000 0 "), first(&lines, "> C0640 5 "));
    let (status, read) = (first(&lines, "> ok"), first(&lines, "< "));
    assert!(times < header && header < status && status < read, "{lines:#?}");
    let meta = std::fs::metadata(dir.join("f")).unwrap();
    assert_eq!(meta.mode() & 0o7777, 0o640);
    assert_eq!(meta.mtime(), 1_000_000_000);
    assert_eq!(support::awkward::names(&dir), ["f"]);
    drop(sshd);
}

/// The destination is a file system with one inode left: the private
/// directory takes it, and scp -t cannot create the file in it. The sink
/// then reads the data sent behind the record as records: `E\n` ends the
/// stream (it exits 1, for the error it reported), `hello` is a protocol
/// error of its own. Either way the placing does not run, the file fails
/// with the sink's first error line, and the private directory goes.
fn check_refused(data: &[u8]) {
    let (sshd, tmp) = setup(data);
    // The root directory takes one inode, the private directory the other.
    let disk = Tmpfs::with("size=1m,nr_inodes=2");
    let out = upload(&sshd, &[], &tmp.path().join("f"), disk.path());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let lines = trace(&out);
    let refusal = lines.iter().find(|l| l.starts_with("< error: ")).unwrap_or_else(|| panic!("{lines:#?}"));
    assert!(refusal.ends_with("/0: No space left on device"), "{lines:#?}");
    let failure = err.lines().find(|l| !l.contains("debug") && l.contains(": f: scp: "));
    assert!(failure.is_some_and(|l| l.ends_with("/0: No space left on device")), "{err}");
    assert!(!err.to_lowercase().contains("protocol error"), "{err}");
    assert_eq!(support::awkward::names(disk.path()), Vec::<String>::new(), "{err}");
    drop(sshd);
}

#[test]
fn a_refused_first_file_whose_data_ends_the_stream_places_nothing() {
    check_refused(b"E\n");
}

#[test]
fn a_refused_first_file_whose_data_is_no_record_places_nothing() {
    check_refused(b"hello");
}
