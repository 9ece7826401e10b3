//! What `scpdeck cp SOURCE... TARGET` has to do, worked out from the
//! operands before anything connects: which sources go through which host,
//! in which direction. No I/O.

use std::ffi::OsString;
use std::path::PathBuf;

use super::operand::{Operand, RemotePath};

/// One transfer: every source of one kind (or one host) and the target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Local to local: handed to `cp`, as OpenSSH's scp does.
    Local {
        sources: Vec<PathBuf>,
        target: PathBuf,
    },
    Download {
        from: RemotePath,
        sources: Vec<OsString>,
        target: PathBuf,
    },
    Upload {
        sources: Vec<PathBuf>,
        to: RemotePath,
    },
    /// Host to host through this process.
    Relay {
        from: RemotePath,
        sources: Vec<OsString>,
        to: RemotePath,
    },
}

/// Groups the sources: local ones together, remote ones by `user@host`, in
/// the order they first appear. Paths of remote sources are kept as given
/// (`.` for an empty one).
pub fn plan(sources: &[Operand], target: &Operand) -> Vec<Step> {
    let locals: Vec<PathBuf> = sources
        .iter()
        .filter_map(|s| match s {
            Operand::Local(p) => Some(p.clone()),
            Operand::Remote(_) => None,
        })
        .collect();
    let mut hosts: Vec<(RemotePath, Vec<OsString>)> = Vec::new();
    for source in sources {
        if let Operand::Remote(r) = source {
            match hosts.iter_mut().find(|(h, _)| h.user == r.user && h.host == r.host) {
                Some((_, paths)) => paths.push(r.scp_path()),
                None => hosts.push((r.clone(), vec![r.scp_path()])),
            }
        }
    }
    let mut steps = Vec::new();
    match target {
        Operand::Local(target) => {
            if !locals.is_empty() {
                steps.push(Step::Local { sources: locals, target: target.clone() });
            }
            for (from, sources) in hosts {
                steps.push(Step::Download { from, sources, target: target.clone() });
            }
        }
        Operand::Remote(to) => {
            let to = RemotePath { path: to.scp_path(), ..to.clone() };
            if !locals.is_empty() {
                steps.push(Step::Upload { sources: locals, to: to.clone() });
            }
            for (from, sources) in hosts {
                steps.push(Step::Relay { from, sources, to: to.clone() });
            }
        }
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::operand::parse;
    use std::ffi::OsStr;

    fn ops(args: &[&str]) -> Vec<Operand> {
        args.iter().map(|a| parse(OsStr::new(a)).unwrap()).collect()
    }

    #[test]
    fn sources_are_grouped_by_host_and_kind() {
        let all = ops(&["a:x", "local", "b:y", "a:", "me@a:z", "dir"]);
        let steps = plan(&all[..5], &all[5]);
        assert_eq!(steps.len(), 4);
        assert!(matches!(&steps[0], Step::Local { sources, .. } if sources == &[PathBuf::from("local")]));
        assert!(matches!(&steps[1], Step::Download { from, sources, .. }
            if from.host == "a" && from.user.is_none() && sources == &[OsString::from("x"), OsString::from(".")]));
        assert!(matches!(&steps[2], Step::Download { from, .. } if from.host == "b"));
        assert!(matches!(&steps[3], Step::Download { from, .. } if from.user.as_deref() == Some("me")));
    }

    #[test]
    fn a_remote_target_means_upload_and_relay() {
        let all = ops(&["f", "h1:g", "h2:"]);
        let steps = plan(&all[..2], &all[2]);
        assert!(matches!(&steps[0], Step::Upload { to, .. } if to.host == "h2" && to.path == "."));
        assert!(matches!(&steps[1], Step::Relay { from, to, .. } if from.host == "h1" && to.host == "h2"));
    }
}
