//! Transfers: `scpdeck cp` (the release binary) against OpenSSH `scp -O`
//! (the SCP protocol) and `scp` (SFTP) in the same run, on loopback and
//! through a proxy that adds 20 ms each way; the 1 GiB download also
//! against a minimal libssh2 read loop, with peak memory; the 1 GiB file
//! both ways interrupted at half, resumed against started over. Run with
//! `scripts/bench` or `cargo bench --bench transfer` (docs/benchmarks.md);
//! `-- --profile` counts instructions with callgrind instead. The SFTP
//! rung against OpenSSH's `sftp -b` (`BENCH_ONLY=sftp`) is in `sftp.rs`,
//! the 5-byte file against `ssh host true` (`BENCH_ONLY=first-byte`) in
//! `first_byte.rs`.

#[path = "../../tests/support/mod.rs"]
#[allow(unused_imports)]
mod support;

mod ciphers;
mod first_byte;
mod measure;
mod profile;
mod proxy;
mod resume;
mod segments;
mod sftp;
mod ssh2_loop;

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use measure::{Sample, interleaved, run};
use proxy::DelayProxy;
use support::Sshd;

const GIB: u64 = 1 << 30;
const PROXY_FILE: u64 = 256 << 20;
const SMALL_FILES: usize = 2000;
const SMALL_SIZE: usize = 4096;
const DELAY: Duration = Duration::from_millis(20);
/// The cipher scpdeck prefers; every client uses it, so that the protocol
/// implementations are compared, not the ciphers.
const CIPHER: &str = "aes128-gcm@openssh.com";

#[derive(Clone, Copy, PartialEq)]
enum Tool {
    Scpdeck,
    ScpLegacy,
    ScpSftp,
}

const TOOLS: [Tool; 3] = [Tool::Scpdeck, Tool::ScpLegacy, Tool::ScpSftp];

#[derive(Clone, Copy, PartialEq)]
enum Net {
    Loopback,
    Proxy,
}

#[derive(Clone, Copy, PartialEq)]
enum Way {
    Down,
    Up,
}

#[derive(Clone, Copy)]
enum What {
    Big,
    ProxyFile,
    Small,
}

struct Env {
    sshd: Sshd,
    dir: tempfile::TempDir,
    config: PathBuf,
    runs: usize,
    _proxy: DelayProxy,
}

impl Env {
    fn src(&self, what: What) -> PathBuf {
        self.dir.path().join(match what {
            What::Big => "src/big",
            What::ProxyFile => "src/proxy-file",
            What::Small => "src/small",
        })
    }

    fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }

    fn fresh_out(&self) {
        let _ = std::fs::remove_dir_all(self.out());
        std::fs::create_dir(self.out()).expect("out dir");
    }

    /// The command line of one run; `options` are `-o` settings (a cipher).
    fn command(&self, tool: Tool, net: Net, way: Way, what: What, options: &[String]) -> Command {
        let alias = match net {
            Net::Loopback => "lo",
            Net::Proxy => "far",
        };
        let remote = |p: &Path| format!("{alias}:{}", p.display());
        let (src, dst) = match way {
            Way::Down => (remote(&self.src(what)), self.out().display().to_string()),
            Way::Up => (self.src(what).display().to_string(), format!("{}/", remote(&self.out()))),
        };
        let mut cmd = match tool {
            Tool::Scpdeck => {
                let mut c = Command::new(scpdeck_bin());
                c.arg("cp");
                c
            }
            Tool::ScpLegacy => {
                let mut c = Command::new("scp");
                c.arg("-O");
                c
            }
            Tool::ScpSftp => Command::new("scp"),
        };
        cmd.arg("-q").arg("-F").arg(&self.config);
        for option in options {
            cmd.arg("-o").arg(option);
        }
        if matches!(what, What::Small) {
            cmd.arg("-r");
        }
        cmd.arg(src).arg(dst);
        cmd
    }

    fn check(&self, what: What) {
        match what {
            What::Small => {
                let n = std::fs::read_dir(self.out().join("small")).map(|d| d.count()).unwrap_or(0);
                assert_eq!(n, SMALL_FILES, "files copied");
            }
            big => {
                let name = self.src(big).file_name().map(PathBuf::from).unwrap_or_default();
                let want = std::fs::metadata(self.src(big)).map(|m| m.len()).unwrap_or(0);
                assert_eq!(std::fs::metadata(self.out().join(name)).map(|m| m.len()).ok(), Some(want));
            }
        }
    }

    /// One run of `tool` (into a fresh output directory, checked after).
    fn run_tool(&self, tool: Tool, net: Net, way: Way, what: What) -> Sample {
        self.run_with(tool, net, way, what, &[])
    }

    /// [`Env::run_tool`] with `-o` options.
    fn run_with(&self, tool: Tool, net: Net, way: Way, what: What, options: &[String]) -> Sample {
        self.fresh_out();
        let sample = run(&mut self.command(tool, net, way, what, options));
        self.check(what);
        sample
    }

    /// The three tools on one case, taking turns.
    fn measure(&self, net: Net, way: Way, what: What) -> Vec<Sample> {
        let mut clients: Vec<Box<dyn FnMut() -> Sample + '_>> =
            TOOLS.iter().map(|&t| Box::new(move || self.run_tool(t, net, way, what)) as Box<_>).collect();
        let mut refs: Vec<&mut dyn FnMut() -> Sample> = clients.iter_mut().map(|c| &mut **c as _).collect();
        let samples = interleaved(self.runs, &mut refs);
        let _ = std::fs::remove_dir_all(self.out());
        samples
    }

    /// One run of the minimal libssh2 loop on the 1 GiB file; with
    /// `write`, it also writes what it reads to a file.
    fn run_loop(&self, write: bool) -> Sample {
        self.fresh_out();
        let mut cmd = Command::new(std::env::current_exe().expect("exe"));
        cmd.arg(ssh2_loop::ARG)
            .arg(self.sshd.port.to_string())
            .arg(&self.sshd.user)
            .arg(self.sshd.client_key())
            .arg(self.src(What::Big))
            .arg(GIB.to_string());
        if write {
            cmd.arg(self.out().join("big"));
        }
        run(&mut cmd)
    }

    /// The libssh2 loop (discarding, writing) and scpdeck's 1 GiB
    /// download, taking turns: the ceiling comparison is made under the
    /// same load.
    fn ceiling(&self) -> Vec<Sample> {
        let samples = interleaved(
            self.runs.max(5),
            &mut [&mut || self.run_loop(false), &mut || self.run_loop(true), &mut || {
                self.run_tool(Tool::Scpdeck, Net::Loopback, Way::Down, What::Big)
            }],
        );
        let _ = std::fs::remove_dir_all(self.out());
        samples
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some(ssh2_loop::ARG) {
        return ssh2_loop::main(&args[2..]);
    }
    // `cargo test --all-targets` runs bench binaries without `--bench`.
    if !args.iter().any(|a| a == "--bench") {
        println!("transfer benchmark: run `scripts/bench` or `cargo bench --bench transfer`");
        return;
    }
    let runs = std::env::var("BENCH_RUNS").ok().and_then(|r| r.parse().ok()).unwrap_or(3);
    let env = setup(runs);
    if args.iter().any(|a| a == "--serve") {
        // Keeps the server, the proxy and the files for runs by hand.
        println!("config {} files {}", env.config.display(), env.dir.path().join("src").display());
        let _ = std::io::stdout().flush();
        std::thread::sleep(Duration::from_secs(3600));
        return;
    }
    if args.iter().any(|a| a == "--profile") {
        return profile::main(&env.sshd, &env.config, env.dir.path());
    }
    report(&env);
}

fn setup(runs: usize) -> Env {
    let sshd = Sshd::start();
    let dir = tempfile::Builder::new().prefix("scpdeck-bench-").tempdir().expect("temp dir");
    let src = dir.path().join("src");
    std::fs::create_dir_all(src.join("small")).expect("mkdir");
    // The 5-byte case alone needs none of the large files.
    if std::env::var("BENCH_ONLY").ok().as_deref() != Some("first-byte") {
        write_random(&src.join("big"), GIB, 1);
        write_random(&src.join("proxy-file"), PROXY_FILE, 2);
    }
    for i in 0..SMALL_FILES {
        let data: Vec<u8> = (0..SMALL_SIZE).map(|b| (b * 31 + i) as u8).collect();
        std::fs::write(src.join(format!("small/f{i:04}")), data).expect("small file");
    }
    let proxy = DelayProxy::start(sshd.port, DELAY);
    let known = sshd.path("known_hosts");
    let line = format!("[127.0.0.1]:{} {}\n", proxy.port, sshd.host_public_key());
    let mut file = std::fs::OpenOptions::new().append(true).open(&known).expect("known_hosts");
    file.write_all(line.as_bytes()).expect("known_hosts");
    let block = |alias: &str, port: u16| {
        sshd.config_block(alias).replace(&format!("Port {}\n", sshd.port), &format!("Port {port}\n"))
            + &format!("  Ciphers {CIPHER}\n")
    };
    let config = dir.path().join("ssh_config");
    std::fs::write(&config, block("lo", sshd.port) + &block("far", proxy.port)).expect("config");
    Env { sshd, dir, config, runs, _proxy: proxy }
}

/// The scpdeck binary measured: this build's, or `SCPDECK_BENCH_BIN` (a
/// copy of another build, to compare two builds under the same load).
fn scpdeck_bin() -> String {
    std::env::var("SCPDECK_BENCH_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_scpdeck").to_owned())
}

/// Incompressible, not sparse: a xorshift stream.
fn write_random(path: &Path, size: u64, seed: u64) {
    let mut state = 0x9e37_79b9_7f4a_7c15u64 ^ seed;
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    let mut block = vec![0u8; 1 << 20];
    for _ in 0..size / block.len() as u64 {
        for word in block.chunks_exact_mut(8) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            word.copy_from_slice(&state.to_le_bytes());
        }
        file.write_all(&block).expect("write");
    }
    file.flush().expect("flush");
}

/// The 1 GiB file interrupted at half both ways, finished by `cp
/// --resume` and by a plain `cp` that starts over.
fn resumed(env: &Env) -> String {
    let mut table = String::from(
        "| 1 GiB, killed at half, then | first run (killed at) | second run | both runs | moved by the second | moved by both |\n|---|---|---|---|---|---|\n",
    );
    let file = env.src(What::Big);
    let mib = |bytes: u64| bytes as f64 / (1 << 20) as f64;
    for (way, up) in [("down", false), ("up", true)] {
        for (how, resume) in [("cp --resume", true), ("cp (starts over)", false)] {
            let o = resume::median(env.runs, || resume::once(&env.sshd, &file, up, resume));
            let row = format!(
                "| {way}, {how} | {:.2} s ({:.0} MiB) | {:.2} s | {:.2} s | {:.0} MiB | {:.0} MiB |\n",
                o.first_secs,
                mib(o.killed_at),
                o.secs,
                o.first_secs + o.secs,
                mib(o.second),
                mib(o.first + o.second),
            );
            print!("{row}");
            let _ = std::io::stdout().flush();
            table += &row;
        }
    }
    table
}

fn secs(s: &Sample) -> String {
    format!("{:.2} s", s.secs)
}

fn rate(s: &Sample, bytes: u64) -> String {
    format!("{:.2} s ({:.0} MB/s)", s.secs, bytes as f64 / s.secs / 1e6)
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn report(env: &Env) {
    let cases = [
        ("1 GiB, loopback, down", Net::Loopback, Way::Down, What::Big),
        ("1 GiB, loopback, up", Net::Loopback, Way::Up, What::Big),
        ("256 MiB, +20 ms each way, down", Net::Proxy, Way::Down, What::ProxyFile),
        ("256 MiB, +20 ms each way, up", Net::Proxy, Way::Up, What::ProxyFile),
        ("2,000 × 4 KiB, loopback, down", Net::Loopback, Way::Down, What::Small),
        ("2,000 × 4 KiB, loopback, up", Net::Loopback, Way::Up, What::Small),
        ("2,000 × 4 KiB, +20 ms each way, down", Net::Proxy, Way::Down, What::Small),
        ("2,000 × 4 KiB, +20 ms each way, up", Net::Proxy, Way::Up, What::Small),
    ];
    let mut table = String::from(
        "| case | scpdeck | scp -O | scp (SFTP) | scpdeck ÷ scp -O | scpdeck ÷ scp |\n|---|---|---|---|---|---|\n",
    );
    let mut results = Vec::new();
    // BENCH_ONLY=text runs the cases whose name holds it (and no summary);
    // BENCH_ONLY=ceiling runs only the libssh2 loop comparison,
    // BENCH_ONLY=ciphers only the cipher table, BENCH_ONLY=segments only
    // the ranged transfers, BENCH_ONLY=first-byte only the 5-byte file
    // against `ssh host true`.
    let only = std::env::var("BENCH_ONLY").ok();
    for (name, net, way, what) in cases {
        if only.as_ref().is_some_and(|o| !name.contains(o.as_str())) {
            continue;
        }
        let samples = env.measure(net, way, what);
        let bytes = match what {
            What::Big => Some(GIB),
            What::ProxyFile => Some(PROXY_FILE),
            What::Small => None,
        };
        let cell = |s: &Sample| bytes.map_or_else(|| secs(s), |b| rate(s, b));
        let row = format!(
            "| {name} | {} | {} | {} | {:.3} | {:.3} |\n",
            cell(&samples[0]),
            cell(&samples[1]),
            cell(&samples[2]),
            samples[0].secs / samples[1].secs,
            samples[0].secs / samples[2].secs
        );
        print!("{row}");
        let _ = std::io::stdout().flush();
        table += &row;
        results.push((name, samples));
    }
    if results.is_empty() {
        // Only other tables were asked for (BENCH_ONLY=sftp...).
        table.clear();
    }
    let ceiling_wanted = results.len() == cases.len()
        || results.first().is_some_and(|r| r.0 == cases[0].0)
        || only.as_deref() == Some("ceiling");
    let ceiling = ceiling_wanted.then(|| env.ceiling());
    if only.is_none() || only.as_deref() == Some("ciphers") {
        println!("\n1 GiB on loopback under each cipher (median of {} runs, all taking turns)\n", env.runs);
        let _ = writeln!(table, "\n{}", ciphers::table(env));
    }
    if let Some([plain, writing, scpdeck]) = ceiling.as_deref() {
        let _ = writeln!(
            table,
            "\n| 1 GiB, loopback, down, taking turns | time | peak RSS |\n|---|---|---|\n\
             | minimal libssh2 loop (`cat`, discarded) | {} | {:.1} MiB |\n\
             | the same loop, writing the file | {} | {:.1} MiB |\n\
             | scpdeck cp (written to disk) | {} | {:.1} MiB |\n\
             \nscpdeck ÷ loop = {:.3}; scpdeck ÷ loop writing = {:.3}",
            rate(plain, GIB),
            mib(plain.max_rss_kib),
            rate(writing, GIB),
            mib(writing.max_rss_kib),
            rate(scpdeck, GIB),
            mib(scpdeck.max_rss_kib),
            scpdeck.secs / plain.secs,
            scpdeck.secs / writing.secs,
        );
    }
    if only.is_none() || only.as_deref() == Some("sftp") {
        println!("\nthe SFTP rung against OpenSSH's sftp (median of {} runs, taking turns)\n", env.runs);
        let _ = writeln!(table, "\n{}", sftp::table(env.runs, CIPHER));
    }
    if only.is_none() || only.as_deref() == Some("resume") {
        let _ = writeln!(table, "\n{}", resumed(env));
    }
    if only.is_none() || only.as_deref() == Some("first-byte") {
        let _ = writeln!(table, "\n{}", first_byte::table(env));
    }
    if only.is_none() || only.as_deref() == Some("segments") {
        let _ = writeln!(table, "\n{}", segments::table(env));
    }
    if only.as_deref() == Some("segments-trace") {
        segments::trace(env);
    }
    println!(
        "\nmedian of {} runs, taking turns (one for a run over 60 s); times include connecting\n",
        env.runs
    );
    println!("{table}");
    for (name, samples) in &results {
        println!("{name}: scpdeck peak RSS {:.1} MiB", mib(samples[0].max_rss_kib));
    }
    let (Some([plain, _, scpdeck]), true) = (ceiling.as_deref(), results.len() == cases.len()) else {
        return;
    };
    let verdict = |ok: bool| if ok { "met" } else { "MISSED" };
    let ratio = |i: usize| results[i].1[0].secs / results[i].1[1].secs;
    let speedup = results[2].1[1].secs / results[2].1[0].secs;
    let vs_loop = scpdeck.secs / plain.secs;
    println!("\ntargets:");
    println!(
        "- 2,000 files +20 ms down: {:.3} of scp -O -r (≤ 0.10) {}",
        ratio(6),
        verdict(ratio(6) <= 0.10)
    );
    println!("- 2,000 files +20 ms up: {:.3} of scp -O -r (≤ 0.20) {}", ratio(7), verdict(ratio(7) <= 0.20));
    println!("- 256 MiB +20 ms down: {speedup:.2}× faster than scp -O (≥ 3) {}", verdict(speedup >= 3.0));
    println!(
        "- 1 GiB loopback down: {vs_loop:.3} × the libssh2 loop's time (≤ 1.05) {}",
        verdict(vs_loop <= 1.05)
    );
    let rss = [results[0].1[0], results[1].1[0], *scpdeck].iter().map(|s| s.max_rss_kib).max().unwrap_or(0);
    println!("- peak RSS during 1 GiB: {:.1} MiB (≤ 64) {}", mib(rss), verdict(mib(rss) <= 64.0));
}
