//! Ranged transfers (`BENCH_ONLY=segments`): the 256 MiB file through the
//! delay line and the 1 GiB file on loopback, both ways, with scpdeck
//! splitting it into 2, 4 and 8 (the default) ranges, with one stream
//! (`--segments 0`), and `scp -O`, all taking turns; times and peak RSS.
//! With `SEGMENTS_OTHER=PATH` (a copy of another build's binary) that
//! build with `--segments 4` takes its turns too, in a column of its own:
//! two designs compared under the same load.

use std::fmt::Write as _;
use std::io::Write as _;

use super::measure::{Sample, interleaved, run};
use super::{Env, GIB, Net, PROXY_FILE, Tool, Way, What, mib, rate};
use std::io::BufRead as _;
use std::process::Stdio;
use std::time::Instant;

/// scpdeck's settings compared: `--segments N` (and `-j` to allow them).
const SPLITS: [u16; 4] = [0, 2, 4, 8];

/// One run: scpdeck with `--segments n` (the build at `other`, if
/// given), or (`None`) `scp -O`.
fn once(env: &Env, segments: Option<u16>, other: Option<&str>, net: Net, way: Way, what: What) -> Sample {
    env.fresh_out();
    let mut cmd = match segments {
        Some(n) => {
            let mut cmd = env.command(Tool::Scpdeck, net, way, what, &[]);
            // clap takes options after the operands too.
            cmd.arg("--segments").arg(n.to_string()).arg("-j").arg(n.max(4).to_string());
            match other {
                Some(binary) => {
                    let mut swapped = std::process::Command::new(binary);
                    swapped.args(cmd.get_args());
                    swapped
                }
                None => cmd,
            }
        }
        None => env.command(Tool::ScpLegacy, net, way, what, &[]),
    };
    let sample = run(&mut cmd);
    env.check(what);
    sample
}

/// The table, printed row by row as it is measured.
pub fn table(env: &Env) -> String {
    let cases = [
        ("256 MiB, +20 ms each way, down", Net::Proxy, Way::Down, What::ProxyFile, PROXY_FILE),
        ("256 MiB, +20 ms each way, up", Net::Proxy, Way::Up, What::ProxyFile, PROXY_FILE),
        ("1 GiB, loopback, down", Net::Loopback, Way::Down, What::Big, GIB),
        ("1 GiB, loopback, up", Net::Loopback, Way::Up, What::Big, GIB),
    ];
    let other = std::env::var("SEGMENTS_OTHER").ok();
    let mut table = String::from(
        "| case | --segments 0 (one stream) | 2 | 4 | 8 (default) | scp -O | 8 ÷ scp -O | 0 ÷ scp -O | peak RSS (0 / 4 / 8) |",
    );
    if other.is_some() {
        table += " other build, 4 | other ÷ scp -O |";
    }
    table += "\n|---|---|---|---|---|---|---|---|---|";
    if other.is_some() {
        table += "---|---|";
    }
    table += "\n";
    println!("\nranged transfers (median of {} runs, taking turns)\n", env.runs);
    for (name, net, way, what, bytes) in cases {
        let mut clients: Vec<Box<dyn FnMut() -> Sample + '_>> = SPLITS
            .iter()
            .map(|&n| Some(n))
            .chain([None])
            .map(|n| Box::new(move || once(env, n, None, net, way, what)) as Box<_>)
            .collect();
        if let Some(binary) = other.as_deref() {
            clients.push(Box::new(move || once(env, Some(4), Some(binary), net, way, what)));
        }
        let mut refs: Vec<&mut dyn FnMut() -> Sample> = clients.iter_mut().map(|c| &mut **c as _).collect();
        let s = interleaved(env.runs, &mut refs);
        let _ = std::fs::remove_dir_all(env.out());
        let mut row = format!(
            "| {name} | {} | {} | {} | {} | {} | {:.3} | {:.3} | {:.1} / {:.1} / {:.1} MiB |",
            rate(&s[0], bytes),
            rate(&s[1], bytes),
            rate(&s[2], bytes),
            rate(&s[3], bytes),
            rate(&s[4], bytes),
            s[3].secs / s[4].secs,
            s[0].secs / s[4].secs,
            mib(s[0].max_rss_kib),
            mib(s[2].max_rss_kib),
            mib(s[3].max_rss_kib),
        );
        if let Some(o) = s.get(5) {
            let _ = write!(row, " {} | {:.3} |", rate(o, bytes), o.secs / s[4].secs);
        }
        row.push('\n');
        print!("{row}");
        let _ = std::io::stdout().flush();
        let _ = write!(table, "{row}");
    }
    table
}

/// Where the time of a ranged upload through the delay line goes
/// (`BENCH_ONLY=segments-trace`): `scpdeck cp -vv --segments 4` of the
/// 256 MiB file, each line of its output stamped with the time since the
/// start, keeping the connection steps, the remote commands (each range's
/// `dd` and its exit status) and the ranges' own lines. Once for each of
/// `SEGMENTS_TRACE` (default "4": the modes to trace, as `--segments` values).
pub fn trace(env: &Env) {
    let counts = std::env::var("SEGMENTS_TRACE").unwrap_or_else(|_| "4".into());
    for n in counts.split(',').filter(|n| !n.is_empty()) {
        env.fresh_out();
        let mut cmd = env.command(Tool::Scpdeck, Net::Proxy, Way::Up, What::ProxyFile, &[]);
        cmd.arg("--segments").arg(n).arg("-j").arg(n).arg("-vv");
        cmd.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped());
        println!("\n--segments {n}: 256 MiB up, +20 ms each way, -vv (seconds since the start)\n");
        let start = Instant::now();
        let mut child = cmd.spawn().expect("scpdeck");
        let stderr = child.stderr.take().expect("stderr");
        for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
            let kept = ["Authenticated", "authenticated", "remote command", "range", "channel", "connected"];
            if kept.iter().any(|k| line.contains(k)) {
                let cut: String = line.chars().take(160).collect();
                println!("{:7.3} {cut}", start.elapsed().as_secs_f64());
            }
        }
        let status = child.wait().expect("wait");
        println!("{:7.3} exit {status}", start.elapsed().as_secs_f64());
        env.check(What::ProxyFile);
    }
}
