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
use super::{Type, Value};

/// Nesting limit while decoding, counted across `dynamic` values nested in each other.
pub const MAX_DEPTH: usize = 128;

/// Decodes JSON `bytes` as type `ty`. Object keys missing from the input become null
/// (Terraform does not add attributes that a newer schema introduced) and keys the type does
/// not have are ignored, so state written by older schema versions still reads.
///
/// Like go-cty, a string slot also takes a JSON number or bool (as its text), a number slot
/// a string holding a number, and a bool slot the strings `"true"`, `"false"`, `"1"`, `"0"`.
/// Total on any input; numbers come back in [`super::Number::canonical`] form.
pub fn decode(bytes: &[u8], ty: &Type) -> Result<Value, DecodeError> {
    decode::decode(bytes, ty)
}

/// Encodes a wholly known value as compact JSON of type `ty`: every attribute of an object
/// type (null where the value has none), keys sorted, numbers as their exact decimal text,
/// and `{"value":…,"type":…}` in a `dynamic` slot. Unknowns and infinities have no JSON form.
pub fn encode(value: &Value, ty: &Type) -> Result<Vec<u8>, EncodeError> {
    encode::encode(value, ty)
}
