//! Questions a connection asks while it authenticates, shown as modal
//! dialogs. The connection thread blocks on the reply channel until the user
//! answers, so nothing here ever waits.

use std::fmt;
use std::sync::mpsc::Sender;

/// One thing the connection needs from the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Question {
    /// A password for `account` (`user@host`).
    Password { account: String },
    /// The passphrase of an encrypted private key.
    Passphrase { key: String },
    /// Keyboard-interactive: the server's name, instruction and prompts.
    KeyboardInteractive { account: String, name: String, instruction: String, prompts: Vec<KbdPrompt> },
    /// An unknown host key: accept it?
    HostKey { host: String, key_type: String, fingerprint: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KbdPrompt {
    pub text: String,
    /// Whether the answer may be shown while typed.
    pub echo: bool,
}

/// The user's reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// The typed answers, one per field (one for password and passphrase).
    Text(Vec<String>),
    /// The host key question: yes or no.
    Accept(bool),
    /// Esc: give up connecting.
    Cancel,
}

impl Question {
    /// The text fields the dialog shows, with their labels.
    pub fn fields(&self) -> Vec<(String, bool)> {
        match self {
            Question::Password { account } => vec![(format!("Password for {account}:"), false)],
            Question::Passphrase { key } => vec![(format!("Passphrase for key {key}:"), false)],
            Question::KeyboardInteractive { prompts, .. } => {
                prompts.iter().map(|p| (p.text.clone(), p.echo)).collect()
            }
            Question::HostKey { .. } => Vec::new(),
        }
    }
}

/// Where the answer goes: the channel the connection thread waits on.
#[derive(Clone)]
pub struct Reply(Sender<Answer>);

impl Reply {
    pub fn new(tx: Sender<Answer>) -> Self {
        Reply(tx)
    }

    /// Sends the answer; a connection that gave up waiting is not an error.
    pub fn send(&self, answer: Answer) {
        let _ = self.0.send(answer);
    }
}

impl fmt::Debug for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Reply")
    }
}
