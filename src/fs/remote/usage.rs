//! How much is under some paths (the count shown before a delete, and a
//! directory's size), and the free space of a file system.

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::path::{Path, PathBuf};

use super::Remote;
use super::caps::StatFlavor;
use super::script::{self, PRELUDE, Reply, shown, with_path};
use crate::fs::FsError;
use crate::shell::{Command, ExitStatus, Output};

/// How [`Usage`] was counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UsageMethod {
    /// GNU `find -printf`, summed by `awk` on the remote side.
    FindPrintf,
    /// `find -exec stat`, summed by `awk`.
    FindStat(StatFlavor),
    /// `du -sk`: disk usage only, no counts.
    Du,
}

/// What lies under some paths (symlinks counted, never followed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Usage {
    /// Everything that is not a directory; `None` with `du`.
    pub files: Option<u64>,
    /// Directories, the given ones included; `None` with `du`.
    pub dirs: Option<u64>,
    /// Apparent sizes of everything but directories summed (what a copy
    /// moves), or disk usage with `du`.
    pub bytes: u64,
    pub method: UsageMethod,
    /// False when part of a tree could not be read (see the warnings).
    pub complete: bool,
}

/// A file system's size and free space (`df -Pk`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Space {
    pub filesystem: String,
    pub total: u64,
    pub used: u64,
    /// Free space the remote account may use.
    pub available: u64,
    pub mount: PathBuf,
}

impl Remote<'_> {
    /// Counts files, directories and bytes under `paths` with the best
    /// method the host has.
    pub fn count(&self, paths: &[PathBuf]) -> Result<Reply<Usage>, FsError> {
        let method = if self.caps.find_printf && self.caps.awk {
            UsageMethod::FindPrintf
        } else if let (Some(flavor), true, true) = (self.caps.stat, self.caps.find_exec_plus, self.caps.awk) {
            UsageMethod::FindStat(flavor)
        } else {
            UsageMethod::Du
        };
        self.count_with(paths, method)
    }

    /// The size of one directory tree (same as [`Remote::count`]).
    pub fn dir_size(&self, dir: &Path) -> Result<Reply<Usage>, FsError> {
        self.count(&[dir.to_path_buf()])
    }

    /// Counts with a given method (for tests).
    pub fn count_with(&self, paths: &[PathBuf], method: UsageMethod) -> Result<Reply<Usage>, FsError> {
        let action = match paths {
            [one] => format!("measure {}", shown(one)),
            many => format!("measure {} items", many.len()),
        };
        if paths.is_empty() {
            return Err(FsError::Refused { action, reason: "nothing was selected".into() });
        }
        let (program, is_dir) = match method {
            UsageMethod::FindPrintf => ("-printf 'x %y %s\\n'", r#"$2=="d""#),
            UsageMethod::FindStat(StatFlavor::Gnu) => {
                ("-exec stat -c 'x %f %s' {} +", r#"length($2)==4&&substr($2,1,1)=="4""#)
            }
            UsageMethod::FindStat(StatFlavor::Bsd) => {
                ("-exec stat -f 'x %p %z' {} +", r#"length($2)==5&&substr($2,1,1)=="4""#)
            }
            UsageMethod::Du => return self.du(paths, &action),
        };
        let mut cmd = Command::new(PRELUDE).lit("{ find");
        for path in paths {
            cmd = with_path(cmd, path, &action)?;
        }
        let awk = format!(
            r#"$1=="x"{{if({is_dir})d++;else{{f++;b+=$3}}}} $1=="status"{{s=$2}} END{{printf "%.0f %.0f %.0f %d\n",f,d,b,s}}"#
        );
        let cmd = cmd
            .lit(program)
            .lit("</dev/null; echo \"status $?\"; } | awk")
            .arg(&awk)
            .map_err(|source| FsError::Quote { action: action.clone(), source })?;
        let reply = script::run(self.link, &action, &cmd)?;
        let numbers = numbers(&reply.value);
        let [files, dirs, bytes, status] = numbers[..] else {
            return Err(malformed(&action, &reply.value));
        };
        if status != 0 && files + dirs == 0 {
            let out = Output {
                banner: reply.banner,
                stdout: Vec::new(),
                stderr: reply.warnings.join("\n").into_bytes(),
                status: ExitStatus { code: i32::try_from(status).ok(), signal: None },
            };
            return Err(FsError::from_output(&action, cmd.as_bytes(), &out));
        }
        Ok(reply.map(|_| Usage {
            files: Some(files),
            dirs: Some(dirs),
            bytes,
            method,
            complete: status == 0,
        }))
    }

    fn du(&self, paths: &[PathBuf], action: &str) -> Result<Reply<Usage>, FsError> {
        let mut cmd = Command::new(PRELUDE).lit("s=0; for p in");
        for path in paths {
            cmd = with_path(cmd, path, action)?;
        }
        // `du -s` prints one line per path, starting with the number; only
        // the leading digits are kept, so odd names cannot confuse the sum.
        let cmd =
            cmd.lit(r#"; do n=$(du -sk -- "$p" </dev/null) || s=1; echo "${n%%[!0-9]*}"; done; exit $s"#);
        let reply = script::run(self.link, action, &cmd)?;
        let kib: u64 = numbers(&reply.value).iter().sum();
        Ok(reply.map(|_| Usage {
            files: None,
            dirs: None,
            bytes: kib * 1024,
            method: UsageMethod::Du,
            complete: true,
        }))
    }

    /// Size and free space of the file system holding `path`.
    pub fn free_space(&self, path: &Path) -> Result<Reply<Space>, FsError> {
        let action = format!("read the free space of {}", shown(path));
        // BusyBox `df` says "can't find mount point" for a missing path:
        // `ls -d` names the reason the same way everywhere.
        let cmd = with_path(Command::new(PRELUDE).lit("ls -d --"), path, &action)?
            .lit(">/dev/null || exit 2; df -Pk --");
        let cmd = with_path(cmd, path, &action)?.lit("</dev/null");
        let reply = script::run(self.link, &action, &cmd)?;
        let space = parse_df(&reply.value).ok_or_else(|| malformed(&action, &reply.value))?;
        Ok(reply.map(|_| space))
    }
}

fn malformed(action: &str, out: &[u8]) -> FsError {
    FsError::Malformed { action: action.into(), detail: crate::text::escape_bytes(out) }
}

fn numbers(out: &[u8]) -> Vec<u64> {
    out.split(|b| b.is_ascii_whitespace()).filter(|w| !w.is_empty()).filter_map(super_parse).collect()
}

fn super_parse(w: &[u8]) -> Option<u64> {
    std::str::from_utf8(w).ok()?.parse().ok()
}

/// The data line of `df -Pk`: `FS BLOCKS USED AVAIL CAP% MOUNT`, where the
/// file system and mount point may hold spaces: the four numbers are found
/// first and the names are what lies around them.
pub(super) fn parse_df(out: &[u8]) -> Option<Space> {
    let text = String::from_utf8_lossy(out);
    let line = text.lines().skip(1).collect::<Vec<_>>().join(" ");
    let words: Vec<(usize, &str)> = line
        .char_indices()
        .filter(|&(i, c)| c != ' ' && (i == 0 || line.as_bytes()[i - 1] == b' '))
        .map(|(i, _)| (i, line[i..].split(' ').next().unwrap_or("")))
        .collect();
    let is_num = |w: &str| !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit());
    let at = (1..words.len().saturating_sub(3)).find(|&i| {
        is_num(words[i].1)
            && is_num(words[i + 1].1)
            && is_num(words[i + 2].1)
            && words[i + 3].1.ends_with('%')
    })?;
    let kib = |i: usize| words[i].1.parse::<u64>().ok().map(|n| n * 1024);
    let cap = words[at + 3];
    let mount = line.get(cap.0 + cap.1.len() + 1..).unwrap_or("");
    Some(Space {
        filesystem: line[..words[at].0].trim_end().to_owned(),
        total: kib(at)?,
        used: kib(at + 1)?,
        available: kib(at + 2)?,
        mount: PathBuf::from(OsString::from_vec(mount.as_bytes().to_vec())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn df_lines() {
        let gnu = b"Filesystem     1024-blocks     Used Available Capacity Mounted on\n/dev/vda         264212084 23375816  71910072      25% /\n";
        let s = parse_df(gnu).unwrap();
        assert_eq!(
            (s.filesystem.as_str(), s.total, s.used, s.available),
            ("/dev/vda", 264212084 * 1024, 23375816 * 1024, 71910072 * 1024)
        );
        assert_eq!(s.mount, PathBuf::from("/"));
        let spaces =
            b"Filesystem 1024-blocks Used Available Capacity Mounted on\nmy share 10 2 8 20% /mnt/my disk\n";
        let s = parse_df(spaces).unwrap();
        assert_eq!((s.filesystem.as_str(), s.mount.clone()), ("my share", PathBuf::from("/mnt/my disk")));
        assert!(parse_df(b"Filesystem\n").is_none());
    }
}
