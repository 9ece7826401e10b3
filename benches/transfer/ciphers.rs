//! The cipher table: scpdeck and OpenSSH `scp -O` moving the 1 GiB file on
//! loopback, down and up, under every cipher that both libssh2 and OpenSSH
//! offer (the MACs, which only AES-CTR uses, with aes128-ctr), all of them
//! taking turns so that a change in load falls on every row alike.

use std::fmt::Write as _;
use std::io::Write as _;

use crate::measure::{Sample, interleaved};
use crate::{Env, GIB, Net, Tool, Way, What};

/// A cipher, and the MAC for ciphers that have none of their own.
#[derive(Clone, Copy)]
pub struct Suite {
    pub cipher: &'static str,
    pub mac: Option<&'static str>,
}

const fn aead(cipher: &'static str) -> Suite {
    Suite { cipher, mac: None }
}

const fn ctr(cipher: &'static str, mac: &'static str) -> Suite {
    Suite { cipher, mac: Some(mac) }
}

pub const SUITES: [Suite; 9] = [
    aead("chacha20-poly1305@openssh.com"),
    aead("aes128-gcm@openssh.com"),
    aead("aes256-gcm@openssh.com"),
    ctr("aes128-ctr", "hmac-sha2-256-etm@openssh.com"),
    ctr("aes192-ctr", "hmac-sha2-256-etm@openssh.com"),
    ctr("aes256-ctr", "hmac-sha2-256-etm@openssh.com"),
    ctr("aes128-ctr", "hmac-sha2-512-etm@openssh.com"),
    ctr("aes128-ctr", "hmac-sha2-256"),
    ctr("aes128-ctr", "hmac-sha2-512"),
];

impl Suite {
    pub fn label(&self) -> String {
        match self.mac {
            Some(mac) => format!("{} + {mac}", self.cipher),
            None => self.cipher.to_owned(),
        }
    }

    /// `-o` settings that make scpdeck and scp use this suite.
    pub fn options(&self) -> Vec<String> {
        let mut options = vec![format!("Ciphers={}", self.cipher)];
        options.extend(self.mac.map(|m| format!("MACs={m}")));
        options
    }

    /// A short name for file names.
    pub fn slug(&self) -> String {
        self.label().replace(['@', ' ', '+'], "").replace(".com", "")
    }
}

/// Measures every suite with both clients in one direction; returns
/// (scpdeck, scp -O) per suite.
fn measure(env: &Env, way: Way) -> Vec<(Sample, Sample)> {
    let options: Vec<Vec<String>> = SUITES.iter().map(Suite::options).collect();
    let mut clients: Vec<Box<dyn FnMut() -> Sample + '_>> = Vec::new();
    for suite_options in &options {
        for tool in [Tool::Scpdeck, Tool::ScpLegacy] {
            clients.push(Box::new(move || env.run_with(tool, Net::Loopback, way, What::Big, suite_options)));
        }
    }
    let mut refs: Vec<&mut dyn FnMut() -> Sample> = clients.iter_mut().map(|c| &mut **c as _).collect();
    let samples = interleaved(env.runs, &mut refs);
    let _ = std::fs::remove_dir_all(env.out());
    samples.chunks(2).map(|pair| (pair[0], pair[1])).collect()
}

/// The table for docs/benchmarks.md (printed once both directions ran).
pub fn table(env: &Env) -> String {
    let down = measure(env, Way::Down);
    let up = measure(env, Way::Up);
    let mut table = String::from(
        "| cipher (+ MAC) | down: scpdeck | down: scp -O | ÷ | up: scpdeck | up: scp -O | ÷ |\n\
         |---|---|---|---|---|---|---|\n",
    );
    for ((suite, (d, d_scp)), (u, u_scp)) in SUITES.iter().zip(&down).zip(&up) {
        let mbs = |s: &Sample| format!("{:.2} s ({:.0} MB/s)", s.secs, GIB as f64 / s.secs / 1e6);
        let _ = writeln!(
            table,
            "| {} | {} | {} | {:.2} | {} | {} | {:.2} |",
            suite.label(),
            mbs(d),
            mbs(d_scp),
            d.secs / d_scp.secs,
            mbs(u),
            mbs(u_scp),
            u.secs / u_scp.secs
        );
    }
    print!("{table}");
    let _ = std::io::stdout().flush();
    table
}
