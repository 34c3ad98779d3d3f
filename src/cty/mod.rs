//! Terraform's value model (cty): types, values with null and unknown, and their wire codecs.
//!
//! Boundary: knows nothing of gRPC or of any provider. Invariant: every decoder is total on
//! arbitrary input bytes (errors, never panics) and bounds what it allocates by the input size.

#![warn(missing_docs)]

mod codec;
pub mod json;
pub mod msgpack;
mod number;
mod path;
mod set;
mod types;
mod value;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod strategies;

pub use number::Number;
pub use types::{Type, TypeJsonError};
pub use value::{Refinements, Unknown, Value};
