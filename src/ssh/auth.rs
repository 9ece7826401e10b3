//! User authentication in OpenSSH's order: the agent's keys, then identity
//! files (asking for passphrases), keyboard-interactive, password.

use std::borrow::Cow;
use std::os::fd::BorrowedFd;
use std::path::Path;

use ssh2::{ErrorCode, Session};

use super::asker::Asker;
use super::connection_event::{ConnectionEvent, EventSink};
use super::credentials::Credentials;
use super::error::{AuthFailure, ConnectError};
use super::host_config::{AuthMethod, HostConfig, IdentityAgent};
use super::key_file;
use super::prompt::{KbdPrompt, PromptAnswer, Question};
use crate::text::escape_str;

// libssh2 error codes that tell authentication outcomes apart.
const ERROR_PASSWORD_EXPIRED: i32 = -15;
const ERROR_FILE: i32 = -16;
const ERROR_PUBLICKEY_UNVERIFIED: i32 = -19;

/// One method's result.
enum Outcome {
    Authenticated,
    /// The method did not work; a specific reason if there is one.
    Failed(Option<AuthFailure>),
    /// The user cancelled: stop trying.
    Cancelled,
}

struct Auth<'a> {
    session: &'a Session,
    /// The connection's own duplicate of the socket, to tell a closed
    /// connection from a refusal.
    socket: BorrowedFd<'a>,
    config: &'a HostConfig,
    asker: &'a Asker<'a>,
    credentials: &'a Credentials,
    /// Where keys the server refused are told, with its reason.
    events: Option<&'a EventSink>,
    host: String,
    /// `user@host:port`, the key for remembered passwords.
    account: String,
    /// Descriptions of what was offered, for the final message.
    tried: Vec<String>,
    /// Public keys already offered through the agent.
    offered: Vec<Vec<u8>>,
    /// Set when the server closed or reset the connection: what failed
    /// then is not a refusal, and no further method (or question) is tried.
    lost: Option<String>,
}

/// Authenticates `session` as `config.user`.
pub(super) fn authenticate(
    session: &Session,
    socket: BorrowedFd<'_>,
    config: &HostConfig,
    asker: &Asker<'_>,
    credentials: &Credentials,
    events: Option<&EventSink>,
) -> Result<(), ConnectError> {
    let host = config.label();
    let fail =
        |failure| ConnectError::Authentication { host: host.clone(), user: config.user.clone(), failure };
    let offers = match session.auth_methods(&config.user) {
        Ok(list) => list.to_owned(),
        Err(_) if session.authenticated() => return Ok(()),
        Err(e) if super::error::is_transport_lost(&e) => return Err(closed(config, escape_str(e.message()))),
        Err(e) => return Err(fail(AuthFailure::Other(escape_str(e.message())))),
    };
    log::info!("authentication: the server accepts {offers} for {}", config.user);
    show_banner(session, asker, &host);
    let account = format!("{}@{}:{}", config.user, config.hostname, config.port);
    let mut auth = Auth {
        session,
        socket,
        config,
        asker,
        credentials,
        events,
        host: host.clone(),
        account,
        tried: Vec::new(),
        offered: Vec::new(),
        lost: None,
    };
    let mut specific = None;
    for method in &config.preferred_authentications {
        let enabled = match method {
            AuthMethod::PublicKey => config.pubkey_authentication,
            AuthMethod::KeyboardInteractive => config.kbd_interactive_authentication,
            AuthMethod::Password => config.password_authentication,
        };
        if !enabled || !offers.split(',').any(|m| m == method.name()) {
            continue;
        }
        let outcome = match method {
            AuthMethod::PublicKey => auth.public_key(),
            AuthMethod::KeyboardInteractive => auth.keyboard_interactive(),
            AuthMethod::Password => auth.password(),
        };
        if !matches!(outcome, Outcome::Authenticated | Outcome::Cancelled)
            && let Some(detail) =
                auth.lost.take().or_else(|| auth.peer_closed().then(|| auth.closed_detail()))
        {
            return Err(closed(config, detail));
        }
        match outcome {
            Outcome::Authenticated => {
                let with = auth.tried.last().map_or("", String::as_str);
                log::info!("authenticated as {} ({with})", config.user);
                return Ok(());
            }
            Outcome::Failed(Some(failure)) => specific = Some(failure),
            Outcome::Failed(None) => {}
            Outcome::Cancelled => {
                return Err(fail(match asker.suppressed() {
                    Some(needed) => AuthFailure::BatchMode { needed },
                    None => AuthFailure::Cancelled,
                }));
            }
        }
        if session.authenticated() {
            return Ok(());
        }
    }
    let failure = match (specific, asker.suppressed()) {
        (Some(failure), _) => failure,
        (None, Some(needed)) => AuthFailure::BatchMode { needed },
        (None, None) => AuthFailure::NoMethodLeft { tried: auth.tried, server_offers: escape_str(&offers) },
    };
    Err(fail(failure))
}

/// The connection ended during authentication: reported as such (and
/// retried by the caller), never as keys or passwords the server refused.
fn closed(config: &HostConfig, detail: String) -> ConnectError {
    ConnectError::ClosedBeforeLogin {
        host: config.label(),
        step: super::error::Step::Authentication,
        detail,
        attempts: 1,
    }
}

fn show_banner(session: &Session, asker: &Asker<'_>, host: &str) {
    if let Ok(Some(banner)) = session.userauth_banner()
        && !banner.trim().is_empty()
    {
        asker.ask(&Question::Message { host: host.to_owned(), text: escape_banner(banner) });
    }
}

/// Escapes a banner but keeps its line breaks.
fn escape_banner(text: &str) -> String {
    text.lines().map(escape_str).collect::<Vec<_>>().join("\n")
}

/// libssh2's errors when the private key could not be loaded or could not
/// sign (after the server accepted its public half): with an encrypted key,
/// a missing or wrong passphrase. A key the server refuses gives
/// AUTHENTICATION_FAILED instead.
fn needs_passphrase(e: &ssh2::Error) -> bool {
    matches!(code(e), ERROR_FILE | ERROR_PUBLICKEY_UNVERIFIED)
}

fn code(e: &ssh2::Error) -> i32 {
    match e.code() {
        ErrorCode::Session(code) => code,
        ErrorCode::SFTP(code) => code,
    }
}

impl Auth<'_> {
    fn tell(&self, event: ConnectionEvent) {
        if let Some(events) = self.events {
            events(event);
        }
    }

    /// Notes what is offered to the server (a method, a key's file or
    /// comment: never a secret), for the final message and `-v`.
    fn offer(&mut self, what: String) {
        log::info!("authentication: trying {what}");
        self.tried.push(what);
    }

    /// Tells why the server refused `key` (libssh2's words).
    fn refused(&self, key: String, e: &ssh2::Error) {
        let reason = format!("{} (libssh2 error {})", escape_str(e.message()), code(e));
        log::info!("authentication: the server refused {key}: {reason}");
        self.tell(ConnectionEvent::KeyRefused { host: self.host.clone(), key, reason });
    }

    /// The server closed the connection: a failure is not a refusal.
    fn peer_closed(&self) -> bool {
        super::connection::socket_closed(self.socket)
    }

    /// Records `e` as the end of the connection when it is one.
    fn lost_by(&mut self, e: &ssh2::Error) -> bool {
        if super::error::is_transport_lost(e) || self.peer_closed() {
            self.lost = Some(format!("{} ({})", self.closed_detail(), escape_str(e.message())));
            return true;
        }
        false
    }

    fn closed_detail(&self) -> String {
        if self.tried.is_empty() {
            "the connection ended during authentication".to_owned()
        } else {
            format!("the connection ended during authentication, after offering {}", self.tried.join(", "))
        }
    }

    fn public_key(&mut self) -> Outcome {
        if let Some(outcome) = self.agent() {
            return outcome;
        }
        let mut failure = None;
        for key in self.config.identity_files.clone() {
            match self.identity_file(&key) {
                Outcome::Failed(Some(f)) => failure = Some(f),
                Outcome::Failed(None) => {}
                other => return other,
            }
        }
        Outcome::Failed(failure)
    }

    /// Tries the agent's keys; `None` when none of them worked.
    fn agent(&mut self) -> Option<Outcome> {
        let mut agent = self.session.agent().ok()?;
        match &self.config.identity_agent {
            IdentityAgent::Disabled => return None,
            IdentityAgent::FromEnvironment if std::env::var_os("SSH_AUTH_SOCK").is_none() => return None,
            IdentityAgent::FromEnvironment => {}
            IdentityAgent::Socket(path) => agent.set_identity_path(path).ok()?,
        }
        if agent.connect().is_err() || agent.list_identities().is_err() {
            let text = "the ssh agent could not be reached: its keys were not offered".to_owned();
            self.tell(ConnectionEvent::Detail { host: self.host.clone(), text });
            return None;
        }
        let allowed: Option<Vec<Vec<u8>>> = self
            .config
            .identities_only
            .then(|| self.config.identity_files.iter().filter_map(|f| public_blob(f)).collect());
        let identities = agent.identities().unwrap_or_default();
        for identity in identities {
            if allowed.as_ref().is_some_and(|a| !a.iter().any(|b| b.as_slice() == identity.blob())) {
                continue;
            }
            self.offered.push(identity.blob().to_vec());
            self.offer(format!("agent key {}", escape_str(identity.comment())));
            match agent.userauth(&self.config.user, &identity) {
                Ok(()) if self.session.authenticated() => {
                    let _ = agent.disconnect();
                    return Some(Outcome::Authenticated);
                }
                Err(e) if self.lost_by(&e) => {
                    let _ = agent.disconnect();
                    return Some(Outcome::Failed(None));
                }
                Err(e) => self.refused(format!("agent key {}", escape_str(identity.comment())), &e),
                Ok(()) => {}
            }
        }
        let _ = agent.disconnect();
        None
    }

    fn identity_file(&mut self, key: &Path) -> Outcome {
        let Ok(text) = std::fs::read_to_string(key) else {
            // Missing default keys are normal; OpenSSH skips them silently.
            return Outcome::Failed(None);
        };
        let info = key_file::inspect(&text);
        let public = read_public(key).or(info.public_key.clone());
        if let Some(blob) = public.as_deref().and_then(blob_of)
            && self.offered.contains(&blob)
        {
            return Outcome::Failed(None);
        }
        self.offer(format!("key {}", key.display()));
        let user = &self.config.user;
        let cached = self.credentials.passphrase(key);
        let first = self.session.userauth_pubkey_memory(
            user,
            public.as_deref(),
            &text,
            cached.as_deref().map(|s| s.as_str()),
        );
        match first {
            Ok(()) if self.session.authenticated() => return Outcome::Authenticated,
            Ok(()) => return Outcome::Failed(None),
            // The server accepts the key, or the key must be decrypted to
            // find its public half: either way the passphrase is needed.
            Err(e) if info.encrypted && needs_passphrase(&e) => {}
            Err(e) if self.lost_by(&e) => return Outcome::Failed(None),
            Err(e) if code(&e) == ERROR_FILE => {
                let text = format!("cannot use the key {}: {}", key.display(), escape_str(e.message()));
                self.tell(ConnectionEvent::Detail { host: self.host.clone(), text: text.clone() });
                return Outcome::Failed(Some(AuthFailure::Other(text)));
            }
            Err(e) => {
                self.refused(key.display().to_string(), &e);
                return Outcome::Failed(None);
            }
        }
        if cached.is_some() {
            self.credentials.forget_passphrase(key);
        }
        let tries = self.config.number_of_password_prompts.max(1);
        for attempt in 1..=tries {
            let passphrase = match self.asker.ask(&Question::Passphrase { key: key.to_path_buf(), attempt }) {
                PromptAnswer::Secret(p) => zeroize::Zeroizing::new(p),
                _ => return Outcome::Cancelled,
            };
            match self.session.userauth_pubkey_memory(user, public.as_deref(), &text, Some(&passphrase)) {
                Ok(()) if self.session.authenticated() => {
                    self.credentials.remember_passphrase(key, &passphrase);
                    return Outcome::Authenticated;
                }
                Err(e) if needs_passphrase(&e) => continue,
                Err(e) if self.lost_by(&e) => return Outcome::Failed(None),
                _ => return Outcome::Failed(None),
            }
        }
        Outcome::Failed(Some(AuthFailure::WrongPassphrase { key: key.to_path_buf(), tries }))
    }

    fn keyboard_interactive(&mut self) -> Outcome {
        self.offer("keyboard-interactive".to_owned());
        let tries = self.config.number_of_password_prompts.max(1);
        let mut answered = 0;
        for attempt in 1..=tries {
            let mut responder = Responder {
                asker: self.asker,
                credentials: self.credentials,
                account: &self.account,
                host: &self.host,
                user: &self.config.user,
                use_cache: attempt == 1,
                answered: false,
                cancelled: false,
                password: None,
            };
            let result = self.session.userauth_keyboard_interactive(&self.config.user, &mut responder);
            if responder.cancelled {
                return Outcome::Cancelled;
            }
            let (answered_now, password) = (responder.answered, responder.password);
            if let Err(e) = &result
                && self.lost_by(e)
            {
                return Outcome::Failed(None);
            }
            match result {
                Ok(()) if self.session.authenticated() => {
                    if let Some(password) = &password {
                        self.credentials.remember_password(&self.account, password);
                    }
                    return Outcome::Authenticated;
                }
                _ if !answered_now => break,
                _ => {
                    answered += 1;
                    if password.is_some() {
                        self.credentials.forget_password(&self.account);
                    }
                }
            }
        }
        Outcome::Failed((answered > 0).then_some(AuthFailure::WrongPassword { tries: answered }))
    }

    fn password(&mut self) -> Outcome {
        self.offer("password".to_owned());
        let tries = self.config.number_of_password_prompts.max(1);
        let mut cached = self.credentials.password(&self.account);
        for attempt in 1..=tries {
            let password = match cached.take() {
                Some(p) => p,
                None => {
                    let question = Question::Password {
                        host: self.host.clone(),
                        user: self.config.user.clone(),
                        attempt,
                    };
                    match self.asker.ask(&question) {
                        PromptAnswer::Secret(p) => zeroize::Zeroizing::new(p),
                        _ => return Outcome::Cancelled,
                    }
                }
            };
            match self.session.userauth_password(&self.config.user, &password) {
                Ok(()) if self.session.authenticated() => {
                    self.credentials.remember_password(&self.account, &password);
                    return Outcome::Authenticated;
                }
                Err(e) if code(&e) == ERROR_PASSWORD_EXPIRED => {
                    return Outcome::Failed(Some(AuthFailure::PasswordExpired));
                }
                Err(e) if self.lost_by(&e) => return Outcome::Failed(None),
                _ => self.credentials.forget_password(&self.account),
            }
        }
        Outcome::Failed(Some(AuthFailure::WrongPassword { tries }))
    }
}

/// Answers keyboard-interactive rounds through the prompter.
struct Responder<'a> {
    asker: &'a Asker<'a>,
    credentials: &'a Credentials,
    account: &'a str,
    host: &'a str,
    user: &'a str,
    use_cache: bool,
    answered: bool,
    cancelled: bool,
    /// The answer to a lone hidden prompt, which is a password in practice.
    password: Option<zeroize::Zeroizing<String>>,
}

impl ssh2::KeyboardInteractivePrompt for Responder<'_> {
    fn prompt<'b>(&mut self, name: &str, instruction: &str, prompts: &[ssh2::Prompt<'b>]) -> Vec<String> {
        if self.cancelled {
            return vec![String::new(); prompts.len()];
        }
        if prompts.is_empty() {
            let text = [name, instruction]
                .iter()
                .filter(|t| !t.trim().is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join("\n");
            if !text.is_empty() {
                self.asker.ask(&Question::Message { host: self.host.to_owned(), text: escape_banner(&text) });
            }
            return Vec::new();
        }
        let lone_secret = prompts.len() == 1 && !prompts[0].echo;
        if lone_secret && self.use_cache {
            self.use_cache = false;
            if let Some(password) = self.credentials.password(self.account) {
                self.answered = true;
                self.password = Some(password.clone());
                return vec![password.to_string()];
            }
        }
        let question = Question::KeyboardInteractive {
            host: self.host.to_owned(),
            user: self.user.to_owned(),
            name: escape_str(name),
            instruction: escape_banner(instruction),
            prompts: prompts
                .iter()
                .map(|p| KbdPrompt { text: escape_str(&Cow::clone(&p.text)), echo: p.echo })
                .collect(),
        };
        match self.asker.ask(&question) {
            PromptAnswer::Responses(mut responses) => {
                responses.resize(prompts.len(), String::new());
                self.answered = true;
                if lone_secret {
                    self.password = Some(zeroize::Zeroizing::new(responses[0].clone()));
                }
                responses
            }
            PromptAnswer::Secret(secret) if prompts.len() == 1 => {
                self.answered = true;
                if lone_secret {
                    self.password = Some(zeroize::Zeroizing::new(secret.clone()));
                }
                vec![secret]
            }
            _ => {
                self.cancelled = true;
                vec![String::new(); prompts.len()]
            }
        }
    }
}

/// The public key next to a private key file (`KEY.pub`), as `type base64`.
fn read_public(key: &Path) -> Option<String> {
    let mut path = key.as_os_str().to_owned();
    path.push(".pub");
    let text = std::fs::read_to_string(path).ok()?;
    let mut fields = text.split_whitespace();
    Some(format!("{} {}", fields.next()?, fields.next()?))
}

/// A key file's public blob, from `KEY.pub` or the key itself.
fn public_blob(key: &Path) -> Option<Vec<u8>> {
    let public =
        read_public(key).or_else(|| key_file::inspect(&std::fs::read_to_string(key).ok()?).public_key)?;
    blob_of(&public)
}

fn blob_of(public: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.decode(public.split_whitespace().nth(1)?).ok()
}
