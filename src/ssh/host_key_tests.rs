//! `check` against known_hosts text, with a temporary file for what it
//! records. Real OpenSSH's view of the same cases is in tests/host_keys.rs.

use std::path::Path;
use std::sync::Mutex;

use super::*;
use crate::ssh::prompt::Prompter;

fn key(body: &[u8]) -> HostKey {
    let kind = b"ssh-ed25519";
    let mut blob = (kind.len() as u32).to_be_bytes().to_vec();
    blob.extend_from_slice(kind);
    blob.extend_from_slice(body);
    HostKey::new(&blob)
}

/// Answers every question with `answer` and keeps what was asked.
struct Answering {
    answer: PromptAnswer,
    asked: Mutex<Vec<Question>>,
}

impl Prompter for Answering {
    fn ask(&self, question: &Question) -> PromptAnswer {
        self.asked.lock().unwrap().push(question.clone());
        self.answer.clone()
    }
}

struct Case {
    dir: tempfile::TempDir,
    config: HostConfig,
}

impl Case {
    /// `hostname:port` with `alias`, known_hosts holding `text`.
    fn new(hostname: &str, port: u16, alias: Option<&str>, text: &str) -> Case {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("known_hosts"), text).unwrap();
        let mut config = HostConfig::defaults("web", "u");
        config.hostname = hostname.into();
        config.port = port;
        config.host_key_alias = alias.map(str::to_owned);
        config.user_known_hosts_files = vec![dir.path().join("known_hosts")];
        Case { dir, config }
    }

    fn file(&self) -> std::path::PathBuf {
        self.dir.path().join("known_hosts")
    }

    fn text(&self) -> String {
        std::fs::read_to_string(self.file()).unwrap()
    }

    /// Runs `check` for `key` from `peer`; the result and the questions and
    /// messages.
    fn run(
        &self,
        key: &HostKey,
        peer: &str,
        answer: PromptAnswer,
    ) -> (Result<(), ConnectError>, Vec<Question>) {
        let known = KnownHosts::load(&[self.file()]);
        let prompter = Answering { answer, asked: Mutex::default() };
        let asker = Asker::new(&prompter, self.config.batch_mode);
        let names = HostKeyNames::new(&self.config, Some(peer.parse().unwrap()));
        let result = check(&self.config, &names, &known, key, &asker);
        (result, prompter.asked.into_inner().unwrap())
    }
}

const MODES: [StrictHostKeyChecking; 4] = [
    StrictHostKeyChecking::Yes,
    StrictHostKeyChecking::AcceptNew,
    StrictHostKeyChecking::No,
    StrictHostKeyChecking::Ask,
];

#[test]
fn an_alias_is_recorded_and_found_without_a_port() {
    let a = key(b"A");
    // What scpdeck used to write is not what OpenSSH looks for.
    let mut case =
        Case::new("127.0.0.1", 2222, Some("shared"), &format!("[shared]:2222 {}\n", a.to_line_part()));
    case.config.strict_host_key_checking = StrictHostKeyChecking::Yes;
    let (result, _) = case.run(&a, "127.0.0.1:2222", PromptAnswer::Yes);
    assert!(matches!(result, Err(ConnectError::HostKeyUnknown { .. })), "{result:?}");

    case.config.strict_host_key_checking = StrictHostKeyChecking::AcceptNew;
    let (result, asked) = case.run(&a, "127.0.0.1:2222", PromptAnswer::No);
    result.unwrap();
    assert_eq!(case.text().lines().nth(1), Some(format!("shared {}", a.to_line_part()).as_str()));
    assert!(matches!(&asked[..], [Question::Message { text, .. }] if text.contains("'shared'")), "{asked:?}");
    case.config.strict_host_key_checking = StrictHostKeyChecking::Yes;
    case.run(&a, "127.0.0.1:2222", PromptAnswer::No).0.unwrap();
}

#[test]
fn a_changed_key_under_an_alias_is_refused_in_every_mode() {
    let (a, b) = (key(b"A"), key(b"B"));
    let text = format!("other {}\nshared {}\n", b.to_line_part(), a.to_line_part());
    for mode in MODES {
        let mut case = Case::new("127.0.0.1", 2200, Some("shared"), &text);
        case.config.strict_host_key_checking = mode;
        let (result, asked) = case.run(&b, "127.0.0.1:2200", PromptAnswer::Yes);
        match result {
            Err(ConnectError::HostKeyChanged(c)) => {
                assert_eq!((c.name.as_str(), &c.file, c.line), ("shared", &case.file(), 2), "{mode:?}");
                assert_eq!(c.address_note, None);
            }
            other => panic!("{mode:?}: {other:?}"),
        }
        assert!(asked.is_empty(), "{mode:?}: {asked:?}");
        assert_eq!(case.text(), text, "{mode:?}");
    }
}

#[test]
fn a_key_known_on_port_22_is_accepted_on_another_port_without_recording() {
    let (a, b) = (key(b"A"), key(b"B"));
    let text = format!("web.example {}\n", a.to_line_part());
    let mut case = Case::new("web.example", 2222, None, &text);
    case.config.strict_host_key_checking = StrictHostKeyChecking::Yes;
    let (result, asked) = case.run(&a, "192.0.2.7:2222", PromptAnswer::No);
    result.unwrap();
    assert!(asked.is_empty());
    assert_eq!(case.text(), text);
    // Another key there is not "changed" for this port: it is new here.
    case.config.strict_host_key_checking = StrictHostKeyChecking::AcceptNew;
    case.run(&b, "192.0.2.7:2222", PromptAnswer::No).0.unwrap();
    assert_eq!(case.text(), format!("{text}[web.example]:2222 {}\n", b.to_line_part()));
}

#[test]
fn check_host_ip_records_the_address_with_a_new_host() {
    let a = key(b"A");
    let mut case = Case::new("192.0.2.7", 2222, Some("box"), "");
    case.config.check_host_ip = true;
    case.config.strict_host_key_checking = StrictHostKeyChecking::AcceptNew;
    let (result, asked) = case.run(&a, "192.0.2.7:2222", PromptAnswer::No);
    result.unwrap();
    assert_eq!(case.text(), format!("box,[192.0.2.7]:2222 {}\n", a.to_line_part()));
    assert!(
        matches!(&asked[..], [Question::Message { text, .. }] if text.contains("'box,[192.0.2.7]:2222'"))
    );

    // Hashed: one line for each name.
    let mut case = Case::new("box.example", 22, Some("box"), "");
    (case.config.check_host_ip, case.config.hash_known_hosts) = (true, true);
    case.config.strict_host_key_checking = StrictHostKeyChecking::No;
    case.run(&a, "192.0.2.7:22", PromptAnswer::No).0.unwrap();
    let known = KnownHosts::load(&[case.file()]);
    assert_eq!(case.text().lines().count(), 2);
    assert!(case.text().lines().all(|l| l.starts_with("|1|")));
    assert_eq!((known.check("box", &a), known.check("192.0.2.7", &a)), (Verdict::Known, Verdict::Known));
}

#[test]
fn check_host_ip_adds_the_address_of_a_known_host_in_every_mode() {
    let a = key(b"A");
    let text = format!("box {}\n", a.to_line_part());
    for mode in MODES {
        let mut case = Case::new("box.example", 22, Some("box"), &text);
        (case.config.check_host_ip, case.config.strict_host_key_checking) = (true, mode);
        let (result, asked) = case.run(&a, "192.0.2.7:22", PromptAnswer::No);
        result.unwrap();
        assert_eq!(case.text(), format!("{text}192.0.2.7 {}\n", a.to_line_part()), "{mode:?}");
        assert!(
            matches!(&asked[..], [Question::Message { text, .. }] if text.contains("for IP address '192.0.2.7'")),
            "{asked:?}"
        );
    }
    // Off, nothing is added.
    let case = Case::new("box.example", 22, Some("box"), &text);
    case.run(&a, "192.0.2.7:22", PromptAnswer::No).0.unwrap();
    assert_eq!(case.text(), text);
}

#[test]
fn another_key_for_the_address_is_refused_asked_or_told() {
    let (a, b) = (key(b"A"), key(b"B"));
    let text = format!("box {}\n192.0.2.7 {}\n", a.to_line_part(), b.to_line_part());
    let case_for = |mode| {
        let mut case = Case::new("box.example", 22, Some("box"), &text);
        (case.config.check_host_ip, case.config.strict_host_key_checking) = (true, mode);
        case
    };
    for mode in [StrictHostKeyChecking::Yes, StrictHostKeyChecking::AcceptNew] {
        let (result, asked) = case_for(mode).run(&a, "192.0.2.7:22", PromptAnswer::Yes);
        match result {
            Err(ConnectError::HostKeyAddressChanged(c)) => {
                assert_eq!((c.name.as_str(), c.address.as_str(), c.line), ("box", "192.0.2.7", 2));
            }
            other => panic!("{mode:?}: {other:?}"),
        }
        assert!(asked.is_empty(), "{asked:?}");
    }
    let (result, asked) = case_for(StrictHostKeyChecking::No).run(&a, "192.0.2.7:22", PromptAnswer::No);
    result.unwrap();
    let [Question::Message { text: told, .. }] = &asked[..] else { panic!("{asked:?}") };
    assert!(told.contains("Offending key for IP in") && told.contains(":2\nMatching host key in"), "{told}");

    let ask = case_for(StrictHostKeyChecking::Ask);
    let (result, asked) = ask.run(&a, "192.0.2.7:22", PromptAnswer::No);
    assert!(matches!(result, Err(ConnectError::HostKeyAddressChanged(_))), "{result:?}");
    assert!(
        matches!(&asked[..], [Question::Confirm { text, .. }] if text.contains("differs from the key for the IP address '192.0.2.7'"))
    );
    ask.run(&a, "192.0.2.7:22", PromptAnswer::Yes).0.unwrap();
    assert_eq!(ask.text(), text, "nothing is recorded");
    let mut batch = case_for(StrictHostKeyChecking::Ask);
    batch.config.batch_mode = true;
    let (result, asked) = batch.run(&a, "192.0.2.7:22", PromptAnswer::Yes);
    assert!(matches!(result, Err(ConnectError::HostKeyAddressChanged(c)) if c.reason.contains("BatchMode")));
    assert!(asked.is_empty());
}

#[test]
fn a_changed_host_key_says_what_the_address_holds() {
    let (old, new, other) = (key(b"old"), key(b"new"), key(b"other"));
    let note = |text: &str| {
        let mut case = Case::new("box.example", 22, Some("box"), text);
        case.config.check_host_ip = true;
        match case.run(&new, "192.0.2.7:22", PromptAnswer::Yes).0 {
            Err(ConnectError::HostKeyChanged(c)) => c.address_note,
            other => panic!("{other:?}"),
        }
    };
    let host = format!("box {}\n", old.to_line_part());
    assert_eq!(note(&host).as_deref(), Some("the key for the IP address 192.0.2.7 is unknown"));
    let unchanged = format!("{host}192.0.2.7 {}\n", new.to_line_part());
    assert_eq!(note(&unchanged).as_deref(), Some("the key for the IP address 192.0.2.7 is unchanged"));
    assert_eq!(note(&format!("box,192.0.2.7 {}\n", old.to_line_part())), None, "the same old key");
    let different = note(&format!("{host}192.0.2.7 {}\n", other.to_line_part())).unwrap();
    assert!(different.contains("has a different value") && different.ends_with(":2"), "{different}");
}

#[test]
fn user_known_hosts_file_none_records_nothing_and_refuses_new_keys() {
    let a = key(b"A");
    let mut case = Case::new("web.example", 22, None, "");
    case.config.user_known_hosts_files = vec!["none".into()];
    case.config.global_known_hosts_files = vec![case.file()];
    case.config.strict_host_key_checking = StrictHostKeyChecking::No;
    let (result, _) = case.run(&a, "192.0.2.7:22", PromptAnswer::Yes);
    assert!(matches!(result, Err(ConnectError::HostKeyUnknown { reason, .. }) if reason.contains("none")));
    assert!(!Path::new("none").exists());
    std::fs::write(case.file(), format!("web.example {}\n", a.to_line_part())).unwrap();
    let known = KnownHosts::load(&all_files(&case.config));
    assert_eq!(known.check("web.example", &a), Verdict::Known);
}
