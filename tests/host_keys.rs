//! Host keys exactly as OpenSSH checks and records them, checked against
//! OpenSSH's own `ssh` on the same files: HostKeyAlias (looked up and
//! recorded without a port), a changed key under an alias in every
//! StrictHostKeyChecking mode, a key known without the port, CheckHostIP.

mod support;

use std::path::PathBuf;
use std::process::{Command, Output};

use scpdeck::ssh::{self, ConnectError, Connection, Overrides, PromptAnswer, Question, Resolver};
use support::{Scripted, Sshd, keygen, non_loopback_address};

/// An ssh_config with one `Host` block per server, all recording into one
/// known_hosts file that starts empty.
struct Setup {
    dir: tempfile::TempDir,
}

impl Setup {
    /// `blocks`: alias, server, extra lines for its block.
    fn new(blocks: &[(&str, &Sshd, &str)]) -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let known = dir.path().join("known_hosts");
        std::fs::write(&known, "").unwrap();
        let mut text = String::new();
        for (alias, sshd, extra) in blocks {
            text += &format!(
                "Host {alias}\n  HostName {}\n  Port {}\n  User {}\n  IdentityFile {}\n  IdentitiesOnly yes\n  \
                 UserKnownHostsFile {}\n  GlobalKnownHostsFile /dev/null\n  HashKnownHosts no\n  BatchMode no\n{extra}",
                sshd.address,
                sshd.port,
                sshd.user,
                sshd.client_key().display(),
                known.display()
            );
        }
        std::fs::write(dir.path().join("ssh_config"), text).unwrap();
        Setup { dir }
    }

    fn config(&self) -> PathBuf {
        self.dir.path().join("ssh_config")
    }

    fn known(&self) -> PathBuf {
        self.dir.path().join("known_hosts")
    }

    fn text(&self) -> String {
        std::fs::read_to_string(self.known()).unwrap()
    }

    fn set_text(&self, text: &str) {
        std::fs::write(self.known(), text).unwrap();
    }

    /// scpdeck connects to `alias` with `-o` options; a question gets `answer`.
    fn scpdeck(
        &self,
        alias: &str,
        options: &[&str],
        answer: PromptAnswer,
    ) -> (Result<Connection, ConnectError>, Scripted) {
        let overrides = Overrides {
            config_file: Some(self.config()),
            options: options.iter().map(|o| o.to_string()).collect(),
            ..Overrides::default()
        };
        let config = Resolver::system().resolve_str(alias, &overrides).unwrap();
        let prompter = Scripted::new([answer]);
        (ssh::connect(&config, &prompter), prompter)
    }

    /// OpenSSH's `ssh` runs `true` on `alias` with `-o` options (no
    /// terminal: it cannot ask).
    fn openssh(&self, alias: &str, options: &[&str]) -> Output {
        let mut cmd = Command::new("ssh");
        cmd.arg("-F").arg(self.config());
        for option in options {
            cmd.arg("-o").arg(option);
        }
        cmd.arg(alias).arg("true").stdin(std::process::Stdio::null()).output().unwrap()
    }
}

fn connected(result: (Result<Connection, ConnectError>, Scripted)) -> Scripted {
    match result.0 {
        Ok(_) => result.1,
        Err(e) => panic!("scpdeck did not connect: {e}"),
    }
}

fn refused(result: (Result<Connection, ConnectError>, Scripted)) -> (ConnectError, Scripted) {
    match result.0 {
        Ok(_) => panic!("scpdeck connected, but OpenSSH refuses"),
        Err(e) => (e, result.1),
    }
}

fn succeeded(out: &Output) -> bool {
    if !out.status.success() {
        eprintln!("ssh: {}", String::from_utf8_lossy(&out.stderr));
    }
    out.status.success()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

const MODES: [&str; 5] = ["yes", "accept-new", "no", "off", "ask"];

fn strict(mode: &str) -> String {
    format!("StrictHostKeyChecking={mode}")
}

#[test]
fn keys_under_an_alias_are_shared_with_openssh_in_both_directions() {
    let sshd = Sshd::start();
    let setup = Setup::new(&[("web", &sshd, "  HostKeyAlias shared-key\n")]);
    let expected = format!("shared-key {}\n", sshd.host_public_key());

    // OpenSSH records the alias alone; scpdeck finds it.
    assert!(succeeded(&setup.openssh("web", &[&strict("accept-new")])));
    assert_eq!(setup.text(), expected);
    let prompter = connected(setup.scpdeck("web", &[&strict("yes")], PromptAnswer::No));
    assert!(prompter.questions().is_empty());

    // scpdeck records the same line; OpenSSH accepts it.
    setup.set_text("");
    let prompter = connected(setup.scpdeck("web", &[&strict("accept-new")], PromptAnswer::No));
    assert_eq!(setup.text(), expected);
    assert!(
        prompter.messages().iter().any(|m| m.contains("Permanently added 'shared-key'")),
        "{:?}",
        prompter.messages()
    );
    assert!(succeeded(&setup.openssh("web", &[&strict("yes")])));

    // Asked and accepted: the question names the alias.
    setup.set_text("");
    let prompter = connected(setup.scpdeck("web", &[&strict("ask")], PromptAnswer::Yes));
    match &prompter.questions()[..] {
        [Question::HostKey(q)] => assert_eq!(q.host, "shared-key"),
        other => panic!("{other:?}"),
    }
    assert_eq!(setup.text(), expected);

    // Hashed, the way OpenSSH finds it.
    setup.set_text("");
    connected(setup.scpdeck("web", &[&strict("accept-new"), "HashKnownHosts=yes"], PromptAnswer::No));
    assert!(setup.text().starts_with("|1|") && !setup.text().contains("shared-key"), "{}", setup.text());
    assert!(succeeded(&setup.openssh("web", &[&strict("yes")])));
    let found =
        Command::new("ssh-keygen").arg("-F").arg("shared-key").arg("-f").arg(setup.known()).output().unwrap();
    assert!(found.status.success(), "ssh-keygen -F does not find the hashed alias");
}

#[test]
fn an_alias_with_a_port_is_not_the_alias() {
    let sshd = Sshd::start();
    let setup = Setup::new(&[("web", &sshd, "  HostKeyAlias shared-key\n")]);
    // What scpdeck used to record: neither OpenSSH nor scpdeck uses it now.
    let old = format!("[shared-key]:{} {}\n", sshd.port, sshd.host_public_key());
    setup.set_text(&old);
    let out = setup.openssh("web", &[&strict("yes")]);
    assert!(!out.status.success(), "OpenSSH used [alias]:port");
    let (err, _) = refused(setup.scpdeck("web", &[&strict("yes")], PromptAnswer::Yes));
    assert!(matches!(err, ConnectError::HostKeyUnknown { .. }), "{err}");
    assert_eq!(setup.text(), old);
}

#[test]
fn an_alias_shared_by_two_servers_refuses_the_second_in_every_mode() {
    let (first, second) = (Sshd::start(), Sshd::start());
    assert_ne!(first.host_public_key(), second.host_public_key());
    let setup = Setup::new(&[
        ("first", &first, "  HostKeyAlias shared\n"),
        ("second", &second, "  HostKeyAlias shared\n"),
    ]);

    // Recorded by OpenSSH for the first server...
    assert!(succeeded(&setup.openssh("first", &[&strict("accept-new")])));
    let known = setup.text();
    assert_eq!(known, format!("shared {}\n", first.host_public_key()));
    // ...the second is a changed key for scpdeck in every mode, as for ssh.
    for mode in MODES {
        let (err, prompter) = refused(setup.scpdeck("second", &[&strict(mode)], PromptAnswer::Yes));
        match &err {
            ConnectError::HostKeyChanged(c) => {
                assert_eq!((c.name.as_str(), &c.file, c.line), ("shared", &setup.known(), 1), "{mode}");
            }
            other => panic!("{mode}: {other}"),
        }
        let text = err.to_string();
        assert!(text.contains(&format!("for shared in {}:1", setup.known().display())), "{text}");
        assert!(prompter.questions().is_empty(), "{mode}: nothing to accept");
        assert_eq!(setup.text(), known, "{mode}: known_hosts must not change");
    }
    assert_eq!(second.accepted_logins(), 0);
    for mode in ["yes", "accept-new"] {
        let out = setup.openssh("second", &[&strict(mode)]);
        assert!(
            !out.status.success() && stderr(&out).contains("REMOTE HOST IDENTIFICATION HAS CHANGED"),
            "{}",
            stderr(&out)
        );
    }

    // Recorded by scpdeck for the first: OpenSSH refuses the second too.
    setup.set_text("");
    connected(setup.scpdeck("first", &[&strict("accept-new")], PromptAnswer::No));
    assert_eq!(setup.text(), known);
    let out = setup.openssh("second", &[&strict("accept-new")]);
    assert!(stderr(&out).contains("Offending ED25519 key in"), "{}", stderr(&out));
    let (err, _) = refused(setup.scpdeck("second", &[&strict("accept-new")], PromptAnswer::Yes));
    assert!(matches!(&err, ConnectError::HostKeyChanged(c) if c.line == 1), "{err}");
}

#[test]
fn a_key_recorded_without_the_port_is_accepted_on_another_port() {
    let (sshd, other) = (Sshd::start(), Sshd::start());
    let setup = Setup::new(&[("web", &sshd, "")]);
    let portless = format!("{} {}\n", sshd.address, sshd.host_public_key());
    setup.set_text(&portless);
    assert!(succeeded(&setup.openssh("web", &[&strict("yes")])));
    let prompter = connected(setup.scpdeck("web", &[&strict("yes")], PromptAnswer::No));
    assert!(prompter.questions().is_empty());
    assert_eq!(setup.text(), portless, "nothing recorded");

    // Another key recorded without the port is no reason to refuse: the
    // host is new on this port, for OpenSSH and for scpdeck.
    setup.set_text(&format!("{} {}\n", sshd.address, other.host_public_key()));
    let (err, _) = refused(setup.scpdeck("web", &[&strict("yes")], PromptAnswer::No));
    assert!(matches!(err, ConnectError::HostKeyUnknown { .. }), "{err}");
    connected(setup.scpdeck("web", &[&strict("accept-new")], PromptAnswer::No));
    let ours = setup.text();
    setup.set_text(&format!("{} {}\n", sshd.address, other.host_public_key()));
    assert!(succeeded(&setup.openssh("web", &[&strict("accept-new")])));
    assert_eq!(ours, setup.text(), "scpdeck recorded what OpenSSH records");
}

// ---- CheckHostIP: OpenSSH checks it only for addresses that are not loopback ----

/// A server on this machine's non-loopback address.
fn reachable_sshd() -> Sshd {
    Sshd::builder().listen_on(non_loopback_address()).start()
}

/// What OpenSSH records from nothing, and what scpdeck records, with
/// `options`.
fn both_record(setup: &Setup, alias: &str, options: &[&str]) -> (String, String) {
    setup.set_text("");
    assert!(succeeded(&setup.openssh(alias, options)));
    let theirs = setup.text();
    setup.set_text("");
    connected(setup.scpdeck(alias, options, PromptAnswer::No));
    (theirs, setup.text())
}

#[test]
fn check_host_ip_records_the_address_as_openssh_does() {
    let sshd = reachable_sshd();
    let address = format!("[{}]:{}", sshd.address, sshd.port);
    let setup = Setup::new(&[
        ("box", &sshd, "  HostKeyAlias box-key\n  CheckHostIP yes\n"),
        ("plain", &sshd, "  CheckHostIP yes\n"),
        ("default", &sshd, "  HostKeyAlias box-key\n"),
    ]);
    let key = sshd.host_public_key();
    let accept = strict("accept-new");

    let (theirs, ours) = both_record(&setup, "box", &[&accept]);
    assert_eq!(theirs, format!("box-key,{address} {key}\n"));
    assert_eq!(ours, theirs);
    // The host named by its address: one name, as OpenSSH writes.
    let (theirs, ours) = both_record(&setup, "plain", &[&accept]);
    assert_eq!((ours, theirs), (format!("{address} {key}\n"), format!("{address} {key}\n")));
    // OpenSSH's default (since 8.5) is no: the address is not recorded.
    let (theirs, ours) = both_record(&setup, "default", &[&accept]);
    assert_eq!((ours, theirs), (format!("box-key {key}\n"), format!("box-key {key}\n")));

    // Hashed: one line per name; OpenSSH finds both and adds nothing.
    let (theirs, ours) = both_record(&setup, "box", &[&accept, "HashKnownHosts=yes"]);
    assert_eq!((ours.lines().count(), theirs.lines().count()), (2, 2));
    assert!(succeeded(&setup.openssh("box", &[&strict("yes")])));
    assert_eq!(setup.text(), ours);
    for name in ["box-key", address.as_str()] {
        let found =
            Command::new("ssh-keygen").arg("-F").arg(name).arg("-f").arg(setup.known()).output().unwrap();
        assert!(found.status.success(), "{name} not found");
    }
}

#[test]
fn check_host_ip_adds_the_address_of_a_known_host_as_openssh_does() {
    let sshd = reachable_sshd();
    let setup = Setup::new(&[("box", &sshd, "  HostKeyAlias box-key\n  CheckHostIP yes\n")]);
    let known = format!("box-key {}\n", sshd.host_public_key());
    for mode in ["yes", "accept-new", "no"] {
        setup.set_text(&known);
        assert!(succeeded(&setup.openssh("box", &[&strict(mode)])));
        let theirs = setup.text();
        assert_eq!(theirs, format!("{known}[{}]:{} {}\n", sshd.address, sshd.port, sshd.host_public_key()));
        setup.set_text(&known);
        let prompter = connected(setup.scpdeck("box", &[&strict(mode)], PromptAnswer::No));
        assert_eq!(setup.text(), theirs, "{mode}");
        assert!(
            prompter.messages().iter().any(|m| m.contains("host key for IP address")),
            "{:?}",
            prompter.messages()
        );
    }
}

#[test]
fn another_key_for_the_address_is_refused_asked_or_told_as_openssh_does() {
    let sshd = reachable_sshd();
    let setup = Setup::new(&[("box", &sshd, "  HostKeyAlias box-key\n  CheckHostIP yes\n")]);
    let other = setup.dir.path().join("other");
    keygen(&other, "");
    let other_key = std::fs::read_to_string(other.with_extension("pub")).unwrap();
    let other_key: Vec<&str> = other_key.split_whitespace().take(2).collect();
    let known = format!(
        "box-key {}\n[{}]:{} {}\n",
        sshd.host_public_key(),
        sshd.address,
        sshd.port,
        other_key.join(" ")
    );
    for mode in ["yes", "accept-new"] {
        setup.set_text(&known);
        let out = setup.openssh("box", &[&strict(mode)]);
        assert!(!out.status.success(), "{mode}: OpenSSH connected");
        assert!(stderr(&out).contains("differs from the key for the IP address"), "{}", stderr(&out));
        let (err, _) = refused(setup.scpdeck("box", &[&strict(mode)], PromptAnswer::Yes));
        match &err {
            ConnectError::HostKeyAddressChanged(c) => assert_eq!((c.name.as_str(), c.line), ("box-key", 2)),
            other => panic!("{mode}: {other}"),
        }
        assert_eq!(setup.text(), known);
    }
    // "no": OpenSSH warns and goes on; so does scpdeck.
    assert!(succeeded(&setup.openssh("box", &[&strict("no")])));
    let prompter = connected(setup.scpdeck("box", &[&strict("no")], PromptAnswer::No));
    assert!(
        prompter.messages().iter().any(|m| m.contains("Offending key for IP in")),
        "{:?}",
        prompter.messages()
    );
    // "ask": a yes/no question.
    let (err, prompter) = refused(setup.scpdeck("box", &[&strict("ask")], PromptAnswer::No));
    assert!(matches!(err, ConnectError::HostKeyAddressChanged(_)), "{err}");
    assert!(
        matches!(&prompter.questions()[..], [Question::Confirm { text, .. }] if text.contains("Matching host key in"))
    );
    connected(setup.scpdeck("box", &[&strict("ask")], PromptAnswer::Yes));
    assert_eq!(setup.text(), known, "nothing recorded");
}

#[test]
fn check_host_ip_is_off_for_loopback_addresses_as_in_openssh() {
    let sshd = Sshd::start();
    let setup = Setup::new(&[("box", &sshd, "  HostKeyAlias box-key\n  CheckHostIP yes\n")]);
    let (theirs, ours) = both_record(&setup, "box", &[&strict("accept-new")]);
    assert_eq!((ours, theirs.clone()), (theirs, format!("box-key {}\n", sshd.host_public_key())));
}

#[test]
fn ipv6_loopback_hosts_are_named_in_brackets() {
    let sshd = Sshd::builder().listen_on("::1".parse().unwrap()).start();
    let setup = Setup::new(&[("six", &sshd, "")]);
    let (theirs, ours) = both_record(&setup, "six", &[&strict("accept-new")]);
    assert_eq!(ours, format!("[::1]:{} {}\n", sshd.port, sshd.host_public_key()));
    assert_eq!(ours, theirs);
}
