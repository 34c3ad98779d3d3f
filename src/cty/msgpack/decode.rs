//! Type-directed msgpack decoding.

use std::collections::BTreeMap;

use rmp::Marker;

use super::read::{ReadError, Reader};
use super::{DecodeError, MAX_DEPTH, unknown};
use crate::cty::number::parse_exact;
use crate::cty::path::{Path, Step};
use crate::cty::{Number, Type, Value, set};

/// Decodes `bytes` as a value of type `ty`.
///
/// Total: any input gives a value or an error, never a panic, and allocation stays in
/// proportion to `bytes.len()`. Numbers come back in [`crate::cty::Number::canonical`] form.
/// Trailing bytes after the value are an error.
pub fn decode(bytes: &[u8], ty: &Type) -> Result<Value, DecodeError> {
    let mut d = Decoder::new(bytes);
    let value = d.value(ty)?;
    match d.rd.remaining() {
        0 => Ok(value),
        n => Err(d.error(format!("{n} unexpected bytes after the value"))),
    }
}

/// Reads one value at a time, keeping track of where it is for error messages.
pub(super) struct Decoder<'a> {
    rd: Reader<'a>,
    path: Path,
    depth: usize,
}

fn is_ext(m: Marker) -> bool {
    matches!(
        m,
        Marker::FixExt1
            | Marker::FixExt2
            | Marker::FixExt4
            | Marker::FixExt8
            | Marker::FixExt16
            | Marker::Ext8
            | Marker::Ext16
            | Marker::Ext32
    )
}

impl<'a> Decoder<'a> {
    pub(super) fn new(bytes: &'a [u8]) -> Decoder<'a> {
        Decoder {
            rd: Reader::new(bytes),
            path: Path::default(),
            depth: 0,
        }
    }

    /// A decoder for a nested payload that reports errors at `path`.
    pub(super) fn nested(bytes: &'a [u8], path: &Path) -> Decoder<'a> {
        Decoder {
            rd: Reader::new(bytes),
            path: path.clone(),
            depth: 0,
        }
    }

    pub(super) fn reader(&mut self) -> &mut Reader<'a> {
        &mut self.rd
    }

    pub(super) fn path(&self) -> &Path {
        &self.path
    }

    pub(super) fn error(&self, message: impl Into<String>) -> DecodeError {
        DecodeError::at("msgpack", &self.path, message)
    }

    /// Turns a reader failure into an error that says what was expected here.
    fn fail(&self, e: ReadError, expected: &str) -> DecodeError {
        match e {
            ReadError::Truncated => self.error("unexpected end of input"),
            ReadError::Mismatch => self.error(format!("{expected} is required")),
        }
    }

    pub(super) fn value(&mut self, ty: &Type) -> Result<Value, DecodeError> {
        if self.depth >= MAX_DEPTH {
            return Err(self.error(format!("value nests more than {MAX_DEPTH} levels deep")));
        }
        self.depth += 1;
        let result = self.value_inner(ty);
        self.depth -= 1;
        result
    }

    fn value_inner(&mut self, ty: &Type) -> Result<Value, DecodeError> {
        let marker = self.rd.peek().map_err(|e| self.fail(e, ty.expected()))?;
        if is_ext(marker) {
            return unknown::decode(self, ty);
        }
        if *ty == Type::Dynamic {
            return self.dynamic();
        }
        if marker == Marker::Null {
            self.rd.nil().map_err(|e| self.fail(e, "nil"))?;
            return Ok(Value::Null);
        }
        match ty {
            Type::Bool => Ok(Value::Bool(
                self.rd.bool().map_err(|e| self.fail(e, "bool"))?,
            )),
            Type::Number => Ok(Value::Number(self.number()?)),
            Type::String => Ok(Value::String(self.string("string")?)),
            Type::List(elem) => Ok(Value::List(self.array(ty, |_| elem)?)),
            Type::Set(elem) => Ok(Value::Set(set::dedupe(self.array(ty, |_| elem)?))),
            Type::Tuple(elems) => self.tuple(ty, elems),
            Type::Map(elem) => self.map(ty, elem),
            Type::Object(attrs) => self.object(ty, attrs),
            Type::Dynamic => self.dynamic(),
        }
    }

    /// A number: any msgpack int or float, or a decimal string.
    pub(super) fn number(&mut self) -> Result<Number, DecodeError> {
        let expected = "number";
        match self.rd.peek().map_err(|e| self.fail(e, expected))? {
            Marker::F32 | Marker::F64 => {
                let f = self.rd.float().map_err(|e| self.fail(e, expected))?;
                if f.is_nan() {
                    return Err(self.error("NaN is not a number"));
                }
                Ok(Number::Float(f).canonical())
            }
            Marker::FixStr(_)
            | Marker::Str8
            | Marker::Str16
            | Marker::Str32
            | Marker::Bin8
            | Marker::Bin16
            | Marker::Bin32 => {
                let text = self.string(expected)?;
                match parse_exact(&text) {
                    Some(exact) => Ok(exact.into_number()),
                    None => Err(self.error(format!("number is required, found {text:?}"))),
                }
            }
            _ => {
                let i = self.rd.int().map_err(|e| self.fail(e, expected))?;
                Ok(match i64::try_from(i) {
                    Ok(small) => Number::Int(small),
                    Err(_) => Number::Decimal(i.to_string()).canonical(),
                })
            }
        }
    }

    /// A str or bin item holding UTF-8.
    pub(super) fn string(&mut self, expected: &str) -> Result<String, DecodeError> {
        let bytes = self.rd.bytes().map_err(|e| self.fail(e, expected))?;
        match std::str::from_utf8(bytes) {
            Ok(s) => Ok(s.to_owned()),
            Err(_) => Err(self.error(format!("{expected} is required, found invalid UTF-8"))),
        }
    }

    /// An array whose i-th element has type `elem(i)`.
    fn array<'t>(
        &mut self,
        ty: &Type,
        elem: impl Fn(usize) -> &'t Type,
    ) -> Result<Vec<Value>, DecodeError> {
        let len = self
            .rd
            .array_len()
            .map_err(|e| self.fail(e, ty.expected()))?;
        // Every element takes at least one byte, so this never over-allocates.
        let mut items = Vec::with_capacity(len.min(self.rd.remaining()));
        for i in 0..len {
            self.path.push(Step::Index(i));
            items.push(self.value(elem(i))?);
            self.path.pop();
        }
        Ok(items)
    }

    fn tuple(&mut self, ty: &Type, elems: &[Type]) -> Result<Value, DecodeError> {
        let len = self
            .rd
            .array_len()
            .map_err(|e| self.fail(e, ty.expected()))?;
        if len != elems.len() {
            return Err(self.error(format!(
                "a tuple of length {} is required ({len} given)",
                elems.len()
            )));
        }
        let mut items = Vec::with_capacity(len);
        for (i, elem) in elems.iter().enumerate() {
            self.path.push(Step::Index(i));
            items.push(self.value(elem)?);
            self.path.pop();
        }
        Ok(Value::Tuple(items))
    }

    fn map(&mut self, ty: &Type, elem: &Type) -> Result<Value, DecodeError> {
        let len = self.rd.map_len().map_err(|e| self.fail(e, ty.expected()))?;
        let mut entries = BTreeMap::new();
        for _ in 0..len {
            let key = self.string("a string map key")?;
            self.path.push(Step::Key(key.clone()));
            let v = self.value(elem)?;
            self.path.pop();
            // A repeated key keeps its last value, as go-cty does.
            entries.insert(key, v);
        }
        Ok(Value::Map(entries))
    }

    fn object(&mut self, ty: &Type, attrs: &BTreeMap<String, Type>) -> Result<Value, DecodeError> {
        let len = self.rd.map_len().map_err(|e| self.fail(e, ty.expected()))?;
        if len != attrs.len() {
            return Err(self.error(format!(
                "an object with {} attributes is required ({len} given)",
                attrs.len()
            )));
        }
        let mut entries = BTreeMap::new();
        for _ in 0..len {
            let key = self.string("a string attribute name")?;
            self.path.push(Step::Attr(key.clone()));
            let Some(attr_ty) = attrs.get(&key) else {
                return Err(self.error("unsupported attribute"));
            };
            if entries.contains_key(&key) {
                return Err(self.error("duplicate attribute"));
            }
            let v = self.value(attr_ty)?;
            self.path.pop();
            entries.insert(key, v);
        }
        Ok(Value::Object(entries))
    }

    /// `nil`, or `[type JSON, value]`; a bare extension was handled by the caller.
    fn dynamic(&mut self) -> Result<Value, DecodeError> {
        let expected = "a [type, value] array";
        if self.rd.peek().map_err(|e| self.fail(e, expected))? == Marker::Null {
            self.rd.nil().map_err(|e| self.fail(e, expected))?;
            return Ok(Value::Null);
        }
        let len = self.rd.array_len().map_err(|e| self.fail(e, expected))?;
        if len != 2 {
            return Err(self.error(format!(
                "a dynamic value must be a [type, value] array ({len} elements given)"
            )));
        }
        let type_json = self
            .rd
            .bytes()
            .map_err(|e| self.fail(e, "type JSON (bin or str)"))?;
        let ty = Type::from_json(type_json)
            .map_err(|e| self.error(format!("dynamic value has an invalid type: {}", e.0)))?;
        let value = self.value(&ty)?;
        Ok(Value::Dynamic(Box::new(ty), Box::new(value)))
    }
}
