//! `scpdeck man`: the manual page, built from the clap definitions (with
//! clap_mangen) so that it never disagrees with `--help`, plus what
//! `--help` has no room for: the exit statuses, the environment, and the
//! commander's keys from docs/keybindings.md.

use std::io::{self, Write};

use clap::CommandFactory;
use clap_mangen::Man;

use super::args::Cli;
use super::exit_status::Status;
use super::markdown_roff;

const KEYBINDINGS: &str = include_str!("../../docs/keybindings.md");

/// The commands that get a section of their own.
const COMMANDS: [&str; 2] = ["cp", "ls"];

/// Writes the whole page (roff) to `out`.
pub(super) fn write(out: &mut dyn Write) -> io::Result<()> {
    let cli = Cli::command();
    let man = Man::new(cli.clone());
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    man.render_options_section(out)?;
    man.render_subcommands_section(out)?;
    for name in COMMANDS {
        if let Some(command) = cli.find_subcommand(name) {
            command_section(out, command)?;
        }
    }
    out.write_all(exit_status().as_bytes())?;
    out.write_all(ENVIRONMENT.as_bytes())?;
    out.write_all(keys().as_bytes())?;
    out.write_all(SEE_ALSO.as_bytes())?;
    man.render_version_section(out)
}

/// `scpdeck NAME`: what it does, its usage line, options and examples.
fn command_section(out: &mut dyn Write, command: &clap::Command) -> io::Result<()> {
    let mut command = command.clone().bin_name(format!("scpdeck {}", command.get_name()));
    let usage = command.render_usage().to_string();
    let usage = usage.trim_start_matches("Usage: ");
    writeln!(out, ".SH \"SCPDECK {}\"", command.get_name().to_uppercase())?;
    writeln!(out, ".B {}", plain(usage))?;
    if let Some(about) = command.get_long_about().or(command.get_about()) {
        writeln!(out, ".PP\n{}", plain(&about.to_string()))?;
    }
    let mut options = Vec::new();
    Man::new(command.clone()).render_options_section(&mut options)?;
    let options = String::from_utf8_lossy(&options);
    // Its options under this command's heading, not a second OPTIONS.
    out.write_all(options.replacen(".SH OPTIONS", ".SS Options", 1).as_bytes())?;
    if let Some(examples) = command.get_after_help() {
        writeln!(out, ".SS Examples\n.nf\n{}\n.fi", plain(&examples.to_string()))?;
    }
    Ok(())
}

/// Text as roff reads it: backslashes, hyphens, no line taken for a request.
fn plain(text: &str) -> String {
    text.lines()
        .map(|line| markdown_roff::line_start(&markdown_roff::escape(line)))
        .collect::<Vec<_>>()
        .join("\n")
}

fn exit_status() -> String {
    let rows = [
        (Status::Success, "Every file was copied (or listed); the commander ended normally."),
        (Status::Failed, "Some file failed, or the listing did; each reason was printed."),
        (Status::Usage, "The command line was wrong; nothing was tried."),
        (
            Status::Connection,
            "A host could not be reached or would not let scpdeck log in, before any file moved \
             (as ssh's 255).",
        ),
    ];
    let mut text =
        String::from(".SH \"EXIT STATUS\"\n.PP\nThe same for \\fBcp\\fR, \\fBls\\fR and the commander:\n");
    for (status, meaning) in rows {
        text.push_str(&format!(".TP\n.B {}\n{meaning}\n", status.code()));
    }
    text
}

const ENVIRONMENT: &str = "\
.SH ENVIRONMENT
.TP
.B NO_COLOR
When set and not empty, no colour (unless \\fB\\-\\-color always\\fR is given).
.TP
.B SCPDECK_CONFIG_DIR
The configuration directory (default: \\fI$XDG_CONFIG_HOME/scpdeck\\fR).
.TP
.BR VISUAL ,\\ EDITOR
The commander's editor when \\fIconfig.toml\\fR names none.
";

/// docs/keybindings.md: its first paragraph and its tables.
fn keys() -> String {
    let intro = KEYBINDINGS.split("\n\n").nth(1).unwrap_or_default();
    let tables = KEYBINDINGS.split_once("<!-- keymap:start -->").map_or("", |(_, rest)| rest);
    format!(
        ".SH \"COMMANDER KEYS\"\n{}.SS \"Keys in the panes\"\n{}",
        markdown_roff::to_roff(intro),
        markdown_roff::to_roff(tables)
    )
}

const SEE_ALSO: &str = "\
.SH \"SEE ALSO\"
.BR scp (1),
.BR ssh (1),
.BR ssh_config (5)
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_holds_every_key_of_the_keymap_table() {
        let mut page = Vec::new();
        write(&mut page).unwrap();
        let page = String::from_utf8(page).unwrap();
        for section in ["SCPDECK CP", "SCPDECK LS", "EXIT STATUS", "COMMANDER KEYS", "NO_COLOR"] {
            assert!(page.contains(section), "{section}");
        }
        let table = KEYBINDINGS.split("<!-- keymap:start -->").nth(1).unwrap();
        let table = table.split("<!-- keymap:end -->").next().unwrap();
        for row in table.lines().filter(|l| l.starts_with("| `")) {
            let action = row.split('|').nth(1).unwrap().trim().trim_matches('`');
            assert!(page.contains(&format!("(\\fB{}\\fR)", action.replace('-', "\\-"))), "{action}");
        }
    }
}
