//! Questions on the controlling terminal, for `scpdeck cp` and `ls`.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::sync::Mutex;

use super::prompt::{PromptAnswer, Prompter, Question};

/// Reads answers from /dev/tty (passwords with echo off) and writes
/// questions to it, so piped stdin/stdout are left alone. Without a terminal
/// every question is cancelled.
#[derive(Debug, Default)]
pub struct TerminalPrompter {
    /// One question at a time, even with several connections.
    lock: Mutex<()>,
}

impl TerminalPrompter {
    pub fn new() -> TerminalPrompter {
        TerminalPrompter::default()
    }

    fn ask_on_tty(&self, question: &Question) -> std::io::Result<PromptAnswer> {
        Ok(match question {
            Question::Password { host, user, attempt } => {
                if *attempt > 1 {
                    say("Permission denied, please try again.\n")?;
                }
                PromptAnswer::Secret(rpassword::prompt_password(format!("{user}@{host}'s password: "))?)
            }
            Question::SudoPassword { host, user, attempt } => {
                if *attempt > 1 {
                    say("Sorry, try again.\n")?;
                }
                PromptAnswer::Secret(rpassword::prompt_password(format!(
                    "[sudo] password for {user} on {host}: "
                ))?)
            }
            Question::Passphrase { key, attempt } => {
                if *attempt > 1 {
                    say("Bad passphrase, try again.\n")?;
                }
                PromptAnswer::Secret(rpassword::prompt_password(format!(
                    "Enter passphrase for key '{}': ",
                    key.display()
                ))?)
            }
            Question::KeyboardInteractive { name, instruction, prompts, .. } => {
                for text in [name, instruction] {
                    if !text.is_empty() {
                        say(&format!("{text}\n"))?;
                    }
                }
                let mut responses = Vec::with_capacity(prompts.len());
                for prompt in prompts {
                    responses.push(if prompt.echo {
                        read_line(&prompt.text)?
                    } else {
                        rpassword::prompt_password(&prompt.text)?
                    });
                }
                PromptAnswer::Responses(responses)
            }
            Question::HostKey(q) => {
                let mut text = format!("The authenticity of host '{}' can't be established.\n", q.host);
                if !q.known_key_types.is_empty() {
                    text += &format!(
                        "The host is known with other key types: {}.\n",
                        q.known_key_types.join(", ")
                    );
                }
                text += &format!("{} key fingerprint is {}.\n", key_label(&q.key_type), q.fingerprint);
                text += &format!("It will be added to {}.\n", q.known_hosts_file.display());
                say(&text)?;
                yes_or_no()?
            }
            Question::Confirm { text, .. } => {
                say(&format!("{text}\n"))?;
                yes_or_no()?
            }
            Question::Message { text, .. } => {
                say(text)?;
                if !text.ends_with('\n') {
                    say("\n")?;
                }
                PromptAnswer::Ok
            }
        })
    }
}

impl Prompter for TerminalPrompter {
    fn ask(&self, question: &Question) -> PromptAnswer {
        let _one_at_a_time = self.lock.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        match self.ask_on_tty(question) {
            Ok(answer) => answer,
            Err(_) if matches!(question, Question::Message { .. }) => PromptAnswer::Ok,
            Err(_) => PromptAnswer::Cancelled,
        }
    }
}

/// OpenSSH's question after a host key warning.
fn yes_or_no() -> std::io::Result<PromptAnswer> {
    loop {
        let reply = read_line("Are you sure you want to continue connecting (yes/no)? ")?;
        match reply.trim().to_ascii_lowercase().as_str() {
            "yes" => return Ok(PromptAnswer::Yes),
            "no" | "" => return Ok(PromptAnswer::No),
            _ => say("Please type 'yes' or 'no'.\n")?,
        }
    }
}

/// `ED25519` for `ssh-ed25519`, as OpenSSH words it.
fn key_label(key_type: &str) -> String {
    let name = key_type.strip_prefix("ssh-").unwrap_or(key_type);
    let name = if name.starts_with("ecdsa") { "ecdsa" } else { name };
    name.to_ascii_uppercase()
}

fn say(text: &str) -> std::io::Result<()> {
    let mut tty = std::fs::OpenOptions::new().write(true).open("/dev/tty")?;
    tty.write_all(text.as_bytes())?;
    tty.flush()
}

fn read_line(prompt: &str) -> std::io::Result<String> {
    say(prompt)?;
    let mut line = String::new();
    let read = BufReader::new(File::open("/dev/tty")?).read_line(&mut line)?;
    if read == 0 {
        return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "end of input on the terminal"));
    }
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_labels_match_openssh() {
        assert_eq!(key_label("ssh-ed25519"), "ED25519");
        assert_eq!(key_label("ecdsa-sha2-nistp256"), "ECDSA");
        assert_eq!(key_label("ssh-rsa"), "RSA");
    }
}
