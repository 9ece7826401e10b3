//! Text helpers shared by every layer that shows text: escaping untrusted
//! text, display widths, sizes.

mod escape;
mod size;
mod width;

pub use escape::{escape_bytes, escape_str, is_unsafe};
pub use size::{exact_size, human_size};
pub use width::{chunks, fit, fit_left, pad_to, take_cells, width, wrap};
