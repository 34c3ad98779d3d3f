//! What the JSON and msgpack codecs share: their errors, one encoder that follows either
//! format's rules (output, place in the value, object attributes), and how a value in a
//! `dynamic` slot finds the type it is written with.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::marker::PhantomData;

use super::path::{Path, Step, at};
use super::{Number, Type, Value};

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

/// One entry of a map or attribute of an object, as encoders write them: the key, the value
/// and the type it is written as.
pub(super) type Member<'a> = (&'a String, &'a Value, &'a Type);

/// The rules of one wire format, which an [`Encoder`] follows: how it writes each kind of
/// value. Which value fits which type, and what is wrong when none does, is the encoder's.
pub(super) trait Format: Sized {
    /// The format's name, as its errors say it.
    const NAME: &'static str;

    /// Writes `v` as type `ty` at the encoder's current place: nulls, unknowns and dynamic
    /// slots as the format has them, known values through [`Encoder::known`].
    fn value(e: &mut Encoder<Self>, v: &Value, ty: &Type) -> Result<(), EncodeError>;

    /// Writes a bool.
    fn bool(e: &mut Encoder<Self>, b: bool) -> Result<(), EncodeError>;

    /// Writes a number.
    fn number(e: &mut Encoder<Self>, n: &Number) -> Result<(), EncodeError>;

    /// Writes a string.
    fn string(e: &mut Encoder<Self>, s: &str) -> Result<(), EncodeError>;

    /// Writes a sequence, item `i` as type `elem(i)` at [`Step::Index`]`(i)`.
    fn array<'t>(
        e: &mut Encoder<Self>,
        items: &[Value],
        elem: impl Fn(usize) -> &'t Type,
    ) -> Result<(), EncodeError>;

    /// Writes a map's entries or an object's attributes, each at `step(key)`.
    fn members<'a>(
        e: &mut Encoder<Self>,
        members: impl ExactSizeIterator<Item = Member<'a>>,
        step: fn(String) -> Step,
    ) -> Result<(), EncodeError>;
}

/// Writes one value in format `F`: the bytes so far and where in the value it is, so its
/// errors say where.
pub(super) struct Encoder<F> {
    pub(super) out: Vec<u8>,
    path: Path,
    format: PhantomData<F>,
}

impl<F: Format> Encoder<F> {
    /// `value` written as type `ty` in format `F`.
    pub(super) fn encode(value: &Value, ty: &Type) -> Result<Vec<u8>, EncodeError> {
        let mut e = Encoder::<F> {
            out: Vec::new(),
            path: Path::default(),
            format: PhantomData,
        };
        e.value(value, ty)?;
        Ok(e.out)
    }

    /// Writes `v` as type `ty` at the current place.
    pub(super) fn value(&mut self, v: &Value, ty: &Type) -> Result<(), EncodeError> {
        F::value(self, v, ty)
    }

    /// Writes `v` as type `ty` one `step` below the current place, so errors there say where.
    pub(super) fn value_at(&mut self, step: Step, v: &Value, ty: &Type) -> Result<(), EncodeError> {
        self.path.push(step);
        self.value(v, ty)?;
        self.path.pop();
        Ok(())
    }

    /// The error `message` at the current place.
    pub(super) fn error(&self, message: impl Into<String>) -> EncodeError {
        EncodeError {
            format: F::NAME,
            path: self.path.to_string(),
            message: message.into(),
        }
    }

    /// Writes a known, non-null value of type `ty`, or says which kind the type requires.
    pub(super) fn known(&mut self, v: &Value, ty: &Type) -> Result<(), EncodeError> {
        match (ty, v) {
            (Type::Bool, Value::Bool(b)) => F::bool(self, *b),
            (Type::Number, Value::Number(n)) => F::number(self, n),
            (Type::String, Value::String(s)) => F::string(self, s),
            (
                Type::List(elem) | Type::Set(elem),
                Value::List(items) | Value::Set(items) | Value::Tuple(items),
            ) => F::array(self, items, |_| elem),
            (Type::Tuple(elems), Value::Tuple(items) | Value::List(items)) => {
                if items.len() != elems.len() {
                    return Err(self.error(format!(
                        "a tuple of length {} is required ({} given)",
                        elems.len(),
                        items.len()
                    )));
                }
                F::array(self, items, |i| &elems[i])
            }
            (Type::Map(elem), Value::Map(entries) | Value::Object(entries)) => {
                let members = entries.iter().map(|(key, item)| (key, item, &**elem));
                F::members(self, members, Step::Key)
            }
            // Exactly the type's attributes, in order, null where the value has none.
            (Type::Object(attrs), Value::Object(entries) | Value::Map(entries)) => {
                let attributes = self.attributes(entries, attrs)?;
                F::members(self, attributes, Step::Attr)
            }
            _ => Err(self.error(format!("{} is required, found {}", ty.expected(), v.kind()))),
        }
    }

    /// What an object value of type `attrs` writes: each of the type's attributes in order,
    /// with the value's (null where it has none). An attribute the type lacks is an error
    /// at that attribute.
    fn attributes<'a>(
        &mut self,
        entries: &'a BTreeMap<String, Value>,
        attrs: &'a BTreeMap<String, Type>,
    ) -> Result<impl ExactSizeIterator<Item = Member<'a>> + use<'a, F>, EncodeError> {
        static NULL: Value = Value::Null;
        if let Some(extra) = entries.keys().find(|k| !attrs.contains_key(*k)) {
            self.path.push(Step::Attr(extra.clone()));
            return Err(self.error("unsupported attribute: the type has no such attribute"));
        }
        Ok((attrs.iter()).map(|(name, ty)| (name, entries.get(name).unwrap_or(&NULL), ty)))
    }
}

/// The value an encoder writes in a slot of type `ty`: a dynamic value in a slot of exactly
/// its (non-dynamic) type is just the value it wraps.
pub(super) fn unwrapped<'v>(mut v: &'v Value, ty: &Type) -> &'v Value {
    while let Value::Dynamic(t, inner) = v {
        if **t != *ty || *ty == Type::Dynamic {
            break;
        }
        v = inner;
    }
    v
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
