//! The JSON encoding Terraform uses for stored state (`RawState.json`); it has no unknowns.

use super::{Type, Value};

/// Why JSON could not be read as a value of the expected type.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("JSON value at {path}: {message}")]
pub struct DecodeError {
    pub path: String,
    pub message: String,
}

/// Decodes JSON `bytes` as type `ty`.
pub fn decode(bytes: &[u8], ty: &Type) -> Result<Value, DecodeError> {
    let _ = (bytes, ty);
    Err(DecodeError {
        path: String::new(),
        message: "JSON decoding is not built yet".into(),
    })
}

/// Encodes a wholly known value as JSON of type `ty`.
pub fn encode(value: &Value, ty: &Type) -> Result<Vec<u8>, DecodeError> {
    let _ = (value, ty);
    Err(DecodeError {
        path: String::new(),
        message: "JSON encoding is not built yet".into(),
    })
}
