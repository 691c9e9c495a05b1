//! Writing the decision into a response head: the preflight answer's headers, and the CORS
//! headers and `Vary` of an actual response.

mod presets;
mod vary;
mod write;

pub(crate) use presets::{presets, write_preflight_lines, write_preset};
pub(crate) use write::{apply, apply_as_lines, write_preflight};
