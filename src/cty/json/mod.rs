//! The JSON encoding Terraform uses for stored state (`RawState.json`); it has no unknowns.
//!
//! Type-directed, as go-cty's JSON codec, with the leniency stored state needs: object keys
//! missing from the input read as null and keys the type lacks are ignored (state written
//! under an older schema still reads). Numbers keep their exact text, however long.
//!
//! ```
//! use tpz::cty::{json, Number, Type, Value};
//! let ty = Type::object([("id", Type::String), ("port", Type::Number)]);
//! let v = json::decode(br#"{"id":"nic-1","old_field":true}"#, &ty).unwrap();
//! assert_eq!(v, Value::object([("id", Value::string("nic-1")), ("port", Value::Null)]));
//! assert_eq!(json::encode(&v, &ty).unwrap(), br#"{"id":"nic-1","port":null}"#);
//! ```

mod decode;
mod encode;

#[cfg(test)]
mod tests;

pub use super::codec::{DecodeError, EncodeError};
pub use decode::decode;
pub use encode::encode;

/// Nesting limit while decoding, counted across `dynamic` values nested in each other.
pub const MAX_DEPTH: usize = 128;
