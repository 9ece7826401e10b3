//! Test harness: a real OpenSSH `sshd` per test on 127.0.0.1 (or another
//! address of this machine: ::1, or a non-loopback one).
//!
//! Each [`Sshd`] gets an ephemeral port, fresh host and client keys in a temp
//! dir, and runs as the current user (root or not). Its log is printed when
//! the test fails, and the server is killed when the value is dropped.
//!
//! Options (see [`SshdBuilder`]): a misbehaving login profile ([`Banner`]:
//! text on stdout and stderr, a title escape without newline, binary noise,
//! reading standard input), another login shell (sh, dash, bash, zsh, fish,
//! tcsh, BusyBox), password and keyboard-interactive authentication, extra
//! `sshd_config` lines. A second `Sshd` acts as a jump host.

#![allow(dead_code)]

mod accounts;
pub mod awkward;
mod banner;
pub mod closed_port;
pub mod cp_child;
pub mod deadline;
pub mod no_scp;
pub mod own_dirs;
pub mod proxy;
pub mod scheduler;
mod scripted;
mod shells;
pub mod sudo_accounts;
pub mod sudo_no_scp;
pub mod tmpfs;
pub mod tmux;

use std::fmt::Write as _;
use std::io::Read;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

#[allow(unused_imports)]
pub use accounts::{TestUser, password_user, unprivileged_sshd};
pub use banner::Banner;
#[allow(unused_imports)]
pub use scripted::Scripted;
pub use shells::Shell;

#[derive(Debug, Clone, Default)]
pub struct SshdBuilder {
    banner: Option<Banner>,
    shell: Option<Shell>,
    password: bool,
    kbd_interactive: bool,
    no_sftp: bool,
    no_busybox_binary: bool,
    no_scp: bool,
    /// The only programs on the PATH (BusyBox applets where BusyBox has
    /// them, `sh` being dash), when set.
    only_programs: Option<Vec<String>>,
    log_level: Option<&'static str>,
    extra: Vec<String>,
    programs: Vec<(String, String)>,
    max_startups: Option<String>,
    max_sessions: Option<u32>,
    address: Option<IpAddr>,
}

impl SshdBuilder {
    /// Every remote command runs after a login profile that does what
    /// `banner` says (prints, reads standard input).
    pub fn banner(mut self, banner: Banner) -> Self {
        self.banner = Some(banner);
        self
    }

    /// Every remote command runs under `shell -c COMMAND`, as if `shell` were
    /// the user's login shell.
    pub fn shell(mut self, shell: Shell) -> Self {
        self.shell = Some(shell);
        self
    }

    /// Allows password authentication (for [`password_user`]).
    pub fn password_auth(mut self) -> Self {
        self.password = true;
        self
    }

    /// Allows keyboard-interactive authentication through PAM (for
    /// [`password_user`]).
    pub fn kbd_interactive_auth(mut self) -> Self {
        self.kbd_interactive = true;
        self
    }

    /// Configures no sftp subsystem (a host that offers only exec).
    pub fn without_sftp(mut self) -> Self {
        self.no_sftp = true;
        self
    }

    /// An account with `ForceCommand internal-sftp`: every exec request
    /// runs sftp-server, as on SFTP-only (often chrooted) hosts.
    pub fn sftp_only(self) -> Self {
        self.config("ForceCommand internal-sftp")
    }

    /// A PATH that holds this machine's programs but `scp`.
    pub fn without_scp(mut self) -> Self {
        self.no_scp = true;
        self
    }

    /// With [`Shell::BusyBox`]: the PATH holds BusyBox's applets but no
    /// `busybox` program, as on hosts whose package lists no `busybox`
    /// applet (Debian's dynamically linked `busybox`).
    pub fn without_busybox_binary(mut self) -> Self {
        self.no_busybox_binary = true;
        self
    }

    /// A PATH that holds only these programs: BusyBox applets where
    /// BusyBox has them, else this machine's (OpenSSH's `scp`), and `sh`
    /// (dash, whose lookups go by the PATH: BusyBox's own `sh` would run
    /// any applet). So a host without `dd` or `tail` is one that lists
    /// neither.
    pub fn only_programs(mut self, programs: &[&str]) -> Self {
        self.only_programs = Some(programs.iter().map(|p| p.to_string()).collect());
        self
    }

    /// [`only_programs`](Self::only_programs) with the tools a plain host
    /// has (scp, coreutils, find, sed, awk, dd, tail, sha256sum: no perl,
    /// no python) but for those in `missing`.
    pub fn plain_tools_except(self, missing: &[&str]) -> Self {
        let tools: Vec<&str> = PLAIN_TOOLS.iter().copied().filter(|t| !missing.contains(t)).collect();
        self.only_programs(&tools)
    }

    /// sshd's LogLevel (default VERBOSE); DEBUG3 logs every global request,
    /// e.g. a client's keepalives.
    pub fn log_level(mut self, level: &'static str) -> Self {
        self.log_level = Some(level);
        self
    }

    /// Puts a program (a script) first on the PATH of every remote command,
    /// e.g. a fake `scp` that plays a hostile server.
    pub fn program(mut self, name: &str, script: &str) -> Self {
        self.programs.push((name.to_owned(), script.to_owned()));
        self
    }

    /// sshd's MaxStartups (default 200): e.g. "2", or "1:100:1" to drop
    /// every unauthenticated connection beyond the first.
    pub fn max_startups(mut self, value: &str) -> Self {
        self.max_startups = Some(value.to_owned());
        self
    }

    /// sshd's MaxSessions (default 200): channels open at once on one
    /// connection.
    pub fn max_sessions(mut self, value: u32) -> Self {
        self.max_sessions = Some(value);
        self
    }

    /// Adds a line to sshd_config (sshd keeps the first value of a keyword,
    /// so a keyword the harness sets has its own option).
    pub fn config(mut self, line: impl Into<String>) -> Self {
        self.extra.push(line.into());
        self
    }

    /// Listens on `address` instead of 127.0.0.1 (e.g. `::1`, or
    /// [`non_loopback_address`], where OpenSSH's CheckHostIP applies).
    pub fn listen_on(mut self, address: IpAddr) -> Self {
        self.address = Some(address);
        self
    }

    pub fn start(self) -> Sshd {
        Sshd::start_with(self)
    }
}

/// A running sshd.
pub struct Sshd {
    dir: tempfile::TempDir,
    pub port: u16,
    /// The address it listens on.
    pub address: IpAddr,
    child: Child,
    /// The user tests log in as with the generated key.
    pub user: String,
}

const ALIAS: &str = "scpdeck-test";

impl Sshd {
    /// An sshd with default options.
    pub fn start() -> Sshd {
        Sshd::builder().start()
    }

    pub fn builder() -> SshdBuilder {
        SshdBuilder::default()
    }

    fn start_with(options: SshdBuilder) -> Sshd {
        let sshd = sshd_binary();
        let dir = tempfile::Builder::new().prefix("scpdeck-sshd-").tempdir().expect("temp dir");
        keygen(&dir.path().join("host_ed25519"), "");
        keygen(&dir.path().join("id_ed25519"), "");
        std::fs::copy(dir.path().join("id_ed25519.pub"), dir.path().join("authorized_keys"))
            .expect("authorized_keys");
        let wrapper = write_wrapper(dir.path(), &options);
        ensure_privsep_dir();

        let user = accounts::current_user();
        let config_path = dir.path().join("sshd_config");
        let log = dir.path().join("sshd.log");
        let address = options.address.unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
        for _ in 0..10 {
            let port = free_port(address);
            std::fs::write(
                &config_path,
                sshd_config(dir.path(), address, port, &options, wrapper.as_deref()),
            )
            .expect("sshd_config");
            let _ = std::fs::remove_file(&log);
            let mut child = Command::new(&sshd)
                .arg("-D")
                .arg("-f")
                .arg(&config_path)
                .arg("-E")
                .arg(&log)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("spawn sshd");
            if wait_ready(&mut child, SocketAddr::new(address, port)) {
                let sshd = Sshd { dir, port, address, child, user };
                sshd.write_client_files();
                return sshd;
            }
            // Most likely another process took the port between our probe and
            // sshd's bind: try another one.
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("sshd did not start; its last log:\n{}", std::fs::read_to_string(&log).unwrap_or_default());
    }

    fn write_client_files(&self) {
        std::fs::write(self.path("known_hosts"), format!("{}\n", self.known_hosts_line()))
            .expect("known_hosts");
        std::fs::write(self.path("ssh_config"), self.config_block(ALIAS)).expect("ssh_config");
    }

    /// A file in this server's temp dir.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The temp dir holding keys, config and log (tests may use it as scratch).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The client's private key (no passphrase), authorised for [`Sshd::user`].
    pub fn client_key(&self) -> PathBuf {
        self.path("id_ed25519")
    }

    /// The server's public host key, as `type base64`.
    pub fn host_public_key(&self) -> String {
        let text = std::fs::read_to_string(self.path("host_ed25519.pub")).expect("host key");
        text.split_whitespace().take(2).collect::<Vec<_>>().join(" ")
    }

    /// The known_hosts line for this server.
    pub fn known_hosts_line(&self) -> String {
        format!("{} {}", self.known_hosts_name(), self.host_public_key())
    }

    /// How known_hosts names this server: `[address]:port`.
    pub fn known_hosts_name(&self) -> String {
        format!("[{}]:{}", self.address, self.port)
    }

    /// An ssh_config `Host` block for this server under `alias`.
    pub fn config_block(&self, alias: &str) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "Host {alias}");
        let _ = writeln!(s, "  HostName {}", self.address);
        let _ = writeln!(s, "  Port {}", self.port);
        let _ = writeln!(s, "  User {}", self.user);
        let _ = writeln!(s, "  IdentityFile {}", self.client_key().display());
        let _ = writeln!(s, "  IdentitiesOnly yes");
        let _ = writeln!(s, "  UserKnownHostsFile {}", self.path("known_hosts").display());
        let _ = writeln!(s, "  GlobalKnownHostsFile /dev/null");
        let _ = writeln!(s, "  StrictHostKeyChecking yes");
        let _ = writeln!(s, "  BatchMode yes");
        s
    }

    /// The alias for this server in [`Sshd::ssh_config`].
    pub fn alias(&self) -> &'static str {
        ALIAS
    }

    /// An ssh_config file with a `Host scpdeck-test` block for this server,
    /// its known_hosts file and the client key.
    pub fn ssh_config(&self) -> PathBuf {
        self.path("ssh_config")
    }

    /// `ssh -F <config> scpdeck-test`, ready for more arguments.
    pub fn ssh(&self) -> Command {
        let mut cmd = Command::new("ssh");
        cmd.arg("-F").arg(self.ssh_config()).arg(ALIAS);
        cmd
    }

    /// OpenSSH's `scp -F <config>` (add `-O` for the legacy protocol).
    pub fn scp(&self) -> Command {
        let mut cmd = Command::new("scp");
        cmd.arg("-F").arg(self.ssh_config());
        cmd
    }

    /// A raw ssh2 session, authenticated with the client key, made without
    /// scpdeck's connection code, so layers above the SSH module can be
    /// tested on their own. It derefs to the `ssh2::Session`; `.link()` is
    /// what scpdeck's layers take.
    pub fn session(&self) -> scpdeck::ssh::OwnedLink {
        self.session_with(|_| {})
    }

    /// Like [`Sshd::session`], with `configure` applied before the handshake
    /// (e.g. `method_pref` to pick a faster cipher for big transfers).
    pub fn session_with(&self, configure: impl FnOnce(&ssh2::Session)) -> scpdeck::ssh::OwnedLink {
        let tcp = TcpStream::connect((self.address, self.port)).expect("connect to sshd");
        let socket = tcp.try_clone().expect("clone the socket");
        let mut session = ssh2::Session::new().expect("ssh2 session");
        session.set_tcp_stream(tcp);
        configure(&session);
        session.handshake().unwrap_or_else(|e| panic!("handshake failed: {e}\n{}", self.log()));
        session
            .userauth_pubkey_file(&self.user, None, &self.client_key(), None)
            .unwrap_or_else(|e| panic!("key authentication failed: {e}\n{}", self.log()));
        assert!(session.authenticated());
        scpdeck::ssh::OwnedLink::new(session, &socket).expect("duplicate the socket")
    }

    /// A session like [`Sshd::session`] as another account, by password.
    pub fn session_as(&self, user: &TestUser) -> scpdeck::ssh::OwnedLink {
        let tcp = TcpStream::connect((self.address, self.port)).expect("connect to sshd");
        let socket = tcp.try_clone().expect("clone the socket");
        let mut session = ssh2::Session::new().expect("ssh2 session");
        session.set_tcp_stream(tcp);
        session.handshake().unwrap_or_else(|e| panic!("handshake failed: {e}\n{}", self.log()));
        session
            .userauth_password(&user.name, &user.password)
            .unwrap_or_else(|e| panic!("password authentication failed: {e}\n{}", self.log()));
        scpdeck::ssh::OwnedLink::new(session, &socket).expect("duplicate the socket")
    }

    /// The server's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.path("sshd.log")).unwrap_or_default()
    }

    /// How many logins the server has accepted.
    pub fn accepted_logins(&self) -> usize {
        self.log().lines().filter(|l| l.contains("Accepted ") && l.contains(" for ")).count()
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Process ids of the per-connection sshd processes (direct children).
    pub fn connection_pids(&self) -> Vec<i32> {
        children_of(self.child.id() as i32)
    }

    /// Freezes every connection's server processes (SIGSTOP): the TCP
    /// connection stays up but nothing answers, as with a hung host or a
    /// network that drops packets.
    pub fn stop_connections(&self) {
        self.signal_connection_trees(nix::sys::signal::Signal::SIGSTOP);
    }

    /// Undoes [`Sshd::stop_connections`].
    pub fn continue_connections(&self) {
        self.signal_connection_trees(nix::sys::signal::Signal::SIGCONT);
    }

    fn signal_connection_trees(&self, signal: nix::sys::signal::Signal) {
        let mut pending = self.connection_pids();
        while let Some(pid) = pending.pop() {
            let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), signal);
            pending.extend(children_of(pid));
        }
    }

    /// Kills every connection's server process, as a network drop would.
    pub fn kill_connections(&self) {
        for pid in self.connection_pids() {
            let _ =
                nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), nix::sys::signal::Signal::SIGKILL);
        }
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("----- sshd log (port {}) -----\n{}----- end of sshd log -----", self.port, self.log());
        }
    }
}

fn wait_ready(child: &mut Child, address: SocketAddr) -> bool {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return false;
        }
        if let Ok(mut stream) = TcpStream::connect(address) {
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let mut banner = [0u8; 8];
            if stream.read_exact(&mut banner).is_ok() && banner.starts_with(b"SSH-2.0") {
                return true;
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

fn sshd_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("SCPDECK_TEST_SSHD") {
        return PathBuf::from(path);
    }
    for candidate in ["/usr/sbin/sshd", "/usr/local/sbin/sshd", "/opt/homebrew/sbin/sshd", "/sbin/sshd"] {
        if Path::new(candidate).exists() {
            return PathBuf::from(candidate);
        }
    }
    panic!(
        "OpenSSH sshd was not found. The tests run against a real sshd: run scripts/test, \
         which installs openssh-server (or set SCPDECK_TEST_SSHD to its path)."
    );
}

/// Bytes in scpdeck's temporary files in `dir`: a download's
/// `.NAME.XXXXXX.scpdeck`, the files in an upload's `.sd-XXXXXXXX`.
pub fn partial_bytes(dir: &Path) -> u64 {
    let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    temp_names(dir)
        .iter()
        .map(|name| {
            let path = dir.join(name);
            match std::fs::read_dir(&path) {
                Ok(inside) => inside.flatten().map(|e| size(&e.path())).sum(),
                Err(_) => size(&path),
            }
        })
        .sum()
}

/// scpdeck's temporary names in `dir`.
pub fn temp_names(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    entries
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".sd-") || (n.starts_with('.') && n.ends_with(".scpdeck")))
        .collect()
}

/// Writes `len` incompressible bytes (xorshift, one stream per `seed`).
pub fn random_file(path: &Path, len: u64, seed: u64) {
    use std::io::Write;
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).expect("create a file"));
    let mut x = seed | 1;
    let mut left = len;
    while left > 0 {
        let mut block = [0u8; 8192];
        for chunk in block.chunks_mut(8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            chunk.copy_from_slice(&x.to_le_bytes());
        }
        let n = left.min(block.len() as u64) as usize;
        file.write_all(&block[..n]).expect("write a file");
        left -= n as u64;
    }
}

/// Generates a key pair at `path` (and `path.pub`).
/// Where `program` is on this machine's PATH (empty when it is not).
pub fn which(program: &str) -> PathBuf {
    let out = Command::new("sh").arg("-c").arg(format!("command -v {program}")).output().expect("sh");
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}

pub fn keygen(path: &Path, passphrase: &str) {
    let status = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-C", "scpdeck-test", "-N", passphrase, "-f"])
        .arg(path)
        .stdin(Stdio::null())
        .status()
        .unwrap_or_else(|e| {
            panic!("ssh-keygen not found ({e}): run scripts/test, which installs openssh-client")
        });
    assert!(status.success(), "ssh-keygen failed");
}

fn free_port(address: IpAddr) -> u16 {
    let listener = TcpListener::bind((address, 0))
        .unwrap_or_else(|e| panic!("cannot listen on {address} on this machine: {e}"));
    listener.local_addr().expect("local addr").port()
}

/// An address of this machine that is not loopback (OpenSSH checks
/// CheckHostIP only for those). The tests that need one fail, naming the
/// reason, on a machine that has none.
pub fn non_loopback_address() -> IpAddr {
    let addresses = nix::ifaddrs::getifaddrs().expect("getifaddrs");
    let mut found: Vec<IpAddr> = addresses
        .filter_map(|a| a.address)
        .filter_map(|a| {
            let v4 = a.as_sockaddr_in().map(|s| IpAddr::V4(s.ip()));
            v4.or_else(|| a.as_sockaddr_in6().map(|s| IpAddr::V6(s.ip())))
        })
        .filter(|ip| !ip.is_loopback() && !ip.is_unspecified())
        .filter(|ip| !matches!(ip, IpAddr::V6(v6) if v6.is_unicast_link_local()))
        .collect();
    // IPv4 first: the simplest to read in a known_hosts line.
    found.sort_by_key(|ip| ip.is_ipv6());
    *found.first().expect(
        "this machine has no address but loopback ones, so no test can reach an sshd the way \
         CheckHostIP needs (OpenSSH skips the check for loopback addresses)",
    )
}

fn ensure_privsep_dir() {
    if nix::unistd::geteuid().is_root() {
        for dir in ["/run/sshd", "/var/run/sshd"] {
            if Path::new(dir).parent().is_some_and(|p| p.exists()) {
                let _ = std::fs::create_dir_all(dir);
            }
        }
    }
}

fn sshd_config(
    dir: &Path,
    address: IpAddr,
    port: u16,
    options: &SshdBuilder,
    wrapper: Option<&Path>,
) -> String {
    let yes_no = |b: bool| if b { "yes" } else { "no" };
    let mut c = String::new();
    let _ = writeln!(c, "Port {port}");
    let _ = writeln!(c, "ListenAddress {address}");
    let _ = writeln!(c, "HostKey {}", dir.join("host_ed25519").display());
    let _ = writeln!(c, "PidFile none");
    let _ = writeln!(c, "AuthorizedKeysFile {}", dir.join("authorized_keys").display());
    let _ = writeln!(c, "StrictModes no");
    let _ = writeln!(c, "PermitRootLogin yes");
    let _ = writeln!(c, "PubkeyAuthentication yes");
    let _ = writeln!(c, "PasswordAuthentication {}", yes_no(options.password));
    let _ = writeln!(c, "KbdInteractiveAuthentication {}", yes_no(options.kbd_interactive));
    let _ = writeln!(c, "UsePAM {}", yes_no(options.kbd_interactive));
    if !options.no_sftp {
        let _ = writeln!(c, "Subsystem sftp internal-sftp");
    }
    let _ = writeln!(c, "LogLevel {}", options.log_level.unwrap_or("VERBOSE"));
    let _ = writeln!(c, "MaxStartups {}", options.max_startups.as_deref().unwrap_or("200"));
    let _ = writeln!(c, "MaxSessions {}", options.max_sessions.unwrap_or(200));
    let _ = writeln!(c, "MaxAuthTries 20");
    let _ = writeln!(c, "PrintMotd no");
    // bash sources ~/.bashrc for commands run over ssh when it is a top-level
    // shell; this machine's own rc files (pyenv init, say) would then print
    // into tests at random. A shell level above 1 keeps them out: banners
    // come only from the `banner` option.
    let _ = writeln!(c, "SetEnv SHLVL=5");
    let _ = writeln!(c, "PrintLastLog no");
    let _ = writeln!(c, "AllowTcpForwarding yes");
    if let Some(wrapper) = wrapper {
        let _ = writeln!(c, "ForceCommand {}", wrapper.display());
    }
    for line in &options.extra {
        let _ = writeln!(c, "{line}");
    }
    c
}

/// The ForceCommand script that plays the login profile and login shell.
fn write_wrapper(dir: &Path, options: &SshdBuilder) -> Option<PathBuf> {
    if options.banner.is_none()
        && options.shell.is_none()
        && options.programs.is_empty()
        && options.only_programs.is_none()
        && !options.no_scp
    {
        return None;
    }
    let mut script = String::from("#!/bin/sh\n");
    if let Some(programs) = &options.only_programs {
        let bin = restricted_bin(dir, programs);
        let _ = writeln!(script, "PATH='{}'; export PATH", bin.display());
    }
    if options.no_scp {
        let _ = writeln!(script, "PATH='{}'; export PATH", no_scp::bin(dir).display());
    }
    if !options.programs.is_empty() {
        use std::os::unix::fs::PermissionsExt;
        let bin = dir.join("programs");
        std::fs::create_dir_all(&bin).expect("programs dir");
        for (name, text) in &options.programs {
            let path = bin.join(name);
            std::fs::write(&path, text).expect("program");
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod program");
        }
        let _ = writeln!(script, "PATH='{}':\"$PATH\"; export PATH", bin.display());
    }
    if let Some(banner) = &options.banner {
        script.push_str(&banner.wrapper_lines(dir));
    }
    let shell = options.shell.clone().unwrap_or(Shell::Sh);
    script.push_str(&shell.exec_line(dir, !options.no_busybox_binary));
    let path = dir.join("login-shell");
    std::fs::write(&path, script).expect("wrapper");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod wrapper");
    Some(path)
}

/// A directory of symlinks: `sh` to dash, each program to BusyBox when it
/// is an applet, else to this machine's program of that name.
fn restricted_bin(dir: &Path, programs: &[String]) -> PathBuf {
    let bin = dir.join("restricted-bin");
    std::fs::create_dir_all(&bin).expect("restricted bin dir");
    let busybox = Shell::BusyBox.path().expect("busybox is missing: run scripts/test, which installs it");
    let list = Command::new(&busybox).arg("--list").output().expect("busybox --list");
    let applets: Vec<String> = String::from_utf8_lossy(&list.stdout).lines().map(str::to_owned).collect();
    let dash = Shell::Dash.path().expect("dash is missing: run scripts/test, which installs it");
    std::os::unix::fs::symlink(&dash, bin.join("sh")).expect("link sh");
    for program in programs.iter().filter(|p| *p != "sh") {
        let target = if applets.contains(program) { busybox.clone() } else { which(program) };
        assert!(!target.as_os_str().is_empty(), "{program} is not installed");
        std::os::unix::fs::symlink(&target, bin.join(program)).expect("link a program");
    }
    bin
}

fn children_of(parent: i32) -> Vec<i32> {
    let mut pids = Vec::new();
    let Ok(entries) = std::fs::read_dir("/proc") else { return pids };
    for entry in entries.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else { continue };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else { continue };
        // Fields after the command name, which is in parentheses and may hold spaces.
        let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else { continue };
        let ppid = rest.split_whitespace().nth(1).and_then(|p| p.parse::<i32>().ok());
        if ppid == Some(parent) {
            pids.push(pid);
        }
    }
    pids
}

/// The programs of [`SshdBuilder::plain_tools_except`].
const PLAIN_TOOLS: &[&str] = &[
    "scp",
    "cat",
    "head",
    "tail",
    "dd",
    "sha256sum",
    "mv",
    "ln",
    "rm",
    "rmdir",
    "mkdir",
    "chmod",
    "stat",
    "find",
    "ls",
    "wc",
    "sed",
    "awk",
    "touch",
    "date",
    "id",
    "uname",
    "cp",
    "tr",
    "sort",
    "cut",
    "expr",
    "readlink",
    "realpath",
];
