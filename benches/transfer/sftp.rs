//! The SFTP rung: a 256 MiB download and upload by `scpdeck cp` to an
//! account with `ForceCommand internal-sftp` (so scpdeck uses its SFTP
//! client, libssh2's) against OpenSSH's `sftp -b` to the same account, on
//! loopback, taking turns.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::process::Command;

use super::measure::{Sample, interleaved, run};
use super::support::Sshd;

const SIZE: u64 = 256 << 20;

/// The table row by row, printed as it goes.
pub fn table(runs: usize, cipher: &str) -> String {
    let sshd = Sshd::builder().sftp_only().start();
    let dir = tempfile::Builder::new().prefix("scpdeck-bench-sftp-").tempdir().expect("temp dir");
    let (src, out) = (dir.path().join("src"), dir.path().join("out"));
    std::fs::create_dir_all(&src).expect("src dir");
    super::write_random(&src.join("file"), SIZE, 3);
    let config = dir.path().join("ssh_config");
    std::fs::write(&config, sshd.config_block("sftp-only") + &format!("  Ciphers {cipher}\n"))
        .expect("config");
    let fresh = || {
        let _ = std::fs::remove_dir_all(&out);
        std::fs::create_dir(&out).expect("out dir");
    };
    let check = || {
        let got = std::fs::metadata(out.join("file")).map(|m| m.len()).ok();
        assert_eq!(got, Some(SIZE), "copied whole");
    };
    let remote = |p: &Path| format!("sftp-only:{}", p.display());
    let mut text = String::from(
        "| 256 MiB, loopback, SFTP-only account | scpdeck cp (SFTP rung) | sftp -b | scpdeck ÷ sftp |\n|---|---|---|---|\n",
    );
    for (way, up) in [("down", false), ("up", true)] {
        let (from, to) = match up {
            false => (remote(&src.join("file")), out.display().to_string()),
            true => (src.join("file").display().to_string(), format!("{}/", remote(&out))),
        };
        let batch = dir.path().join(format!("batch-{way}"));
        let line = match up {
            false => format!("get {} {}/\n", src.join("file").display(), out.display()),
            true => format!("put {} {}/\n", src.join("file").display(), out.display()),
        };
        std::fs::write(&batch, line).expect("batch file");
        let mut scpdeck = || {
            fresh();
            let sample = run(Command::new(super::scpdeck_bin())
                .args(["cp", "-q", "-F"])
                .arg(&config)
                .args([&from, &to]));
            check();
            sample
        };
        let mut sftp = || {
            fresh();
            let sample = run(Command::new("sftp")
                .args(["-q", "-F"])
                .arg(&config)
                .arg("-b")
                .arg(&batch)
                .arg("sftp-only"));
            check();
            sample
        };
        let samples: Vec<Sample> = interleaved(runs, &mut [&mut scpdeck, &mut sftp]);
        let rate = |s: &Sample| format!("{:.2} s ({:.0} MB/s)", s.secs, SIZE as f64 / s.secs / 1e6);
        let row = format!(
            "| {way} | {} | {} | {:.3} |\n",
            rate(&samples[0]),
            rate(&samples[1]),
            samples[0].secs / samples[1].secs
        );
        print!("{row}");
        let _ = std::io::stdout().flush();
        let _ = write!(text, "{row}");
    }
    let _ = std::fs::remove_dir_all(&out);
    text
}
