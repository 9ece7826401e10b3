//! SSH connections: OpenSSH-compatible configuration (`ssh -G`, or a
//! config-parsing fallback), authentication through one [`Prompter`],
//! known_hosts verification, ProxyCommand/ProxyJump, and connection threads.
//!
//! Typical use:
//! ```no_run
//! # use scpdeck::ssh::{self, Overrides, Resolver, TerminalPrompter};
//! let config = Resolver::system().resolve_str("alice@example.org", &Overrides::default())?;
//! let connection = ssh::connect(&config, &TerminalPrompter::new())?;
//! let _channel = connection.session().channel_session();
//! # Ok::<(), ssh::ConnectError>(())
//! ```

mod actor;
mod algorithms;
pub mod as_root;
mod asker;
mod auth;
pub mod broken;
pub mod channel;
mod config_hosts;
mod config_text;
mod connect;
mod connection;
mod connection_event;
mod credentials;
pub mod destination;
mod doorbell;
mod error;
mod expand;
mod fallback;
mod host_config;
mod host_key;
mod host_key_names;
mod include_glob;
mod jump;
mod keepalive;
mod key_file;
mod known_hosts;
mod link;
mod openssh_g;
mod overrides;
pub mod parked;
mod pool;
mod prompt;
mod proxy_command;
mod resolve;
pub mod sftp;
mod startup;
mod target;
mod terminal_prompter;
mod transport;

pub use actor::Actor;
pub use as_root::{RootWanted, plain_host, root_host, split_root};
pub use config_hosts::ConfigHost;
pub use connect::{connect, connect_with};
pub use connection::Connection;
pub use connection_event::{ConnectionEvent, EventSink, collect_events};
pub use credentials::Credentials;
pub use destination::{Destination, DestinationError};
pub use error::{AddressKeyChanged, AuthFailure, ChangedKey, ConnectError, Step, is_transport_lost};
pub use host_config::{
    AuthMethod, DEFAULT_CONNECT_TIMEOUT, HostConfig, IdentityAgent, StrictHostKeyChecking,
};
pub use include_glob::expand as glob_paths;
pub use known_hosts::HostKey;
pub use link::{Facts, Link, OwnedLink};
pub use overrides::Overrides;
pub use pool::{Lease, Pool, PoolLimits};
pub use prompt::{HostKeyQuestion, KbdPrompt, NoPrompter, PromptAnswer, Prompter, Question};
pub use resolve::{Resolver, config_hosts, host_aliases};
pub use target::Target;
pub use terminal_prompter::TerminalPrompter;
