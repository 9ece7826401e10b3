//! `cargo bench --bench transfer -- --profile`: instruction counts with
//! valgrind's callgrind (`perf stat -e instructions` is not available in
//! every VM; counts repeat where wall times on a shared machine do not).
//! First a 64 MiB download on loopback by scpdeck, the minimal libssh2
//! loop and OpenSSH's `scp -O` (the `ssh` it runs does the crypto), each
//! with the functions that cost the most; then scpdeck and `scp -O`, down
//! and up, under every cipher of the cipher table. `BENCH_ONLY=ciphers`
//! counts only the latter.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use crate::ciphers::{SUITES, Suite};
use crate::support::Sshd;

const SIZE: u64 = 64 << 20;

/// What callgrind counted for one client run.
struct Count {
    command: String,
    total: u64,
    /// The functions with the highest own cost, as callgrind_annotate
    /// prints them.
    top: Vec<String>,
}

pub fn main(sshd: &Sshd, config: &Path, dir: &Path) {
    let file = dir.join("src/profiled");
    crate::write_random(&file, SIZE, 3);
    let out = dir.join("out");
    if std::env::var("BENCH_ONLY").ok().as_deref() != Some("ciphers") {
        clients(sshd, config, dir, &file, &out);
    }
    suites(config, dir, &file, &out);
}

fn clients(sshd: &Sshd, config: &Path, dir: &Path, file: &Path, out: &Path) {
    let scp = |program: &str, legacy: bool| -> Vec<String> {
        let mut argv = vec![program.to_owned()];
        if legacy {
            argv.push("-O".into());
        } else {
            argv.push("cp".into());
        }
        argv.extend(["-q".into(), "-F".into(), config.display().to_string()]);
        argv.extend([format!("lo:{}", file.display()), out.display().to_string()]);
        argv
    };
    let loop_argv = vec![
        std::env::current_exe().expect("exe").display().to_string(),
        crate::ssh2_loop::ARG.into(),
        sshd.port.to_string(),
        sshd.user.clone(),
        sshd.client_key().display().to_string(),
        file.display().to_string(),
        SIZE.to_string(),
    ];
    println!("callgrind, 64 MiB download on loopback (instructions executed by the client)\n");
    for (name, argv) in [
        ("scpdeck", scp(&crate::scpdeck_bin(), false)),
        ("libssh2-loop", loop_argv),
        ("scp", scp("scp", true)),
    ] {
        for count in callgrind(name, &argv, dir, out) {
            println!("== {name}: {}\n{} instructions", count.command, count.total);
            for line in &count.top {
                println!("  {line}");
            }
            println!();
        }
    }
}

/// The per-cipher table: millions of instructions for the 64 MiB file.
fn suites(config: &Path, dir: &Path, file: &Path, out: &Path) {
    let mut table = String::from(
        "| cipher (+ MAC) | down: scpdeck | down: scp -O (scp + ssh) | ÷ | up: scpdeck | up: scp -O (scp + ssh) | ÷ |\n\
         |---|---|---|---|---|---|---|\n",
    );
    println!("callgrind, 64 MiB on loopback per cipher (millions of instructions of the client)\n");
    for suite in SUITES {
        let mut m = Vec::new();
        for up in [false, true] {
            for legacy in [false, true] {
                let argv = argv(config, file, out, &suite, up, legacy);
                let name = format!("{}-{}", suite.slug(), if legacy { "scp" } else { "scpdeck" });
                let total: u64 = callgrind(&name, &argv, dir, out).iter().map(|c| c.total).sum();
                m.push(total as f64 / 1e6);
            }
        }
        let row = format!(
            "| {} | {:.0} M | {:.0} M | {:.2} | {:.0} M | {:.0} M | {:.2} |\n",
            suite.label(),
            m[0],
            m[1],
            m[0] / m[1],
            m[2],
            m[3],
            m[2] / m[3]
        );
        print!("{row}");
        let _ = write!(table, "{row}");
    }
    println!("\n{table}");
}

fn argv(config: &Path, file: &Path, out: &Path, suite: &Suite, up: bool, legacy: bool) -> Vec<String> {
    let mut argv: Vec<String> =
        if legacy { vec!["scp".into(), "-O".into()] } else { vec![crate::scpdeck_bin(), "cp".into()] };
    argv.extend(["-q".into(), "-F".into(), config.display().to_string()]);
    for option in suite.options() {
        argv.extend(["-o".into(), option]);
    }
    if up {
        argv.extend([file.display().to_string(), format!("lo:{}/", out.display())]);
    } else {
        argv.extend([format!("lo:{}", file.display()), out.display().to_string()]);
    }
    argv
}

/// Runs `argv` under callgrind into a fresh `out`; one count per process
/// that did any work (scp's crypto runs in the `ssh` it starts, so its
/// children are traced; scpdeck's only child is `ssh -G`, which is not).
fn callgrind(name: &str, argv: &[String], dir: &Path, out: &Path) -> Vec<Count> {
    let _ = std::fs::remove_dir_all(out);
    std::fs::create_dir(out).expect("out");
    let prefix = dir.join(format!("callgrind.{name}"));
    let status = Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg(format!("--trace-children={}", if argv[0] == "scp" { "yes" } else { "no" }))
        .arg(format!("--callgrind-out-file={}.%p", prefix.display()))
        .args(argv)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("valgrind (apt-get install valgrind)");
    assert!(status.success(), "{name} under callgrind failed");
    let mut counts = Vec::new();
    for entry in std::fs::read_dir(dir).expect("dir").flatten() {
        let path = entry.path();
        let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if !file_name.starts_with(&format!("callgrind.{name}.")) {
            continue;
        }
        counts.extend(annotate(&path));
        let _ = std::fs::remove_file(&path);
    }
    counts
}

/// The total and the functions with the highest own cost; `None` for a
/// process that executed nothing.
fn annotate(path: &Path) -> Option<Count> {
    let out = Command::new("callgrind_annotate").arg("--threshold=95").arg(path).output().expect("annotate");
    let text = String::from_utf8_lossy(&out.stdout);
    let command = text.lines().find_map(|l| l.strip_prefix("Profiled target:")).unwrap_or("").trim();
    let total_line = text.lines().find(|l| l.contains("PROGRAM TOTALS")).unwrap_or("").trim();
    let total: u64 =
        total_line.split_whitespace().next().unwrap_or("0").replace(',', "").parse().unwrap_or(0);
    if total == 0 {
        return None;
    }
    let rows = text.lines().skip_while(|l| !l.contains("file:function")).skip(1);
    let top = rows.filter(|l| !l.trim().is_empty()).take(12).map(|l| l.trim().to_owned()).collect();
    Some(Count { command: command.to_owned(), total, top })
}
