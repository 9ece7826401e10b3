//! The one interface for every question asked while connecting. The TUI
//! answers with dialogs, the command line on the terminal; BatchMode never
//! asks. The types are plain data so any front end can show them.

use std::path::PathBuf;

/// A question (or message) for the user. All text from the server is
/// already escaped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Question {
    /// `user@host's password:`. `attempt` counts from 1; after the first
    /// the previous password was wrong.
    Password { host: String, user: String, attempt: u32 },
    /// sudo's password on a host used as root (`user` is the login
    /// account). `attempt` counts from 1; after the first sudo refused the
    /// previous password.
    SudoPassword { host: String, user: String, attempt: u32 },
    /// The passphrase of an encrypted private key. `attempt` counts from 1.
    Passphrase { key: PathBuf, attempt: u32 },
    /// A keyboard-interactive round (PAM, one-time codes...). Answer with
    /// [`PromptAnswer::Responses`], one per prompt.
    KeyboardInteractive {
        host: String,
        user: String,
        name: String,
        instruction: String,
        prompts: Vec<KbdPrompt>,
    },
    /// An unknown host key: answer [`PromptAnswer::Yes`] to trust it (it is then
    /// recorded in `known_hosts_file`) or [`PromptAnswer::No`].
    HostKey(HostKeyQuestion),
    /// A warning that needs a yes (go on connecting) or a no, as OpenSSH's
    /// "Are you sure you want to continue connecting (yes/no)?" after it
    /// (CheckHostIP: the address has another key than the host).
    Confirm { host: String, text: String },
    /// Information to show (e.g. the server's login banner); the answer is
    /// ignored.
    Message { host: String, text: String },
}

/// One prompt of a keyboard-interactive round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KbdPrompt {
    pub text: String,
    /// Whether the answer may be shown while typed.
    pub echo: bool,
}

/// What OpenSSH shows before "Are you sure you want to continue
/// connecting?".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostKeyQuestion {
    /// The host as named in known_hosts (`host` or `[host]:port`).
    pub host: String,
    /// e.g. `ssh-ed25519`.
    pub key_type: String,
    /// `SHA256:` and the unpadded base64 digest, as `ssh-keygen -l` prints.
    pub fingerprint: String,
    /// Where the key will be recorded if trusted.
    pub known_hosts_file: PathBuf,
    /// Key types already recorded for this host, if any (the server offered
    /// a different type).
    pub known_key_types: Vec<String>,
}

/// The user's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptAnswer {
    /// A password or passphrase.
    Secret(String),
    /// Keyboard-interactive responses, one per prompt.
    Responses(Vec<String>),
    Yes,
    No,
    /// The user cancelled, or there is no way to ask (no terminal).
    Cancelled,
    /// Acknowledges a [`Question::Message`].
    Ok,
}

/// Asks the user. Called on the connection's own thread (blocking is
/// expected); implementations must be usable from several connection
/// threads at once.
pub trait Prompter: Send + Sync {
    fn ask(&self, question: &Question) -> PromptAnswer;
}

/// Never asks: every question is cancelled and messages are dropped. For
/// callers that have no user to ask.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoPrompter;

impl Prompter for NoPrompter {
    fn ask(&self, _question: &Question) -> PromptAnswer {
        PromptAnswer::Cancelled
    }
}
