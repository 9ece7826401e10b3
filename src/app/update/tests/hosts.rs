//! The host picker, connecting, questions, bookmarks.

use super::*;

fn connect_to(state: &mut State, host: &str) -> u64 {
    let effects = update(state, key(KeyCode::F(2)));
    let [Effect::LoadSshHosts { token }] = effects.as_slice() else { panic!("{effects:?}") };
    update(
        state,
        Msg::SshHosts {
            token: *token,
            hosts: vec![("db".into(), "~/.ssh/config:1".into()), ("web1".into(), "~/.ssh/config:4".into())],
        },
    );
    typed(state, host);
    let effects = update(state, key(KeyCode::Enter));
    let Some(Effect::Connect { id, host: asked }) = effects.first() else { panic!("{effects:?}") };
    assert_eq!(asked, host);
    assert!(matches!(state.dialogs.last(), Some(Dialog::Connecting { .. })));
    *id
}

#[test]
fn host_picker_connects_and_opens_the_remote_home() {
    let mut state = loaded(1);
    state.config_dir = Some(PathBuf::from("/cfg"));
    let id = connect_to(&mut state, "web1");
    update(&mut state, Msg::ConnectStage { id, stage: "authenticating".into() });
    let effects = update(&mut state, Msg::Connected { id, result: Ok(PathBuf::from("/home/web")) });
    let remote = Location::Remote { host: "web1".into(), path: "/home/web".into() };
    assert_eq!(listing(&effects, Side::Left).1, remote);
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::SaveRecent { recent, .. } if recent.hosts == ["web1"] && recent.typed.is_empty()))
    );
    assert!(state.dialogs.is_empty());
    // Already connected: a remote target opens at once, relative to the remote home.
    let effects = open_target(
        &mut state,
        Side::Right,
        crate::app::Target::Remote { host: "web1".into(), path: Some("logs".into()) },
    );
    assert_eq!(
        listing(&effects, Side::Right).1,
        Location::Remote { host: "web1".into(), path: "/home/web/logs".into() }
    );
}

#[test]
fn connecting_can_be_cancelled_and_late_results_are_ignored() {
    let mut state = loaded(1);
    let id = connect_to(&mut state, "db");
    let effects = update(&mut state, key(KeyCode::Esc));
    assert!(effects.iter().any(|e| matches!(e, Effect::CancelConnect { id: i } if *i == id)));
    assert!(state.dialogs.is_empty());
    let effects = update(&mut state, Msg::Connected { id, result: Ok(PathBuf::from("/root")) });
    assert!(effects.is_empty());
    assert_eq!(state.panes[0].location, local("/top"));
}

#[test]
fn connection_questions_are_modal_dialogs_answered_through_the_reply() {
    let mut state = loaded(1);
    connect_to(&mut state, "db");
    let (tx, rx) = std::sync::mpsc::channel();
    let question = Question::Password { host: "db".into(), user: "me".into(), attempt: 1 };
    update(&mut state, Msg::Prompt { question, reply: Reply::new(tx.clone()) });
    typed(&mut state, "s3cret");
    let effects = update(&mut state, key(KeyCode::Enter));
    let [Effect::Answer { reply, answer }] = effects.as_slice() else { panic!("{effects:?}") };
    reply.send(answer.clone());
    assert_eq!(rx.recv().unwrap(), PromptAnswer::Secret("s3cret".into()));

    let prompts = vec![
        KbdPrompt { text: "Code: ".into(), echo: true },
        KbdPrompt { text: "Password: ".into(), echo: false },
    ];
    let question = Question::KeyboardInteractive {
        host: "db".into(),
        user: "me".into(),
        name: String::new(),
        instruction: String::new(),
        prompts,
    };
    update(&mut state, Msg::Prompt { question, reply: Reply::new(tx.clone()) });
    typed(&mut state, "123");
    assert!(update(&mut state, key(KeyCode::Enter)).is_empty(), "Enter moves to the next field");
    typed(&mut state, "pw");
    let effects = update(&mut state, key(KeyCode::Enter));
    assert!(
        matches!(&effects[0], Effect::Answer { answer: PromptAnswer::Responses(r), .. } if r == &["123", "pw"])
    );

    let question = Question::HostKey(HostKeyQuestion {
        host: "db".into(),
        key_type: "ssh-ed25519".into(),
        fingerprint: "SHA256:x".into(),
        known_hosts_file: "/k".into(),
        known_key_types: Vec::new(),
    });
    update(&mut state, Msg::Prompt { question: question.clone(), reply: Reply::new(tx.clone()) });
    assert!(update(&mut state, key(KeyCode::Char('z'))).is_empty());
    let effects = update(&mut state, key(KeyCode::Char('y')));
    assert!(matches!(&effects[0], Effect::Answer { answer: PromptAnswer::Yes, .. }));
    update(&mut state, Msg::Prompt { question, reply: Reply::new(tx.clone()) });
    let effects = update(&mut state, key(KeyCode::Esc));
    assert!(matches!(&effects[0], Effect::Answer { answer: PromptAnswer::No, .. }));

    // CheckHostIP's warning: yes or no, like the host key.
    let question = Question::Confirm { host: "db".into(), text: "Warning: the key differs".into() };
    update(&mut state, Msg::Prompt { question: question.clone(), reply: Reply::new(tx.clone()) });
    assert!(update(&mut state, key(KeyCode::Char('z'))).is_empty());
    let effects = update(&mut state, key(KeyCode::Char('y')));
    assert!(matches!(&effects[0], Effect::Answer { answer: PromptAnswer::Yes, .. }));
    update(&mut state, Msg::Prompt { question, reply: Reply::new(tx.clone()) });
    let effects = update(&mut state, key(KeyCode::Char('n')));
    assert!(matches!(&effects[0], Effect::Answer { answer: PromptAnswer::No, .. }));

    let question = Question::Passphrase { key: "k".into(), attempt: 2 };
    update(&mut state, Msg::Prompt { question, reply: Reply::new(tx) });
    let effects = update(&mut state, key(KeyCode::Esc));
    assert!(matches!(&effects[0], Effect::Answer { answer: PromptAnswer::Cancelled, .. }));
    assert!(
        matches!(state.dialogs.last(), Some(Dialog::Connecting { .. })),
        "the connection goes on reporting"
    );
}

#[test]
fn bookmarks_are_added_and_saved() {
    let mut state = loaded(1);
    state.config_dir = Some(PathBuf::from("/cfg"));
    update(&mut state, key(KeyCode::Char('b')));
    let effects = update(&mut state, key(KeyCode::Enter));
    assert!(
        matches!(&effects[0], Effect::SaveBookmarks { bookmarks, .. } if bookmarks[0].name == "top" && bookmarks[0].target == "/top")
    );
    update(&mut state, key(KeyCode::F(2)));
    let Some(Dialog::HostPicker(picker)) = state.dialogs.last() else { panic!() };
    assert!(picker.items.iter().any(|i| i.label == "top"));
}

#[test]
fn a_host_with_a_port_is_connected_remembered_and_bookmarked_with_it() {
    let mut state = loaded(1);
    state.config_dir = Some(PathBuf::from("/cfg"));
    // Typed in the picker: the number after the colon is the port.
    let id = connect_to(&mut state, "alice@web1:2222");
    let effects = update(&mut state, Msg::Connected { id, result: Ok(PathBuf::from("/home/alice")) });
    let here = Location::Remote { host: "alice@web1:2222".into(), path: "/home/alice".into() };
    assert_eq!(listing(&effects, Side::Left).1, here);
    assert!(effects.iter().any(|e| matches!(e, Effect::SaveRecent { recent, .. }
            if recent.hosts == ["alice@web1:2222"] && recent.typed == ["alice@web1:2222"])));
    // A bookmark keeps the port in a URI that reads back as the same place.
    let text = crate::app::update::hosts::target_text(&here);
    assert_eq!(text, "ssh://alice@web1:2222//home/alice");
    let target =
        crate::app::Target::Remote { host: "alice@web1:2222".into(), path: Some("/home/alice".into()) };
    assert_eq!(crate::app::Target::parse(&text, true), Ok(target.clone()));
    assert_eq!(crate::app::Target::parse(&text, false), Ok(target));
    let v6 = Location::Remote { host: "[::1]".into(), path: "/tmp".into() };
    assert_eq!(crate::app::update::hosts::target_text(&v6), "[::1]:/tmp");
    // As root or not is the host's setting, not the bookmark's.
    let root = Location::Remote { host: "alice@web1:2222 [sudo]".into(), path: "/root".into() };
    assert_eq!(crate::app::update::hosts::target_text(&root), "ssh://alice@web1:2222//root");

    // Go-to: an ssh:// URI on the connected host opens at once.
    update(&mut state, ctrl('g'));
    update(&mut state, ctrl('u'));
    typed(&mut state, "ssh://alice@web1:2222/logs");
    let effects = update(&mut state, key(KeyCode::Enter));
    let logs = Location::Remote { host: "alice@web1:2222".into(), path: "/home/alice/logs".into() };
    assert_eq!(listing(&effects, Side::Left).1, logs);
    // A malformed one says why, and goes nowhere.
    update(&mut state, ctrl('g'));
    update(&mut state, ctrl('u'));
    typed(&mut state, "ssh://alice@web1:0/logs");
    assert!(update(&mut state, key(KeyCode::Enter)).is_empty());
    let status = state.status.as_ref().unwrap();
    assert!(status.is_error() && status.text.contains("the port must be a number"), "{}", status.text);
}
