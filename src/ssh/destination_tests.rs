use super::*;

fn remote(user: Option<&str>, host: &str, port: Option<u16>, path: Option<&str>) -> Option<Destination> {
    Some(Destination {
        target: Target { user: user.map(str::to_owned), host: host.to_owned(), port },
        path: path.map(OsString::from),
    })
}

fn p(text: &str) -> Option<Destination> {
    parse(text.as_bytes()).unwrap_or_else(|e| panic!("{e}"))
}

fn h(text: &str) -> Option<Destination> {
    parse_host(text.as_bytes()).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn scp_form_as_scp_reads_it() {
    assert_eq!(p("host:file"), remote(None, "host", None, Some("file")));
    assert_eq!(p("me@host:/etc/x"), remote(Some("me"), "host", None, Some("/etc/x")));
    assert_eq!(p("host:"), remote(None, "host", None, None));
    assert_eq!(p("a@b@host:x"), remote(Some("a@b"), "host", None, Some("x")));
    assert_eq!(p("[::1]:/tmp/f"), remote(None, "::1", None, Some("/tmp/f")));
    assert_eq!(p("me@[fe80::1]:x:y"), remote(Some("me"), "fe80::1", None, Some("x:y")));
    assert_eq!(p("host:2222"), remote(None, "host", None, Some("2222")), "a path, as for scp");
    assert_eq!(p("host:a%20b+c"), remote(None, "host", None, Some("a%20b+c")), "no decoding outside URIs");
    for local in ["file", "./host:file", "dir/a:b", ":leading", "/abs/x", "[::1]x", "[::1]/tmp:x", ""] {
        assert_eq!(p(local), None, "{local}");
    }
}

#[test]
fn uris_as_openssh_scp_reads_them() {
    for scheme in ["scp", "ssh"] {
        let u = |rest: &str| p(&format!("{scheme}://{rest}"));
        assert_eq!(
            u("alice@127.0.0.1:2222//tmp/x"),
            remote(Some("alice"), "127.0.0.1", Some(2222), Some("/tmp/x"))
        );
        // The path after the host is relative to the home directory.
        assert_eq!(
            u("alice@web:2222/notes.txt"),
            remote(Some("alice"), "web", Some(2222), Some("notes.txt"))
        );
        assert_eq!(u("web/~/x"), remote(None, "web", None, Some("~/x")));
        assert_eq!(u("web"), remote(None, "web", None, None));
        assert_eq!(u("web/"), remote(None, "web", None, None));
        assert_eq!(u("web:22"), remote(None, "web", Some(22), None));
        assert_eq!(u("alice;fingerprint=x@web"), remote(Some("alice"), "web", None, None));
        assert_eq!(u("r%6Fot@web//a%20b+c%2Bd%25"), remote(Some("root"), "web", None, Some("/a b c+d%")));
        assert_eq!(u("web/%2Fetc"), remote(None, "web", None, Some("/etc")));
        assert_eq!(u("[::1]:2222/p"), remote(None, "::1", Some(2222), Some("p")));
        assert_eq!(u("bob@[2001:db8::7]"), remote(Some("bob"), "2001:db8::7", None, None));
        assert_eq!(u("web//a@b"), remote(None, "web", None, Some("/a@b")), "an @ in the path is no user");
        let bytes = parse(format!("{scheme}://web/%FF").as_bytes()).unwrap().unwrap();
        assert_eq!(bytes.path.unwrap().as_bytes(), b"\xff");
    }
}

#[test]
fn bad_uris_are_refused_with_the_reason() {
    let cases = [
        ("scp://", "letter or a digit"),
        ("scp://@web", "user name before @ is empty"),
        ("scp://web:0/x", "1 to 65535"),
        ("scp://web:/x", "1 to 65535"),
        ("scp://web:99999", "1 to 65535"),
        ("scp://web:22x/y", "1 to 65535"),
        ("scp://web/%zz", "two hex digits"),
        ("scp://web/%4", "two hex digits"),
        ("scp://web/a%00b", "NUL"),
        ("scp://-oProxyCommand=x/y", "letter or a digit"),
        ("scp://we b/x", "only letters"),
        ("scp://web..x/y", "'..'"),
        ("scp://a@b@web/x", "only letters"),
        ("ssh://[::1/x", "closing ']'"),
        ("ssh://[web]/x", "IPv6"),
        ("ssh://[::1]x", "only ':port' or '/path'"),
        ("ssh://r%ff@web", "UTF-8"),
    ];
    for (text, reason) in cases {
        let err = parse(text.as_bytes()).unwrap_err();
        assert!(err.reason.contains(reason), "{text}: {err}");
        assert!(err.to_string().contains("scp://[user@]host[:port][/path]"), "{err}");
    }
    for text in ["@host:x", "-oProxyCommand=x:y", "a b:x", "a[b:x"] {
        assert!(parse(text.as_bytes()).is_err(), "{text}");
    }
}

#[test]
fn where_a_host_is_expected_a_number_is_the_port() {
    assert_eq!(h("web"), remote(None, "web", None, None));
    assert_eq!(h("alice@web"), remote(Some("alice"), "web", None, None));
    assert_eq!(h("alice@web:2222"), remote(Some("alice"), "web", Some(2222), None));
    assert_eq!(h("web:./2222"), remote(None, "web", None, Some("./2222")));
    assert_eq!(h("web:/var/log"), remote(None, "web", None, Some("/var/log")));
    assert_eq!(h("[::1]:2222"), remote(None, "::1", Some(2222), None));
    assert_eq!(h("[::1]"), remote(None, "::1", None, None));
    assert_eq!(h("alice@[::1]"), remote(Some("alice"), "::1", None, None));
    assert_eq!(h("ssh://alice@web:2200//srv"), remote(Some("alice"), "web", Some(2200), Some("/srv")));
    assert_eq!(h("/srv"), None);
    assert_eq!(h("docs/x"), None);
    assert!(parse_host(b"web:0").is_err());
    assert!(parse_host(b"web:70000").is_err());
}

#[test]
fn text_reads_back_as_the_same_destination() {
    let cases = [
        remote(None, "web", None, None),
        remote(Some("alice"), "web", None, Some("/var/log")),
        remote(Some("alice"), "::1", None, Some("/tmp")),
        remote(None, "::1", Some(2222), None),
        remote(Some("a@b;c"), "web", Some(2222), Some("/srv/a b+c%d/#?")),
        remote(Some("alice"), "web", Some(2222), Some("notes")),
        remote(None, "127.0.0.1", Some(2222), Some("/tmp/x")),
    ];
    for case in cases {
        let text = case.as_ref().unwrap().text();
        assert_eq!(p(&text), case, "{text}");
        assert_eq!(h(&text), case, "{text}");
    }
    let with_port = remote(Some("alice"), "web", Some(2222), Some("/var/log")).unwrap();
    assert_eq!(with_port.text(), "ssh://alice@web:2222//var/log");
    assert_eq!(remote(None, "::1", Some(22), None).unwrap().text(), "ssh://[::1]:22");
}
