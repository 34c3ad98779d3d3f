//! What the JSON and msgpack codecs share: their errors, the encoders' output with its place
//! in the value, and how a value in a `dynamic` slot finds the type it is written with.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::path::{Path, Step, at};
use super::{Type, Value};

/// Why bytes could not be read as a value of the expected type; one type, so both codecs
/// say it alike.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("{format} value{}: {message}", at(path))]
pub struct DecodeError {
    /// The format being read: `JSON` or `msgpack`.
    pub format: &'static str,
    /// Where in the value, e.g. `.timeouts[0].create`; empty at the top level.
    pub path: String,
    /// What is wrong there (msgpack: in cty's words, "string is required").
    pub message: String,
}

impl DecodeError {
    /// The error `message` at `path` of a value read as `format`.
    pub(super) fn at(format: &'static str, path: &Path, message: impl Into<String>) -> Self {
        DecodeError {
            format,
            path: path.to_string(),
            message: message.into(),
        }
    }
}

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

    /// What an object value of type `attrs` writes: each of the type's attributes in order,
    /// with the value's (null where it has none). An attribute the type lacks is an error
    /// at that attribute.
    pub(super) fn attributes<'a>(
        &mut self,
        entries: &'a BTreeMap<String, Value>,
        attrs: &'a BTreeMap<String, Type>,
    ) -> Result<impl Iterator<Item = (&'a String, &'a Value, &'a Type)> + use<'a>, EncodeError>
    {
        static NULL: Value = Value::Null;
        if let Some(extra) = entries.keys().find(|k| !attrs.contains_key(*k)) {
            self.path.push(Step::Attr(extra.clone()));
            return Err(self.error("unsupported attribute: the type has no such attribute"));
        }
        Ok((attrs.iter()).map(|(name, ty)| (name, entries.get(name).unwrap_or(&NULL), ty)))
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
