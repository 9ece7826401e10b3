//! Hosts used as root: `scpdeck ls --sudo`, `cp --sudo` and the commander
//! against a real sshd and the real
//! sudo: an account whose sudo needs no password, one whose sudo asks its
//! password (typed on the terminal: the command runs in tmux), one sudo
//! refuses. Each reads a root-only directory and file and writes into a
//! root-owned directory. The password never reaches a command line (checked
//! in `ps` while the commands run), the log or `-vv`'s output.

mod support;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use support::sudo_accounts::{SudoKind, sudo_sshd};
use support::tmux::{Tmux, scpdeck_bin};

/// A root-only directory (0700) holding `key.txt`, and a root-owned
/// directory (0755) only root may write into.
struct RootPlaces {
    _dir: tempfile::TempDir,
    secret: PathBuf,
    drop: PathBuf,
}

fn root_places() -> RootPlaces {
    let dir = tempfile::Builder::new().prefix("scpdeck-root-").tempdir_in("/tmp").unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let secret = dir.path().join("secret");
    std::fs::create_dir(&secret).unwrap();
    std::fs::write(secret.join("key.txt"), "root only\n").unwrap();
    std::fs::set_permissions(secret.join("key.txt"), std::fs::Permissions::from_mode(0o600)).unwrap();
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o700)).unwrap();
    let drop = dir.path().join("drop");
    std::fs::create_dir(&drop).unwrap();
    std::fs::set_permissions(&drop, std::fs::Permissions::from_mode(0o755)).unwrap();
    RootPlaces { _dir: dir, secret, drop }
}

fn scpdeck(config: &Path, state: &Path, args: &[&str]) -> Output {
    // setsid: no controlling terminal, so nothing can be asked; timeout:
    // a hang fails the test.
    Command::new("timeout")
        .arg("120")
        .arg("setsid")
        .arg("-w")
        .arg(scpdeck_bin())
        .args(&args[..1])
        .arg("-F")
        .arg(config)
        .args(&args[1..])
        .env("XDG_STATE_HOME", state)
        .output()
        .unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn remote(kind: SudoKind, path: &Path) -> String {
    format!("{}:{}", kind.user(), path.display())
}

#[test]
fn without_a_password_ls_and_cp_run_as_root() {
    let (sshd, config, shared) = sudo_sshd();
    let places = root_places();
    let state = shared.path().join("state");
    let kind = SudoKind::NoPassword;

    let plain = scpdeck(&config, &state, &["ls", &remote(kind, &places.secret)]);
    assert_eq!(plain.status.code(), Some(1), "{}", text(&plain));
    assert!(String::from_utf8_lossy(&plain.stderr).contains("ermission denied"), "{}", text(&plain));

    let ls = scpdeck(&config, &state, &["ls", "--sudo", "-vv", "-l", &remote(kind, &places.secret)]);
    assert!(ls.status.success(), "{}\n{}", text(&ls), sshd.log());
    let listing = String::from_utf8_lossy(&ls.stdout);
    assert!(listing.contains("key.txt") && listing.contains("root"), "{listing}");
    let said = String::from_utf8_lossy(&ls.stderr);
    assert!(said.contains("sudo -n -k -- sh -c "), "-vv shows the command line sent: {said}");

    let local = tempfile::tempdir().unwrap();
    let down = scpdeck(
        &config,
        &state,
        &[
            "cp",
            "--sudo",
            "-q",
            &remote(kind, &places.secret.join("key.txt")),
            local.path().to_str().unwrap(),
        ],
    );
    assert!(down.status.success(), "{}", text(&down));
    assert_eq!(std::fs::read_to_string(local.path().join("key.txt")).unwrap(), "root only\n");

    std::fs::write(local.path().join("up.txt"), "uploaded as root\n").unwrap();
    let up = scpdeck(
        &config,
        &state,
        &[
            "cp",
            "--sudo",
            "-q",
            local.path().join("up.txt").to_str().unwrap(),
            &format!("{}/", remote(kind, &places.drop)),
        ],
    );
    assert!(up.status.success(), "{}", text(&up));
    let landed = places.drop.join("up.txt");
    assert_eq!(std::fs::read_to_string(&landed).unwrap(), "uploaded as root\n");
    assert_eq!(std::fs::metadata(&landed).unwrap().uid(), 0, "written by root");

    // A relay (host to host through this machine), both ends as root.
    let relayed = places.drop.join("relayed.txt");
    let (from, to) = (remote(kind, &places.secret.join("key.txt")), remote(kind, &relayed));
    let relay = scpdeck(&config, &state, &["cp", "--sudo", "-q", &from, &to]);
    assert!(relay.status.success(), "{}", text(&relay));
    assert_eq!(std::fs::read_to_string(&relayed).unwrap(), "root only\n");
    assert_eq!(std::fs::metadata(&relayed).unwrap().uid(), 0);

    let refused = scpdeck(
        &config,
        &state,
        &[
            "cp",
            "-q",
            local.path().join("up.txt").to_str().unwrap(),
            &format!("{}/", remote(kind, &places.drop)),
        ],
    );
    assert_eq!(
        refused.status.code(),
        Some(1),
        "without --sudo the account may not write there: {}",
        text(&refused)
    );
}

#[test]
fn without_a_terminal_a_password_cannot_be_given_and_sudos_words_are_quoted() {
    let (_sshd, config, shared) = sudo_sshd();
    let places = root_places();
    let state = shared.path().join("state");
    for kind in [SudoKind::Password, SudoKind::Refused] {
        let ls = scpdeck(&config, &state, &["ls", "--sudo", &remote(kind, &places.secret)]);
        assert_eq!(ls.status.code(), Some(1), "{}", text(&ls));
        let said = String::from_utf8_lossy(&ls.stderr);
        assert!(
            said.contains(
                "sudo refused to run the command as root (exit status 1): sudo: a password is required"
            ),
            "{said}"
        );
        let local = tempfile::tempdir().unwrap();
        let cp = scpdeck(
            &config,
            &state,
            &[
                "cp",
                "--sudo",
                "-q",
                &remote(kind, &places.secret.join("key.txt")),
                local.path().to_str().unwrap(),
            ],
        );
        assert_eq!(cp.status.code(), Some(1), "{}", text(&cp));
        assert!(
            String::from_utf8_lossy(&cp.stderr).contains("sudo: a password is required"),
            "{}",
            text(&cp)
        );
        assert!(!local.path().join("key.txt").exists());
    }
}

/// Watches every process's command line (sshd's side included: the
/// remote commands run on this machine) until finished; true if any but
/// the test's own `tmux send-keys` held `secret`.
struct PsWatch {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<(bool, usize)>>,
}

impl PsWatch {
    fn start(secret: String) -> PsWatch {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let (mut seen, mut sudo_lines) = (false, 0);
            while !flag.load(Ordering::Relaxed) {
                for entry in std::fs::read_dir("/proc").unwrap().flatten() {
                    let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
                    let line = String::from_utf8_lossy(&cmdline).replace('\0', " ");
                    // The test's own typing (`tmux send-keys`) holds it.
                    seen |= line.contains(&secret) && !line.starts_with("tmux ");
                    sudo_lines += usize::from(line.starts_with("sudo -S -k -p"));
                }
                std::thread::sleep(Duration::from_millis(5));
            }
            (seen, sudo_lines)
        });
        PsWatch { stop, thread: Some(thread) }
    }

    /// Whether the secret was seen, and how many sudo command lines were.
    fn finish(mut self) -> (bool, usize) {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.take().unwrap().join().unwrap()
    }
}

fn wait_for_file(path: &Path, limit: Duration) -> String {
    let begun = Instant::now();
    loop {
        if let Ok(text) = std::fs::read_to_string(path)
            && text.ends_with("END\n")
        {
            return text;
        }
        assert!(begun.elapsed() < limit, "timed out waiting for {}", path.display());
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Every file under `dir`, read whole.
fn all_text(dir: &Path) -> String {
    let mut text = String::new();
    for entry in walk(dir) {
        text.push_str(&String::from_utf8_lossy(&std::fs::read(entry).unwrap_or_default()));
    }
    text
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() { files.extend(walk(&path)) } else { files.push(path) }
    }
    files
}

#[test]
fn the_password_typed_on_the_terminal_is_fed_to_sudo_and_never_shown_or_written() {
    let (_sshd, config, shared) = sudo_sshd();
    let password = support::sudo_accounts::sudo_password();
    let places = root_places();
    let state = shared.path().join("state");
    let local = tempfile::Builder::new().prefix("scpdeck-local-").tempdir_in("/tmp").unwrap();
    std::fs::write(local.path().join("up.txt"), "uploaded with a password\n").unwrap();
    let out = shared.path().join("out");
    let bin = scpdeck_bin();
    let kind = SudoKind::Password;
    let script = format!(
        "XDG_STATE_HOME='{state}' '{bin}' ls --sudo -vv -F '{config}' '{secret}' >'{out}' 2>'{out}.err'; echo \"ls $?\" >>'{out}'; \
         XDG_STATE_HOME='{state}' '{bin}' cp --sudo -vv -q -F '{config}' '{key}' '{local}/' 2>>'{out}.err'; echo \"down $?\" >>'{out}'; \
         XDG_STATE_HOME='{state}' '{bin}' cp --sudo -vv -q -F '{config}' '{local}/up.txt' '{drop}/' 2>>'{out}.err'; echo \"up $?\" >>'{out}'; \
         echo END >>'{out}'; sleep 30",
        state = state.display(),
        bin = bin.display(),
        config = config.display(),
        secret = remote(kind, &places.secret),
        key = remote(kind, &places.secret.join("key.txt")),
        local = local.path().display(),
        drop = remote(kind, &places.drop),
        out = out.display(),
    );
    let watch = PsWatch::start(password.clone());
    let tmux = Tmux::start(&script, 120, 30);
    for _ in 0..3 {
        // One question per command (each is one connection to the host).
        let before = tmux.screen().matches("[sudo] password for").count();
        let deadline = Instant::now() + Duration::from_secs(30);
        while tmux.screen().matches("[sudo] password for").count() <= before {
            assert!(Instant::now() < deadline, "no password question:\n{}", tmux.screen());
            std::thread::sleep(Duration::from_millis(50));
        }
        tmux.keys(&["-l", &password]);
        tmux.keys(&["Enter"]);
    }
    let result = wait_for_file(&out, Duration::from_secs(60));
    let (seen, sudo_lines) = watch.finish();
    let screen = tmux.screen();
    assert!(screen.contains("[sudo] password for scpdeck-sudo-pw on scpdeck-sudo-pw"), "{screen}");
    assert!(!screen.contains(&password), "the password was echoed:\n{screen}");
    assert!(
        result.contains("key.txt")
            && result.contains("ls 0")
            && result.contains("down 0")
            && result.contains("up 0"),
        "{result}\n{}",
        std::fs::read_to_string(format!("{}.err", out.display())).unwrap_or_default()
    );
    assert_eq!(std::fs::read_to_string(local.path().join("key.txt")).unwrap(), "root only\n");
    assert_eq!(std::fs::metadata(places.drop.join("up.txt")).unwrap().uid(), 0);
    // sudo took exactly its line: the data after it arrived whole.
    assert_eq!(std::fs::read_to_string(places.drop.join("up.txt")).unwrap(), "uploaded with a password\n");
    assert!(!seen, "the password appeared in a process's command line");
    assert!(sudo_lines > 0, "ps never saw sudo's command line: the check watched nothing");
    let stderr = std::fs::read_to_string(format!("{}.err", out.display())).unwrap();
    assert!(stderr.contains("sudo -S -k -p '' -- sh -c "), "{stderr}");
    assert!(!stderr.contains(&password), "the password is in -vv's output");
    let logs = all_text(&state);
    assert!(!logs.contains(&password), "the password is in the log or the journal");
}

#[test]
fn a_user_sudo_refuses_gets_sudos_words_after_giving_the_password() {
    let (_sshd, config, shared) = sudo_sshd();
    let password = support::sudo_accounts::sudo_password();
    let places = root_places();
    let out = shared.path().join("out");
    let script = format!(
        "'{bin}' ls --sudo -F '{config}' '{secret}' >'{out}' 2>&1; echo \"ls $?\" >>'{out}'; echo END >>'{out}'; sleep 30",
        bin = scpdeck_bin().display(),
        config = config.display(),
        secret = remote(SudoKind::Refused, &places.secret),
        out = out.display(),
    );
    let tmux = Tmux::start(&script, 120, 30);
    tmux.wait_for("[sudo] password for scpdeck-sudo-no");
    tmux.keys(&["-l", &password]);
    tmux.keys(&["Enter"]);
    let result = wait_for_file(&out, Duration::from_secs(60));
    assert!(result.contains("ls 1"), "{result}");
    assert!(result.contains("sudo refused to run the command as root (exit status 1)"), "{result}");
    assert!(result.contains("scpdeck-sudo-no is not in the sudoers file"), "sudo's own words: {result}");
    assert!(!result.contains(&password));
}

/// The commander, with `[hosts."scpdeck-sudo-nopw"] sudo = true` in its
/// config.toml, opens that host as root: the pane's title says so, the
/// root-only directory lists, and F5 copies its file out; the job's line
/// says the host is used as root.
#[test]
fn the_commander_browses_a_root_only_directory_and_copies_out_of_it() {
    let (_sshd, config, shared) = sudo_sshd();
    let places = root_places();
    let work = tempfile::tempdir().unwrap();
    let config_dir = work.path().join("config");
    std::fs::create_dir_all(&config_dir).unwrap();
    std::fs::write(config_dir.join("config.toml"), "[hosts.\"scpdeck-sudo-nopw\"]\nsudo = true\n").unwrap();
    let local = work.path().join("local");
    std::fs::create_dir_all(&local).unwrap();
    let command = format!(
        "SCPDECK_CONFIG_DIR='{0}' XDG_STATE_HOME='{1}' '{2}' -F '{3}' '{4}' '{5}'; sleep 60",
        config_dir.display(),
        shared.path().join("state").display(),
        scpdeck_bin().display(),
        config.display(),
        remote(SudoKind::NoPassword, &places.secret),
        local.display(),
    );
    let tmux = Tmux::start(&command, 140, 30);
    support::deadline::bounded(
        Duration::from_secs(120),
        || tmux.kill(),
        || {
            let screen = tmux.wait_for("key.txt");
            assert!(
                screen.contains(&format!("scpdeck-sudo-nopw [sudo]:{}", places.secret.display())),
                "{screen}"
            );
            // Off the `..` row onto the file.
            tmux.keys(&["End"]);
            tmux.keys(&["F5"]);
            tmux.wait_for("Verify by checksum");
            tmux.keys(&["Enter"]);
            let copied = local.join("key.txt");
            let deadline = Instant::now() + Duration::from_secs(30);
            while std::fs::read(&copied).ok().as_deref() != Some(&b"root only\n"[..]) {
                assert!(Instant::now() < deadline, "not copied:\n{}", tmux.screen());
                std::thread::sleep(Duration::from_millis(50));
            }
            tmux.keys(&["M-j"]);
            // The pane's title has the host once; the job's line is the second.
            let screen = tmux.wait_for_times("scpdeck-sudo-nopw [sudo]:", 2);
            let job = screen.lines().find(|l| l.contains("copy ") && l.contains("[sudo]:"));
            assert!(job.is_some(), "the job's line names the host as root:\n{screen}");
        },
    );
}

/// A copy into a root-owned directory, on a host not used as root, fails
/// with permission denied; the job's details offer to retry the item as
/// root (`u`), which queues it again with the host used as root, and the
/// file lands, written by root.
#[test]
fn a_permission_denied_item_is_retried_as_root_from_the_job_details() {
    let (_sshd, config, shared) = sudo_sshd();
    let places = root_places();
    let work = tempfile::tempdir().unwrap();
    let local = work.path().join("local");
    std::fs::create_dir_all(&local).unwrap();
    std::fs::write(local.join("up.txt"), "retried as root\n").unwrap();
    let command = format!(
        "SCPDECK_CONFIG_DIR='{0}/config' XDG_STATE_HOME='{1}' '{2}' -F '{3}' '{4}' '{5}'; sleep 60",
        work.path().display(),
        shared.path().join("state").display(),
        scpdeck_bin().display(),
        config.display(),
        local.display(),
        remote(SudoKind::NoPassword, &places.drop),
    );
    let tmux = Tmux::start(&command, 140, 40);
    support::deadline::bounded(
        Duration::from_secs(120),
        || tmux.kill(),
        || {
            tmux.wait_for("up.txt");
            tmux.wait_for(&format!("scpdeck-sudo-nopw:{}", places.drop.display()));
            // Off the `..` row onto the file.
            tmux.keys(&["End"]);
            tmux.keys(&["F5"]);
            tmux.wait_for("Verify by checksum");
            tmux.keys(&["Enter"]);
            // The jobs panel, then the failed job's details.
            tmux.wait_for("1 failed");
            tmux.keys(&["M-j"]);
            // (Shown, it has the focus.)
            tmux.wait_for("Enter details");
            tmux.keys(&["Enter"]);
            tmux.wait_for("u retries it as root");
            assert!(tmux.screen().contains("ermission denied"), "{}", tmux.screen());
            tmux.keys(&["u"]);
            let landed = places.drop.join("up.txt");
            let deadline = Instant::now() + Duration::from_secs(30);
            while std::fs::read(&landed).ok().as_deref() != Some(&b"retried as root\n"[..]) {
                assert!(Instant::now() < deadline, "not retried as root:\n{}", tmux.screen());
                std::thread::sleep(Duration::from_millis(50));
            }
            assert_eq!(std::fs::metadata(&landed).unwrap().uid(), 0, "written by root");
            tmux.keys(&["Escape"]);
            tmux.wait_for("scpdeck-sudo-nopw [sudo]:");
        },
    );
}

/// The commander opening a host whose sudo asks a password: the "Become
/// root" dialog asks once (masked), the root-only directory lists, and a
/// copy out of it (on a transfer connection) asks nothing more.
#[test]
fn the_commander_asks_sudos_password_once_in_a_dialog() {
    let (_sshd, config, shared) = sudo_sshd();
    let password = support::sudo_accounts::sudo_password();
    let places = root_places();
    let work = tempfile::tempdir().unwrap();
    let config_dir = work.path().join("config");
    std::fs::create_dir_all(&config_dir).unwrap();
    std::fs::write(config_dir.join("config.toml"), "[hosts.\"scpdeck-sudo-pw\"]\nsudo = true\n").unwrap();
    let local = work.path().join("local");
    std::fs::create_dir_all(&local).unwrap();
    let state = shared.path().join("state");
    let command = format!(
        "SCPDECK_CONFIG_DIR='{0}' XDG_STATE_HOME='{1}' '{2}' -F '{3}' '{4}' '{5}'; sleep 60",
        config_dir.display(),
        state.display(),
        scpdeck_bin().display(),
        config.display(),
        remote(SudoKind::Password, &places.secret),
        local.display(),
    );
    let tmux = Tmux::start(&command, 140, 30);
    support::deadline::bounded(
        Duration::from_secs(120),
        || tmux.kill(),
        || {
            tmux.wait_for("Become root");
            tmux.wait_for("sudo password for scpdeck-sudo-pw on scpdeck-sudo-pw");
            tmux.keys(&["-l", &password]);
            let screen = tmux.wait_for(&"•".repeat(password.chars().count()));
            assert!(!screen.contains(&password), "{screen}");
            tmux.keys(&["Enter"]);
            tmux.wait_for("key.txt");
            // Off the `..` row onto the file.
            tmux.keys(&["End"]);
            tmux.keys(&["F5"]);
            tmux.wait_for("Verify by checksum");
            tmux.keys(&["Enter"]);
            let copied = local.join("key.txt");
            let deadline = Instant::now() + Duration::from_secs(30);
            while std::fs::read(&copied).ok().as_deref() != Some(&b"root only\n"[..]) {
                assert!(Instant::now() < deadline, "not copied:\n{}", tmux.screen());
                assert!(!tmux.screen().contains("Become root"), "asked again:\n{}", tmux.screen());
                std::thread::sleep(Duration::from_millis(50));
            }
        },
    );
    tmux.kill();
    assert!(!all_text(&state).contains(&password), "the password is in the log or the journal");
}

/// A connection used as root, through the library: listing a root-only
/// directory, mkdir, touch, rename, chmod, chown, find and delete in a
/// root-owned one all run as root (checked on this machine, where the
/// harness's sshd runs).
#[test]
fn file_operations_and_find_run_as_root() {
    use scpdeck::fs::{FileSystem, FindQuery, RemoteFs};
    use std::os::unix::fs::MetadataExt;
    let (sshd, _config, _shared) = sudo_sshd();
    let places = root_places();
    let user = SudoKind::NoPassword.user();
    let tcp = std::net::TcpStream::connect((sshd.address, sshd.port)).unwrap();
    let socket = tcp.try_clone().unwrap();
    let mut session = ssh2::Session::new().unwrap();
    session.set_tcp_stream(tcp);
    session.handshake().unwrap();
    session.userauth_pubkey_file(user, None, &sshd.client_key(), None).unwrap();
    let owned = scpdeck::ssh::OwnedLink::new(session, &socket).unwrap();
    let config = scpdeck::ssh::HostConfig::defaults(user, user);
    let (prompter, credentials) =
        (Arc::new(scpdeck::ssh::NoPrompter), Arc::new(scpdeck::ssh::Credentials::new()));
    scpdeck::ssh::as_root::become_root(owned.link(), &config, prompter, credentials);
    let fs = RemoteFs::open(owned.link()).unwrap();

    let names: Vec<String> = fs
        .list(&places.secret)
        .unwrap()
        .entries
        .iter()
        .map(|e| e.name.to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["key.txt"]);
    let made = places.drop.join("made");
    fs.make_dir(&made).unwrap();
    assert_eq!(std::fs::metadata(&made).unwrap().uid(), 0);
    fs.touch(&made.join("f")).unwrap();
    fs.rename(&made.join("f"), &made.join("g")).unwrap();
    fs.chmod(&[made.join("g")], 0o600, false).unwrap();
    fs.chown(&[made.join("g")], Some("nobody"), None, false).unwrap();
    let g = std::fs::metadata(made.join("g")).unwrap();
    let nobody = nix::unistd::User::from_name("nobody").unwrap().unwrap();
    assert_eq!((g.mode() & 0o777, g.uid()), (0o600, nobody.uid.as_raw()));
    let query = FindQuery { root: places.secret.clone(), name: "key".into(), ..FindQuery::default() };
    let mut found = Vec::new();
    fs.find(&query, &tokio_util::sync::CancellationToken::new(), &mut |batch| found.extend(batch)).unwrap();
    assert_eq!(found.iter().map(|f| f.path.clone()).collect::<Vec<_>>(), [places.secret.join("key.txt")]);
    fs.delete(std::slice::from_ref(&made)).unwrap();
    assert!(!made.exists());
}
