//! The msgpack encoding Terraform uses for every `DynamicValue` it sends.
//!
//! Type-directed, as go-cty does it: null is `nil` at any level, unknown is an extension
//! value (code 12 carries refinements), objects are maps with exactly the type's keys, and
//! a `dynamic` slot holds `[type JSON, value]`.
//!
//! ```
//! use tpz::cty::{msgpack, Type, Value};
//! let ty = Type::object([("id", Type::String), ("n", Type::Number)]);
//! let v = Value::object([("id", Value::unknown()), ("n", Value::number(3))]);
//! let bytes = msgpack::encode(&v, &ty).unwrap();
//! assert_eq!(bytes, b"\x82\xa2id\xd4\x00\x00\xa1n\x03");
//! assert_eq!(msgpack::decode(&bytes, &ty).unwrap(), v);
//! ```

mod decode;
mod encode;
mod read;
mod unknown;

#[cfg(test)]
mod tests;

pub use super::codec::{DecodeError, EncodeError};
pub use decode::decode;
pub use encode::encode;

/// Nesting limit while decoding (containers and `dynamic` wrappers); keeps recursion on
/// hostile input bounded even where `dynamic` types nest inside each other.
pub const MAX_DEPTH: usize = 128;
