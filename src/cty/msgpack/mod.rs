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
use super::{Type, Value};

/// Nesting limit while decoding (containers and `dynamic` wrappers); keeps recursion on
/// hostile input bounded even where `dynamic` types nest inside each other.
pub const MAX_DEPTH: usize = 128;

/// Decodes `bytes` as a value of type `ty`.
///
/// Total: any input gives a value or an error, never a panic, and allocation stays in
/// proportion to `bytes.len()`. Numbers come back in [`super::Number::canonical`] form.
/// Trailing bytes after the value are an error.
pub fn decode(bytes: &[u8], ty: &Type) -> Result<Value, DecodeError> {
    decode::decode(bytes, ty)
}

/// Encodes `value` as type `ty`, the way cty does: compact ints, float64 for other exact
/// floats, decimal strings beyond that; `d4 00 00` for an unknown without refinements.
///
/// Objects get exactly the type's keys (`nil` for attributes the value lacks). Values in a
/// `dynamic` slot are written with their type: a [`Value::Dynamic`] carries it, and a plain
/// value must have an evident one ([`Value::implied_type`]).
pub fn encode(value: &Value, ty: &Type) -> Result<Vec<u8>, EncodeError> {
    encode::encode(value, ty)
}
