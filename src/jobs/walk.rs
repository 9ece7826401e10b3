//! Walking a job's sources into items, the same way on this machine and on
//! a host through [`FileSystem`], at every depth: without `follow` a
//! symbolic link (a selected one too) is an item of its own, recreated as a
//! link; with `follow` (`cp -L`) it is what it points to, a dangling link is
//! skipped, and a link that leads back to a directory being walked is
//! skipped too (a loop), so the walk always ends. Special files (fifos,
//! sockets, devices) are skipped: never opened, so a fifo cannot hang a copy.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use super::item::{ItemKind, Scan, ScanEntry, ScanError};
use crate::fs::{Entry, FileSystem, FsError, Kind, MAX_FOLLOWED, Stat, Tally};
use crate::text::escape_bytes;

fn shown(path: &Path) -> String {
    escape_bytes(path.as_os_str().as_encoded_bytes())
}

/// Why a source could not be scanned: the file system's typed error (a
/// permission denied may be retried as root), or what the walk found.
#[derive(Debug)]
pub(super) enum RootFailure {
    Fs(FsError),
    Other(String),
}

/// Walks each root (see the module's comment).
pub(super) fn scan(
    fs: &dyn FileSystem,
    roots: &[PathBuf],
    follow: bool,
) -> Result<Vec<Result<Scan, RootFailure>>, FsError> {
    let paths: Vec<&Path> = roots.iter().map(PathBuf::as_path).collect();
    let own = fs.lstat(&paths)?;
    let stats = followed(fs, &paths, &own)?;
    let mut scans = Vec::with_capacity(roots.len());
    for ((root, own), stat) in roots.iter().zip(own).zip(stats) {
        let own = own.ok().flatten();
        let scan = match (own, stat) {
            (Some(entry), _) if entry.kind == Kind::Symlink && !follow => match &entry.link {
                Some(link) => Ok(one(ItemKind::Link, 0, &entry, Some(PathBuf::from(&link.path)))),
                None => Err(RootFailure::Other(format!(
                    "{}: a symbolic link whose target cannot be read",
                    shown(root)
                ))),
            },
            (Some(entry), _)
                if entry.kind == Kind::Symlink && entry.link.as_ref().is_some_and(|l| l.kind.is_none()) =>
            {
                Ok(skipped_root(unfollowed(&entry)))
            }
            (Some(entry), _) if special(entry.kind).is_some() => {
                Ok(skipped_root(special(entry.kind).unwrap_or_default()))
            }
            (_, Err(e)) => Err(RootFailure::Fs(e)),
            (_, Ok(None)) => Err(RootFailure::Other(format!("{}: No such file or directory", shown(root)))),
            (_, Ok(Some(stat))) if stat.kind == Kind::Dir => Ok(walk(fs, root, &stat, follow)?),
            (_, Ok(Some(stat))) if stat.kind == Kind::File => Ok(Scan {
                entries: vec![ScanEntry {
                    rel: PathBuf::new(),
                    kind: ItemKind::File,
                    size: stat.size,
                    mode: stat.mode,
                    mtime: stat.mtime,
                    link: None,
                }],
                ..Scan::default()
            }),
            (_, Ok(Some(stat))) => match special(stat.kind) {
                Some(why) => Ok(skipped_root(why)),
                None => Err(RootFailure::Other(format!("{}: not a regular file", shown(root)))),
            },
        };
        scans.push(scan);
    }
    Ok(scans)
}

/// What each root is with links followed: its own entry unless it is a
/// link, unknown, or a path without a name (`/`), which are stat'ed (one
/// more round trip only for those). A link's target is stat'ed where it
/// resolves, as deeper links are: a host's `stat` of the link itself
/// gives the target's kind but the link's own size, mode and time.
fn followed(
    fs: &dyn FileSystem,
    paths: &[&Path],
    own: &[Result<Option<Entry>, FsError>],
) -> Result<Vec<Result<Option<Stat>, FsError>>, FsError> {
    let plain = |n: usize| match &own[n] {
        Ok(Some(e)) if e.kind != Kind::Symlink && paths[n].file_name().is_some() => {
            Some(Stat { kind: e.kind, size: e.size, mode: e.mode & 0o7777, mtime: Some(e.mtime.secs) })
        }
        _ => None,
    };
    let wanted: Vec<usize> = (0..paths.len()).filter(|&n| plain(n).is_none()).collect();
    let mut targets = Vec::with_capacity(wanted.len());
    for &n in &wanted {
        let resolved = match &own[n] {
            Ok(Some(e)) if e.kind == Kind::Symlink => fs.resolve(paths[n]),
            _ => Ok(paths[n].to_path_buf()),
        };
        targets.push(match resolved {
            Ok(target) => target,
            Err(e) if e.is_connection_lost() => return Err(e),
            Err(_) => paths[n].to_path_buf(),
        });
    }
    let asked: Vec<&Path> = targets.iter().map(PathBuf::as_path).collect();
    let mut answers = if asked.is_empty() { Vec::new() } else { fs.stat(&asked)? }.into_iter();
    Ok((0..paths.len())
        .map(|n| match plain(n) {
            Some(stat) => Ok(Some(stat)),
            None => answers.next().unwrap_or(Ok(None)),
        })
        .collect())
}

/// What a copy of `roots` will really copy: the copy dialog's counts.
/// One command where the file system can count exactly as the walk does
/// (a host with GNU `find`, `find` and `stat`, or `perl`), else the walk.
pub fn tally(fs: &dyn FileSystem, roots: &[PathBuf], follow: bool) -> Result<Tally, FsError> {
    match fs.tally(roots, follow)? {
        Some(tally) => Ok(tally),
        None => walk_tally(fs, roots, follow),
    }
}

/// Walks `roots` as a copy would and counts what it finds (one listing
/// per directory).
pub fn walk_tally(fs: &dyn FileSystem, roots: &[PathBuf], follow: bool) -> Result<Tally, FsError> {
    let mut tally = Tally::default();
    for scan in scan(fs, roots, follow)? {
        let Ok(scan) = scan else {
            tally.unreadable += 1;
            continue;
        };
        for entry in &scan.entries {
            match entry.kind {
                ItemKind::File => {
                    tally.files += 1;
                    tally.bytes += entry.size;
                }
                ItemKind::Dir => tally.dirs += 1,
                ItemKind::Link => tally.links += 1,
            }
        }
        tally.skipped += scan.skipped.len() as u64;
        tally.unreadable += scan.errors.len() as u64;
    }
    Ok(tally)
}

/// A root that is a single entry.
fn one(kind: ItemKind, size: u64, entry: &Entry, link: Option<PathBuf>) -> Scan {
    Scan {
        entries: vec![ScanEntry {
            rel: PathBuf::new(),
            kind,
            size,
            mode: entry.mode & 0o7777,
            mtime: Some(entry.mtime.secs),
            link,
        }],
        ..Scan::default()
    }
}

fn skipped_root(reason: String) -> Scan {
    Scan { skipped: vec![ScanError { rel: PathBuf::new(), reason }], ..Scan::default() }
}

/// Why a special file is not copied; `None` for other kinds.
fn special(kind: Kind) -> Option<String> {
    let what = match kind {
        Kind::Fifo => "a named pipe (fifo)",
        Kind::Socket => "a socket",
        Kind::CharDevice => "a character device",
        Kind::BlockDevice => "a block device",
        _ => return None,
    };
    Some(format!("{what}: special files are not copied"))
}

/// The canonical paths of the directories from a root down to one being
/// walked, shared between siblings: a link whose target is one of them (or
/// above one) leads back into the walk.
struct Chain {
    canonical: Option<PathBuf>,
    parent: Option<Rc<Chain>>,
    /// Links followed on the way down.
    followed: usize,
}

impl Chain {
    fn child(self: &Rc<Self>, name: &std::ffi::OsStr) -> Rc<Chain> {
        Rc::new(Chain {
            canonical: self.canonical.as_ref().map(|c| c.join(name)),
            parent: Some(self.clone()),
            followed: self.followed,
        })
    }

    /// Whether `target` is one of the directories on the chain or holds one.
    fn leads_back(&self, target: &Path) -> bool {
        let mut at = Some(self);
        while let Some(chain) = at {
            if chain.canonical.as_ref().is_some_and(|c| c.starts_with(target)) {
                return true;
            }
            at = chain.parent.as_deref();
        }
        false
    }
}

/// Lists a directory tree breadth first. Unreadable directories become
/// errors; a lost connection stops the task.
fn walk(fs: &dyn FileSystem, root: &Path, stat: &Stat, follow: bool) -> Result<Scan, FsError> {
    let mut scan = Scan::default();
    scan.entries.push(ScanEntry {
        rel: PathBuf::new(),
        kind: ItemKind::Dir,
        size: 0,
        mode: stat.mode,
        mtime: stat.mtime,
        link: None,
    });
    let canonical = if follow { fs.resolve(root).ok() } else { None };
    let top = Rc::new(Chain { canonical, parent: None, followed: 0 });
    let mut queue = VecDeque::from([(PathBuf::new(), top)]);
    while let Some((rel, chain)) = queue.pop_front() {
        let listing = match fs.list(&root.join(&rel)) {
            Ok(listing) => listing,
            Err(e) if e.is_connection_lost() || matches!(e, FsError::Cancelled) => return Err(e),
            Err(e) => {
                scan.errors.push(ScanError { rel, reason: e.to_string() });
                continue;
            }
        };
        // A listing names entries of the directory only: never itself, its
        // parent or a path (a hostile or broken host could say otherwise).
        let entries: Vec<Entry> = listing.entries.into_iter().filter(|e| is_plain_name(&e.name)).collect();
        let mut followed = Vec::new();
        for entry in entries {
            let child = rel.join(&entry.name);
            let mtime = Some(entry.mtime.secs);
            let mode = entry.mode & 0o7777;
            match (entry.kind, &entry.link) {
                (Kind::Dir, _) => {
                    scan.entries.push(ScanEntry {
                        rel: child.clone(),
                        kind: ItemKind::Dir,
                        size: 0,
                        mode,
                        mtime,
                        link: None,
                    });
                    queue.push_back((child, chain.child(&entry.name)));
                }
                (Kind::File, _) => scan.entries.push(ScanEntry {
                    rel: child,
                    kind: ItemKind::File,
                    size: entry.size,
                    mode,
                    mtime,
                    link: None,
                }),
                (Kind::Symlink, Some(link)) if !follow => scan.entries.push(ScanEntry {
                    rel: child,
                    kind: ItemKind::Link,
                    size: 0,
                    mode,
                    mtime,
                    link: Some(PathBuf::from(&link.path)),
                }),
                (Kind::Symlink, Some(link)) if link.kind.is_some_and(|k| special(k).is_some()) => {
                    let why = special(link.kind.unwrap_or(Kind::Unknown)).unwrap_or_default();
                    let target = escape_bytes(link.path.as_encoded_bytes());
                    scan.skipped.push(ScanError {
                        rel: child,
                        reason: format!("a symbolic link to {target}, {why}"),
                    });
                }
                (Kind::Symlink, Some(link)) if link.kind.is_some() => followed.push(child),
                (Kind::Symlink, Some(_)) => {
                    scan.skipped.push(ScanError { rel: child, reason: unfollowed(&entry) })
                }
                (Kind::Symlink, None) => scan.errors.push(ScanError {
                    rel: child,
                    reason: "a symbolic link whose target cannot be read".into(),
                }),
                (kind, _) => match special(kind) {
                    Some(why) => scan.skipped.push(ScanError { rel: child, reason: why }),
                    None => scan.errors.push(ScanError { rel: child, reason: "not a regular file".into() }),
                },
            }
        }
        if !followed.is_empty() {
            follow_links(fs, root, &chain, followed, &mut scan, &mut queue)?;
        }
    }
    Ok(scan)
}

/// Follows the links of one directory to files and directories: where
/// each leads (its canonical path: a link into the walk's own chain is a
/// loop and is skipped) and what is there (one `stat` for all of them: the
/// target's own size, mode and time).
fn follow_links(
    fs: &dyn FileSystem,
    root: &Path,
    chain: &Rc<Chain>,
    links: Vec<PathBuf>,
    scan: &mut Scan,
    queue: &mut VecDeque<(PathBuf, Rc<Chain>)>,
) -> Result<(), FsError> {
    let mut targets = Vec::with_capacity(links.len());
    for rel in &links {
        targets.push(match fs.resolve(&root.join(rel)) {
            Ok(target) => Some(target),
            Err(e) if e.is_connection_lost() => return Err(e),
            Err(_) => None,
        });
    }
    let paths: Vec<PathBuf> =
        links.iter().zip(&targets).map(|(rel, t)| t.clone().unwrap_or_else(|| root.join(rel))).collect();
    let refs: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    let stats = fs.stat(&refs)?;
    for ((rel, target), stat) in links.into_iter().zip(targets).zip(stats) {
        let stat = match stat {
            Ok(Some(stat)) if matches!(stat.kind, Kind::File | Kind::Dir) => stat,
            Ok(Some(stat)) if special(stat.kind).is_some() => {
                let why = special(stat.kind).unwrap_or_default();
                scan.skipped.push(ScanError { rel, reason: format!("a symbolic link to {why}") });
                continue;
            }
            Ok(_) => {
                scan.skipped.push(ScanError { rel, reason: "a dangling symbolic link".into() });
                continue;
            }
            Err(e) if e.is_connection_lost() => return Err(e),
            Err(e) => {
                scan.errors.push(ScanError { rel, reason: e.to_string() });
                continue;
            }
        };
        let (mode, mtime) = (stat.mode & 0o7777, stat.mtime);
        if stat.kind == Kind::File {
            scan.entries.push(ScanEntry {
                rel,
                kind: ItemKind::File,
                size: stat.size,
                mode,
                mtime,
                link: None,
            });
            continue;
        }
        if let Some(target) = &target
            && chain.leads_back(target)
        {
            let reason = format!(
                "a symbolic link loop: it leads back to {}, which is being copied (not followed)",
                shown(target)
            );
            scan.skipped.push(ScanError { rel, reason });
            continue;
        }
        if chain.followed >= MAX_FOLLOWED {
            let reason = format!("more than {MAX_FOLLOWED} symbolic links deep: not followed (a loop?)");
            scan.skipped.push(ScanError { rel, reason });
            continue;
        }
        scan.entries.push(ScanEntry {
            rel: rel.clone(),
            kind: ItemKind::Dir,
            size: 0,
            mode,
            mtime,
            link: None,
        });
        let next =
            Rc::new(Chain { canonical: target, parent: Some(chain.clone()), followed: chain.followed + 1 });
        queue.push_back((rel, next));
    }
    Ok(())
}

/// Why a symbolic link that leads to neither a file nor a directory is not
/// copied.
pub(super) fn unfollowed(entry: &Entry) -> String {
    let Some(link) = &entry.link else { return "a symbolic link whose target is not known".into() };
    let target = escape_bytes(link.path.as_encoded_bytes());
    match link.kind {
        _ if link.loops => format!("a symbolic link loop (following its target {target} leads back to it)"),
        Some(_) => format!("a symbolic link to {target}, which is not a regular file or a directory"),
        None if target.is_empty() => "a dangling symbolic link".into(),
        None => format!("a dangling symbolic link (its target {target} does not exist)"),
    }
}

pub(super) fn is_plain_name(name: &std::ffi::OsStr) -> bool {
    let bytes = name.as_encoded_bytes();
    !bytes.is_empty() && bytes != b"." && bytes != b".." && !bytes.contains(&b'/')
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::os::unix::fs::symlink;

    use super::*;
    use crate::fs::LocalFs;

    /// A tree with every awkward thing: links to a file and a directory
    /// (at the top and nested), a dangling link, a fifo, a loop.
    fn awkward(root: &Path) {
        fs::create_dir_all(root.join("d/sub")).unwrap();
        fs::create_dir_all(root.join("other")).unwrap();
        fs::write(root.join("d/sub/f"), b"12345").unwrap();
        fs::write(root.join("other/g"), b"g").unwrap();
        fs::write(root.join("file"), b"abc").unwrap();
        symlink("file", root.join("to_file")).unwrap();
        symlink("d", root.join("to_dir")).unwrap();
        symlink("../../other", root.join("d/sub/nested_to_dir")).unwrap();
        symlink("nowhere", root.join("dangling")).unwrap();
        symlink("..", root.join("d/up")).unwrap();
        nix::unistd::mkfifo(&root.join("fifo"), nix::sys::stat::Mode::S_IRWXU).unwrap();
    }

    fn rels(entries: &[ScanEntry], kind: ItemKind) -> Vec<String> {
        let mut rels: Vec<String> =
            entries.iter().filter(|e| e.kind == kind).map(|e| e.rel.to_string_lossy().into_owned()).collect();
        rels.sort();
        rels
    }

    fn skipped(scan: &Scan) -> Vec<String> {
        let mut rels: Vec<String> =
            scan.skipped.iter().map(|e| e.rel.to_string_lossy().into_owned()).collect();
        rels.sort();
        rels
    }

    #[test]
    fn without_follow_every_link_is_a_link_at_every_depth() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("tree");
        awkward(&root);
        let scan = scan(&LocalFs::new(), std::slice::from_ref(&root), false).unwrap().remove(0).unwrap();
        assert_eq!(rels(&scan.entries, ItemKind::Dir), ["", "d", "d/sub", "other"]);
        assert_eq!(rels(&scan.entries, ItemKind::File), ["d/sub/f", "file", "other/g"]);
        assert_eq!(
            rels(&scan.entries, ItemKind::Link),
            ["d/sub/nested_to_dir", "d/up", "dangling", "to_dir", "to_file"]
        );
        let target = |rel: &str| scan.entries.iter().find(|e| e.rel == Path::new(rel)).unwrap().link.clone();
        assert_eq!(target("to_dir"), Some(PathBuf::from("d")));
        assert_eq!(target("dangling"), Some(PathBuf::from("nowhere")));
        assert_eq!(skipped(&scan), ["fifo"]);
        assert!(scan.errors.is_empty(), "{:?}", scan.errors);
        // A selected link is a link too, not what it points to.
        let top = super::scan(&LocalFs::new(), &[root.join("to_dir")], false).unwrap().remove(0).unwrap();
        assert_eq!(top.entries.len(), 1);
        assert_eq!(
            (top.entries[0].kind, top.entries[0].link.clone()),
            (ItemKind::Link, Some(PathBuf::from("d")))
        );
    }

    #[test]
    fn with_follow_links_are_what_they_point_to_and_loops_end() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("tree");
        awkward(&root);
        let scan = scan(&LocalFs::new(), std::slice::from_ref(&root), true).unwrap().remove(0).unwrap();
        assert_eq!(
            rels(&scan.entries, ItemKind::Dir),
            [
                "",
                "d",
                "d/sub",
                "d/sub/nested_to_dir",
                "other",
                "to_dir",
                "to_dir/sub",
                "to_dir/sub/nested_to_dir"
            ]
        );
        assert_eq!(
            rels(&scan.entries, ItemKind::File),
            [
                "d/sub/f",
                "d/sub/nested_to_dir/g",
                "file",
                "other/g",
                "to_dir/sub/f",
                "to_dir/sub/nested_to_dir/g",
                "to_file"
            ]
        );
        assert!(rels(&scan.entries, ItemKind::Link).is_empty());
        // The loops (`d/up` to the root, and the same through `to_dir`),
        // the dangling link and the fifo are skipped, not failed.
        assert_eq!(skipped(&scan), ["d/up", "dangling", "fifo", "to_dir/up"]);
        assert!(scan.errors.is_empty(), "{:?}", scan.errors);
        let size = |rel: &str| scan.entries.iter().find(|e| e.rel == Path::new(rel)).unwrap().size;
        assert_eq!(size("to_file"), 3, "a followed link has its target's size");
        let reason =
            |rel: &str| scan.skipped.iter().find(|e| e.rel == Path::new(rel)).unwrap().reason.clone();
        assert!(reason("d/up").starts_with("a symbolic link loop"), "{}", reason("d/up"));
        assert_eq!(reason("dangling"), "a dangling symbolic link (its target nowhere does not exist)");
        assert_eq!(reason("fifo"), "a named pipe (fifo): special files are not copied");
        // A selected link is followed; a selected dangling link or fifo is skipped.
        let tops = super::scan(
            &LocalFs::new(),
            &[root.join("to_dir"), root.join("dangling"), root.join("fifo")],
            true,
        )
        .unwrap();
        let to_dir = tops[0].as_ref().unwrap();
        assert_eq!(rels(&to_dir.entries, ItemKind::File), ["sub/f", "sub/nested_to_dir/g"]);
        assert_eq!(skipped(tops[1].as_ref().unwrap()), [""]);
        assert_eq!(skipped(tops[2].as_ref().unwrap()), [""]);
    }

    /// The copy dialog's counts: what the walk will copy, a link as one
    /// link without `follow`, its target's contents with it.
    #[test]
    fn tallies_count_what_the_copy_will_copy() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("tree");
        awkward(&root);
        let links = tally(&LocalFs::new(), std::slice::from_ref(&root), false).unwrap();
        assert_eq!(links, Tally { files: 3, dirs: 4, links: 5, skipped: 1, unreadable: 0, bytes: 9 });
        let followed = tally(&LocalFs::new(), std::slice::from_ref(&root), true).unwrap();
        assert_eq!(
            followed,
            Tally {
                files: 7,
                dirs: 8,
                links: 0,
                skipped: 4,
                unreadable: 0,
                bytes: 5 + 1 + 3 + 1 + 5 + 1 + 3
            }
        );
        // A selected link to a directory: one link, or the directory's tree.
        let top = [root.join("to_dir")];
        assert_eq!(tally(&LocalFs::new(), &top, false).unwrap(), Tally { links: 1, ..Tally::default() });
        let tree = tally(&LocalFs::new(), &top, true).unwrap();
        assert_eq!((tree.files, tree.dirs, tree.skipped), (2, 3, 1));
    }

    /// Where no loop can be seen (a host that cannot say where a link
    /// leads), depth alone ends the walk: 32 links one inside another are
    /// followed, the 33rd is not.
    #[test]
    fn links_one_inside_another_are_followed_32_deep() {
        let dir = tempfile::tempdir().unwrap();
        for n in 0..=34 {
            fs::create_dir(dir.path().join(format!("a{n}"))).unwrap();
            if n > 0 {
                symlink(format!("../a{n}"), dir.path().join(format!("a{}/next", n - 1))).unwrap();
            }
        }
        let scan = scan(&LocalFs::new(), &[dir.path().join("a0")], true).unwrap().remove(0).unwrap();
        let deepest = "next/".repeat(32) + "next";
        assert_eq!(skipped(&scan), [deepest]);
        assert!(scan.skipped[0].reason.starts_with("more than 32 symbolic links deep"), "{:?}", scan.skipped);
        assert_eq!(scan.entries.len(), 33, "the root and 32 followed links");
    }

    #[test]
    fn a_loop_through_two_links_ends() {
        let dir = tempfile::tempdir().unwrap();
        let (a, x) = (dir.path().join("a"), dir.path().join("x"));
        fs::create_dir_all(&a).unwrap();
        fs::create_dir_all(&x).unwrap();
        symlink(&x, a.join("to_x")).unwrap();
        symlink(&a, x.join("to_a")).unwrap();
        let scan = scan(&LocalFs::new(), std::slice::from_ref(&a), true).unwrap().remove(0).unwrap();
        assert_eq!(rels(&scan.entries, ItemKind::Dir), ["", "to_x"]);
        assert_eq!(skipped(&scan), ["to_x/to_a"]);
    }
}
