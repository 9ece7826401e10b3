//! The one way to talk to a remote shell: quoting ([`quote`]), building
//! command lines ([`Command`]) and framing them so login-profile output is
//! separated from results ([`frame`], [`exec`]), delivered the way each
//! connection's login profile allows ([`delivery`], [`bootstrap`]). The SCP
//! driver and the remote file system both go through here.

mod banner;
pub mod bootstrap;
mod command;
pub mod delivery;
mod error;
pub mod exec;
pub mod frame;
mod launch;
pub mod marker;
pub mod park;
mod quote;
mod starting;
mod status;
mod stderr_split;
mod sudo;

pub use command::Command;
pub use exec::{Banner, ExecError, ExecOptions, ExitStatus, Output, Started};
pub use quote::{
    QuoteError, is_pattern, quote, quote_home_path, quote_one_line, quote_os, quote_pattern, split_tilde,
};
pub use starting::Starting;
