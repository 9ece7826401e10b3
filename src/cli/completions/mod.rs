//! `scpdeck completions SHELL`: completion scripts generated from the clap
//! definitions (clap_complete), plus a few lines per shell that complete
//! the host part of an operand (`web<TAB>` → `web1:`) and `-J`'s hosts from
//! ssh_config's host aliases, which `scpdeck complete-hosts` prints.

use std::io::{self, Write};

use clap::CommandFactory;
use clap_complete::Shell as Generator;

use super::args::Cli;

const BASH_HOSTS: &str = include_str!("hosts.bash");
const ZSH_HOSTS: &str = include_str!("hosts.zsh");
const FISH_HOSTS: &str = include_str!("hosts.fish");

/// The shells scripts are made for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

/// The whole script for `shell`.
pub(super) fn script(shell: Shell) -> String {
    let generator = match shell {
        Shell::Bash => Generator::Bash,
        Shell::Zsh => Generator::Zsh,
        Shell::Fish => Generator::Fish,
    };
    let mut generated = Vec::new();
    clap_complete::generate(generator, &mut Cli::command(), "scpdeck", &mut generated);
    let generated = String::from_utf8_lossy(&generated);
    match shell {
        // The later `complete` replaces the generated one for scpdeck.
        Shell::Bash => format!("{generated}{BASH_HOSTS}"),
        Shell::Zsh => zsh(&generated),
        Shell::Fish => format!("{generated}{FISH_HOSTS}"),
    }
}

/// Operands that name a host (`[user@]host:path`, a pane) complete with
/// `_scpdeck_operand` instead of `_default`, `-J` with the host aliases;
/// the functions go before the lines that start completing.
fn zsh(generated: &str) -> String {
    const OPERANDS: [&str; 4] = ["'*::sources -- ", "':target -- ", "'::left -- ", "'::right -- "];
    let mut out = String::with_capacity(generated.len() + ZSH_HOSTS.len());
    for line in generated.lines() {
        if line.starts_with("if [ \"$funcstack[1]\" = \"_scpdeck\" ]") {
            out.push_str(ZSH_HOSTS);
        }
        let line = if OPERANDS.iter().any(|o| line.starts_with(o)) {
            line.replacen(":_default' \\", ":_scpdeck_operand' \\", 1)
        } else if line.starts_with("'-J+[") {
            line.replacen(":DESTINATION:_default'", ":DESTINATION:_scpdeck_jump_hosts'", 1)
        } else {
            line.to_owned()
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// Writes the script to `out`.
pub(super) fn write(shell: Shell, out: &mut dyn Write) -> io::Result<()> {
    out.write_all(script(shell).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zsh_operands_and_jump_hosts_complete_hosts() {
        let script = script(Shell::Zsh);
        // cp's sources and target, ls's target, the two panes.
        assert_eq!(script.matches(":_scpdeck_operand' \\").count(), 5, "{script}");
        // -J of the commander, cp and ls.
        assert_eq!(script.matches(":DESTINATION:_scpdeck_jump_hosts'").count(), 3, "{script}");
        let defined = script.find("_scpdeck_operand() {").unwrap();
        assert!(defined < script.find("if [ \"$funcstack[1]\" = \"_scpdeck\" ]").unwrap());
    }
}
