use super::*;
use proptest::prelude::*;

#[derive(Debug, PartialEq, Eq)]
enum Ev {
    File(usize, String, u32, u64, bool),
    Data(Vec<u8>),
    End(Result<(), String>),
    Dir(usize, String),
    DirEnd,
    Error(usize, usize, String),
}

fn config(recursive: bool, requested: &[&str]) -> SinkConfig {
    SinkConfig { recursive, requested: requested.iter().map(|s| s.as_bytes().to_vec()).collect(), credit: 4 }
}

/// Feeds `input` in pieces of `step` bytes; returns events and the error.
fn run(config: SinkConfig, input: &[u8], step: usize) -> (Vec<Ev>, Option<SinkError>, Sink) {
    let mut sink = Sink::new(config);
    let mut events = Vec::new();
    let s = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    for piece in input.chunks(step.max(1)) {
        let mut pos = 0;
        while pos < piece.len() {
            match sink.feed(&piece[pos..]) {
                Err(e) => return (events, Some(e), sink),
                Ok((used, ev)) => {
                    assert!(used > 0 || ev.is_some());
                    pos += used;
                    let ev = match ev {
                        None => continue,
                        Some(SinkEvent::File { operand, name, mode, size, times }) => {
                            Ev::File(operand, s(&name), mode, size, times.is_some())
                        }
                        Some(SinkEvent::Data(d)) => {
                            if let Some(Ev::Data(prev)) = events.last_mut() {
                                prev.extend_from_slice(d);
                                continue;
                            }
                            Ev::Data(d.to_vec())
                        }
                        Some(SinkEvent::FileEnd(r)) => Ev::End(r.map_err(|m| s(&m))),
                        Some(SinkEvent::Dir { operand, name, .. }) => Ev::Dir(operand, s(&name)),
                        Some(SinkEvent::DirEnd) => Ev::DirEnd,
                        Some(SinkEvent::Error { operand, depth, message }) => {
                            Ev::Error(operand, depth, s(&message))
                        }
                    };
                    events.push(ev);
                }
            }
        }
    }
    (events, None, sink)
}

#[test]
fn one_file_in_any_chunking() {
    let input = b"T1 2 3 4\nC0644 5 a b\nhello\0";
    for step in [1, 2, 3, 7, 100] {
        let (events, err, sink) = run(config(false, &["a b"]), input, step);
        assert_eq!(err, None);
        assert_eq!(
            events,
            [Ev::File(0, "a b".into(), 0o644, 5, true), Ev::Data(b"hello".to_vec()), Ev::End(Ok(()))]
        );
        assert!(sink.finish().is_ok());
    }
}

#[test]
fn acks_are_credit_plus_one_per_record() {
    let mut sink = Sink::new(config(false, &["a", "b"]));
    assert_eq!(sink.take_acks(), 5);
    let input = b"C0644 0 a\n\0\x01scp: b: No such file or directory\n";
    let mut pos = 0;
    while pos < input.len() {
        pos += sink.feed(&input[pos..]).unwrap().0;
    }
    assert_eq!(sink.take_acks(), 3);
    assert_eq!(sink.operand(), 2);
}

#[test]
fn errors_are_tied_to_the_operand_and_data_errors_fail_the_file() {
    let input = b"\x01scp: a: Permission denied\nC0600 2 b\nxy\x01scp: b: read error\nC0600 0 c\n\0";
    let (events, err, _) = run(config(false, &["a", "b", "c"]), input, 5);
    assert_eq!(err, None);
    assert_eq!(
        events,
        [
            Ev::Error(0, 0, "scp: a: Permission denied".into()),
            Ev::File(1, "b".into(), 0o600, 2, false),
            Ev::Data(b"xy".to_vec()),
            Ev::End(Err("scp: b: read error".into())),
            Ev::File(2, "c".into(), 0o600, 0, false),
            Ev::End(Ok(())),
        ]
    );
}

#[test]
fn an_error_about_a_name_with_newlines_is_one_message() {
    let input = b"\x01scp: /d/a\nb\nc: Permission denied\n\x01scp: x\n\x01scp: /d/y: gone\n";
    for step in [1, 3, 100] {
        let (events, err, _) = run(config(false, &["a\nb\nc", "x", "y"]), input, step);
        assert_eq!(err, None);
        assert_eq!(
            events,
            [
                Ev::Error(0, 0, "scp: /d/a\nb\nc: Permission denied".into()),
                Ev::Error(1, 0, "scp: x".into()),
                Ev::Error(2, 0, "scp: /d/y: gone".into()),
            ]
        );
    }
}

#[test]
fn recursive_tree() {
    let input = b"D0755 0 top\nC0644 1 f\nx\0D0700 0 sub\nE\nE\n";
    let (events, err, sink) = run(config(true, &["top"]), input, 4);
    assert_eq!(err, None);
    assert_eq!(
        events,
        [
            Ev::Dir(0, "top".into()),
            Ev::File(0, "f".into(), 0o644, 1, false),
            Ev::Data(b"x".to_vec()),
            Ev::End(Ok(())),
            Ev::Dir(0, "sub".into()),
            Ev::DirEnd,
            Ev::DirEnd,
        ]
    );
    assert_eq!(sink.operand(), 1);
}

fn refused(recursive: bool, requested: &[&str], input: &[u8]) -> SinkError {
    let (_, err, _) = run(config(recursive, requested), input, 3);
    err.unwrap_or_else(|| panic!("accepted {}", escape_bytes(input)))
}

#[test]
fn hostile_names_are_refused() {
    for name in [&b"."[..], b"..", b"", b"a/b", b"../x", b"/etc/passwd", b"a\0b"] {
        let mut input = b"C0644 1 ".to_vec();
        input.extend_from_slice(name);
        input.extend_from_slice(b"\nx\0");
        assert!(matches!(refused(true, &["x"], &input), SinkError::BadName { .. }), "{}", escape_bytes(name));
        let mut dir = b"D0755 0 x\nD0755 0 ".to_vec();
        dir.extend_from_slice(name);
        dir.push(b'\n');
        assert!(matches!(refused(true, &["x"], &dir), SinkError::BadName { .. }), "{}", escape_bytes(name));
    }
}

#[test]
fn only_requested_names_in_order_are_accepted() {
    assert!(matches!(refused(false, &["a"], b"C0644 0 b\n\0"), SinkError::Unrequested { .. }));
    assert!(matches!(refused(true, &["a"], b"D0755 0 b\nE\n"), SinkError::Unrequested { .. }));
    assert!(matches!(refused(false, &["a", "b"], b"C0644 0 b\n\0"), SinkError::Unrequested { .. }));
    assert!(matches!(refused(false, &["a"], b"C0644 0 a\n\0C0644 0 a\n\0"), SinkError::Extra { .. }));
    assert!(matches!(refused(true, &["a"], b"C0644 0 a\n\0D0755 0 z\nE\n"), SinkError::Extra { .. }));
}

#[test]
fn nothing_but_the_end_may_follow_the_requested_files() {
    let after = |tail: &[u8]| {
        let mut input = b"C0644 1 a\nx\0".to_vec();
        input.extend_from_slice(tail);
        let (events, err, sink) = run(config(false, &["a"]), &input, 4);
        assert_eq!(events.last(), Some(&Ev::End(Ok(()))), "{}", escape_bytes(tail));
        err.or_else(|| sink.finish().err())
    };
    assert_eq!(after(b""), None);
    let extra = after(b"C0644 1 unrequested\ny\0").unwrap();
    assert_eq!(extra, SinkError::Extra { name: b"unrequested".to_vec() });
    assert_eq!(
        extra.to_string(),
        "protocol error: the server sent \"unrequested\", which was not requested, after the requested \
         files; refused (a hostile or broken server)"
    );
    for tail in [&b"garbage\n"[..], b"T1 0 1 0\n", b"\x01scp: late\n", b"no newline"] {
        let err = after(tail).unwrap_or_else(|| panic!("accepted {}", escape_bytes(tail)));
        assert!(matches!(err, SinkError::Trailing(_)), "{err:?}");
        assert!(err.to_string().starts_with("protocol error: the server sent more after"), "{err}");
        assert!(err.is_protocol_violation());
    }
    // The remote scp giving up is its own error, not the server's offence.
    let fatal = after(b"\x02scp: gave up\n").unwrap();
    assert!(matches!(fatal, SinkError::Fatal(_)) && !fatal.is_protocol_violation());
}

#[test]
fn newline_names_match_their_openssh_encoding() {
    let (events, err, _) = run(config(false, &["a\nb"]), b"C0644 0 a\\^Jb\n\0", 100);
    assert_eq!(err, None);
    assert_eq!(events[0], Ev::File(0, "a\\^Jb".into(), 0o644, 0, false));
}

#[test]
fn protocol_violations_are_refused() {
    assert!(matches!(refused(false, &["d"], b"D0755 0 d\nE\n"), SinkError::DirWithoutRecursive { .. }));
    assert!(matches!(refused(true, &["d"], b"E\n"), SinkError::UnbalancedEnd));
    assert!(matches!(refused(true, &["d"], b"C0644 1 d\nx\n"), SinkError::BadStatus { byte: b'\n', .. }));
    assert!(matches!(refused(true, &["d"], b"\n"), SinkError::EmptyLine));
    assert!(matches!(refused(true, &["d"], b"C755 2 d\n"), SinkError::Record(_)));
    assert!(matches!(refused(true, &["d"], b"\x02scp: fatal\n"), SinkError::Fatal(_)));
    assert!(matches!(refused(true, &["d"], b"Welcome!\n"), SinkError::UnexpectedText(_)));
    let long = vec![b'C'; MAX_LINE + 1];
    assert!(matches!(refused(true, &["d"], &long), SinkError::LineTooLong));
}

#[test]
fn truncated_streams_are_reported() {
    let (_, err, sink) = run(config(false, &["f"]), b"C0644 10 f\nabc", 100);
    assert_eq!(err, None);
    assert_eq!(sink.finish().unwrap_err().to_string(), "the connection closed after 3 of 10 bytes of \"f\"");
    let (_, _, sink) = run(config(true, &["d"]), b"D0755 0 d\n", 100);
    assert!(sink.finish().is_err());
}

#[test]
fn nothing_is_accepted_after_an_error() {
    let mut sink = Sink::new(config(false, &["a"]));
    assert!(sink.feed(b"\n").is_err());
    assert!(sink.feed(b"C0644 0 a\n").is_err());
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(input in proptest::collection::vec(any::<u8>(), 0..512), step in 1usize..50) {
        let _ = run(config(true, &["a", "b"]), &input, step);
    }

    #[test]
    fn record_shaped_bytes_never_panic(
        parts in proptest::collection::vec(
            prop_oneof![
                Just(b"C0644 3 a\n".to_vec()), Just(b"D0755 0 a\n".to_vec()), Just(b"E\n".to_vec()),
                Just(b"T1 0 1 0\n".to_vec()), Just(b"\0".to_vec()), Just(b"\x01oops\n".to_vec()),
                Just(b"xyz".to_vec()), proptest::collection::vec(any::<u8>(), 0..8),
            ],
            0..20,
        ),
        step in 1usize..20,
    ) {
        let input: Vec<u8> = parts.concat();
        let (_, _, sink) = run(config(true, &["a", "a", "a"]), &input, step);
        let _ = sink.finish();
    }

    #[test]
    fn accepted_names_are_single_components(name in proptest::collection::vec(any::<u8>(), 0..12)) {
        let mut input = b"D0755 0 a\nC0644 0 ".to_vec();
        input.extend(name.iter().copied().filter(|&b| b != b'\n'));
        input.extend_from_slice(b"\n\0");
        let (events, _, _) = run(config(true, &["a"]), &input, 64);
        for ev in events {
            if let Ev::File(_, n, ..) = ev {
                prop_assert!(!n.is_empty() && n != "." && n != ".." && !n.contains('/'));
            }
        }
    }
}
