//! The interactive runtime: terminal ownership, the event loop, and the
//! executor that runs effects in the background.

mod editor;
mod event_loop;
mod executor;

mod remote;
mod scan;
mod terminal;
mod transfers;
mod watcher;
mod work;

pub use event_loop::run;
pub use executor::Executor;
pub use terminal::{TerminalGuard, Tty, restore};
