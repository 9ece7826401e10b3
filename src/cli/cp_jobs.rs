//! What `scpdeck cp SOURCE... TARGET` asks the scheduler for, worked out
//! from the operands before anything connects: one job per place the
//! sources come from (this machine, or one `user@host`), in the order they
//! first appear, all towards the one target. No I/O.

use std::ffi::OsString;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

use super::operand::{Operand, RemotePath};
use crate::fs::Location;
use crate::jobs::{JobSpec, Mode, Options, TargetKind};

/// Where sources come from: this machine (`None`) or `[user@]host[:port]`.
type Place = Option<String>;

/// The jobs for `sources` → `target`. Local paths are made absolute against
/// `cwd`; remote paths are read like scp reads them (empty or `~` is the
/// home directory, `~/x` is below it).
pub(super) fn jobs(sources: &[Operand], target: &Operand, cwd: &Path, options: &Options) -> Vec<JobSpec> {
    let target_is_dir = match target {
        Operand::Local(p) => p.as_os_str().as_bytes().ends_with(b"/"),
        Operand::Remote(r) => r.path.as_bytes().ends_with(b"/"),
    };
    // Several sources (from anywhere) go into a directory; a single one may
    // also be copied under the target's name.
    let target_kind = if sources.len() > 1 || target_is_dir { TargetKind::Dir } else { TargetKind::Auto };
    let target = location(target, cwd);
    let mut groups: Vec<(Place, Vec<Location>)> = Vec::new();
    for source in sources {
        let key = match source {
            Operand::Local(_) => None,
            Operand::Remote(r) => Some(r.destination()),
        };
        let location = location(source, cwd);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, locations)) => locations.push(location),
            None => groups.push((key, vec![location])),
        }
    }
    groups
        .into_iter()
        .map(|(_, sources)| JobSpec {
            mode: Mode::Copy,
            sources,
            target: target.clone(),
            target_kind,
            options: options.clone(),
        })
        .collect()
}

fn location(operand: &Operand, cwd: &Path) -> Location {
    match operand {
        Operand::Local(path) => Location::Local(cwd.join(path)),
        Operand::Remote(remote) => Location::Remote { host: remote.destination(), path: remote_path(remote) },
    }
}

/// The remote path as the remote shell's working directory (the home)
/// sees it: relative paths start with `./` so that their directory is
/// never empty.
fn remote_path(remote: &RemotePath) -> PathBuf {
    let bytes = remote.path.as_bytes();
    let below_home = match bytes {
        b"" | b"~" | b"~/" => return PathBuf::from("."),
        _ => bytes.strip_prefix(b"~/").unwrap_or(bytes),
    };
    if below_home.starts_with(b"/") || below_home.starts_with(b"./") || below_home == b"." {
        return PathBuf::from(OsString::from_vec(below_home.to_vec()));
    }
    let mut path = b"./".to_vec();
    path.extend_from_slice(below_home);
    PathBuf::from(OsString::from_vec(path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::operand::parse;
    use std::ffi::OsStr;

    fn ops(args: &[&str]) -> Vec<Operand> {
        args.iter().map(|a| parse(OsStr::new(a)).unwrap()).collect()
    }

    fn plan(args: &[&str]) -> Vec<JobSpec> {
        let all = ops(args);
        let (target, sources) = all.split_last().unwrap();
        jobs(sources, target, Path::new("/cwd"), &Options::default())
    }

    fn remote(host: &str, path: &str) -> Location {
        Location::Remote { host: host.into(), path: path.into() }
    }

    #[test]
    fn sources_are_grouped_by_place_in_order() {
        let jobs = plan(&["a:x", "local", "b:/y", "a:", "me@a:z", "scp://a:2222/w", "ssh://a", "dir"]);
        let sources: Vec<Vec<Location>> = jobs.iter().map(|j| j.sources.clone()).collect();
        assert_eq!(
            sources,
            vec![
                vec![remote("a", "./x"), remote("a", "."), remote("a", ".")],
                vec![Location::Local("/cwd/local".into())],
                vec![remote("b", "/y")],
                vec![remote("me@a", "./z")],
                vec![remote("a:2222", "./w")],
            ]
        );
        assert!(jobs.iter().all(|j| j.target == Location::Local("/cwd/dir".into())));
        assert!(jobs.iter().all(|j| j.target_kind == TargetKind::Dir));
    }

    #[test]
    fn one_source_may_take_the_targets_name_unless_it_ends_in_a_slash() {
        assert_eq!(plan(&["f", "h:new"])[0].target_kind, TargetKind::Auto);
        assert_eq!(plan(&["f", "h:new"])[0].target, remote("h", "./new"));
        assert_eq!(plan(&["f", "h:new/"])[0].target_kind, TargetKind::Dir);
        assert_eq!(plan(&["h:f", "/abs/"])[0].target_kind, TargetKind::Dir);
    }

    #[test]
    fn home_relative_remote_paths() {
        assert_eq!(plan(&["f", "h:"])[0].target, remote("h", "."));
        assert_eq!(plan(&["f", "h:~"])[0].target, remote("h", "."));
        assert_eq!(plan(&["f", "h:~/d/x"])[0].target, remote("h", "./d/x"));
        assert_eq!(plan(&["f", "h:./d"])[0].target, remote("h", "./d"));
        assert_eq!(plan(&["f", "[::1]:/t"])[0].target, remote("[::1]", "/t"));
        assert_eq!(plan(&["f", "h:~other/x"])[0].target, remote("h", "./~other/x"));
        assert_eq!(plan(&["f", "scp://h//t"])[0].target, remote("h", "/t"));
        assert_eq!(plan(&["f", "scp://h/~/t"])[0].target, remote("h", "./t"));
        assert_eq!(plan(&["f", "scp://u@[::1]:22/t"])[0].target, remote("u@[::1]:22", "./t"));
    }
}
