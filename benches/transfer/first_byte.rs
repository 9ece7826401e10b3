//! The fixed cost before the first byte (`BENCH_ONLY=first-byte`): a
//! 5-byte file through the delay line (20 ms each way), down and up, with
//! `scpdeck cp` and `scp -O`, against `ssh host true` (OpenSSH connecting
//! and running one command) in the same run, taking turns. Target (issue
//! 17): scpdeck ≤ 1.4× `ssh host true`.

use std::fmt::Write as _;
use std::io::Write as _;
use std::process::Command;

use super::measure::{Sample, interleaved, run};
use super::{Env, scpdeck_bin};

/// The ratio scpdeck's time may reach against `ssh host true`.
const TARGET: f64 = 1.4;

fn client(env: &Env, scpdeck: bool, up: bool) -> Sample {
    env.fresh_out();
    let source = env.dir.path().join("src/five");
    let (from, to) = match up {
        false => (format!("far:{}", source.display()), env.out().display().to_string()),
        true => (source.display().to_string(), format!("far:{}/", env.out().display())),
    };
    let mut cmd = match scpdeck {
        true => {
            let mut c = Command::new(scpdeck_bin());
            c.arg("cp");
            c
        }
        false => {
            let mut c = Command::new("scp");
            c.arg("-O");
            c
        }
    };
    cmd.arg("-q").arg("-F").arg(&env.config).arg(from).arg(to);
    let sample = run(&mut cmd);
    assert_eq!(std::fs::read(env.out().join("five")).ok().as_deref(), Some(&b"hello"[..]), "copied");
    sample
}

fn ssh_true(env: &Env) -> Sample {
    run(Command::new("ssh").arg("-F").arg(&env.config).arg("far").arg("true"))
}

/// The table, with each case's ratio and verdict.
pub fn table(env: &Env) -> String {
    let _ = std::fs::write(env.dir.path().join("src/five"), b"hello");
    let runs = env.runs.max(5);
    let mut table = format!(
        "| 5 bytes, +20 ms each way (median of {runs}) | scpdeck cp | scp -O | ssh host true | scpdeck ÷ ssh true |\n|---|---|---|---|---|\n"
    );
    for (way, up) in [("down", false), ("up", true)] {
        let samples = interleaved(
            runs,
            &mut [&mut || client(env, true, up), &mut || client(env, false, up), &mut || ssh_true(env)],
        );
        let ratio = samples[0].secs / samples[2].secs;
        let verdict = if ratio <= TARGET { "met" } else { "MISSED" };
        let row = format!(
            "| {way} | {:.3} s | {:.3} s | {:.3} s | {ratio:.2} (≤ {TARGET}: {verdict}) |\n",
            samples[0].secs, samples[1].secs, samples[2].secs
        );
        print!("{row}");
        let _ = std::io::stdout().flush();
        let _ = write!(table, "{row}");
    }
    let _ = std::fs::remove_dir_all(env.out());
    table
}
