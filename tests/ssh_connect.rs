//! Connecting like OpenSSH, against real sshd servers: configuration (-F,
//! -o, fallback parser), every authentication method, each
//! StrictHostKeyChecking mode, timeouts, ProxyCommand and ProxyJump.

mod support;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use scpdeck::ssh::{
    self, AuthFailure, ConnectError, Connection, ConnectionEvent, HostConfig, NoPrompter, Overrides,
    PromptAnswer, Question, Resolver, Step,
};
use support::{Scripted, Sshd, keygen, password_user};

fn overrides(config: &Path, options: &[&str]) -> Overrides {
    Overrides {
        config_file: Some(config.to_path_buf()),
        options: options.iter().map(|o| o.to_string()).collect(),
        ..Overrides::default()
    }
}

/// The harness alias, resolved by OpenSSH with extra -o options.
fn resolve(sshd: &Sshd, options: &[&str]) -> HostConfig {
    Resolver::system().resolve_str(sshd.alias(), &overrides(&sshd.ssh_config(), options)).unwrap()
}

fn run(connection: &Connection, command: &str) -> String {
    let mut channel = connection.session().channel_session().unwrap();
    channel.exec(command).unwrap();
    let mut out = String::new();
    channel.read_to_string(&mut out).unwrap();
    channel.wait_close().unwrap();
    out
}

/// An ssh_config for `user` on `sshd` with no key, for password tests.
fn password_config(sshd: &Sshd, user: &str, extra: &str) -> PathBuf {
    let path = sshd.path("password_config");
    let text = format!(
        "Host pw\n  HostName 127.0.0.1\n  Port {}\n  User {user}\n  IdentityFile /nonexistent\n  IdentitiesOnly yes\n  \
         IdentityAgent none\n  UserKnownHostsFile {}\n  GlobalKnownHostsFile /dev/null\n  StrictHostKeyChecking yes\n{extra}",
        sshd.port,
        sshd.path("known_hosts").display()
    );
    std::fs::write(&path, text).unwrap();
    path
}

fn expect_err(result: Result<Connection, ConnectError>) -> ConnectError {
    match result {
        Ok(_) => panic!("connected, but an error was expected"),
        Err(e) => e,
    }
}

#[test]
fn key_file_through_an_alias_from_f_prefers_aes_gcm() {
    let sshd = Sshd::start();
    let config = resolve(&sshd, &[]);
    assert_eq!(
        (config.alias.as_str(), config.hostname.as_str(), config.port),
        ("scpdeck-test", "127.0.0.1", sshd.port)
    );
    let connection = ssh::connect(&config, &NoPrompter).unwrap();
    assert_eq!(run(&connection, "echo ok"), "ok\n");
    assert_eq!(connection.session().methods(ssh2::MethodType::CryptCs), Some("aes128-gcm@openssh.com"));
    assert_eq!(connection.session().methods(ssh2::MethodType::CryptSc), Some("aes128-gcm@openssh.com"));
}

#[test]
fn fallback_resolution_without_openssh_connects_too() {
    let sshd = Sshd::start();
    let resolver = Resolver::with_ssh_program("/nonexistent/ssh");
    assert!(resolver.ssh_program().is_none());
    let config = resolver.resolve_str(sshd.alias(), &overrides(&sshd.ssh_config(), &[])).unwrap();
    assert_eq!(config, resolve(&sshd, &[]).tap(|c| c.ssh_program = None));
    let connection = ssh::connect(&config, &NoPrompter).unwrap();
    assert_eq!(run(&connection, "echo fallback"), "fallback\n");
}

trait Tap: Sized {
    fn tap(self, f: impl FnOnce(&mut Self)) -> Self;
}

impl<T> Tap for T {
    fn tap(mut self, f: impl FnOnce(&mut Self)) -> Self {
        f(&mut self);
        self
    }
}

#[test]
fn host_aliases_come_from_the_f_file_and_its_includes() {
    let sshd = Sshd::start();
    let extra = sshd.path("extra_hosts");
    std::fs::write(&extra, "Host included-one *.wild\n").unwrap();
    let config = sshd.path("alias_config");
    let text = format!(
        "{}Include {}\nHost second !neg\n",
        std::fs::read_to_string(sshd.ssh_config()).unwrap(),
        extra.display()
    );
    std::fs::write(&config, text).unwrap();
    assert_eq!(ssh::host_aliases(Some(&config)).unwrap(), vec!["scpdeck-test", "included-one", "second"]);
}

/// Authorises a new key with `passphrase` on `sshd`; returns its path.
fn extra_key(sshd: &Sshd, name: &str, passphrase: &str) -> PathBuf {
    let key = sshd.path(name);
    keygen(&key, passphrase);
    let public = std::fs::read_to_string(key.with_extension("pub")).unwrap();
    let mut authorized = std::fs::read_to_string(sshd.path("authorized_keys")).unwrap();
    authorized.push_str(&public);
    std::fs::write(sshd.path("authorized_keys"), authorized).unwrap();
    key
}

#[test]
fn encrypted_key_asks_for_its_passphrase_and_says_when_it_is_wrong() {
    let sshd = Sshd::start();
    let key = extra_key(&sshd, "locked_key", "passphrase");
    let identity = format!("IdentityFile={}", key.display());
    let config = resolve(&sshd, &["BatchMode=no", &identity]);
    assert_eq!(config.identity_files[0], key);

    let prompter =
        Scripted::new([PromptAnswer::Secret("wrong".into()), PromptAnswer::Secret("passphrase".into())]);
    let connection = ssh::connect(&config, &prompter).unwrap();
    assert_eq!(run(&connection, "echo unlocked"), "unlocked\n");
    assert_eq!(
        prompter.questions(),
        vec![
            Question::Passphrase { key: key.clone(), attempt: 1 },
            Question::Passphrase { key: key.clone(), attempt: 2 }
        ]
    );

    // Without the .pub file the public key is read from the key file itself.
    std::fs::remove_file(key.with_extension("pub")).unwrap();
    let only_locked = resolve(&sshd, &["BatchMode=no", &identity]).tap(|c| c.identity_files.truncate(1));
    let prompter = Scripted::new((0..3).map(|_| PromptAnswer::Secret("nope".into())));
    let err = expect_err(ssh::connect(&only_locked, &prompter));
    match &err {
        ConnectError::Authentication {
            failure: AuthFailure::WrongPassphrase { key: k, tries: 3 }, ..
        } => assert_eq!(k, &key),
        other => panic!("{other}"),
    }
    assert!(err.to_string().contains("wrong passphrase"), "{err}");
    assert_eq!(prompter.questions().len(), 3);
}

/// What the server said about a key it refused reaches the event sink
/// (and from there the log panel), even when a later key gets in.
#[test]
fn a_refused_key_is_told_with_the_servers_reason() {
    let sshd = Sshd::start();
    let stranger = sshd.path("stranger_key");
    keygen(&stranger, "");
    let mut config = resolve(&sshd, &[]);
    config.identity_files.insert(0, stranger.clone());
    let (sink, events) = ssh::collect_events();
    let connection = ssh::connect_with(&config, &NoPrompter, &ssh::Credentials::new(), Some(&sink)).unwrap();
    assert_eq!(run(&connection, "echo in"), "in\n");
    let events = events.lock().unwrap();
    let refused: Vec<String> = events
        .iter()
        .filter(|e| matches!(e, ConnectionEvent::KeyRefused { .. }))
        .map(|e| e.to_string())
        .collect();
    let [told] = refused.as_slice() else { panic!("{events:?}") };
    let expected = format!("the server refused the key {}: ", stranger.display());
    assert!(told.starts_with(&expected) && told.len() > expected.len(), "{told}");
}

#[test]
fn plain_key_without_pub_file() {
    let sshd = Sshd::start();
    let key = extra_key(&sshd, "bare_key", "");
    std::fs::remove_file(key.with_extension("pub")).unwrap();
    let mut config = resolve(&sshd, &[]);
    config.identity_files = vec![key];
    let connection = ssh::connect(&config, &NoPrompter).unwrap();
    assert_eq!(run(&connection, "echo bare"), "bare\n");
}

#[test]
fn agent_keys_are_tried_first() {
    let sshd = Sshd::start();
    let key = extra_key(&sshd, "agent_key", "");
    let socket = sshd.path("agent.sock");
    let mut agent = std::process::Command::new("ssh-agent").arg("-D").arg("-a").arg(&socket).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while !socket.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let added =
        std::process::Command::new("ssh-add").arg(&key).env("SSH_AUTH_SOCK", &socket).output().unwrap();
    assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));
    // Only the agent holds this key now.
    std::fs::remove_file(&key).unwrap();
    let fingerprint =
        std::process::Command::new("ssh-keygen").arg("-lf").arg(key.with_extension("pub")).output().unwrap();
    let fingerprint =
        String::from_utf8_lossy(&fingerprint.stdout).split_whitespace().nth(1).unwrap().to_owned();

    let agent_option = format!("IdentityAgent={}", socket.display());
    let config = resolve(&sshd, &[&agent_option, "IdentitiesOnly=no"]);
    let connection = ssh::connect(&config, &NoPrompter).unwrap();
    assert_eq!(run(&connection, "echo agent"), "agent\n");
    let log = sshd.log();
    assert!(log.lines().any(|l| l.contains("Accepted publickey") && l.contains(&fingerprint)), "{log}");
    let _ = agent.kill();
    let _ = agent.wait();
}

#[test]
fn password_with_a_retry_and_wrong_passwords_say_so() {
    let user = password_user();
    let sshd = Sshd::builder().password_auth().start();
    let config_file = password_config(&sshd, &user.name, "");
    let config = Resolver::system().resolve_str("pw", &overrides(&config_file, &[])).unwrap();

    let prompter =
        Scripted::new([PromptAnswer::Secret("wrong".into()), PromptAnswer::Secret(user.password.clone())]);
    let connection = ssh::connect(&config, &prompter).unwrap();
    assert_eq!(run(&connection, "id -un").trim(), user.name);
    let questions = prompter.questions();
    assert_eq!(questions.len(), 2);
    assert!(matches!(&questions[1], Question::Password { attempt: 2, user: u, .. } if *u == user.name));

    let prompter = Scripted::new((0..3).map(|_| PromptAnswer::Secret("wrong".into())));
    let err = expect_err(ssh::connect(&config, &prompter));
    assert!(
        matches!(err, ConnectError::Authentication { failure: AuthFailure::WrongPassword { tries: 3 }, .. }),
        "{err}"
    );
    let text = err.to_string();
    assert!(text.contains("wrong password") && !text.contains("suitable key"), "{text}");
    assert_eq!(err.step(), Step::Authentication);
}

#[test]
fn keyboard_interactive_with_a_retry() {
    let user = password_user();
    let sshd = Sshd::builder().kbd_interactive_auth().start();
    let config_file = password_config(&sshd, &user.name, "");
    let config = Resolver::system().resolve_str("pw", &overrides(&config_file, &[])).unwrap();
    let prompter = Scripted::new([
        PromptAnswer::Responses(vec!["wrong".into()]),
        PromptAnswer::Responses(vec![user.password.clone()]),
    ]);
    let connection = ssh::connect(&config, &prompter).unwrap();
    assert_eq!(run(&connection, "id -un").trim(), user.name);
    let questions = prompter.questions();
    assert_eq!(questions.len(), 2, "{questions:?}");
    match &questions[0] {
        Question::KeyboardInteractive { prompts, .. } => {
            assert_eq!(prompts.len(), 1);
            assert!(!prompts[0].echo);
            assert!(prompts[0].text.to_lowercase().contains("password"), "{prompts:?}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn batch_mode_never_asks_and_fails_clearly() {
    let user = password_user();
    let sshd = Sshd::builder().password_auth().start();
    let config_file = password_config(&sshd, &user.name, "  BatchMode yes\n");
    let config = Resolver::system().resolve_str("pw", &overrides(&config_file, &[])).unwrap();
    let prompter = Scripted::new([PromptAnswer::Secret(user.password.clone())]);
    let err = expect_err(ssh::connect(&config, &prompter));
    assert!(
        matches!(
            err,
            ConnectError::Authentication { failure: AuthFailure::BatchMode { needed: "a password" }, .. }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("BatchMode"), "{err}");
    assert!(prompter.questions().is_empty());
}

// ---- host keys ----

/// The harness alias with its known_hosts replaced by `known` and extra
/// options.
fn with_known_hosts(sshd: &Sshd, known: &str, options: &[&str]) -> (HostConfig, PathBuf) {
    let file = sshd.path("test_known_hosts");
    std::fs::write(&file, known).unwrap();
    let known_option = format!("UserKnownHostsFile={}", file.display());
    let mut all = vec![known_option.as_str()];
    all.extend_from_slice(options);
    (resolve(sshd, &all), file)
}

fn openssh_fingerprint(sshd: &Sshd) -> String {
    let out = std::process::Command::new("ssh-keygen")
        .arg("-lf")
        .arg(sshd.path("host_ed25519.pub"))
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).split_whitespace().nth(1).unwrap().to_owned()
}

#[test]
fn strict_yes_refuses_an_unknown_host_without_asking() {
    let sshd = Sshd::start();
    let (config, file) = with_known_hosts(&sshd, "", &["StrictHostKeyChecking=yes", "BatchMode=no"]);
    let prompter = Scripted::default();
    let err = expect_err(ssh::connect(&config, &prompter));
    match &err {
        ConnectError::HostKeyUnknown { fingerprint, known_hosts, .. } => {
            assert_eq!(fingerprint, &openssh_fingerprint(&sshd));
            assert_eq!(known_hosts, &file);
        }
        other => panic!("{other}"),
    }
    assert!(prompter.questions().is_empty());
    assert_eq!(sshd.accepted_logins(), 0);
}

#[test]
fn ask_shows_type_and_fingerprint_and_records_when_accepted() {
    let sshd = Sshd::start();
    let (config, file) = with_known_hosts(&sshd, "", &["StrictHostKeyChecking=ask", "BatchMode=no"]);
    let prompter = Scripted::new([PromptAnswer::No]);
    let err = expect_err(ssh::connect(&config, &prompter));
    assert!(matches!(err, ConnectError::HostKeyUnknown { .. }), "{err}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "");

    let prompter = Scripted::new([PromptAnswer::Yes]);
    let connection = ssh::connect(&config, &prompter).unwrap();
    assert_eq!(run(&connection, "echo trusted"), "trusted\n");
    match &prompter.questions()[..] {
        [Question::HostKey(q)] => {
            assert_eq!(q.host, format!("[127.0.0.1]:{}", sshd.port));
            assert_eq!(q.key_type, "ssh-ed25519");
            assert_eq!(q.fingerprint, openssh_fingerprint(&sshd));
            assert_eq!(q.known_hosts_file, file);
        }
        other => panic!("{other:?}"),
    }
    // Recorded in a form OpenSSH reads: the next connection needs no question
    // and OpenSSH's own client accepts it.
    assert_eq!(std::fs::read_to_string(&file).unwrap(), format!("{}\n", sshd.known_hosts_line()));
    let prompter = Scripted::default();
    ssh::connect(&config, &prompter).unwrap();
    assert!(prompter.questions().is_empty());
    let out = sshd
        .ssh()
        .arg("-o")
        .arg(format!("UserKnownHostsFile={}", file.display()))
        .arg("true")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn ask_in_batch_mode_refuses() {
    let sshd = Sshd::start();
    let (config, _) = with_known_hosts(&sshd, "", &["StrictHostKeyChecking=ask", "BatchMode=yes"]);
    let prompter = Scripted::new([PromptAnswer::Yes]);
    let err = expect_err(ssh::connect(&config, &prompter));
    assert!(
        matches!(err, ConnectError::HostKeyUnknown { .. }) && err.to_string().contains("BatchMode"),
        "{err}"
    );
    assert!(prompter.questions().is_empty());
}

#[test]
fn accept_new_records_hashed_entries_openssh_can_find() {
    let sshd = Sshd::start();
    let (config, file) =
        with_known_hosts(&sshd, "", &["StrictHostKeyChecking=accept-new", "HashKnownHosts=yes"]);
    let prompter = Scripted::default();
    ssh::connect(&config, &prompter).unwrap();
    assert!(prompter.questions().is_empty());
    assert!(prompter.messages().iter().any(|m| m.contains("Permanently added")), "{:?}", prompter.messages());
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.starts_with("|1|") && text.lines().count() == 1, "{text}");
    let found = std::process::Command::new("ssh-keygen")
        .arg("-F")
        .arg(format!("[127.0.0.1]:{}", sshd.port))
        .arg("-f")
        .arg(&file)
        .output()
        .unwrap();
    assert!(found.status.success(), "ssh-keygen -F did not find our hashed entry");
    // Known now: a second connection with StrictHostKeyChecking=yes works.
    let (strict, _) = with_known_hosts(&sshd, &text, &["StrictHostKeyChecking=yes"]);
    ssh::connect(&strict, &NoPrompter).unwrap();
}

#[test]
fn strict_no_accepts_and_records() {
    let sshd = Sshd::start();
    let (config, file) = with_known_hosts(&sshd, "", &["StrictHostKeyChecking=no"]);
    ssh::connect(&config, &NoPrompter).unwrap();
    assert_eq!(std::fs::read_to_string(&file).unwrap(), format!("{}\n", sshd.known_hosts_line()));
}

#[test]
fn a_changed_key_is_refused_in_every_mode_naming_file_and_line() {
    let sshd = Sshd::start();
    let other = sshd.path("other_host_key");
    keygen(&other, "");
    let other_public = std::fs::read_to_string(other.with_extension("pub")).unwrap();
    let other_public: Vec<&str> = other_public.split_whitespace().take(2).collect();
    let name = format!("[127.0.0.1]:{}", sshd.port);
    let known = format!(
        "# first line\nunrelated.example {}\n{name} {}\n",
        other_public.join(" "),
        other_public.join(" ")
    );
    for mode in ["yes", "accept-new", "ask", "no"] {
        let option = format!("StrictHostKeyChecking={mode}");
        let (config, file) = with_known_hosts(&sshd, &known, &[&option, "BatchMode=no"]);
        let prompter = Scripted::new([PromptAnswer::Yes]);
        let err = expect_err(ssh::connect(&config, &prompter));
        match &err {
            ConnectError::HostKeyChanged(c) => assert_eq!((&c.file, c.line), (&file, 3)),
            other => panic!("{mode}: {other}"),
        }
        assert!(err.to_string().contains(&format!("{}:3", file.display())), "{err}");
        assert!(prompter.questions().is_empty(), "{mode}");
        assert_eq!(std::fs::read_to_string(&file).unwrap(), known, "{mode}: known_hosts must not change");
    }

    // The same with a hashed entry written by OpenSSH's ssh-keygen -H.
    let (config, file) = with_known_hosts(&sshd, &known, &["StrictHostKeyChecking=no"]);
    let hashed = std::process::Command::new("ssh-keygen").arg("-H").arg("-f").arg(&file).output().unwrap();
    assert!(hashed.status.success());
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("|1|") && !text.contains("127.0.0.1"), "{text}");
    let line = text.lines().position(|l| l.starts_with("|1|") && l.contains(other_public[1])).unwrap();
    let err = expect_err(ssh::connect(&config, &NoPrompter));
    let hashed_line =
        text.lines().enumerate().filter(|(_, l)| l.starts_with("|1|")).nth(1).map(|(i, _)| i + 1).unwrap();
    assert!(matches!(&err, ConnectError::HostKeyChanged(c) if c.line == hashed_line), "{err} (line {line})");
    assert_eq!(sshd.accepted_logins(), 0);
}

// ---- timeouts ----

#[test]
fn a_closed_port_fails_at_tcp_connect() {
    let closed = support::closed_port::closed_port();
    let port = closed.port;
    let mut config = HostConfig::defaults("closed", "nobody");
    config.hostname = "127.0.0.1".into();
    config.port = port;
    config.connect_timeout = Some(Duration::from_secs(2));
    let err = expect_err(ssh::connect(&config, &NoPrompter));
    assert_eq!(err.step(), Step::TcpConnect, "{err}");
    assert!(err.to_string().starts_with(&format!("closed (127.0.0.1:{port}): TCP connect")), "{err}");
    assert!(err.to_string().contains("check the port"), "{err}");
}

#[test]
fn a_port_that_accepts_and_never_answers_times_out() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut config = HostConfig::defaults("silent", "nobody");
    config.hostname = "127.0.0.1".into();
    config.port = listener.local_addr().unwrap().port();
    config.connect_timeout = Some(Duration::from_secs(1));
    let started = Instant::now();
    let err = expect_err(ssh::connect(&config, &NoPrompter));
    let elapsed = started.elapsed();
    assert!(matches!(err, ConnectError::Timeout { step: Step::Greeting, .. }), "{err}");
    assert!(elapsed >= Duration::from_millis(900) && elapsed < Duration::from_secs(10), "{elapsed:?}");
    let text = err.to_string();
    assert!(text.contains("the TCP connection was made, but the server sent no SSH greeting"), "{text}");
    assert!(text.contains("ConnectTimeout") && !text.contains("handshake"), "{text}");
    drop(listener);
}

#[test]
fn an_unknown_host_name_fails_at_name_resolution() {
    let mut config = HostConfig::defaults("nowhere", "nobody");
    config.hostname = "no-such-host.invalid".into();
    let err = expect_err(ssh::connect(&config, &NoPrompter));
    assert_eq!(err.step(), Step::NameResolution, "{err}");
}

// ---- proxies ----

/// An ssh_config with a block per (alias, server).
fn multi_config(dir: &Path, blocks: &[(&str, &Sshd, &str)]) -> PathBuf {
    let path = dir.join("multi_config");
    let text: String =
        blocks.iter().map(|(alias, sshd, extra)| format!("{}{extra}", sshd.config_block(alias))).collect();
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn proxy_jump_through_a_second_sshd() {
    let jump = Sshd::start();
    let target = Sshd::start();
    let config_file =
        multi_config(jump.dir(), &[("target", &target, "  ProxyJump jump\n"), ("jump", &jump, "")]);
    let config = Resolver::system().resolve_str("target", &overrides(&config_file, &[])).unwrap();
    assert_eq!(config.proxy_jump, vec!["jump"]);
    let connection = ssh::connect(&config, &NoPrompter).unwrap();
    assert_eq!(run(&connection, "echo via-jump"), "via-jump\n");
    assert_eq!((jump.accepted_logins(), target.accepted_logins()), (1, 1));
    drop(connection);
    // The same through the fallback resolver.
    let fallback = Resolver::fallback_only().resolve_str("target", &overrides(&config_file, &[])).unwrap();
    let connection = ssh::connect(&fallback, &NoPrompter).unwrap();
    assert_eq!(run(&connection, "echo again"), "again\n");
    assert_eq!((jump.accepted_logins(), target.accepted_logins()), (2, 2));
}

#[test]
fn proxy_jump_with_two_hops_from_the_command_line() {
    let first = Sshd::start();
    let second = Sshd::start();
    let target = Sshd::start();
    let config_file =
        multi_config(first.dir(), &[("target", &target, ""), ("first", &first, ""), ("second", &second, "")]);
    let overrides = Overrides { jump: Some("first,second".into()), ..overrides(&config_file, &[]) };
    let config = Resolver::system().resolve_str("target", &overrides).unwrap();
    assert_eq!(config.proxy_jump, vec!["first", "second"]);
    let connection = ssh::connect(&config, &NoPrompter).unwrap();
    assert_eq!(run(&connection, "echo two-hops"), "two-hops\n");
    assert_eq!((first.accepted_logins(), second.accepted_logins(), target.accepted_logins()), (1, 1, 1));
}

#[test]
fn proxy_jump_to_an_unreachable_target_names_the_hop() {
    let jump = Sshd::start();
    let closed = support::closed_port::closed_port();
    let config_file = multi_config(jump.dir(), &[("jump", &jump, "")]);
    let mut config = Resolver::system().resolve_str("jump", &overrides(&config_file, &[])).unwrap();
    config.alias = "behind".into();
    config.port = closed.port;
    config.proxy_jump = vec!["jump".into()];
    let err = expect_err(ssh::connect(&config, &NoPrompter));
    assert_eq!(err.step(), Step::Proxy, "{err}");
    assert!(err.to_string().contains("jump host jump"), "{err}");
}

#[test]
fn proxy_command_runs_with_expanded_tokens() {
    let jump = Sshd::start();
    let target = Sshd::start();
    let proxy = format!("ProxyCommand=ssh -F {} -W %h:%p {}", jump.ssh_config().display(), jump.alias());
    let config = resolve(&target, &[&proxy]);
    assert!(config.proxy_command.is_some());
    let connection = ssh::connect(&config, &NoPrompter).unwrap();
    assert_eq!(run(&connection, "echo via-command"), "via-command\n");
    assert_eq!((jump.accepted_logins(), target.accepted_logins()), (1, 1));
}

#[test]
fn a_failing_proxy_command_reports_its_stderr() {
    let sshd = Sshd::start();
    let config = resolve(&sshd, &["ProxyCommand=sh -c 'echo proxy-broke-for-%h >&2; exit 3'"]);
    let err = expect_err(ssh::connect(&config, &NoPrompter));
    assert_eq!(err.step(), Step::Proxy, "{err}");
    let text = err.to_string();
    assert!(text.contains("proxy-broke-for-127.0.0.1") && text.contains("exit status: 3"), "{text}");
}

/// A ProxyCommand that runs on without a word (`nc` stuck connecting to a
/// host that drops packets): nothing says a TCP connection to the host was
/// ever made, so the timeout does not claim one, nor an SSH handshake.
#[test]
fn a_silent_proxy_command_times_out_as_the_proxy() {
    let sshd = Sshd::start();
    let config = resolve(&sshd, &["ProxyCommand=sleep 30", "ConnectTimeout=1"]);
    let started = Instant::now();
    let err = expect_err(ssh::connect(&config, &NoPrompter));
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
    assert!(matches!(err, ConnectError::Timeout { step: Step::Proxy, .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("nothing came back through the proxy within 1s"), "{text}");
    assert!(!text.contains("TCP connection was made") && !text.contains("handshake"), "{text}");
}

#[test]
fn the_login_banner_is_shown_escaped() {
    let banner = std::env::temp_dir().join(format!("scpdeck-banner-{}", std::process::id()));
    std::fs::write(&banner, "Authorized use only\x1b[2J\x07\nSecond line\n").unwrap();
    let sshd = Sshd::builder().config(format!("Banner {}", banner.display())).start();
    let prompter = Scripted::default();
    ssh::connect(&resolve(&sshd, &[]), &prompter).unwrap();
    let _ = std::fs::remove_file(&banner);
    let messages = prompter.messages();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(
        messages[0].starts_with("Authorized use only") && messages[0].contains("Second line"),
        "{messages:?}"
    );
    assert!(!messages[0].contains('\x1b') && !messages[0].contains('\x07'), "{messages:?}");
}
