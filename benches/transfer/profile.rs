//! `cargo bench --bench transfer -- --profile`: instruction counts with
//! valgrind's callgrind (`perf stat -e instructions` is not available in
//! every VM) for a 64 MiB download on loopback by scpdeck, the minimal
//! libssh2 loop, and OpenSSH's `scp -O` (the `ssh` it runs does the
//! crypto), each with the functions that cost the most.

use std::path::Path;
use std::process::Command;

use crate::support::Sshd;

const SIZE: u64 = 64 << 20;

pub fn main(sshd: &Sshd, config: &Path, dir: &Path) {
    let file = dir.join("src/profiled");
    crate::write_random(&file, SIZE, 3);
    let out = dir.join("out");
    let clients: [(&str, Vec<String>); 3] = [
        (
            "scpdeck",
            vec![
                env!("CARGO_BIN_EXE_scpdeck").into(),
                "cp".into(),
                "-q".into(),
                "-F".into(),
                config.display().to_string(),
                format!("lo:{}", file.display()),
                out.display().to_string(),
            ],
        ),
        (
            "libssh2-loop",
            vec![
                std::env::current_exe().expect("exe").display().to_string(),
                crate::ssh2_loop::ARG.into(),
                sshd.port.to_string(),
                sshd.user.clone(),
                sshd.client_key().display().to_string(),
                file.display().to_string(),
                SIZE.to_string(),
            ],
        ),
        (
            "scp",
            vec![
                "scp".into(),
                "-O".into(),
                "-q".into(),
                "-F".into(),
                config.display().to_string(),
                format!("lo:{}", file.display()),
                out.display().to_string(),
            ],
        ),
    ];
    println!("callgrind, 64 MiB download on loopback (instructions executed by the client)\n");
    for (name, argv) in clients {
        let _ = std::fs::remove_dir_all(&out);
        std::fs::create_dir(&out).expect("out");
        let prefix = dir.join(format!("callgrind.{name}"));
        let status = Command::new("valgrind")
            .arg("--tool=callgrind")
            // scp's crypto runs in the ssh it starts; scpdeck's only child
            // is `ssh -G` (reading the config).
            .arg(format!("--trace-children={}", if name == "scp" { "yes" } else { "no" }))
            .arg(format!("--callgrind-out-file={}.%p", prefix.display()))
            .args(&argv)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .expect("valgrind (apt-get install valgrind)");
        assert!(status.success(), "{name} under callgrind failed");
        for entry in std::fs::read_dir(dir).expect("dir").flatten() {
            let path = entry.path();
            let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            if !file_name.starts_with(&format!("callgrind.{name}.")) {
                continue;
            }
            annotate(name, &path);
            let _ = std::fs::remove_file(&path);
        }
    }
}

/// Prints the total and the functions with the highest own cost.
fn annotate(name: &str, path: &Path) {
    let out = Command::new("callgrind_annotate").arg("--threshold=95").arg(path).output().expect("annotate");
    let text = String::from_utf8_lossy(&out.stdout);
    let command = text.lines().find(|l| l.starts_with("Cmd:")).unwrap_or("").trim_start_matches("Cmd: ");
    let total = text.lines().find(|l| l.contains("PROGRAM TOTALS")).unwrap_or("").trim();
    if total.starts_with("0 ") {
        return;
    }
    println!("== {name}: {command}\n{total}");
    let rows = text.lines().skip_while(|l| !l.contains("file:function")).skip(1);
    for line in rows.filter(|l| !l.trim().is_empty()).take(12) {
        println!("  {}", line.trim());
    }
    println!();
}
