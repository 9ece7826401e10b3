//! Every scpdeck a test starts gets state, config, cache and data
//! directories of its own, never the developer's (`~/.local/state/scpdeck`
//! and the rest, or the XDG_* directories of the environment the tests run
//! in): the journal, run counter, recent hosts and log of one test can
//! neither reach the developer's nor another test's.
//!
//! [`super::tmux::scpdeck_bin`] is a small script that gives each run
//! fresh XDG_STATE_HOME, XDG_CONFIG_HOME, XDG_CACHE_HOME and XDG_DATA_HOME
//! (under this test process's directory, see [`runs`]) and drops an
//! inherited SCPDECK_CONFIG_DIR, then execs the binary (same pid, same
//! /proc/PID/exe). A directory the test names itself (a value other than
//! the one this test process inherited) is kept: tests that share a state
//! directory between runs on purpose say so.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The variables a run gets afresh, and the directory under the run's
/// directory each points to.
const FRESH: [(&str, &str); 4] = [
    ("XDG_STATE_HOME", "state"),
    ("XDG_CONFIG_HOME", "config"),
    ("XDG_CACHE_HOME", "cache"),
    ("XDG_DATA_HOME", "data"),
];

/// This test process's directory: the wrapper, and each run's directories
/// under `runs/`.
fn root() -> &'static Path {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        let all = std::env::temp_dir().join("scpdeck-test-dirs");
        remove_dead(&all);
        let root = all.join(std::process::id().to_string());
        std::fs::create_dir_all(root.join("runs")).expect("the test's own directories");
        write_wrapper(&root);
        root
    })
}

/// The script to run instead of the binary (its name is `scpdeck`, so a
/// PATH holding its directory finds it).
pub fn wrapper() -> PathBuf {
    root().join("bin").join("scpdeck")
}

/// The directories of the runs so far, each with `state`, `config`,
/// `cache` and `data` below it.
pub fn runs() -> Vec<PathBuf> {
    let mut runs: Vec<PathBuf> =
        std::fs::read_dir(root().join("runs")).expect("runs").flatten().map(|e| e.path()).collect();
    runs.sort();
    runs
}

fn write_wrapper(root: &Path) {
    let bin = root.join("bin");
    std::fs::create_dir_all(&bin).expect("bin");
    let mut script = String::from("#!/bin/sh\n# tests/support/own_dirs.rs: this run's own directories.\n");
    script += &format!("run=$(mktemp -d {}/run.XXXXXXXX) || exit 125\n", quote(&root.join("runs")));
    for (name, dir) in FRESH {
        let inherited = std::env::var_os(name).unwrap_or_default();
        script += &format!(
            "if [ -z \"${{{name}-}}\" ] || [ \"${name}\" = {} ]; then export {name}=\"$run/{dir}\"; fi\n",
            quote(Path::new(&inherited))
        );
    }
    let inherited = std::env::var_os("SCPDECK_CONFIG_DIR").unwrap_or_default();
    script += &format!(
        "if [ \"${{SCPDECK_CONFIG_DIR-}}\" = {} ]; then unset SCPDECK_CONFIG_DIR; fi\n",
        quote(Path::new(&inherited))
    );
    script += &format!("exec {} \"$@\"\n", quote(Path::new(env!("CARGO_BIN_EXE_scpdeck"))));
    // Written aside and renamed: a test never runs a half-written script.
    let path = bin.join("scpdeck");
    let aside = bin.join(".scpdeck");
    std::fs::write(&aside, script).expect("the wrapper");
    std::fs::set_permissions(&aside, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    std::fs::rename(&aside, &path).expect("the wrapper");
}

/// Single-quoted for sh.
fn quote(path: &Path) -> String {
    format!("'{}'", path.to_string_lossy().replace('\'', r"'\''"))
}

/// Removes the directories of test processes that are gone.
fn remove_dead(all: &Path) {
    let Ok(entries) = std::fs::read_dir(all) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let alive = name
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
            .is_some_and(|pid| Path::new("/proc").join(pid.to_string()).exists());
        if !alive {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}
