//! Writing the decision into a response head: the preflight answer's headers, and the CORS
//! headers and `Vary` of an actual response.

mod vary;
mod write;

pub(crate) use write::{apply, write_preflight};
