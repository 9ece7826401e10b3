//! What the shell around scpdeck expects of it, without a host: `--help`
//! (snapshots), usage errors (status 2), completion scripts that the shells
//! load and that complete ssh_config's hosts, the man page, colours under
//! `--color`, NO_COLOR and a non-terminal stderr.

mod support;

use std::path::Path;
use std::process::{Command, Output};

use support::tmux::{Tmux, scpdeck_bin};

fn scpdeck(args: &[&str]) -> Output {
    Command::new(scpdeck_bin()).args(args).env_remove("NO_COLOR").output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn help_reads_like_scp_with_examples() {
    let out = scpdeck(&["cp", "--help"]);
    assert!(out.status.success());
    let help = text(&out.stdout);
    assert!(help.contains("Usage: scpdeck cp [OPTIONS] SOURCE... TARGET\n"), "{help}");
    insta::assert_snapshot!("cp_help", help);
    insta::assert_snapshot!("help", text(&scpdeck(&["--help"]).stdout));
    insta::assert_snapshot!("ls_help", text(&scpdeck(&["ls", "--help"]).stdout));
    insta::assert_snapshot!("sync_help", text(&scpdeck(&["sync", "--help"]).stdout));
}

#[test]
fn usage_errors_exit_2_and_nothing_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("f");
    std::fs::write(&file, b"x").unwrap();
    let f = file.to_str().unwrap();
    let copy = tmp.path().join("copy");
    let c = copy.to_str().unwrap();
    for args in [
        vec!["cp", f],
        vec!["cp", "--bogus", f, c],
        vec!["cp", "--overwrite", "sometimes", f, c],
        vec!["cp", "-j", "0", f, c],
        vec!["cp", "--color", "purple", f, c],
        vec!["cp", "-P", "notaport", f, c],
        vec!["cp", "scp://[::1/x", c],
        vec!["ls"],
        vec!["ls", "-z", "."],
        vec!["sync", f],
        vec!["sync", "--json", f, c],
        vec!["sync", "--exclude", "a[b", f, c],
        vec!["completions", "tcsh"],
        vec!["/no/such/dir"],
    ] {
        let out = scpdeck(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out.stderr));
        assert!(!text(&out.stderr).is_empty(), "{args:?}");
    }
    // The policy names are listed, so a typo is easy to fix.
    let err = text(&scpdeck(&["cp", "--overwrite", "sometimes", f, c]).stderr);
    assert!(err.contains("ask, overwrite, skip, newer, size, rename"), "{err}");
    assert!(!copy.exists());
    // --overwrite ask without a terminal to ask on: a usage error too.
    let out = scpdeck(&["cp", "--overwrite", "ask", f, c]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(!copy.exists());
}

#[test]
fn colour_follows_color_no_color_and_the_stream() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("missing");
    let m = missing.to_str().unwrap();
    let t = tmp.path().join("t");
    let target = t.to_str().unwrap();
    // Not a terminal: plain, unless asked for.
    let plain = scpdeck(&["cp", m, target]);
    assert_eq!(plain.status.code(), Some(1));
    assert!(!plain.stderr.contains(&0x1b), "{:?}", text(&plain.stderr));
    let forced = scpdeck(&["cp", "--color", "always", m, target]);
    let err = text(&forced.stderr);
    assert!(err.starts_with("\x1b[") && err.contains("scpdeck:\x1b[0m "), "{err:?}");
    let forced = Command::new(scpdeck_bin())
        .args(["cp", "--color=always", m, target])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(forced.stderr.starts_with(b"\x1b["), "the flag overrides NO_COLOR");
    // A terminal: coloured, unless NO_COLOR or --color never. tmux shows the
    // colours it was sent with capture-pane -e.
    let bin = scpdeck_bin();
    let run = |prefix: &str, flags: &str| {
        let command = format!("{prefix} {} cp {flags} {m} {target}; echo EXIT=$?; sleep 30", bin.display());
        let tmux = Tmux::start(&command, 120, 10);
        tmux.wait_for("EXIT=1");
        tmux.screen_with_styles()
    };
    let coloured = run("env -u NO_COLOR", "");
    assert!(
        coloured.contains("\x1b[1m\x1b[31mscpdeck:") || coloured.contains("\x1b[1;31mscpdeck:"),
        "{coloured:?}"
    );
    for (prefix, flags) in [("env NO_COLOR=1", ""), ("env -u NO_COLOR", "--color never")] {
        let screen = run(prefix, flags);
        assert!(screen.contains("scpdeck: ") && !screen.contains("\x1b[31m"), "{prefix} {flags}: {screen:?}");
    }
}

/// A directory with an ssh_config (`cfg`) of three hosts and a pattern
/// (not completed). Completions pass the command line's -F on.
fn home_with_hosts() -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join("cfg"),
        "Host web1 web2\n  User www\nHost db.internal\n  Port 2222\nHost *.example\n  User x\n",
    )
    .unwrap();
    home
}

/// A PATH with this build's scpdeck first.
fn path_with_scpdeck() -> String {
    let dir = scpdeck_bin().parent().unwrap().to_path_buf();
    format!("{}:{}", dir.display(), std::env::var("PATH").unwrap_or_default())
}

fn shell(program: &str, home: &Path, script: &str) -> String {
    let out = Command::new(program)
        .args(["-c", script])
        .env("HOME", home)
        .env("PATH", path_with_scpdeck())
        .current_dir(home)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e} (scripts/test installs it)"));
    assert!(out.status.success(), "{program}: {}\n{}", text(&out.stderr), text(&out.stdout));
    text(&out.stdout)
}

#[test]
fn complete_hosts_lists_ssh_config_aliases() {
    let home = home_with_hosts();
    let out = Command::new(scpdeck_bin())
        .args(["complete-hosts", "-F"])
        .arg(home.path().join("cfg"))
        .output()
        .unwrap();
    assert_eq!(text(&out.stdout), "web1\nweb2\ndb.internal\n");
    let out = Command::new(scpdeck_bin()).args(["complete-hosts", "-F", "/no/such/config"]).output().unwrap();
    assert!(out.stdout.is_empty() && out.stderr.is_empty() && !out.status.success());
}

#[test]
fn bash_completes_commands_options_and_hosts() {
    let home = home_with_hosts();
    let script = home.path().join("scpdeck.bash");
    std::fs::write(&script, scpdeck(&["completions", "bash"]).stdout).unwrap();
    std::fs::write(home.path().join("weblog.txt"), b"").unwrap();
    let complete = |line: &str| {
        let words: Vec<&str> = line.split(' ').collect();
        let array = words.iter().map(|w| format!("'{w}'")).collect::<Vec<_>>().join(" ");
        let cword = words.len() - 1;
        shell(
            "bash",
            home.path(),
            &format!(
                "source {}; COMP_WORDS=({array}); COMP_CWORD={cword}; COMP_LINE='{line}'; \
                 COMP_POINT=${{#COMP_LINE}}; _scpdeck_operands scpdeck '{}' '{}'; \
                 printf '%s\\n' \"${{COMPREPLY[@]}}\"",
                script.display(),
                words[cword],
                words[cword.saturating_sub(1)]
            ),
        )
    };
    let lines = |s: String| s.lines().map(str::to_owned).collect::<Vec<_>>();
    assert_eq!(lines(complete("scpdeck c")), ["cp", "completions", "complete-hosts"]);
    assert_eq!(lines(complete("scpdeck cp -F cfg web")), ["web1:", "web2:", "weblog.txt"]);
    assert_eq!(lines(complete("scpdeck cp -F cfg -r alice@d")), ["alice@db.internal:"]);
    assert_eq!(lines(complete("scpdeck ls -F cfg db")), ["db.internal:"]);
    let panes = lines(complete("scpdeck -F cfg web"));
    assert_eq!(panes, ["web1:", "web2:", "weblog.txt"], "the commander's panes");
    assert_eq!(lines(complete("scpdeck cp -F cfg -J w")), ["web1", "web2"]);
    assert_eq!(lines(complete("scpdeck cp --ov")), ["--overwrite"]);
    assert_eq!(lines(complete("scpdeck cp --overwrite s")), ["skip", "size"]);
    assert!(complete("scpdeck cp -F cfg ./web").lines().all(|l| !l.ends_with(':')), "a local path");
    assert!(complete("scpdeck completions web").trim().is_empty());
}

#[test]
fn fish_completes_hosts_and_zsh_loads_the_script() {
    let home = home_with_hosts();
    let fish = home.path().join("scpdeck.fish");
    std::fs::write(&fish, scpdeck(&["completions", "fish"]).stdout).unwrap();
    let complete = |line: &str| {
        let out = shell("fish", home.path(), &format!("source {}; complete -C '{line}'", fish.display()));
        out.lines().map(|l| l.split('\t').next().unwrap_or_default().to_owned()).collect::<Vec<_>>()
    };
    let hosts = complete("scpdeck cp -F cfg web");
    assert!(hosts.contains(&"web1:".to_owned()) && hosts.contains(&"web2:".to_owned()), "{hosts:?}");
    assert!(complete("scpdeck ls -F cfg bob@d").contains(&"bob@db.internal:".to_owned()));
    assert!(complete("scpdeck -F cfg db").contains(&"db.internal:".to_owned()), "the commander's panes");
    assert!(complete("scpdeck cp -F cfg -J w").contains(&"web1".to_owned()));
    assert!(complete("scpdeck cp --ov").contains(&"--overwrite".to_owned()));
    assert!(!complete("scpdeck cp -F cfg /tm").iter().any(|c| c.ends_with(':')));

    // zsh: the script parses, and its operand function offers the hosts
    // with a ':' suffix (compadd and friends stand in for the completion
    // system, which needs an interactive shell).
    let zsh = home.path().join("_scpdeck");
    std::fs::write(&zsh, scpdeck(&["completions", "zsh"]).stdout).unwrap();
    shell("zsh", home.path(), &format!("zsh -n {}", zsh.display()));
    let offered = shell(
        "zsh",
        home.path(),
        &format!(
            "compdef() {{ }}; compadd() {{ print -r -- \"compadd $*\" }}; _files() {{ print _files }}; \
             _message() {{ }}; compset() {{ [[ $PREFIX == *@* ]] || return 1; PREFIX=${{PREFIX#*@}} }}; \
             source {}; words=(scpdeck cp -F cfg x); CURRENT=5; PREFIX=web; _scpdeck_operand; \
             PREFIX=bob@db; _scpdeck_operand; PREFIX=web1:/var; _scpdeck_operand; print done",
            zsh.display()
        ),
    );
    assert_eq!(
        offered,
        "_files\ncompadd -S : -- web1 web2 db.internal\ncompadd -S : -- web1 web2 db.internal\n_files\ndone\n"
    );
}

#[test]
fn the_man_page_renders_and_holds_the_keys() {
    let out = scpdeck(&["man"]);
    assert!(out.status.success());
    let page = home_file(&out.stdout);
    // groff with every warning on: nothing to say about the page.
    let groff =
        Command::new("groff").args(["-man", "-Tutf8", "-ww", "-z"]).arg(page.path()).output().unwrap();
    assert!(groff.status.success() && groff.stderr.is_empty(), "{}", text(&groff.stderr));
    let rendered =
        Command::new("groff").args(["-man", "-Tutf8", "-P", "-cbou"]).arg(page.path()).output().unwrap();
    // Words as groff sets them, whatever spaces justification put between.
    let rendered = text(&rendered.stdout).split_whitespace().collect::<Vec<_>>().join(" ");
    for needle in [
        "scpdeck cp [OPTIONS] SOURCE... TARGET",
        "EXIT STATUS",
        "255",
        "NO_COLOR",
        "COMMANDER KEYS",
        "local:PATH",
        "(go_to)",
        "ctrl-g",
        "Keys inside dialogs (fixed)",
        "Through a jump host",
    ] {
        assert!(rendered.contains(needle), "{needle} missing from:\n{rendered}");
    }
}

fn home_file(bytes: &[u8]) -> tempfile::NamedTempFile {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), bytes).unwrap();
    file
}

/// The colours (SGR foreground and background parameters) in text
/// captured with `capture-pane -e`.
fn colours(screen: &str) -> Vec<String> {
    let mut found = Vec::new();
    for sequence in screen.split("\x1b[").skip(1) {
        let Some(end) = sequence.find(|c: char| !(c.is_ascii_digit() || c == ';')) else { continue };
        if !sequence[end..].starts_with('m') {
            continue;
        }
        let params: Vec<u32> = sequence[..end].split(';').filter_map(|p| p.parse().ok()).collect();
        if params.iter().any(|&p| matches!(p, 30..=38 | 40..=48 | 90..=97 | 100..=107)) {
            found.push(sequence[..end].to_owned());
        }
    }
    found
}

#[test]
fn the_commander_refuses_a_small_terminal_and_drops_colours_under_no_color() {
    let tmp = tempfile::tempdir().unwrap();
    let start = |env: &str, flags: &str| {
        let command = format!(
            "{env} SCPDECK_CONFIG_DIR='{0}/config' XDG_STATE_HOME='{0}/state' '{1}' {flags} '{0}' '{0}'; sleep 30",
            tmp.path().display(),
            scpdeck_bin().display()
        );
        Tmux::start(&command, 80, 12)
    };
    let command = format!(
        "'{0}' '{1}' 2>'{1}/err'; echo EXIT=$?; sleep 30",
        scpdeck_bin().display(),
        tmp.path().display()
    );
    let small = Tmux::start(&command, 30, 6);
    let screen = small.wait_for("EXIT=");
    assert!(screen.contains("EXIT=1"), "{screen}");
    let err = std::fs::read_to_string(tmp.path().join("err")).unwrap();
    assert!(err.starts_with("scpdeck: the terminal is 30x6; the commander needs at least 40x8"), "{err}");

    let coloured = start("env -u NO_COLOR", "");
    coloured.wait_for("Name");
    assert!(!colours(&coloured.screen_with_styles()).is_empty());
    for (env, flags) in [("env NO_COLOR=1", ""), ("env -u NO_COLOR", "--color never")] {
        let tmux = start(env, flags);
        tmux.wait_for("Name");
        let screen = tmux.screen_with_styles();
        assert_eq!(colours(&screen), Vec::<String>::new(), "{env} {flags}: {screen:?}");
        assert!(
            screen.contains("\x1b[7m") || screen.contains(";7m"),
            "the cursor in reverse video: {screen:?}"
        );
    }
}

#[test]
fn clap_messages_follow_color() {
    let forced = scpdeck(&["cp", "--color", "always", "--bogus"]);
    assert_eq!(forced.status.code(), Some(2));
    assert!(forced.stderr.contains(&0x1b), "{}", text(&forced.stderr));
    let never = scpdeck(&["cp", "--color=never", "--bogus"]);
    assert!(!never.stderr.contains(&0x1b), "{}", text(&never.stderr));
    let help = scpdeck(&["--color=always", "--help"]);
    assert!(help.stdout.contains(&0x1b));
}
