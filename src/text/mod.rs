//! Text helpers shared by every layer that shows untrusted text.

mod escape;
mod width;

pub use escape::{escape_bytes, escape_str, is_unsafe};
pub use width::{fit, pad_to, width};
