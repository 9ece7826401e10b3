//! scpdeck: a terminal file commander for SSH hosts that copies files with
//! the SCP protocol. See docs/architecture.md for the map of the modules.

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]
#![warn(unreachable_pub)]

pub mod app;
pub mod choices;
pub mod cli;
pub mod config;
pub mod eventlog;
pub mod fs;
pub mod jobs;
pub mod scp;
pub mod shell;
pub mod ssh;
pub mod text;
pub mod tui;
pub mod ui;
