//! The one way to talk to a remote shell: quoting ([`quote`]), building
//! command lines ([`Command`]) and framing them so login-profile output is
//! separated from results ([`frame`], [`exec`]). The SCP driver and the remote
//! file system both go through here.

mod command;
pub mod exec;
pub mod frame;
mod quote;

pub use command::Command;
pub use exec::{Banner, ExecError, ExecOptions, ExitStatus, Output, Started};
pub use quote::{QuoteError, quote, quote_os};
