//! What the JSON and msgpack encoders share: the output with its place in the value, the
//! error they return, and how a value in a `dynamic` slot finds the type it is written with.

use std::borrow::Cow;

use super::path::{Path, at};
use super::{Type, Value};

/// Why a value could not be written in a wire format; one type, so both codecs say it alike.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("cannot encode value{} as {format}: {message}", at(path))]
pub struct EncodeError {
    /// The format being written: `JSON` or `msgpack`.
    pub format: &'static str,
    /// Where in the value, e.g. `.timeouts[0].create`; empty at the top level.
    pub path: String,
    /// What is wrong there.
    pub message: String,
}

/// An encoder's bytes so far and where in the value it is, so its errors say where.
pub(super) struct Writer {
    pub(super) out: Vec<u8>,
    pub(super) path: Path,
    format: &'static str,
}

impl Writer {
    /// Empty output for `format`, at the top of the value.
    pub(super) fn new(format: &'static str) -> Self {
        Writer {
            out: Vec::new(),
            path: Path::default(),
            format,
        }
    }

    /// The error `message` at the current place.
    pub(super) fn error(&self, message: impl Into<String>) -> EncodeError {
        EncodeError {
            format: self.format,
            path: self.path.to_string(),
            message: message.into(),
        }
    }
}

/// The type a non-null value in a `dynamic` slot is written with, and the value under it: a
/// [`Value::Dynamic`] carries its type; any other value must have an evident one.
pub(super) fn dynamic_parts(v: &Value) -> Result<(Cow<'_, Type>, &Value), String> {
    match v {
        Value::Dynamic(t, inner) => Ok((Cow::Borrowed(&**t), &**inner)),
        _ => match v.implied_type() {
            Some(t) => Ok((Cow::Owned(t), v)),
            None => Err(format!(
                "the type of {} in a dynamic slot is ambiguous; wrap it in Value::Dynamic",
                v.kind()
            )),
        },
    }
}
