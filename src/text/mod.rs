//! Text helpers shared by every layer that shows text: escaping untrusted
//! text, display widths, sizes.

mod escape;
mod fit_left;
mod size;
mod width;

pub use escape::{escape_bytes, escape_str, is_unsafe};
pub use fit_left::fit_left;
pub use size::{exact_size, human_size};
pub use width::{fit, pad_to, width};
