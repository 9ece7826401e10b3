//! The interactive runtime: terminal ownership, the event loop, and the
//! executor that runs effects in the background.

mod event_loop;
mod executor;
mod terminal;

pub use event_loop::run;
pub use executor::Executor;
pub use terminal::{TerminalGuard, Tty, restore};
