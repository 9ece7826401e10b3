//! What a remote host offers, found out once per connection in one round
//! command (plus one harmless `subsystem("sftp")` channel request, which
//! transfers skip).

use std::collections::HashMap;
use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::path::{Path, PathBuf};

use crate::ssh::Link;

use super::list::Method;
use super::protocol::Protocol;
use super::script::{PRELUDE, path_word};
use crate::fs::FsError;
use crate::fs::entry::{Entry, Kind, Mtime};
use crate::shell::delivery::{self, Delivery};
use crate::shell::{self, Banner, Command};
use crate::text::escape_bytes;

/// Which `stat` the remote has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatFlavor {
    /// `stat -c FORMAT` (GNU coreutils or BusyBox).
    Gnu,
    /// `stat -f FORMAT` (FreeBSD, macOS, OpenBSD, NetBSD).
    Bsd,
}

/// A host's sha256 program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashTool {
    Sha256sum,
    Shasum,
    Openssl,
}

impl HashTool {
    /// A shell command that hashes its standard input and prints the
    /// digest in hex first on its line.
    pub fn command(self) -> &'static str {
        match self {
            HashTool::Sha256sum => "sha256sum",
            HashTool::Shasum => "shasum -a 256",
            HashTool::Openssl => "openssl dgst -sha256 | sed 's/^.*= *//'",
        }
    }
}

/// The remote clock, for the dates `ls -l` prints without a year or zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RemoteClock {
    /// Seconds since the epoch when the probe ran.
    pub now: i64,
    /// The remote local time's offset from UTC in seconds (`date +%z`).
    pub utc_offset: i32,
}

/// What the probe found. Kept for the life of the connection.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Capabilities {
    /// `$HOME` of the remote account (where relative paths start).
    pub home: Option<PathBuf>,
    /// `id -un`.
    pub user: String,
    /// `uname -s`, `uname -r`, `uname -m`.
    pub os: String,
    pub os_release: String,
    pub machine: String,
    /// `$SHELL`: the login shell that runs `sh` for every command.
    pub login_shell: String,
    /// `$SHELL` with its links resolved (`readlink -f`): `/bin/sh` is
    /// dash, bash or BusyBox. Empty when the host cannot tell.
    pub login_shell_file: String,
    /// GNU `find -printf`.
    pub find_printf: bool,
    /// GNU find can `-fprintf /dev/fd/3` (a second output stream).
    pub find_fd3: bool,
    /// `find ... -exec CMD {} +` (any POSIX find, including BusyBox's).
    pub find_exec_plus: bool,
    pub stat: Option<StatFlavor>,
    pub perl: bool,
    pub python3: bool,
    /// BusyBox's version line, when the host's tools are BusyBox's: `ls`
    /// is a BusyBox applet (its `--help` says so; some packages install
    /// the applets without a `busybox` command). A `busybox` program on a
    /// host whose tools are GNU's is not used, so it is not recorded.
    pub busybox: Option<String>,
    /// Where `scp` is, when it is on the PATH.
    pub scp: Option<PathBuf>,
    /// That scp takes `-O` (the SCP protocol; OpenSSH 8.7 and later, which
    /// default to SFTP from 9.0), from its usage line.
    pub scp_legacy_option: bool,
    /// sshd runs `~/.ssh/rc` (if it exists) and `/etc/ssh/sshrc` before
    /// every command; what they print arrives like a login banner.
    pub ssh_rc: bool,
    pub etc_sshrc: bool,
    /// The server accepts a `subsystem sftp` request (None: not asked,
    /// see [`Capabilities::probe_shell`]); on a host without `scp`, an SFTP
    /// client starts (what the protocol ladder needs).
    pub sftp: Option<bool>,
    pub realpath: bool,
    pub readlink_f: bool,
    pub readlink: bool,
    pub awk: bool,
    /// `tail -c +N` (the bytes from N on): reads a file from an offset.
    pub tail_c: bool,
    /// `head -c N`: bounds such a read.
    pub head_c: bool,
    /// `dd` with `bs`, `skip`, `count`, `seek` and `conv=notrunc`: reads
    /// from and writes at block offsets.
    pub dd: bool,
    /// The program that computes sha256 (`sha256sum`, `shasum -a 256` or
    /// `openssl dgst -sha256`), when there is one.
    pub sha256: Option<HashTool>,
    pub clock: Option<RemoteClock>,
    /// The umask the host's commands run with (`umask`, octal), which a
    /// file a command creates is made under. None when it did not say.
    pub umask: Option<u32>,
    /// What the login profile printed around the probe (reported once).
    pub banner: Banner,
    /// The login profile reads standard input, so every command waits for
    /// it (see `shell::delivery`).
    pub profile_reads_input: bool,
    /// Commands run on the host (false: an SFTP-only account, whose every
    /// file operation goes through SFTP).
    pub shell: bool,
    /// How files travel to and from the host, chosen by [`super::Host`].
    pub protocol: Protocol,
    /// Why that rung, for the log.
    pub protocol_why: &'static str,
}

/// The probe: one script that prints `key NUL value NUL` pairs (each pair
/// one `printf`, so one write: the order does not matter). python3 and
/// perl are tried in the background while the rest runs (starting
/// python3 alone can take longer than everything else), then waited for.
const PROBE: &str = r#"k() { printf '%s\0%s\0' "$1" "$2"; }
has() { command -v "$1" >/dev/null 2>&1; }
k home "$HOME"; k user "$(id -un 2>/dev/null)"; k shell "$SHELL"
k os "$(uname -s 2>/dev/null)"; k release "$(uname -r 2>/dev/null)"; k machine "$(uname -m 2>/dev/null)"
[ "$(find / -maxdepth 0 -printf x 2>/dev/null)" = x ] && k find_printf 1
[ "$(find / -maxdepth 0 -fprintf /dev/fd/3 x 3>&1 2>/dev/null)" = x ] && k find_fd3 1
[ "$(find / -maxdepth 0 -exec echo y {} + 2>/dev/null)" = 'y /' ] && k find_exec_plus 1
if [ -n "$(stat -c %f / 2>/dev/null)" ]; then k stat gnu
elif [ -n "$(stat -f %p / 2>/dev/null)" ]; then k stat bsd; fi
{ has python3 && python3 -c '' 2>/dev/null && k python3 1; } &
{ has perl && perl -e 1 2>/dev/null && k perl 1; } &
v=$(ls --help 2>&1 | head -n 1)
case $v in BusyBox*) k busybox "$v" ;; esac
k shell_file "$(readlink -f "$SHELL" 2>/dev/null)"
[ -f "$HOME/.ssh/rc" ] && k ssh_rc 1
[ -f /etc/ssh/sshrc ] && k etc_sshrc 1
has scp && k scp "$(command -v scp)" && k scp_usage "$(scp 2>&1 </dev/null | head -n 1)"
[ "$(realpath / 2>/dev/null)" = / ] && k realpath 1
[ "$(readlink -f / 2>/dev/null)" = / ] && k readlink_f 1
has readlink && k readlink 1
has awk && k awk 1
[ "$(printf abc | tail -c +2 2>/dev/null)" = bc ] && k tail_c 1
[ "$(printf abc | head -c 2 2>/dev/null)" = ab ] && k head_c 1
[ "$(printf abcdef | dd bs=2 skip=1 count=1 2>/dev/null)" = cd ] && printf '' | dd of=/dev/null bs=2 seek=1 conv=notrunc 2>/dev/null && k dd 1
if has sha256sum; then k sha256 sha256sum; elif has shasum; then k sha256 shasum; elif has openssl; then k sha256 openssl; fi
k now "$(date +%s 2>/dev/null)"; k tz "$(date +%z 2>/dev/null)"
k umask "$(umask)"
wait
true"#;

impl Capabilities {
    /// Runs the probe with the sftp check (three round trips of its own).
    /// Call once per connection and keep the result ([`super::Host`] does
    /// that, in the connection's facts).
    pub fn probe(link: Link<'_>) -> Result<Self, FsError> {
        let mut caps = Self::probe_shell(link)?;
        caps.sftp = Some(has_sftp_subsystem(link));
        Ok(caps)
    }

    /// The probe without asking for the sftp subsystem: that costs three
    /// round trips of its own, and transfers (always SCP) never need it.
    pub fn probe_shell(link: Link<'_>) -> Result<Self, FsError> {
        Ok(Self::probe_with(link, &[])?.0)
    }

    /// [`Capabilities::probe_shell`] that also looks at `paths` (see
    /// [`Prelisted`]) in the same command: what it saw of each, in order
    /// (`None`: nothing certain).
    pub fn probe_with(link: Link<'_>, paths: &[PathBuf]) -> Result<(Self, Vec<Option<Seen>>), FsError> {
        let action = "probe the remote host";
        let mut cmd = Command::new(PRELUDE).lit(PROBE);
        if !paths.is_empty() {
            cmd = cmd.lit(";").lit(PRELIST);
            for (n, path) in paths.iter().enumerate() {
                let quote = |source| FsError::Quote { action: action.into(), source };
                cmd = cmd.lit(&format!("; p {n}")).arg(path_word(path)).map_err(quote)?;
                // The directory it would be in: a name missing from a
                // directory that can be searched is missing for certain.
                if let Some(parent) = path.parent() {
                    let parent = if parent.as_os_str().is_empty() { Path::new(".") } else { parent };
                    cmd = cmd.arg(path_word(parent)).map_err(quote)?;
                }
            }
            cmd = cmd.lit("; true");
        }
        // Its shell stays parked for the next command (see `shell::park`).
        let out = shell::park::run_parking(link, &cmd).map_err(|source| FsError::exec(action, source))?;
        if !out.status.success() {
            return Err(FsError::from_output(action, cmd.as_bytes(), &out));
        }
        let mut caps = Self::parse(&out.stdout).ok_or_else(|| FsError::Malformed {
            action: action.into(),
            detail: "odd number of fields".into(),
        })?;
        caps.banner = out.banner;
        caps.profile_reads_input = matches!(delivery::recall(link), Delivery::Careful { .. });
        let entries = prelisted(&out.stdout, paths);
        Ok((caps, entries))
    }

    /// Reads the probe's `key NUL value NUL` output (sans-IO).
    pub fn parse(stdout: &[u8]) -> Option<Self> {
        let fields: Vec<&[u8]> = stdout.split(|&b| b == 0).collect();
        let (last, pairs) = fields.split_last()?;
        if !last.is_empty() || pairs.len() % 2 != 0 {
            return None;
        }
        let map: HashMap<&[u8], &[u8]> = pairs.chunks_exact(2).map(|kv| (kv[0], kv[1])).collect();
        let text = |k: &str| {
            map.get(k.as_bytes()).map(|v| String::from_utf8_lossy(v).into_owned()).unwrap_or_default()
        };
        let flag = |k: &str| map.contains_key(k.as_bytes());
        let path = |k: &str| {
            map.get(k.as_bytes())
                .filter(|v| !v.is_empty())
                .map(|v| PathBuf::from(OsString::from_vec(v.to_vec())))
        };
        Some(Self {
            home: path("home"),
            user: text("user"),
            os: text("os"),
            os_release: text("release"),
            machine: text("machine"),
            login_shell: text("shell"),
            login_shell_file: text("shell_file"),
            find_printf: flag("find_printf"),
            find_fd3: flag("find_fd3"),
            find_exec_plus: flag("find_exec_plus"),
            stat: match text("stat").as_str() {
                "gnu" => Some(StatFlavor::Gnu),
                "bsd" => Some(StatFlavor::Bsd),
                _ => None,
            },
            perl: flag("perl"),
            python3: flag("python3"),
            busybox: map.get(&b"busybox"[..]).map(|v| escape_bytes(v)),
            scp: path("scp"),
            scp_legacy_option: takes_option_o(&text("scp_usage")),
            ssh_rc: flag("ssh_rc"),
            etc_sshrc: flag("etc_sshrc"),
            sftp: None,
            realpath: flag("realpath"),
            readlink_f: flag("readlink_f"),
            readlink: flag("readlink"),
            awk: flag("awk"),
            tail_c: flag("tail_c"),
            head_c: flag("head_c"),
            dd: flag("dd"),
            sha256: match text("sha256").as_str() {
                "sha256sum" => Some(HashTool::Sha256sum),
                "shasum" => Some(HashTool::Shasum),
                "openssl" => Some(HashTool::Openssl),
                _ => None,
            },
            clock: clock(&text("now"), &text("tz")),
            umask: umask(&text("umask")),
            banner: Banner::default(),
            profile_reads_input: false,
            shell: true,
            protocol: Protocol::Scp,
            protocol_why: "",
        })
    }

    /// Every listing method this host supports, best first.
    pub fn list_methods(&self) -> Vec<Method> {
        let mut methods = Vec::new();
        if self.find_printf {
            methods.push(Method::FindPrintf);
        }
        if self.python3 {
            methods.push(Method::Python);
        }
        if self.perl {
            methods.push(Method::Perl);
        }
        if self.find_exec_plus {
            match self.stat {
                Some(StatFlavor::Gnu) => methods.push(Method::GnuStat),
                Some(StatFlavor::Bsd) => methods.push(Method::BsdStat),
                None => {}
            }
        }
        methods.push(Method::Ls);
        methods
    }

    /// The listing method [`super::Remote::list`] uses.
    pub fn list_method(&self) -> Method {
        self.list_methods().first().copied().unwrap_or(Method::Ls)
    }

    /// A few lines for the log pane: what the host is and how scpdeck will
    /// talk to it. Already escaped.
    pub fn summary(&self) -> Vec<String> {
        let yes_no = |b: bool| if b { "yes" } else { "no" };
        let shell = super::login_shell::LoginShell::of(self);
        let called = std::path::Path::new(&self.login_shell).file_name().map(|n| n.to_string_lossy());
        let resolved = match called {
            Some(called) if called != shell.name() && !shell.name().is_empty() => {
                format!(" ({})", shell.name())
            }
            _ => String::new(),
        };
        let mut lines = vec![
            format!(
                "remote: {} {} {}, user {}, home {}, login shell {}{resolved}",
                escape_bytes(self.os.as_bytes()),
                escape_bytes(self.os_release.as_bytes()),
                escape_bytes(self.machine.as_bytes()),
                escape_bytes(self.user.as_bytes()),
                self.home
                    .as_ref()
                    .map_or("unknown".into(), |h| escape_bytes(h.as_os_str().as_encoded_bytes())),
                escape_bytes(self.login_shell.as_bytes()),
            ),
            format!(
                "remote: listing with {}; scp {}; sftp subsystem {}; {}; {}{}",
                self.list_method().describe(),
                self.scp
                    .as_ref()
                    .map_or("not found".into(), |p| escape_bytes(p.as_os_str().as_encoded_bytes())),
                self.sftp.map_or("not checked", yes_no),
                self.transfers(),
                self.resume_summary(),
                self.busybox.as_ref().map_or(String::new(), |v| format!("; {v}")),
            ),
        ];
        if self.profile_reads_input {
            lines.push("remote: the login profile reads standard input: each command waits for it to finish (slower; see docs/troubleshooting.md)".into());
        }
        lines
    }
}

impl Capabilities {
    /// What an SFTP-only account is known as: its home (SFTP's `realpath
    /// .`), and no shell.
    pub fn sftp_only(home: Option<PathBuf>) -> Self {
        Capabilities {
            home,
            shell: false,
            sftp: Some(true),
            protocol: Protocol::Sftp,
            ..Capabilities::default()
        }
    }

    /// The log line that names the rung and why.
    pub fn protocol_line(&self) -> String {
        format!("remote: {}", self.transfers())
    }

    /// `transfers use RUNG (why)`.
    fn transfers(&self) -> String {
        match self.protocol_why {
            "" => format!("transfers use {}", self.protocol),
            why => format!("transfers use {} ({why})", self.protocol),
        }
    }

    /// The log lines for a host without a shell.
    pub fn sftp_only_summary(&self) -> Vec<String> {
        vec![
            format!(
                "remote: SFTP only, home {}",
                self.home
                    .as_ref()
                    .map_or("unknown".into(), |h| escape_bytes(h.as_os_str().as_encoded_bytes())),
            ),
            self.protocol_line(),
        ]
    }
}

/// The probe's look at named paths: `p N PATH DIR` prints `lN` with GNU
/// stat's raw mode (hex), size, mtime seconds and full mtime of a path
/// that is not a symbolic link, `mN` for a path that is not there while
/// its directory `DIR` is one that can be searched (so nothing stands in
/// the way of looking); nothing for a link, a path that cannot be looked
/// at or a host without `stat -c` (those are listed as usual).
const PRELIST: &str = r#"p() { if [ -L "$2" ]; then :; elif [ -e "$2" ]; then v=$(stat -c '%f %s %Y %y' -- "$2" 2>/dev/null) && k "l$1" "$v"; elif [ -d "$3" ] && [ -x "$3" ]; then k "m$1" -; fi; }"#;

/// What the probe saw of a named path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seen {
    /// A plain file or directory.
    Entry(Entry),
    /// Nothing there.
    Missing,
}

/// What the probe saw of `paths` (sans-IO): plain files and directories
/// with their name, kind, size, permission bits and mtime to the
/// nanosecond (owner and group are not looked at), and missing paths.
pub(super) fn prelisted(stdout: &[u8], paths: &[PathBuf]) -> Vec<Option<Seen>> {
    let fields: Vec<&[u8]> = stdout.split(|&b| b == 0).collect();
    let pairs: Vec<(&[u8], &[u8])> = fields.chunks_exact(2).map(|kv| (kv[0], kv[1])).collect();
    let said = |key: String| pairs.iter().find(|(k, _)| *k == key.as_bytes()).map(|(_, v)| *v);
    paths
        .iter()
        .enumerate()
        .map(|(n, path)| {
            let name = path.file_name()?.to_os_string();
            match said(format!("l{n}")) {
                Some(value) => parse_stat_line(&String::from_utf8_lossy(value), name).map(Seen::Entry),
                None => said(format!("m{n}")).map(|_| Seen::Missing),
            }
        })
        .collect()
}

/// `%f %s %Y %y` (`81a4 5 1700000000 2023-11-14 22:13:20.123456789 +0000`).
fn parse_stat_line(line: &str, name: OsString) -> Option<Entry> {
    let mut words = line.split_whitespace();
    let raw = u32::from_str_radix(words.next()?, 16).ok()?;
    let size = words.next()?.parse().ok()?;
    let secs = words.next()?.parse().ok()?;
    let _date = words.next()?;
    let nanos = match words.next()?.split_once('.') {
        Some((_, frac))
            if !frac.is_empty() && frac.len() <= 9 && frac.bytes().all(|b| b.is_ascii_digit()) =>
        {
            format!("{frac:0<9}").parse().ok()?
        }
        Some(_) => return None,
        None => 0,
    };
    let kind = match raw & 0o170000 {
        0o100000 => Kind::File,
        0o040000 => Kind::Dir,
        _ => return None,
    };
    Some(Entry {
        name,
        kind,
        size,
        mode: raw & 0o7777,
        mtime: Mtime { secs, nanos },
        owner: String::new(),
        group: String::new(),
        link: None,
    })
}

/// Whether a usage line (`usage: scp [-346ABCOpqRrsTv] [-c cipher] ...`)
/// lists `-O` among the single-letter flags.
fn takes_option_o(usage: &str) -> bool {
    usage.split('[').nth(1).and_then(|group| group.strip_prefix('-')).is_some_and(|group| {
        group
            .split(']')
            .next()
            .is_some_and(|flags| flags.chars().all(|c| c.is_ascii_alphanumeric()) && flags.contains('O'))
    })
}

fn clock(now: &str, tz: &str) -> Option<RemoteClock> {
    let now = now.trim().parse().ok()?;
    let tz = tz.trim();
    let (sign, digits) = match tz.as_bytes().first()? {
        b'+' => (1, &tz[1..]),
        b'-' => (-1, &tz[1..]),
        _ => return None,
    };
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let hours: i32 = digits[..2].parse().ok()?;
    let minutes: i32 = digits[2..].parse().ok()?;
    Some(RemoteClock { now, utc_offset: sign * (hours * 3600 + minutes * 60) })
}

/// `umask`'s answer: octal digits (POSIX shells print `0022`), at most
/// the permission bits.
fn umask(text: &str) -> Option<u32> {
    let text = text.trim();
    if text.is_empty() || text.len() > 4 || !text.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        return None;
    }
    u32::from_str_radix(text, 8).ok().filter(|mask| *mask <= 0o777)
}

/// Asks for the sftp subsystem on a fresh channel and closes it again: the
/// request succeeds only when the server has one configured.
pub(super) fn has_sftp_subsystem(link: Link<'_>) -> bool {
    crate::ssh::sftp::subsystem_offered(link).unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn umask_is_read_as_octal_and_anything_else_is_unknown() {
        assert_eq!(umask("0022\n"), Some(0o022));
        assert_eq!(umask("077"), Some(0o077));
        assert_eq!(umask("0002"), Some(0o002));
        for bad in ["", "u=rwx,g=rx,o=rx", "0089", "12345", "7777"] {
            assert_eq!(umask(bad), None, "{bad}");
        }
    }

    #[test]
    fn parses_pairs_and_picks_methods() {
        let out = b"home\0/home/a b\nc\0user\0alice\0find_exec_plus\x001\0stat\0gnu\0busybox\0BusyBox v1.36\x1b\0now\x001700000000\0tz\0-0130\0";
        let caps = Capabilities::parse(out).unwrap();
        assert_eq!(caps.home, Some(PathBuf::from("/home/a b\nc")));
        assert_eq!(caps.user, "alice");
        assert_eq!(caps.busybox.as_deref(), Some("BusyBox v1.36\\e"));
        assert_eq!(caps.clock, Some(RemoteClock { now: 1_700_000_000, utc_offset: -5400 }));
        assert_eq!(caps.list_methods(), [Method::GnuStat, Method::Ls]);
        assert!(!caps.perl && !caps.find_printf);
    }

    #[test]
    fn best_method_prefers_find_then_python_then_perl() {
        let caps = Capabilities::parse(b"find_printf\x001\0perl\x001\0python3\x001\0").unwrap();
        assert_eq!(caps.list_methods(), [Method::FindPrintf, Method::Python, Method::Perl, Method::Ls]);
        let caps = Capabilities::parse(b"perl\x001\0").unwrap();
        assert_eq!(caps.list_method(), Method::Perl);
    }

    #[test]
    fn scp_takes_o_when_its_usage_lists_it() {
        let usage = |line: &str| Capabilities::parse(format!("scp_usage\0{line}\0").as_bytes()).unwrap();
        let current = "usage: scp [-346ABCOpqRrsTv] [-c cipher] [-D sftp_server_path] [-F ssh_config]";
        assert!(usage(current).scp_legacy_option);
        assert!(
            !usage("usage: scp [-346BCpqrTv] [-c cipher] [-F ssh_config] [-i identity_file]")
                .scp_legacy_option
        );
        assert!(!usage("").scp_legacy_option);
        assert!(!usage("usage: scp [-o ssh_option] [-P port]").scp_legacy_option);
    }

    #[test]
    fn the_probe_sees_named_files_and_directories_only() {
        let paths =
            [PathBuf::from("/d/five"), PathBuf::from("to/"), PathBuf::from("link"), PathBuf::from("odd")];
        let out = b"home\0/root\0l0\x0081a4 5 1700000000 2023-11-14 22:13:20.12 +0000\0\
l1\x0041ed 4096 1700000001 2023-11-14 22:13:21.000000001 +0000\0l3\x001b6 0 1 x y.0 +0000\0";
        let seen = prelisted(out, &paths);
        let entry = |n: usize| match seen[n].clone() {
            Some(Seen::Entry(e)) => e,
            other => panic!("{other:?}"),
        };
        let five = entry(0);
        assert_eq!(
            (five.name.to_str(), five.kind, five.size, five.mode),
            (Some("five"), Kind::File, 5, 0o644)
        );
        assert_eq!(five.mtime, Mtime { secs: 1_700_000_000, nanos: 120_000_000 });
        let to = entry(1);
        assert_eq!((to.name.to_str(), to.kind, to.mode, to.mtime.nanos), (Some("to"), Kind::Dir, 0o755, 1));
        // Nothing said (a link), and a character device: listed as usual.
        assert_eq!((&seen[2], &seen[3]), (&None, &None));
        assert!(prelisted(b"l0\0garbage\0", &paths[..1])[0].is_none());
        // Missing for certain (its directory could be searched).
        assert_eq!(prelisted(b"m1\0-\0", &paths[..2]), [None, Some(Seen::Missing)]);
    }

    #[test]
    fn truncated_output_is_refused() {
        assert!(Capabilities::parse(b"home\0/x").is_none());
        assert!(Capabilities::parse(b"home\0").is_none());
    }
}
